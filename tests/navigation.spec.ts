// Journey: finding one's way around — the app loads, every navigation link shows its page,
// and a deep link opens straight on its route.
import { test, expect } from './fixtures';

test('the portal opens on Request access', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  await expect(page).toHaveTitle(/Request access/);
});

test('each navigation link shows its page', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const [link, path] of [
    ['Access I have', '/access'],
    ['My requests', '/requests'],
    ['Approvals', '/approvals'],
    ['Request access', '/'],
  ]) {
    await nav.getByRole('link', { name: link }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole('heading', { level: 1, name: link })).toBeVisible();
    await expect(nav.getByRole('link', { name: link })).toHaveAttribute('aria-current', 'page');
  }
});

test('a package link opened directly renders the request pane', async ({ page }) => {
  const response = await page.goto('/package/sales-crm');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
});

test('an unknown path shows the not-found page', async ({ page }) => {
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
});
