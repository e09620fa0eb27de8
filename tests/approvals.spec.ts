// Journeys of the approver's side: a manager approves or denies in Approvals, a two-stage
// request passes both stages, and an approver who is beaten to it is told by whom.
import { Browser, Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, startServer } from './fixtures';
import { openAs, openRequestForm, signIn, submit } from './portal';

/** A second person in their own browser context (their own tab session). */
async function person(browser: Browser, url: string, name: string, path: string): Promise<Page> {
  const page = await browser.newPage({ baseURL: url });
  await openAs(page, name, path);
  return page;
}

async function requestWithJustification(page: Page, id: string, name: string, why?: string) {
  await page.goto(`/package/${id}`);
  await openRequestForm(page, name);
  if (why) await page.getByLabel('Business justification').fill(why);
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
}

test('the manager approves in Approvals and the requestor sees the access delivered', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestWithJustification(page, 'project-falcon', 'Project Falcon');
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.getByText('Approvers: Megan Bowen')).toBeVisible();

  const megan = await person(browser, portal.url, 'Megan Bowen', '/approvals');
  const row = megan.getByRole('row', { name: /Project Falcon/ });
  await expect(row.getByText('Adele Vance')).toBeVisible();
  await row.getByRole('link', { name: 'Project Falcon' }).click();
  await expect(megan.getByText('Stage 1 of 1 is waiting for a decision.')).toBeVisible();
  await megan.getByRole('button', { name: 'Approve' }).click();
  await expect(megan.getByText('You approved this request.')).toBeVisible();
  await megan.goto('/approvals');
  await expect(megan.getByRole('heading', { name: 'Nothing to approve' })).toBeVisible();

  await page.reload();
  await expect(page.locator('.status-line').getByText('Delivered')).toBeVisible();
  await page.goto('/access');
  await expect(page.getByRole('row', { name: /Project Falcon/ }).getByText('Active')).toBeVisible();
});

test('a denial needs a reason, and the requestor sees it', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestWithJustification(page, 'marketing-campaigns', 'Marketing campaign workspace', 'Spring launch');
  await page.getByRole('link', { name: 'View this request' }).click();
  const requestUrl = page.url();

  const megan = await person(browser, portal.url, 'Megan Bowen', '/approvals');
  await megan.getByRole('link', { name: 'Marketing campaign workspace' }).click();
  await expect(megan.getByText('Spring launch')).toBeVisible();
  await megan.getByRole('button', { name: 'Deny' }).click();
  await expect(megan.locator('#reason-note .field-error')).toBeVisible();
  await megan.getByLabel('Reason').fill('The spring launch team is full; ask again in May.');
  await megan.getByRole('button', { name: 'Deny' }).click();
  await expect(megan.getByText('You denied this request.')).toBeVisible();

  await page.goto(requestUrl);
  await expect(page.locator('.status-line').getByText('Denied')).toBeVisible();
  await expect(page.getByText('The spring launch team is full; ask again in May.').first()).toBeVisible();
});

test('a two-stage request needs the manager and then IT Security', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestWithJustification(page, 'production-access', 'Production database access', 'Incident 4711');

  const megan = await person(browser, portal.url, 'Megan Bowen', '/approvals');
  await megan.getByRole('link', { name: 'Production database access' }).click();
  await expect(megan.getByText('Stage 1 of 2 is waiting for a decision.')).toBeVisible();
  await megan.getByRole('button', { name: 'Approve' }).click();
  await expect(megan.getByText('You approved this request.')).toBeVisible();

  const alex = await person(browser, portal.url, 'Alex Wilber', '/approvals');
  await alex.getByRole('link', { name: 'Production database access' }).click();
  await expect(alex.getByText('Stage 2 of 2 is waiting for a decision.')).toBeVisible();
  await expect(alex.getByText('Decided by Megan Bowen')).toBeVisible();
  await alex.getByRole('button', { name: 'Approve' }).click();
  await expect(alex.locator('#reason-note .field-error')).toBeVisible();
  await alex.getByLabel('Reason').fill('Read-only for the incident.');
  await alex.getByRole('button', { name: 'Approve' }).click();
  await expect(alex.getByText('You approved this request.')).toBeVisible();

  await page.goto('/requests');
  await expect(page.getByRole('row', { name: /Production database access/ }).getByText('Delivered')).toBeVisible();
});

test('an approver beaten to the decision is told who decided and what', async ({ page, browser, portal }) => {
  await openAs(page, 'Adele Vance', '/');
  await requestWithJustification(page, 'legal-archive', 'Legal hold archive', 'Contract dispute review');

  const megan = await person(browser, portal.url, 'Megan Bowen', '/approvals');
  const patti = await person(browser, portal.url, 'Patti Fernandez', '/approvals');
  await megan.getByRole('link', { name: 'Legal hold archive' }).click();
  await patti.getByRole('link', { name: 'Legal hold archive' }).click();
  await expect(patti.getByRole('button', { name: 'Approve' })).toBeVisible();

  await megan.getByRole('button', { name: 'Approve' }).click();
  await expect(megan.getByText('You approved this request.')).toBeVisible();

  await patti.getByRole('button', { name: 'Approve' }).click();
  await expect(patti.getByRole('alert')).toContainText('Megan Bowen');
  await expect(patti.getByRole('button', { name: 'Approve' })).toHaveCount(0);
});

test('an approver never sees Approve on their own request', async ({ page }) => {
  await openAs(page, 'Megan Bowen', '/');
  await requestWithJustification(page, 'legal-archive', 'Legal hold archive', 'Audit');
  await page.getByRole('link', { name: 'View this request' }).click();
  const id = page.url().split('/').pop();
  await page.goto(`/approvals/${id}`);
  await expect(page.getByText('This is your own request')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
});

test('a manager with 81 requests waiting sees how many, and reaches every one with Show more', async ({ browser }) => {
  // A team of 81 reporting to one manager, each asking for the team drive.
  const dir = mkdtempSync(join(tmpdir(), 'portal-team-'));
  const people = Array.from({ length: 81 }, (_, i) => `member${i + 1}`);
  const catalog = [
    '[[users]]\nid = "boss"\ndisplayName = "Bo Manager"\nuserPrincipalName = "boss@contoso.com"\n',
    ...people.map(
      (id, i) => `[[users]]\nid = "${id}"\ndisplayName = "Team Member ${i + 1}"\nuserPrincipalName = "${id}@contoso.com"\nmanager = "boss"\n`,
    ),
    '[[catalogs]]\nid = "team"\ndisplayName = "Team"\ndescription = "The team\'s things."\n',
    '[[packages]]\nid = "team-drive"\ncatalog = "team"\ndisplayName = "Team drive"\ndescription = "Files of the team."\n' +
      'resourceRoles = [{ role = "Member", resource = "Team drive", type = "site" }]\n',
    '[[packages.policies]]\nid = "team-drive-manager"\ndisplayName = "Manager approves"\ndescription = "Your manager decides."\n' +
      'isApprovalRequiredForAdd = true\nexpiration = { type = "noExpiration" }\n' +
      'stages = [{ primaryApprovers = ["requestorManager"], durationBeforeAutomaticDenialDays = 14 }]\n',
  ].join('\n');
  const seed = join(dir, 'team.toml');
  writeFileSync(seed, catalog);
  // 81 people sign in from this one address within seconds, past the per-address limit.
  const portal = await startServer(['--sign-ins-per-minute', '0'], seed);
  try {
    for (const id of people) {
      const signIn = await fetch(`${portal.url}/api/v1/auth/demo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userPrincipalName: `${id}@contoso.com` }),
      });
      const { accessToken } = await signIn.json();
      const created = await fetch(`${portal.url}/api/v1/assignmentRequests`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ accessPackageId: 'team-drive', assignmentPolicyId: 'team-drive-manager' }),
      });
      expect(created.status).toBe(201);
    }

    const page = await browser.newPage();
    await page.goto(`${portal.url}/approvals`);
    await signIn(page, 'Bo Manager');
    await expect(page.getByRole('status').getByText('81 requests wait for your decision; showing the first 50')).toBeVisible();
    const rows = page.getByRole('row', { name: /Team drive/ });
    await expect(rows).toHaveCount(50);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(rows).toHaveCount(81);
    await expect(page.getByRole('status').getByText('81 requests wait for your decision', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Show more' })).toHaveCount(0);
    for (const n of [1, 40, 81]) {
      await expect(page.getByRole('cell', { name: `Team Member ${n}`, exact: true })).toBeVisible();
    }
  } finally {
    await portal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
