// Journeys after the first request: extending access near its end, resubmitting a denied
// request with its answers, and the expected time to a decision.
import { APIRequestContext, Browser, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openAs, openRequestForm, submit } from './portal';

async function person(browser: Browser, url: string, name: string, path: string): Promise<Page> {
  const page = await browser.newPage({ baseURL: url });
  await openAs(page, name, path);
  return page;
}

test('access near its end can be extended from Access I have', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/sales-crm');
  await openRequestForm(page, 'Sales CRM');
  await page.getByRole('radio', { name: /Policy B/ }).check();
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();

  await page.goto('/access');
  const row = page.getByRole('row', { name: /Sales CRM/ });
  const endBefore = await row.getByRole('cell').nth(2).innerText();
  await row.getByRole('button', { name: 'Extend Sales CRM' }).click();
  await row.getByLabel('Business justification').fill('The cover lasts two more days.');
  await row.getByRole('button', { name: 'Request extension' }).click();
  await expect(row.getByRole('button', { name: 'Request extension' })).toHaveCount(0);
  await expect(row.getByRole('cell').nth(2)).not.toHaveText(endBefore);

  await page.goto('/requests');
  await expect(page.getByRole('row', { name: /Sales CRM/ })).toHaveCount(2);
});

test('a denied request can be resubmitted with its answers filled in', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/package/travel-expenses');
  await openRequestForm(page, 'Travel and expense reporting');
  await page.getByLabel('Which cost center pays for your travel?').fill('CC-4242');
  await page.getByLabel('Where do you travel most?').selectOption({ label: 'Asia and Pacific' });
  await submit(page);
  await page.getByRole('link', { name: 'View this request' }).click();
  const requestUrl = page.url();

  const megan = await person(browser, portal.url, 'Megan Bowen', '/approvals');
  await megan.getByRole('link', { name: 'Travel and expense reporting' }).click();
  await megan.getByLabel('Reason').fill('Use cost center CC-1000 for travel this year.');
  await megan.getByRole('button', { name: 'Deny' }).click();
  await expect(megan.getByText('You denied this request.')).toBeVisible();

  await page.goto(requestUrl);
  await expect(page.locator('.status-line').getByText('Denied')).toBeVisible();
  await page.getByRole('link', { name: 'Resubmit' }).click();
  const costCenter = page.getByLabel('Which cost center pays for your travel?');
  await expect(costCenter).toHaveValue('CC-4242');
  await expect(page.getByLabel('Where do you travel most?')).toHaveValue('apac');
  await costCenter.fill('CC-1000');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
});

async function token(api: APIRequestContext, upn: string): Promise<string> {
  const response = await api.post('/api/v1/auth/demo', { data: { userPrincipalName: upn } });
  expect(response.ok()).toBeTruthy();
  return (await response.json()).accessToken;
}

test('the request pane shows the expected time to a decision once there is history', async ({ page, playwright, portal }) => {
  await openAs(page, 'Adele Vance', '/package/project-falcon');
  await expect(page.getByRole('heading', { level: 1, name: 'Project Falcon' })).toBeVisible();
  await expect(page.getByText('usually decided within')).toHaveCount(0);

  // Five colleagues ask for the package and their managers approve them.
  const api = await playwright.request.newContext({ baseURL: portal.url });
  const people = [['diego', 'megan'], ['lynne', 'megan'], ['nestor', 'megan'], ['alex', 'patti'], ['joni', 'patti']];
  for (const [requestor, manager] of people) {
    const asked = await api.post('/api/v1/assignmentRequests', {
      headers: { Authorization: `Bearer ${await token(api, `${requestor}@contoso.com`)}` },
      data: { accessPackageId: 'project-falcon', assignmentPolicyId: 'project-falcon-invited' },
    });
    expect(asked.status()).toBe(201);
    const { id } = await asked.json();
    const decided = await api.post(`/api/v1/approvals/${id}/decision`, {
      headers: { Authorization: `Bearer ${await token(api, `${manager}@contoso.com`)}` },
      data: { decision: 'approve' },
    });
    expect(decided.status()).toBe(200);
  }

  await page.reload();
  await expect(page.getByText(/usually decided within a minute; 9 in 10 within/)).toBeVisible();
});
