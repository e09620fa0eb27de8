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
