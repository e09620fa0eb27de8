// Journeys of signing in with the company's OpenID Provider (a real one, tests/oidc-provider.mjs):
// a deep link opened signed out comes back to its page after the provider's login page — on
// the portal's own server, from nginx under /access/, inside the intranet's frame and in the
// script embed; the manager approves after signing in the same way; the access token is
// renewed while a form is being filled in; sign-out ends the provider's session and Back
// shows nothing; a refusal at the provider is said in words with a Try again, and a wrong
// client id, which the provider answers on its own page, leaves a sign-in that can be retried.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page } from '@playwright/test';
import { expect, Portal, root, startServer, test as base } from './fixtures';
import { startNginx } from './nginx';
import { clientId, people, startProvider, type IdentityProvider, type ProviderOptions } from './oidc-provider';
import { openRequestForm, submit } from './portal';

/** The portal's server signing people in with its own provider (registered for the app). */
const test = base.extend<{ providerOptions: ProviderOptions; provider: IdentityProvider; portal: Portal }>({
  providerOptions: [{}, { option: true }],
  provider: async ({ providerOptions }, use) => {
    const provider = await startProvider(providerOptions);
    await use(provider);
    await provider.stop();
  },
  portal: async ({ provider }, use) => {
    const portal = await startServer(oidcFlags(provider));
    await provider.register([`${portal.url}/`], [`${portal.url}/`]);
    await use(portal);
    await portal.stop();
  },
});

function oidcFlags(provider: IdentityProvider): string[] {
  return ['--oidc-issuer', provider.issuer, '--oidc-client-id', clientId, '--oidc-user-claim', 'preferred_username'];
}

/** On the portal's sign-in screen: go to the provider and sign in there as `login`. */
async function signInAtProvider(page: Page, provider: IdentityProvider, login: string) {
  const host = new URL(provider.issuer).host;
  await page.getByRole('button', { name: `Sign in with ${host}` }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Contoso' })).toBeVisible();
  await page.getByLabel('User name').fill(login);
  await page.getByLabel('Password').fill(people[login].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** `login` signed in, in a browser context of their own, on `path`. */
async function person(browser: Browser, portal: Portal, provider: IdentityProvider, login: string, path: string) {
  const page = await browser.newPage({ baseURL: portal.url });
  await page.goto(path);
  await signInAtProvider(page, provider, login);
  await expect(page.getByRole('banner').getByText(people[login].name)).toBeVisible();
  return page;
}

test('a deep link opened signed out comes back to its request pane after the provider, and the manager approves', async ({ page, browser, portal, provider }) => {
  await page.goto('/package/sales-crm');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByText(`You sign in with your work account at ${new URL(provider.issuer).host}.`)).toBeVisible();

  await signInAtProvider(page, provider, 'adele@contoso.com');
  await expect(page).toHaveURL(`${portal.url}/package/sales-crm`);
  await expect(page.getByRole('banner').getByText('Adele Vance')).toBeVisible();
  await openRequestForm(page, 'Sales CRM');
  await page.getByRole('radio', { name: /Policy A/ }).check();
  await submit(page);
  await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();

  const megan = await person(browser, portal, provider, 'megan@contoso.com', '/approvals');
  const row = megan.getByRole('row', { name: /Sales CRM/ });
  await expect(row.getByText('Adele Vance')).toBeVisible();
  await row.getByRole('link', { name: 'Sales CRM' }).click();
  await megan.getByRole('button', { name: 'Approve' }).click();
  await expect(megan.getByText('You approved this request.')).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Access I have' }).click();
  await expect(page.getByRole('row', { name: /Sales CRM/ }).getByText('Active')).toBeVisible();
});

test('signing out ends the session at the provider, and Back shows no page with data', async ({ page, portal, provider }) => {
  await page.goto('/access');
  await signInAtProvider(page, provider, 'adele@contoso.com');
  await expect(page.getByRole('heading', { level: 1, name: 'Access I have' })).toBeVisible();

  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${portal.url}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByText('Adele Vance')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Access I have' })).toHaveCount(0);

  // The provider's session ended too: signing in again asks for the password.
  await page.getByRole('button', { name: /^Sign in with/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Contoso' })).toBeVisible();
});

test('a token the API refuses leads to sign-in again, back to the same page', async ({ page, portal, provider }) => {
  await page.goto('/requests');
  await signInAtProvider(page, provider, 'adele@contoso.com');
  await expect(page.getByRole('heading', { level: 1, name: 'My requests' })).toBeVisible();
  await page.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem('access-portal.session')!);
    sessionStorage.setItem('access-portal.session', JSON.stringify({ ...session, token: 'not.a-valid.token' }));
  });

  await page.goto('/package/sales-crm');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  // The provider still knows Adele: no password this time.
  await page.getByRole('button', { name: /^Sign in with/ }).click();
  await expect(page).toHaveURL(`${portal.url}/package/sales-crm`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sales CRM' })).toBeVisible();
});

test.describe('with a short access-token lifetime', () => {
  test.use({ providerOptions: { accessTokenTtl: 120 } });

  test('the token is renewed while a form is filled in, and the typed justification is still there to submit', async ({ page, provider }) => {
    await page.clock.install();
    await page.goto('/package/marketing-campaigns');
    await signInAtProvider(page, provider, 'adele@contoso.com');
    await openRequestForm(page, 'Marketing campaign workspace');
    await page.getByLabel('Business justification').fill('Covering for Megan in December.');
    const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem('access-portal.session')!).token);

    const renewal = page.waitForResponse((r) => r.url().endsWith('/token') && (r.request().postData() ?? '').includes('grant_type=refresh_token'));
    await page.clock.fastForward('02:30');
    expect((await renewal).status()).toBe(200);
    // The app keeps the new token once it has read the provider's answer.
    await expect
      .poll(() => page.evaluate(() => JSON.parse(sessionStorage.getItem('access-portal.session')!).token))
      .not.toBe(before);

    await expect(page.getByLabel('Business justification')).toHaveValue('Covering for Megan in December.');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/v1/assignmentRequests') && r.method() === 'POST');
    await submit(page);
    await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
    expect((await sent).headers()['authorization']).not.toBe(`Bearer ${before}`);
  });
});

test.describe('with a short access-token lifetime and no refresh tokens', () => {
  test.use({ providerOptions: { accessTokenTtl: 120, noRefreshTokens: true } });

  test('the token is renewed by a round trip to the provider, and the typed justification survives it', async ({ page, portal, provider }) => {
    await page.clock.install();
    await page.goto('/package/marketing-campaigns');
    await signInAtProvider(page, provider, 'adele@contoso.com');
    await openRequestForm(page, 'Marketing campaign workspace');
    await page.getByLabel('Business justification').fill('Covering for Megan in December.');

    // The page is left for the provider and comes back with a new code (no password: the
    // provider's session lasts), which is exchanged for new tokens.
    const roundTrip = page.waitForResponse((r) => r.url().endsWith('/token') && (r.request().postData() ?? '').includes('grant_type=authorization_code'));
    await page.clock.fastForward('02:30');
    expect((await roundTrip).status()).toBe(200);
    await expect(page).toHaveURL(`${portal.url}/package/marketing-campaigns`);
    await expect(page.getByLabel('Business justification')).toHaveValue('Covering for Megan in December.');
    await submit(page);
    await expect(page.getByRole('heading', { name: 'Your request is pending approval' })).toBeVisible();
  });
});

test.describe('with a provider that refuses', () => {
  test.use({ providerOptions: { denyAll: true } });

  test('access_denied from the provider is said in words, with a Try again', async ({ page, portal, provider }) => {
    await page.goto('/package/sales-crm');
    await page.getByRole('button', { name: /^Sign in with/ }).click();
    await expect(page.getByRole('alert')).toContainText('Sign-in was cancelled or refused at');
    await expect(page).toHaveURL(`${portal.url}/package/sales-crm`);
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});

test.describe('with a provider that refuses this client', () => {
  test.use({ providerOptions: { refuseWith: 'unauthorized_client' } });

  test('unauthorized_client from the provider says the portal is not registered as configured, naming the client id', async ({ page, portal, provider }) => {
    await page.goto('/package/sales-crm');
    await page.getByRole('button', { name: /^Sign in with/ }).click();
    const host = new URL(provider.issuer).host;
    await expect(page.getByRole('alert')).toContainText(
      `This portal is not registered at ${host} as it is configured (client id \u201c${clientId}\u201d)`,
    );
    await expect(page.getByRole('alert')).toContainText('Tell your IT help desk');
    await expect(page).toHaveURL(`${portal.url}/package/sales-crm`);
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});

test('with a wrong client id the provider says so on its own page, and Back returns to a sign-in that can be tried again', async ({ page, provider }) => {
  const portal = await startServer(['--oidc-issuer', provider.issuer, '--oidc-client-id', 'wrong']);
  try {
    await page.goto(`${portal.url}/package/sales-crm`);
    await page.getByRole('button', { name: /^Sign in with/ }).click();
    await expect(page.getByRole('heading', { name: 'Sorry, we could not sign you in' })).toBeVisible();
    await expect(page.getByText('There is no application with the client id \u201cwrong\u201d here.')).toBeVisible();

    await page.goBack();
    await expect(page).toHaveURL(`${portal.url}/package/sales-crm`);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('You came back from');
    await expect(page.getByRole('alert')).toContainText('(client id \u201cwrong\u201d): tell your IT help desk');

    // The abandoned attempt does not stand in the way of the next one.
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByRole('heading', { name: 'Sorry, we could not sign you in' })).toBeVisible();
  } finally {
    await portal.stop();
  }
});

test('a provider that is down is said in words, with a Try again', async ({ page, portal, provider }) => {
  await page.goto('/');
  await provider.stop();
  await page.getByRole('button', { name: /^Sign in with/ }).click();
  await expect(page.getByRole('alert')).toContainText('cannot be reached');
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  expect(portal.url).toBeTruthy();
});

test('the deep link survives the round trip from nginx under /access/', async ({ page }) => {
  const provider = await startProvider();
  const site = await startNginx('/access/', null);
  const api = await startServer([...oidcFlags(provider), '--cors-allowed-origins', site.origin]);
  try {
    site.configure({ apiBaseUrl: `${api.url}/api/v1`, oidc: { issuer: provider.issuer, clientId, providerName: 'Contoso' } });
    await provider.register([site.url], [site.url]);

    await page.goto(`${site.url}package/company-wiki`);
    await expect(page.getByText('You sign in with your work account at Contoso.')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in with Contoso' }).click();
    await page.getByLabel('User name').fill('adele@contoso.com');
    await page.getByLabel('Password').fill(people['adele@contoso.com'].password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(`${site.url}package/company-wiki`);
    await openRequestForm(page, 'Company wiki editor');
    await submit(page);
    await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();
  } finally {
    await site.stop();
    await api.stop();
    await provider.stop();
  }
});

test('the deep link survives the round trip inside the intranet frame', async ({ page }) => {
  const intranet = await startIntranet();
  const provider = await startProvider();
  const portal = await startServer([...oidcFlags(provider), '--frame-ancestors', intranet.origin]);
  try {
    await provider.register([`${portal.url}/`], [`${portal.url}/`]);
    await page.goto(`${intranet.origin}/?portal=${encodeURIComponent(portal.url)}`);
    const frame = page.frameLocator('#portal');
    await signInInFrame(frame, provider);
    await expect(frame.getByRole('navigation', { name: 'Main' })).toBeVisible();
    await expect(frame.getByRole('banner')).toHaveCount(0);
    await expect(frame.getByText('Adele Vance')).toBeVisible();
    await frame.getByRole('searchbox', { name: 'Search access packages' }).fill('wiki');
    // The search's own answer first: a click on the list it replaces may land on another row.
    await expect(frame.getByText('1 access package', { exact: true })).toBeVisible();
    await frame.getByRole('link', { name: 'Request Company wiki editor' }).click();
    await frame.getByRole('button', { name: 'Request', exact: true }).click();
    await frame.getByRole('button', { name: 'Submit' }).click();
    await expect(frame.getByRole('heading', { name: 'Access delivered' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Contoso Intranet' })).toBeVisible();
  } finally {
    await portal.stop();
    await provider.stop();
    await intranet.stop();
  }
});

test('in the script embed the route in the fragment and the host page\'s query survive the round trip', async ({ page }) => {
  const intranet = await startIntranet();
  const provider = await startProvider();
  const portal = await startServer([...oidcFlags(provider), '--cors-allowed-origins', intranet.origin]);
  try {
    const hostPage = `${intranet.origin}/script.html?portal=${encodeURIComponent(portal.url)}&team=sales`;
    await provider.register([hostPage], [hostPage]);
    await page.goto(hostPage);
    await signInAtProvider(page, provider, 'adele@contoso.com');
    await expect(page.getByRole('heading', { level: 1, name: 'Company wiki editor' })).toBeVisible();
    await expect(page).toHaveURL(`${hostPage}#/package/company-wiki`);
    await expect(page).toHaveTitle('Contoso Intranet');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    await submit(page);
    await expect(page.getByRole('heading', { name: 'Access delivered' })).toBeVisible();
  } finally {
    await portal.stop();
    await provider.stop();
    await intranet.stop();
  }
});

/** The sample intranet pages (tests/intranet/), served on loopback: the frame and the script embed. */
async function startIntranet(): Promise<{ origin: string; stop: () => Promise<unknown> }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    const file = req.url?.startsWith('/script.html') ? 'script.html' : 'index.html';
    res.end(readFileSync(join(root, 'tests/intranet', file), 'utf8'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { origin, stop: () => new Promise((ok) => server.close(ok)) };
}

async function signInInFrame(frame: ReturnType<Page['frameLocator']>, provider: IdentityProvider) {
  await frame.getByRole('button', { name: `Sign in with ${new URL(provider.issuer).host}` }).click();
  await frame.getByLabel('User name').fill('adele@contoso.com');
  await frame.getByLabel('Password').fill(people['adele@contoso.com'].password);
  await frame.getByRole('button', { name: 'Sign in' }).click();
}
