// The test OpenID Provider (tests/oidc-provider.mjs, plain JavaScript so that Node can also run
// it by hand through tests/local-provider.mjs) with the types the specs use.
import * as provider from './oidc-provider.mjs';

/** The portal's client id at the provider; `--oidc-client-id` and the tokens' `aud`. */
export const clientId: string = provider.clientId;

/** People who can sign in, by login name: their password and who they are in the catalog. */
export const people: Record<string, { password: string; name: string; email: string }> = provider.people;

export interface IdentityProvider {
  issuer: string;
  /** Register the portal's redirect and post-logout URIs (each exactly as the app sends it). */
  register: (redirectUris: string[], postLogoutRedirectUris: string[]) => Promise<void>;
  stop: () => Promise<void>;
}

export interface ProviderOptions {
  /** The loopback port to listen on; a free one by default. */
  port?: number;
  /** Access token lifetime in seconds (short, to test renewal). */
  accessTokenTtl?: number;
  /** Give no refresh tokens (as some providers do for single-page apps): renewal is a round trip. */
  noRefreshTokens?: boolean;
  /** Refuse every sign-in with `error=access_denied`, as a user who declines would. */
  denyAll?: boolean;
  /** Send every sign-in back with this OAuth error (`unauthorized_client`, `invalid_request`, …). */
  refuseWith?: string;
}

/** Start a provider on loopback. */
export const startProvider: (options?: ProviderOptions) => Promise<IdentityProvider> = provider.startProvider;
