// Every view passes axe's checks for WCAG 2.1 A and AA: names, roles, contrast, landmarks.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { openAs, openRequestForm, submit } from './portal';

async function violations(page: import('@playwright/test').Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

test('sign-in and every view have no accessibility violations', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in as Adele Vance' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  await openAs(page, 'Adele Vance', '/');
  for (const [path, heading] of [
    ['/', 'Request access'],
    ['/package/sales-crm', 'Sales CRM'],
    ['/access', 'Access I have'],
    ['/requests', 'My requests'],
    ['/approvals', 'Approvals'],
    ['/no/such/page', 'Page not found'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
    expect(await violations(page), path).toEqual([]);
  }
});

test('the request form, open with its questions, has no accessibility violations', async ({ page }) => {
  await openAs(page, 'Adele Vance', '/package/travel-expenses');
  await openRequestForm(page, 'Travel and expense reporting');
  expect(await violations(page)).toEqual([]);
});

test('a pending request, the lists that show it and the approver\'s page have no accessibility violations', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/package/project-falcon');
  await openRequestForm(page, 'Project Falcon');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
  expect(await violations(page), 'confirmation').toEqual([]);
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Project Falcon' })).toBeVisible();
  expect(await violations(page), 'the request').toEqual([]);
  await page.goto('/requests');
  await expect(page.getByRole('row', { name: /Project Falcon/ })).toBeVisible();
  expect(await violations(page), 'My requests').toEqual([]);

  // Its own context: axe opens helper pages in the page's context.
  const megan = await (await browser.newContext({ baseURL: portal.url })).newPage();
  await openAs(megan, 'Megan Bowen', '/approvals');
  await expect(megan.getByRole('row', { name: /Project Falcon/ })).toBeVisible();
  expect(await violations(megan), 'Approvals').toEqual([]);
  await megan.getByRole('row', { name: /Project Falcon/ }).getByRole('link', { name: 'Project Falcon' }).click();
  await expect(megan.getByRole('button', { name: 'Approve' })).toBeVisible();
  expect(await violations(megan), 'one approval').toEqual([]);
});
