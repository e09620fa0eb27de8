// Journey: someone opens a crafted link to the portal, from the server and from nginx at the
// root and under /access/ — the app's code, config.json and every call still come from the portal's own
// origin; and a whole request journey runs under the portal's Content-Security-Policy
// without a single violation.
import { Page } from '@playwright/test';
import { test, expect, startServer } from './fixtures';
import { startNginx } from './nginx';
import { openRequestForm, signIn, submit } from './portal';

/** Addresses that would make another site the base of everything the page loads. */
const crafted = [
  '/evil.example/requests', // after the base's own slash: //evil.example/requests
  '\\evil.example/requests',
  '%2f%2fevil.example/requests',
  '%2e%2e/requests',
  'https:/evil.example/requests',
];

/** Every address the page asks for, from now on. */
function requestsOf(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

/**
 * What a crafted link may do at most: show a page whose base is on the page's own origin,
 * and ask only that origin (and the API the configuration names) for anything.
 */
async function expectOnlyOwnOrigin(page: Page, origin: string, urls: string[], link: string, api?: string) {
  await page.waitForLoadState('load');
  const baseOrigin = await page.evaluate(() => new URL(document.baseURI).origin);
  expect(baseOrigin, `${link}: document.baseURI`).toBe(origin);
  const elsewhere = urls.filter((url) => ![origin, api].includes(new URL(url).origin));
  expect(elsewhere, `${link}: requests to another origin`).toEqual([]);
}

test('a crafted link to the server loads nothing from another site', async ({ page, portal }) => {
  const origin = new URL(portal.url).origin;
  for (const path of crafted) {
    const link = `${origin}/${path}`;
    const urls = requestsOf(page);
    await page.goto(link);
    await expectOnlyOwnOrigin(page, origin, urls, link);
    page.removeAllListeners('request');
  }
});

for (const base of ['/', '/access/']) {
  test(`a crafted link to a static host under ${base} loads nothing from another site`, async ({ page }) => {
    const site = await startNginx(base, null);
    const api = await startServer(['--cors-allowed-origins', site.origin]);
    site.configure({ apiBaseUrl: `${api.url}/api/v1` });
    const apiOrigin = new URL(api.url).origin;
    try {
      for (const path of crafted) {
        const link = `${site.url}${path}`;
        const urls = requestsOf(page);
        await page.goto(link);
        await expectOnlyOwnOrigin(page, site.origin, urls, link, apiOrigin);
        page.removeAllListeners('request');
      }
      // The app itself still starts under its real base from such a link.
      await page.goto(`${site.url}/evil.example/requests`);
      expect(await page.evaluate(() => document.baseURI)).toBe(site.url);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    } finally {
      await site.stop();
      await api.stop();
    }
  });
}

test('signing in, opening a package and submitting break no rule of the security policy', async ({ page }) => {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`),
    );
  });
  const violations = () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  const response = await page.goto('/package/company-wiki');
  expect(response?.headers()['content-security-policy']).toContain("base-uri 'self'");
  await signIn(page, 'Adele Vance');
  await openRequestForm(page, 'Company wiki editor');
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();

  expect(await violations()).toEqual([]);
});
