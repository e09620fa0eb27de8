// The portal's API and a real OpenID Provider (tests/oidc-provider.ts) agree: the
// authorization code flow with PKCE, done at the protocol level, yields an access token that
// the API accepts for the person who signed in — matched to the catalog by sign-in name.
import { createHash, randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { startServer, type Portal } from './fixtures';
import { clientId, people, startProvider, type IdentityProvider } from './oidc-provider';

let provider: IdentityProvider;
let portal: Portal;

test.beforeEach(async () => {
  provider = await startProvider();
  portal = await startServer([
    '--oidc-issuer', provider.issuer,
    '--oidc-client-id', clientId,
    '--oidc-user-claim', 'preferred_username',
  ]);
  await provider.register([`${portal.url}/`], [`${portal.url}/`]);
});

test.afterEach(async () => {
  await portal.stop();
  await provider.stop();
});

const base64url = (bytes: Buffer) => bytes.toString('base64url');

test('a token from the provider for adele is accepted by the API as adele', async ({ request }) => {
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const authorize = new URL(`${provider.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: `${portal.url}/`,
    response_type: 'code',
    scope: 'openid profile email offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: base64url(randomBytes(16)),
    nonce: base64url(randomBytes(16)),
    prompt: 'consent',
  }).toString();

  const loginPage = await request.get(authorize.toString());
  const action = (await loginPage.text()).match(/action="([^"]+)"/)?.[1];
  expect(action, 'the provider shows its login page').toBeTruthy();
  const landed = await request.post(`${provider.issuer}${action}`, {
    form: { username: 'adele@contoso.com', password: people['adele@contoso.com'].password },
  });
  const code = new URL(landed.url()).searchParams.get('code');
  expect(code, `back at the portal with a code: ${landed.url()}`).toBeTruthy();

  const tokens = await request.post(`${provider.issuer}/token`, {
    form: {
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: `${portal.url}/`,
      client_id: clientId,
      code_verifier: verifier,
    },
  });
  expect(tokens.status(), await tokens.text()).toBe(200);
  const { access_token: accessToken, refresh_token: refreshToken } = await tokens.json();
  expect(accessToken.split('.')).toHaveLength(3);
  expect(refreshToken).toBeTruthy();

  const me = await request.get(`${portal.url}/api/v1/me`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(me.status(), await me.text()).toBe(200);
  expect(await me.json()).toMatchObject({ id: 'adele', displayName: 'Adele Vance' });

  // The refresh token is rotated: a new access token, and the old refresh token is spent.
  const renewed = await request.post(`${provider.issuer}/token`, {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId },
  });
  expect(renewed.status(), await renewed.text()).toBe(200);
  const again = await request.post(`${provider.issuer}/token`, {
    form: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId },
  });
  expect(again.status()).toBe(400);
});
