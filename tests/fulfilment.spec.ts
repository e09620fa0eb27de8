// Fulfilment: a package whose resource has a connector reads "Delivering" on the request's
// page while the connector has not accepted the grant, and "Delivered" once it has, without
// a reload. The connector is tests/webhook-receiver.mjs, which checks the signature. A resource
// without a connector is "recorded only", which administrators are told and requestors not.
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { Portal, root, startServer } from './fixtures';
import { openAs, openRequestForm, submit } from './portal';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** The receiver, holding its answers until `release`. */
interface Receiver {
  url: string;
  release: () => Promise<void>;
  received: () => Promise<{ accepted: unknown[]; badSignatures: number }>;
  stop: () => void;
}

async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = spawn('node', ['tests/webhook-receiver.mjs', '--secret', SECRET, '--hold', 'yes'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((ok, fail) => {
    child.stdout?.on('data', (d) => {
      const m = String(d).match(/listening on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`the webhook receiver exited (${code})`)));
  });
  return {
    url: `${base}/hooks`,
    release: async () => {
      await fetch(`${base}/release`, { method: 'POST' });
    },
    received: async () => (await fetch(`${base}/received`)).json(),
    stop: () => child.kill('SIGTERM'),
  };
}

/** The demo catalog with one more package, "CRM with a connector", granted at once. */
function catalogWithConnector(url: string): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portal-fulfilment-'));
  const path = join(dir, 'catalog.toml');
  const demo = readFileSync(join(root, 'server/demo/catalog.toml'), 'utf8');
  writeFileSync(
    path,
    `${demo}
[[catalogs]]
id = "fulfilment"
displayName = "Fulfilment"
connector = { url = "${url}", secret = "${SECRET}" }

[[packages]]
id = "crm-hooks"
catalog = "fulfilment"
displayName = "CRM with a connector"
description = "Granted in the CRM by its connector"
resourceRoles = [{ role = "User", resource = "CRM", type = "application" }]

[[packages.policies]]
id = "crm-hooks-now"
displayName = "60 days, no approval"
expiration = { type = "afterDuration", durationDays = 60 }
`,
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const test = base.extend<{ receiver: Receiver; portal: Portal }>({
  receiver: async ({}, use) => {
    const receiver = await startReceiver();
    await use(receiver);
    receiver.stop();
  },
  portal: async ({ receiver }, use) => {
    const catalog = catalogWithConnector(receiver.url);
    // The webhook worker runs every second, so the grant is posted at once. Lynne is the
    // administrator, who is told which resources are recorded only.
    const portal = await startServer(['--mail-interval-seconds', '1', '--admin', 'lynne'], catalog.path);
    await use(portal);
    await portal.stop();
    catalog.remove();
  },
  baseURL: async ({ portal }, use) => {
    await use(portal.url);
  },
});

test('a package with a connector reads Delivering, then Delivered once the connector accepted', async ({ page, receiver }) => {
  await openAs(page, 'Adele Vance', '/package/crm-hooks');
  await openRequestForm(page, 'CRM with a connector');
  await submit(page);
  await page.getByRole('link', { name: 'View this request' }).click();

  const status = page.locator('.status-line');
  await expect(status.getByText('Delivering')).toBeVisible();
  await receiver.release();

  await expect(status.getByText('Delivered')).toBeVisible();
  await expect(page.getByText('Grant delivered to CRM (User)')).toBeVisible();
  const received = await receiver.received();
  expect(received.accepted).toHaveLength(1);
  expect(received.badSignatures).toBe(0);
});

test('an administrator is told a resource is recorded only, on its package and its request; a requestor is not', async ({ page, browser, portal }) => {
  const note = page.getByRole('note', { name: 'Recorded only' });
  await openAs(page, 'Lynne Robbins', '/package/company-wiki');
  await openRequestForm(page, 'Company wiki editor');
  await expect(note).toContainText('Company wiki (Editor): recorded only. No system is told about this grant');
  await submit(page);
  await page.getByRole('link', { name: 'View this request' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  await expect(note).toContainText('Company wiki (Editor): recorded only');

  const other = await browser.newContext({ baseURL: portal.url });
  const requestor = await other.newPage();
  await openAs(requestor, 'Adele Vance', '/package/company-wiki');
  await openRequestForm(requestor, 'Company wiki editor');
  await expect(requestor.getByRole('note', { name: 'Recorded only' })).toHaveCount(0);
  await submit(requestor);
  await requestor.getByRole('link', { name: 'View this request' }).click();
  await expect(requestor.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
  await expect(requestor.getByText('Status:')).toBeVisible();
  await expect(requestor.getByRole('note', { name: 'Recorded only' })).toHaveCount(0);
  await expect(requestor.getByText(/recorded only/i)).toHaveCount(0);
  await other.close();
});
