// Journey: finding a package in "Request access" by searching, and opening it.
import { test, expect } from './fixtures';
import { openAs } from './portal';

test('searching filters the list as you type and keeps the query in the URL', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await expect(page.getByRole('heading', { name: 'Company wiki editor' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search access packages' }).fill('crm');
  await expect(page).toHaveURL(/\?search=crm$/);
  await expect(page.getByRole('heading', { name: 'Sales CRM' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Company wiki editor' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Request Sales CRM' }).click();
  await expect(page).toHaveURL('/package/sales-crm');
  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Contoso CRM' })).toBeVisible();

  // Back returns to the search as it was.
  await page.goBack();
  await expect(page.getByRole('searchbox', { name: 'Search access packages' })).toHaveValue('crm');
  await expect(page.getByRole('heading', { name: 'Sales CRM' })).toBeVisible();
});

test('a search that matches nothing says so and what to do', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/?search=zzzz-nothing');
  await expect(page.getByRole('heading', { name: 'No access packages found' })).toBeVisible();
  await expect(page.getByText('Try another word')).toBeVisible();
});

test('search finds a package by the name of a resource it grants', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/?search=Contoso%20CRM');
  await expect(page.getByRole('heading', { name: 'Sales CRM' })).toBeVisible();
});

test('a long catalog loads more on demand, and hidden or forbidden packages are not listed', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  const rows = page.locator('.package-list > li');
  await expect(rows.first()).toBeVisible();
  const first = await rows.count();
  await page.getByRole('button', { name: 'Show more' }).click();
  await expect(async () => expect(await rows.count()).toBeGreaterThan(first)).toPass();
  await expect(page.getByRole('button', { name: 'Show more' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Project Falcon' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'General ledger' })).toHaveCount(0);
});
