// Where a cold deep link's time goes: in headless Chromium, opens `/package/<id>` in a new
// context (empty cache) signed in as a given user, waits for the request pane, then prints
// the page's own timeline — navigation, every file and API call (start and end in ms from
// navigation start, bytes over the wire), the wasm's compile and start where the browser
// reports them, and the moment the pane showed. A profile for docs/performance.md, not part
// of the bench's budgets.
//
//   PORTAL_BENCH_URL=http://127.0.0.1:PORT PORTAL_BENCH_TOKEN=… PORTAL_BENCH_PACKAGE=p00001 \
//     node bench/timeline.mjs [runs]
//
// With several runs it prints each, then the median of every entry's end.
import { chromium } from '@playwright/test';

const base = required('PORTAL_BENCH_URL');
const token = required('PORTAL_BENCH_TOKEN');
const packageId = required('PORTAL_BENCH_PACKAGE');
const runs = Number(process.argv[2] ?? 3);

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function api(path) {
  const reply = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!reply.ok) throw new Error(`GET ${path} answered ${reply.status}: ${await reply.text()}`);
  return reply.json();
}

function instrument({ session, packageName }) {
  sessionStorage.setItem('access-portal.session', session);
  window.__pane = undefined;
  new MutationObserver(() => {
    if (window.__pane === undefined &&
      [...document.querySelectorAll('h1')].some((h) => h.textContent.trim() === packageName)) {
      requestAnimationFrame(() => { window.__pane = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });
}

const me = await api('/me');
const pkg = await api(`/accessPackages/${encodeURIComponent(packageId)}`);
const args = { session: JSON.stringify({ token, user: me }), packageName: pkg.displayName };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const name = (url) => {
  const u = new URL(url);
  return u.pathname.replace(/-[0-9a-f]{16}/, '-…') + u.search;
};
const ends = new Map();
try {
  for (let run = 0; run <= runs; run++) {
    const context = await browser.newContext();
    await context.addInitScript(instrument, args);
    const page = await context.newPage();
    await page.goto(`${base}/package/${packageId}`, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__pane !== undefined, null, { timeout: 60_000 });
    const timeline = await page.evaluate(() => {
      const [nav] = performance.getEntriesByType('navigation');
      const rows = [['document', 0, nav.responseEnd, nav.transferSize]];
      for (const r of performance.getEntriesByType('resource')) {
        rows.push([r.name, r.startTime, r.responseEnd, r.transferSize]);
      }
      rows.push(['DOMContentLoaded', nav.domContentLoadedEventEnd, nav.domContentLoadedEventEnd, 0]);
      rows.push(['request pane shown', window.__pane, window.__pane, 0]);
      return rows;
    });
    await context.close();
    // The first run warms the server and the system's caches, as in the bench: not counted.
    if (run === 0) continue;
    console.log(`run ${run}`);
    for (const [url, start, end, bytes] of timeline) {
      const label = url.startsWith('http') ? name(url) : url;
      console.log(`  ${start.toFixed(0).padStart(6)} → ${end.toFixed(0).padStart(6)} ms  ${(bytes / 1024).toFixed(1).padStart(7)} KB  ${label}`);
      ends.set(label, [...(ends.get(label) ?? []), end]);
    }
  }
} finally {
  await browser.close();
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`median end of each, over ${runs} runs`);
for (const [label, values] of [...ends].sort((a, b) => median(a[1]) - median(b[1]))) {
  console.log(`  ${median(values).toFixed(0).padStart(6)} ms  ${label}`);
}
