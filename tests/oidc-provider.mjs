// A real OpenID Provider for the sign-in tests: oidc-provider (OpenID certified) on loopback,
// with signing keys made per run, a few people with passwords and its own login page, PKCE
// required, refresh tokens with rotation, JWT access tokens for the portal's API and an
// end_session_endpoint. The portal registers as a public client through dynamic client
// registration (RFC 7591) once its address is known, with exactly the redirect URIs the
// README tells an administrator to register. Plain JavaScript, so that Node runs it as it is
// for trying the portal by hand (tests/local-provider.mjs); tests/oidc-provider.ts types it.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

/** The portal's client id at the provider; `--oidc-client-id` and the tokens' `aud`. */
export const clientId = 'access-portal';

/** People who can sign in, by login name: their password and who they are in the catalog. */
export const people = {
  'adele@contoso.com': { password: 'Adele-passw0rd', name: 'Adele Vance', email: 'adele@contoso.com' },
  'megan@contoso.com': { password: 'Megan-passw0rd', name: 'Megan Bowen', email: 'megan@contoso.com' },
  'nestor@fabrikam.com': { password: 'Nestor-passw0rd', name: 'Nestor Wilke', email: 'nestor@fabrikam.com' },
};

/**
 * Start a provider on loopback: on a free port, or on `options.port`. Options (see
 * oidc-provider.ts for their types): `accessTokenTtl`, `noRefreshTokens`, `denyAll`,
 * `refuseWith`.
 */
export async function startProvider(options = {}) {
  let provider;
  const server = http.createServer((req, res) => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res, options).catch((err) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  provider = new Provider(issuer, configuration(options));
  // Plain http on loopback only: the provider otherwise insists on https for cookies.
  provider.proxy = false;

  const register = async (redirectUris, postLogoutRedirectUris) => {
    const reply = await fetch(`${issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
      }),
    });
    if (reply.status !== 201) throw new Error(`registration refused: ${await reply.text()}`);
  };
  const stop = () => new Promise((ok) => server.close(() => ok()));
  return { issuer, register, stop };
}

function configuration(options) {
  // RS256 signs ID tokens, as most providers' do; ES256 the access tokens for the API.
  const run = Date.now();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const keys = [
    { ...rsa.export({ format: 'jwk' }), kid: `rsa-${run}`, alg: 'RS256', use: 'sig' },
    { ...ec.export({ format: 'jwk' }), kid: `ec-${run}`, alg: 'ES256', use: 'sig' },
  ];
  const claimsOf = (login) => {
    const person = people[login];
    return person
      ? { sub: login, name: person.name, email: person.email, email_verified: true, preferred_username: login }
      : undefined;
  };
  return {
    jwks: { keys },
    clients: [],
    findAccount: async (_ctx, id) => {
      const claims = claimsOf(id);
      return claims ? { accountId: id, claims: async () => claims } : undefined;
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true, idFactory: () => clientId },
      rpInitiatedLogout: {
        enabled: true,
        // Sign out at once when the portal asks, as the big providers do for a known client.
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><title>Signing out</title>${form}
            <script>document.forms[0].insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.forms[0].submit()</script>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:access-portal:api',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid profile email',
          audience: clientId,
          accessTokenFormat: 'jwt',
          accessTokenTTL: options.accessTokenTtl ?? 3600,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    // The portal names people by these, as Entra ID's and Keycloak's access tokens carry them.
    extraTokenClaims: async (_ctx, token) => {
      const claims = 'accountId' in token && token.accountId ? claimsOf(token.accountId) : undefined;
      return claims ? { name: claims.name, email: claims.email, preferred_username: claims.preferred_username } : {};
    },
    issueRefreshToken: async (_ctx, client) => !options.noRefreshTokens && client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      IdToken: 3600,
      RefreshToken: 86400,
      Session: 86400,
      Grant: 86400,
      Interaction: 600,
    },
    cookies: { keys: ['access-portal-test-cookie-key'] },
    // The provider's own error page (for what it cannot send back, such as an unknown client
    // id), in words as the big providers put it, and without the default's web font.
    renderError: async (ctx, out) => {
      const clientId = ctx.oidc?.params?.client_id;
      const said =
        out.error === 'invalid_client' && clientId
          ? `There is no application with the client id “${escape(clientId)}” here.`
          : escape(out.error_description ?? out.error);
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Sign in to Contoso</title>
<h1>Sorry, we could not sign you in</h1><p>${said}</p><p>Error: ${escape(out.error)}</p></html>`;
    },
  };
}

/** The provider's own login page: a user name and a password, checked against `people`. */
async function interaction(provider, req, res, options) {
  const details = await provider.interactionDetails(req, res);
  const { uid, prompt, params } = details;
  if (options.denyAll) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The user declined to sign in.',
    });
    return;
  }
  if (options.refuseWith) {
    await provider.interactionFinished(req, res, {
      error: options.refuseWith,
      error_description: 'This application may not sign people in here.',
    });
    return;
  }
  if (prompt.name === 'login' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, ''));
    return;
  }
  if (prompt.name === 'login') {
    const form = new URLSearchParams(await body(req));
    const login = form.get('username') ?? '';
    const person = people[login];
    if (!person || person.password !== form.get('password')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(loginPage(uid, 'That user name or password is not right.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  // Consent: the portal is the company's own application, so it is granted what it asks.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function loginPage(uid, problem) {
  return `<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Sign in to Contoso</title>
<h1>Sign in to Contoso</h1>${problem ? `<p role="alert">${problem}</p>` : ''}
<form method="post" action="/interaction/${uid}">
<label>User name <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function body(req) {
  return new Promise((ok, fail) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => ok(text));
    req.on('error', fail);
  });
}
