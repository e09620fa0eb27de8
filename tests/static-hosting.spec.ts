// Journey: the built app on a static host (a real nginx) under /access/, with the API on
// another origin — the seed's request flow, deep links and hard refreshes, and a clear word
// when the configuration is missing or wrong.
import { test as base, expect } from '@playwright/test';
import { startServer } from './fixtures';
import { StaticHost, startNginx } from './nginx';
import { openRequestForm, signIn, submit } from './portal';

/** nginx serving the app under /access/, and the API on another origin that allows it. */
const test = base.extend<{ site: StaticHost }>({
  site: async ({}, use) => {
    const site = await startNginx('/access/', null);
    const api = await startServer(['--cors-allowed-origins', site.origin]);
    site.configure({ apiBaseUrl: `${api.url}/api/v1`, productName: 'Contoso Access' });
    await use(site);
    await site.stop();
    await api.stop();
  },
});

test('the seed flow works from nginx under /access/ with the API on another origin', async ({ page, site }) => {
  await page.goto(`${site.url}package/company-wiki`);
  await signIn(page, 'Adele Vance');
  await expect(page).toHaveURL(`${site.url}package/company-wiki`);
  await expect(page).toHaveTitle(/Contoso Access/);
  await openRequestForm(page, 'Company wiki editor');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();

  await page.getByRole('link', { name: 'Go to Access I have' }).click();
  await expect(page).toHaveURL(`${site.url}access`);
  await expect(page.getByRole('row', { name: /Company wiki editor/ })).toBeVisible();

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'My requests' }).click();
  await expect(page).toHaveURL(`${site.url}requests`);
  await expect(page.getByRole('row', { name: /Company wiki editor/ }).getByText('Delivered')).toBeVisible();

  await nav.getByRole('link', { name: 'Request access' }).click();
  await expect(page).toHaveURL(site.url);
  await page.getByRole('searchbox', { name: 'Search access packages' }).fill('crm');
  await expect(page).toHaveURL(`${site.url}?search=crm`);
  await page.getByRole('link', { name: 'Request Sales CRM' }).click();
  await expect(page).toHaveURL(`${site.url}package/sales-crm`);
  await expect(page.getByLabel('Link to this access package')).toHaveValue(`${site.url}package/sales-crm`);
});

test('deep links under /access/ load directly and after a hard refresh', async ({ page, site }) => {
  await page.goto(site.url);
  await signIn(page, 'Adele Vance');
  for (const [path, heading] of [
    ['package/sales-crm', 'Sales CRM'],
    ['package/project-falcon', 'Project Falcon'],
    ['access', 'Access I have'],
    ['requests', 'My requests'],
    ['approvals', 'Approvals'],
    ['', 'Request access'],
    ['no/such/page', 'Page not found'],
  ]) {
    const response = await page.goto(`${site.url}${path}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  }
});

test('a missing config.json says so instead of a blank page', async ({ page }) => {
  const site = await startNginx('/access/', null);
  try {
    await page.goto(`${site.url}package/sales-crm`);
    const alert = page.getByRole('alert');
    await expect(alert.getByRole('heading', { name: 'Access Portal cannot start' })).toBeVisible();
    await expect(alert).toContainText('config.json');
  } finally {
    await site.stop();
  }
});

test('a malformed config.json names what is wrong', async ({ page }) => {
  for (const [config, named] of [
    ['{"apiBaseUrl": "/api/v1", "apiBaseUrll": "typo"}', 'unknown field `apiBaseUrll`'],
    ['{"oidc": {"issuer": "https://login.example.com", "clientID": "portal"}}', '`oidc`: unknown field `clientID`'],
    ['["apiBaseUrl"]', 'expected an object'],
    ['{"productName": 7}', '`productName`: invalid type'],
    ['{"apiBaseUrl": "/api/v1",}', 'in JSON at position 25'],
  ]) {
    const site = await startNginx('/access/', config);
    try {
      await page.goto(site.url);
      await expect(page.getByRole('alert')).toContainText(named);
    } finally {
      await site.stop();
    }
  }
});
