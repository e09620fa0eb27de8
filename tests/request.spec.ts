// Journeys of the seed's "Request an access package" and "Select a policy" sections.
import { test, expect } from './fixtures';
import { dayFromToday, openAs, openRequestForm, submit } from './portal';

test('a deep link opened signed out comes back to the package after sign-in', async ({ page }) => {
  await page.goto('/package/marketing-campaigns');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in as Adele Vance' }).click();
  await expect(page).toHaveURL('/package/marketing-campaigns');
  await expect(page.getByRole('heading', { level: 1, name: 'Marketing campaign workspace' })).toBeVisible();
});

test('requesting with a business justification and a specific period is pending approval', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/marketing-campaigns');
  await openRequestForm(page, 'Marketing campaign workspace');
  // One policy applies: no choice is shown.
  await expect(page.getByRole('radio', { name: /campaign project/ })).toHaveCount(0);
  await page.getByLabel('Business justification').fill('I run the spring launch campaign.');
  const period = page.getByRole('group', { name: 'Request for specific period?' });
  await period.getByRole('radio', { name: 'Yes' }).check();
  await page.getByLabel('Start date').fill(dayFromToday(1));
  await page.getByLabel('Expire date').fill(dayFromToday(31));
  await submit(page);

  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to My requests' }).click();
  const row = page.getByRole('row', { name: /Marketing campaign workspace/ });
  await expect(row.getByText('Pending approval')).toBeVisible();
});

test('requesting under a policy without approval delivers the access at once', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/company-wiki');
  await openRequestForm(page, 'Company wiki editor');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to Access I have' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Access I have' })).toBeVisible();
  const row = page.getByRole('row', { name: /Company wiki editor/ });
  await expect(row.getByText('Active')).toBeVisible();
  await expect(row.getByText('No end date')).toBeVisible();

  // The pane now says so instead of offering the form again.
  await page.goto('/package/company-wiki');
  await expect(page.getByText('You already have this access package.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Request', exact: true })).toHaveCount(0);
});

for (const [policy, outcome, where] of [
  [/Policy A/, 'Your request is pending approval', 'Pending approval'],
  [/Policy B/, 'Access delivered', 'Delivered'],
] as const) {
  test(`the two-policy package asks for a policy, and ${where} follows from ${policy.source}`, async ({ page }) => {
    await openAs(page, 'Adele Vance', '/package/sales-crm');
    await openRequestForm(page, 'Sales CRM');
    await expect(page.getByRole('radio')).toHaveCount(2);
    await submit(page);
    await expect(page.getByRole('group', { name: /Select a policy/ })).toHaveAccessibleDescription(/Select a policy/);

    await page.getByRole('radio', { name: policy }).check();
    await submit(page);
    await expect(page.getByRole('heading', { name: outcome })).toBeVisible();
    await page.goto('/requests');
    await expect(page.getByRole('row', { name: /Sales CRM/ }).getByText(where)).toBeVisible();
  });
}

test('a hidden package opens from its link', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/project-falcon');
  await expect(page.getByRole('heading', { level: 1, name: 'Project Falcon' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Request', exact: true })).toBeVisible();
});

test('a package the user may not request says so instead of showing the form', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/general-ledger');
  await expect(page.getByRole('heading', { level: 1, name: 'General ledger' })).toBeVisible();
  await expect(page.getByText("You can't request this access package")).toBeVisible();
  await expect(page.getByRole('button', { name: 'Request', exact: true })).toHaveCount(0);
});

test('an unknown package shows not found', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/no-such-package');
  await expect(page.getByRole('heading', { level: 1, name: 'Access package not found' })).toBeVisible();
});

test('a package with a pending request says so and links to it', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/project-falcon');
  await openRequestForm(page, 'Project Falcon');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
  await page.reload();
  await expect(page.getByText('the request is still open')).toBeVisible();
  await page.getByRole('link', { name: 'View your request' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Project Falcon' })).toBeVisible();
  await expect(page.getByText('Pending approval')).toBeVisible();
});

test('the request pane shows the package link with a copy button', async ({ page, context, portal }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openAs(page, 'Adele Vance', '/package/sales-crm');
  const link = page.getByLabel('Link to this access package');
  await expect(link).toHaveValue(`${portal.url}/package/sales-crm`);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${portal.url}/package/sales-crm`);
});
