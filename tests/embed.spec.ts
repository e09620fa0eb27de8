// Journeys of the portal inside an intranet page: in a frame (?embed=1) — chrome-less, sized
// by the height it reports, framing refused to pages not allowed — and mounted by one script
// into an element, with its routes in the fragment; styles kept apart both ways in each.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { Page } from '@playwright/test';
import { test as base, expect, Portal, root, startServer } from './fixtures';

const intranet = (file: string) => readFileSync(join(root, 'tests/intranet', file), 'utf8');

/** The sample intranet page, served for real on loopback, and the portal that lets it frame. */
const test = base.extend<{ intranet: string; portal: Portal }>({
  intranet: async ({}, use) => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(intranet(req.url?.startsWith('/script.html') ? 'script.html' : 'index.html'));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const address = server.address();
    await use(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    await new Promise((ok) => server.close(ok));
  },
  portal: async ({ intranet }, use) => {
    const portal = await startServer(['--frame-ancestors', intranet, '--cors-allowed-origins', intranet]);
    await use(portal);
    await portal.stop();
  },
});

/** Open the intranet page at `origin`, framing `portal`. */
async function openIntranet(page: Page, origin: string, portal: Portal) {
  await page.goto(`${origin}/?portal=${encodeURIComponent(portal.url)}`);
}

test('a package is requested from inside the intranet page, and both looks stay intact', async ({ page, intranet, portal }) => {
  await openIntranet(page, intranet, portal);
  const frame = page.frameLocator('#portal');
  await frame.getByRole('button', { name: 'Sign in as Adele Vance' }).click();

  // Chrome-less: no header of its own, navigation as tabs, the user beside them.
  await expect(frame.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(frame.getByRole('banner')).toHaveCount(0);
  await expect(frame.getByText('Adele Vance')).toBeVisible();

  await frame.getByRole('searchbox', { name: 'Search access packages' }).fill('wiki');
  // The search's own answer first: a click on the list it replaces may land on another row.
  await expect(frame.getByText('1 access package', { exact: true })).toBeVisible();
  await frame.getByRole('link', { name: 'Request Company wiki editor' }).click();
  await expect(frame.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  await frame.getByRole('button', { name: 'Request', exact: true }).click();
  const submitButton = frame.getByRole('button', { name: 'Submit' });
  await expect(submitButton).toBeVisible();

  // The portal's button keeps the portal's look, whatever the host page says about buttons.
  const portalButton = await submitButton.evaluate((b) => {
    const s = getComputedStyle(b);
    return { background: s.backgroundColor, font: s.fontFamily };
  });
  expect(portalButton.background).toBe('rgb(15, 108, 189)');
  expect(portalButton.font).not.toContain('Comic Sans');
  await submitButton.click();
  await expect(frame.getByRole('heading', { name: 'Access delivered' })).toBeVisible();

  // The host page keeps its own look.
  const title = await page.locator('.intranet-title').evaluate((h) => {
    const s = getComputedStyle(h);
    return { size: s.fontSize, transform: s.textTransform, color: s.color };
  });
  expect(title).toEqual({ size: '40px', transform: 'uppercase', color: 'rgb(128, 0, 128)' });
  expect(await page.locator('.news button').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(255, 105, 180)');

  // The frame is as tall as the portal says, so the portal shows without an inner scroll bar.
  const reported = await frame.locator('body').evaluate((b) => b.scrollHeight);
  await expect(async () => {
    const height = await page.locator('#portal').evaluate((f) => f.getBoundingClientRect().height);
    expect(Math.abs(height - reported)).toBeLessThanOrEqual(4);
  }).toPass();
});

test('a page that is not allowed cannot frame the portal', async ({ page, intranet, portal }) => {
  const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
  // The same page from another origin: localhost is not 127.0.0.1 to the browser.
  await openIntranet(page, intranet.replace('127.0.0.1', 'localhost'), portal);
  await refused;
  await expect(page.frameLocator('#portal').getByRole('button', { name: 'Sign in as Adele Vance' })).toHaveCount(0);
});

test('one script mounts the portal into the intranet page, routes in the fragment', async ({ page, intranet, portal }) => {
  await page.goto(`${intranet}/script.html?portal=${encodeURIComponent(portal.url)}&team=sales`);
  // The element's data-start opens the package; sign-in stands in for it first.
  await page.getByRole('button', { name: 'Sign in as Adele Vance' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  await expect(page).toHaveURL(/\/script\.html\?portal=.*&team=sales#\/package\/company-wiki$/);
  await expect(page).toHaveTitle('Contoso Intranet');

  await page.getByRole('button', { name: 'Request', exact: true }).click();
  const submit = page.getByRole('button', { name: 'Submit' });
  const look = await submit.evaluate((b) => {
    const s = getComputedStyle(b);
    return { background: s.backgroundColor, font: s.fontFamily, spacing: s.letterSpacing };
  });
  expect(look.background).toBe('rgb(15, 108, 189)');
  expect(look.font).not.toContain('Comic Sans');
  expect(look.spacing).toBe('normal');
  await submit.click();
  await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();

  // Navigation changes only the fragment; back returns, the host's path and query stay.
  await page.getByRole('link', { name: 'Go to Access I have' }).click();
  await expect(page).toHaveURL(/\/script\.html\?portal=.*&team=sales#\/access$/);
  await expect(page.getByRole('row', { name: /Company wiki editor/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Request access' }).click();
  await page.getByRole('searchbox', { name: 'Search access packages' }).fill('crm');
  await expect(page).toHaveURL(/#\/\?search=crm$/);
  await expect(page.getByRole('heading', { name: 'Sales CRM' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Access I have' })).toBeVisible();

  // The host page keeps its own look.
  const title = await page.locator('.intranet-title').evaluate((h) => {
    const s = getComputedStyle(h);
    return { size: s.fontSize, transform: s.textTransform, color: s.color };
  });
  expect(title).toEqual({ size: '40px', transform: 'uppercase', color: 'rgb(128, 0, 128)' });
  expect(await page.locator('.news button').evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(255, 105, 180)');
});

test.describe(() => {
  // The host page's own WebAssembly stops on purpose here; the portal must go on.
  test.use({ appStops: 'expected' });

  test("an error in the intranet page's own WebAssembly leaves the mounted portal as it is", async ({ page, intranet, portal }) => {
    await page.goto(`${intranet}/script.html?portal=${encodeURIComponent(portal.url)}`);
    await page.getByRole('button', { name: 'Sign in as Adele Vance' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
    let loads = 0;
    page.on('load', () => loads++);

    // A module of the host's whose one function traps, called from a timer and in a promise.
    await page.evaluate(async () => {
      const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0,
        7, 5, 1, 1, 102, 0, 0, 10, 5, 1, 3, 0, 0, 11]);
      const { instance } = await WebAssembly.instantiate(bytes);
      const trap = instance.exports.f as () => void;
      setTimeout(trap);
      Promise.resolve().then(trap);
    });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
    expect(loads).toBe(0);
  });
});

test('the portal passes axe\'s WCAG 2.1 AA checks mounted in the page and in its frame', async ({ page, intranet, portal }) => {
  const wcag = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const found = (result: { violations: { id: string; nodes: { target: unknown[] }[] }[] }) =>
    result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);

  // Mounted by the script: only the portal's element is checked, the host page is not ours.
  await page.goto(`${intranet}/script.html?portal=${encodeURIComponent(portal.url)}`);
  await page.getByRole('button', { name: 'Sign in as Adele Vance' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  const mounted = await new AxeBuilder({ page }).include('[data-access-portal]').withTags(wcag).analyze();
  expect(found(mounted)).toEqual([]);
  // The checks reached into the shadow root: its buttons and headings were examined.
  expect(mounted.passes.map((p) => p.id)).toEqual(expect.arrayContaining(['button-name', 'color-contrast']));

  // The chrome-less layout a frame shows.
  await page.goto(`${portal.url}/access?embed=1`);
  await page.getByRole('button', { name: 'Sign in as Adele Vance' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Access I have' })).toBeVisible();
  expect(found(await new AxeBuilder({ page }).withTags(wcag).analyze())).toEqual([]);
});
