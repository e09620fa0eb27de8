// Journey: the app arrives in parts — each page's code is its own chunk, fetched with the app
// for a deep link, and a tab left open across a deploy gets the current build's.
import { test, expect } from './fixtures';
import { openAs } from './portal';

test("a deep link fetches its page's code together with the app, once", async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (/split_package_/.test(request.url())) fetched.push(request.url());
  });

  await page.goto('/package/sales-crm');

  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
  // index.html's start-up script asked for it before the app started...
  await expect(page.locator('link[rel=preload][href*="split_package_"]')).toHaveCount(1);
  // ...and the app's own load used that answer instead of fetching it again.
  expect(fetched).toHaveLength(1);
});

test("signed out, a deep link fetches the sign-in page's code together with the app, and no page's", async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (/split_/.test(request.url())) fetched.push(new URL(request.url()).pathname);
  });

  await page.goto('/package/sales-crm');

  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.locator('link[rel=preload][href*="split_sign_in_"]')).toHaveCount(1);
  expect(fetched).toEqual([expect.stringMatching(/^\/split_sign_in_/)]);
});

test("the request form's code comes when Request is about to be pressed, not with the pane", async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  const fetched: string[] = [];
  page.on('request', (request) => {
    if (/split_request_form_/.test(request.url())) fetched.push(request.url());
  });

  await page.goto('/package/company-wiki');
  await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  expect(fetched).toHaveLength(0);

  const request = page.getByRole('button', { name: 'Request', exact: true });
  await request.hover();
  await expect.poll(() => fetched.length).toBe(1);
  await request.click();
  await expect(page.getByRole('heading', { name: 'Request access' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit' })).toBeVisible();
  expect(fetched).toHaveLength(1);
});

test("a deep link fetches every file from the app's folder, the app's own first", async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  const fetched: string[] = [];
  page.on('request', (request) => fetched.push(new URL(request.url()).pathname));

  await page.goto('/package/sales-crm');

  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
  // Nothing is asked for from the deep link's folder but the page itself: no file of a tag the
  // browser read before the start-up script had set the base.
  expect(fetched.filter((path) => path.startsWith('/package/'))).toEqual(['/package/sales-crm']);
  const files = fetched.filter((path) => /\.(css|js|wasm)$/.test(path));
  const app = files.findIndex((path) => /^\/portal-[0-9a-f]{16}_bg\.wasm$/.test(path));
  const chunk = files.findIndex((path) => /^\/split_package_/.test(path));
  expect(app, files.join(' ')).toBeGreaterThanOrEqual(0);
  expect(app, `the app's module is asked for before the page's chunks: ${files.join(' ')}`).toBeLessThan(chunk);
  expect(files).toContainEqual(expect.stringMatching(/^\/portal-[0-9a-f]{16}\.css$/));
  // The email link's code is the main module and the pane's own chunk: what other pages
  // share among themselves is in a chunk of theirs, which it does not fetch.
  expect(files.filter((path) => path.endsWith('.wasm')), files.join(' ')).toEqual([
    expect.stringMatching(/^\/portal-[0-9a-f]{16}_bg\.wasm$/),
    expect.stringMatching(/^\/split_package_/),
  ]);
});

test.describe(() => {
  // The old build stops when its chunk is not there: that is what this test makes happen.
  test.use({ appStops: 'expected' });

  test('a page whose code a deploy removed reloads onto the current build', async ({ page }) => {
    await openAs(page, 'Adele Vance', '/');
    await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
    // The old build's chunk is gone once: the server answers as for any unknown file.
    let gone = true;
    await page.route(/split_requests_/, (route) => {
      if (!gone) return route.continue();
      gone = false;
      return route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' });
    });
    let reloads = 0;
    page.on('load', () => reloads++);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
    expect(reloads).toBe(1);
  });
});
