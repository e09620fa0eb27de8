// The bench's browser part (`cargo xtask bench` runs it; not a browser test): in headless
// Chromium, signed in as a generated user, how long a person waits for
//   - the request pane of a cold deep link `/package/<id>` (new context, empty cache),
//   - the first catalog page of a cold visit to `/`,
//   - the catalog's list updated after a keystroke in its search box,
// each the median of several runs. Prints one JSON object on stdout.
//
// The times are taken inside the page (performance.now(), from navigation start or from the
// input event, until the frame after the awaited element is in the DOM), so Playwright's
// polling does not count.
//
// Environment: PORTAL_BENCH_URL (the server), PORTAL_BENCH_TOKEN (a bearer token),
// PORTAL_BENCH_PACKAGE (a package id), PORTAL_BENCH_SEARCH (the word typed),
// PORTAL_BENCH_RUNS (default 7), CHROMIUM_PATH (default /usr/bin/chromium).
import { chromium } from '@playwright/test';

const base = required('PORTAL_BENCH_URL');
const token = required('PORTAL_BENCH_TOKEN');
const packageId = required('PORTAL_BENCH_PACKAGE');
const word = process.env.PORTAL_BENCH_SEARCH ?? 'sales';
const runs = Number(process.env.PORTAL_BENCH_RUNS ?? 7);
// Long enough for a slow tenant; a run that takes longer fails the browser part.
const timeout = 60_000;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this through \`cargo xtask bench\``);
  return value;
}

async function api(path) {
  const reply = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!reply.ok) throw new Error(`GET ${path} answered ${reply.status}: ${await reply.text()}`);
  return reply.json();
}

// Runs in the page before any of its scripts: the session the app restores (sessionStorage,
// as after a sign-in), and marks for the moments the bench waits for.
function instrument({ session, packageName }) {
  sessionStorage.setItem('access-portal.session', session);
  const marks = (window.__bench = {});
  const listText = () => {
    const list = document.querySelector('ul.package-list, .empty');
    return list ? list.textContent : '';
  };
  const checks = {
    pane: () => [...document.querySelectorAll('h1')].some((h) => h.textContent.trim() === packageName),
    catalog: () => document.querySelector('ul.package-list > li') !== null,
    search: () =>
      marks.input !== undefined &&
      document.querySelector('p.loading') === null &&
      listText() !== marks.before,
  };
  const pending = new Set();
  const check = () => {
    for (const [name, ready] of Object.entries(checks)) {
      if (marks[name] === undefined && !pending.has(name) && ready()) {
        // The frame after the change: what the person sees, not only what the DOM holds.
        pending.add(name);
        requestAnimationFrame(() => {
          marks[name] = performance.now();
          pending.delete(name);
        });
      }
    }
  };
  document.addEventListener(
    'input',
    () => {
      if (marks.before === undefined) marks.before = listText();
      marks.input = performance.now();
      marks.search = undefined;
      check();
    },
    true,
  );
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
}

async function measure(browser, contextArgs, path, until, act) {
  // A new context each time: no cache, no cookies, nothing from an earlier run.
  const context = await browser.newContext();
  await context.addInitScript(instrument, contextArgs);
  const page = await context.newPage();
  try {
    await page.goto(`${base}${path}`, { waitUntil: 'commit', timeout });
    const marks = async (name) => {
      await page.waitForFunction((n) => window.__bench[n] !== undefined, name, { timeout });
      return page.evaluate(() => ({ ...window.__bench }));
    };
    const first = await marks(until);
    const result = { [until]: first[until] };
    if (act) {
      await act(page);
      const after = await marks('search');
      result.search = after.search - after.input;
    }
    return result;
  } finally {
    await context.close();
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const me = await api('/me');
const pkg = await api(`/accessPackages/${encodeURIComponent(packageId)}`);
const args = { session: JSON.stringify({ token, user: me }), packageName: pkg.displayName };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  // As in playwright.config.ts: root needs --no-sandbox; the rest keep it off the network.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const times = { deepLink: [], catalog: [], search: [] };
const type = async (page) => {
  await page.getByRole('searchbox', { name: 'Search access packages' }).pressSequentially(word);
};
try {
  // One run first, not counted: the server's and the system's caches warm up.
  await measure(browser, args, `/package/${packageId}`, 'pane');
  for (let run = 0; run < runs; run++) {
    const deep = await measure(browser, args, `/package/${packageId}`, 'pane');
    times.deepLink.push(deep.pane);
    const catalog = await measure(browser, args, '/', 'catalog', type);
    times.catalog.push(catalog.catalog);
    times.search.push(catalog.search);
  }
} finally {
  await browser.close();
}
const summary = (values) => ({ medianMs: median(values), runsMs: values.map((v) => Math.round(v)) });
console.log(
  JSON.stringify({
    runs,
    package: packageId,
    searchWord: word,
    deepLink: summary(times.deepLink),
    catalog: summary(times.catalog),
    search: summary(times.search),
  }),
);
