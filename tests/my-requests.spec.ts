// Journeys of the seed's "View your access and requests" and "Cancel a request" sections.
import { test, expect } from './fixtures';
import { openAs, openRequestForm, submit } from './portal';

async function requestPackage(page: import('@playwright/test').Page, id: string, name: string) {
  await page.goto(`/package/${id}`);
  await openRequestForm(page, name);
  await submit(page);
  await expect(page.getByRole('status').filter({ hasText: /pending approval|delivered/i })).toBeVisible();
}

test('My requests shows each request with its status, and filters by status', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestPackage(page, 'company-wiki', 'Company wiki editor');
  await requestPackage(page, 'project-falcon', 'Project Falcon');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My requests' }).click();
  const rows = page.getByRole('row');
  await expect(rows.nth(1)).toContainText('Project Falcon'); // newest first
  await expect(page.getByRole('row', { name: /Project Falcon/ }).getByText('Pending approval')).toBeVisible();
  await expect(page.getByRole('row', { name: /Company wiki editor/ }).getByText('Delivered')).toBeVisible();

  await page.getByLabel('Status').selectOption({ label: 'Delivered' });
  await expect(page).toHaveURL(/state=delivered/);
  await expect(page.getByRole('row', { name: /Project Falcon/ })).toHaveCount(0);
  await expect(page.getByRole('row', { name: /Company wiki editor/ })).toBeVisible();
});

test('a pending request can be canceled after confirming, and then reads Canceled', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestPackage(page, 'project-falcon', 'Project Falcon');
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.getByText('Pending approval')).toBeVisible();

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('button', { name: 'Keep request' }).click();
  await expect(page.getByText('Pending approval')).toBeVisible();

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel request' }).click();
  await expect(page.locator('.status-line').getByText('Canceled')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
  await expect(page.getByRole('list').getByText(/Canceled|canceled/).first()).toBeVisible();

  await page.getByRole('link', { name: 'My requests' }).first().click();
  await expect(page.getByRole('row', { name: /Project Falcon/ }).getByText('Canceled')).toBeVisible();
});

test('a delivered request offers no Cancel', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestPackage(page, 'company-wiki', 'Company wiki editor');
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.locator('.status-line').getByText('Delivered')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
});
