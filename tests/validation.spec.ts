// Journey: mistakes in the "Request access" form are shown next to their fields, and nothing
// is created until they are fixed.
import { test, expect } from './fixtures';
import { dayFromToday, openAs, openRequestForm, submit } from './portal';

async function expectNoRequests(page: import('@playwright/test').Page) {
  await page.goto('/requests');
  await expect(page.getByRole('heading', { name: 'No requests' })).toBeVisible();
}

test('a missing business justification is shown next to its box', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/marketing-campaigns');
  await openRequestForm(page, 'Marketing campaign workspace');
  await submit(page);
  const box = page.getByLabel('Business justification');
  await expect(box).toHaveAccessibleDescription(/justification/i);
  await expect(page.locator('#justification-note .field-error')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Submit' })).toBeEnabled();
  await expectNoRequests(page);
});

test('an expire date before the start date is shown next to the dates', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/marketing-campaigns');
  await openRequestForm(page, 'Marketing campaign workspace');
  await page.getByLabel('Business justification').fill('Spring campaign.');
  await page.getByRole('group', { name: 'Request for specific period?' }).getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('Start date').fill(dayFromToday(10));
  await page.getByLabel('Expire date').fill(dayFromToday(5));
  await submit(page);
  await expect(page.locator('#expire-date-note .field-error')).toBeVisible();
  await expectNoRequests(page);
});

test('a period longer than the policy allows, or starting in the past, is refused', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/marketing-campaigns');
  await openRequestForm(page, 'Marketing campaign workspace');
  await page.getByLabel('Business justification').fill('Spring campaign.');
  await page.getByRole('group', { name: 'Request for specific period?' }).getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('Start date').fill(dayFromToday(-5));
  await page.getByLabel('Expire date').fill(dayFromToday(200));
  await submit(page);
  await expect(page.locator('#start-date-note .field-error')).toBeVisible();
  await expect(page.locator('.field-error')).not.toHaveCount(0);
  await expectNoRequests(page);
});

test('unanswered and invalid answers are shown next to their questions', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/travel-expenses');
  await openRequestForm(page, 'Travel and expense reporting');
  await submit(page);
  const costCenter = page.getByLabel('Which cost center pays for your travel?');
  const region = page.getByLabel('Where do you travel most?');
  await expect(page.locator('#q-costCenter-note .field-error')).toBeVisible();
  await expect(page.locator('#q-region-note .field-error')).toBeVisible();

  await costCenter.fill('twelve');
  await region.selectOption({ label: 'Asia and Pacific' });
  await submit(page);
  await expect(costCenter).toHaveAccessibleDescription(/CC-/);
  await expect(page.locator('#q-costCenter-note .field-error')).toBeVisible();
  await expect(page.locator('#q-region-note .field-error')).toHaveCount(0);
  await expectNoRequests(page);
});

test('fixing the answers lets the request through', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/travel-expenses');
  await openRequestForm(page, 'Travel and expense reporting');
  await page.getByLabel('Which cost center pays for your travel?').fill('CC-1234');
  await page.getByLabel('Where do you travel most?').selectOption({ label: 'Asia and Pacific' });
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.getByText('CC-1234')).toBeVisible();
  await expect(page.getByText('Asia and Pacific')).toBeVisible();
});
