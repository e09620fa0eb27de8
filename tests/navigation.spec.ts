// Journey: finding one's way around — the app loads, every navigation link shows its page,
// deep links and hard refreshes open straight on their route.
import { test, expect } from './fixtures';
import { openAs, signIn } from './portal';

test('the portal opens on Request access', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  await expect(page).toHaveTitle(/Request access/);
});

test('each navigation link shows its page', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
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
    // Only that link: not the links home (the product name), which every page is below.
    if (path !== '/') await expect(page.locator('[aria-current="page"]')).toHaveCount(1);
    await expect(page).toHaveTitle(new RegExp(link));
  }
});

test('a package link opened directly renders its request pane', async ({ page }) => {
  const response = await page.goto('/package/sales-crm');
  expect(response?.status()).toBe(200);
  await signIn(page, 'Adele Vance');
  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
});

test('an unknown path shows the not-found page', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/no/such/page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
});

test('a hard refresh on every route renders the same view', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  for (const [path, heading] of [
    ['/', 'Request access'],
    ['/?search=wiki', 'Request access'],
    ['/package/company-wiki', 'Company wiki editor'],
    ['/access', 'Access I have'],
    ['/requests', 'My requests'],
    ['/approvals', 'Approvals'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await expect(page).toHaveURL(path);
  }
});

test('back and forward move between views', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'My requests' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
  // The link to the page on show adds no entry: Back still leaves the page.
  await nav.getByRole('link', { name: 'My requests' }).click();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Request access' })).toBeVisible();
});

test('switching user keeps the page and shows it as the other person', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/requests');
  await page.getByRole('button', { name: 'Switch user' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL('/requests');
  await signIn(page, 'Megan Bowen');
  await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
  await expect(page.getByRole('banner').getByText('Adele Vance')).toHaveCount(0);
});

test('a page whose data cannot be loaded says so and offers to try again', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  // The connection to the server drops for this one call.
  await page.route('**/api/v1/assignments', (route) => route.abort('connectionrefused'));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access I have' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('cannot reach its server');
  await page.unroute('**/api/v1/assignments');
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'You have no access packages yet' })).toBeVisible();
});

test('links change the view in place, and open in a new tab on Ctrl-click', async ({ page, context }) => {
  await openAs(page, 'Adele Vance', '/?search=crm');
  // A page-load in place would lose this marker; the app's own navigation keeps the document.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.getByRole('link', { name: 'Request Sales CRM' }).click();
  await expect(page).toHaveURL('/package/sales-crm');
  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);

  const opened = context.waitForEvent('page');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click({ modifiers: ['Control'] });
  const tab = await opened;
  await expect(tab).toHaveURL(/\/requests$/);
  await expect(page).toHaveURL('/package/sales-crm');
});
