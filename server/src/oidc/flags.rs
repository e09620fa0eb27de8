//! The sign-in settings, as flags and environment: the provider the API trusts and the one the
//! app sends people to are the same setting, so the two cannot disagree.

use clap::Args;
use serde_json::{Value, json};

use super::{ClaimSettings, Settings};

/// Sign-in with the company's OpenID Provider.
#[derive(Debug, Clone, Args)]
pub struct OidcFlags {
    /// The OpenID Provider people sign in with, exactly as its tokens' `iss` spell it (e.g.
    /// `https://login.microsoftonline.com/<tenant-id>/v2.0`). Its discovery document and keys
    /// are fetched from it. Turns OpenID Connect sign-in on; demo sign-in is then refused.
    #[arg(long, env = "PORTAL_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,

    /// The portal's client id at the provider: a public client (single-page app) with PKCE,
    /// so the browser holds no secret.
    #[arg(long, env = "PORTAL_OIDC_CLIENT_ID", global = true)]
    pub oidc_client_id: Option<String>,

    /// The `aud` values the API accepts in tokens, comma-separated; by default the client id.
    #[arg(
        long,
        env = "PORTAL_OIDC_AUDIENCE",
        value_delimiter = ',',
        global = true
    )]
    pub oidc_audience: Vec<String>,

    /// The scopes the app asks for, space-separated (`offline_access` for a refresh token; for
    /// Entra ID add the API's scope, `api://<client-id>/access`).
    #[arg(
        long,
        env = "PORTAL_OIDC_SCOPES",
        default_value = "openid profile email offline_access",
        global = true
    )]
    pub oidc_scopes: String,

    /// The resource (Auth0 calls it `audience`) the app names when it asks for a token, for
    /// providers that give a JWT access token for this API only when asked for one.
    #[arg(long, env = "PORTAL_OIDC_RESOURCE", global = true)]
    pub oidc_resource: Option<String>,

    /// The provider's name on the app's sign-in screen ("Sign in with Contoso"); by default
    /// the issuer's host.
    #[arg(long, env = "PORTAL_OIDC_PROVIDER_NAME", global = true)]
    pub oidc_provider_name: Option<String>,

    /// The claim that names the person, matched to the directory's `externalId`: `sub`, `oid`
    /// (Entra ID), `email`, `preferred_username` or `upn`.
    #[arg(
        long,
        env = "PORTAL_OIDC_USER_CLAIM",
        default_value = "sub",
        global = true
    )]
    pub oidc_user_claim: String,

    /// The claim listing the person's groups, where the provider sends one.
    #[arg(
        long,
        env = "PORTAL_OIDC_GROUPS_CLAIM",
        default_value = "groups",
        global = true
    )]
    pub oidc_groups_claim: String,
}

impl OidcFlags {
    /// What the API checks tokens against, when sign-in is configured, or what to fix.
    pub fn settings(&self) -> Result<Option<Settings>, String> {
        let Some(issuer) = &self.oidc_issuer else {
            return Ok(None);
        };
        let url = reqwest::Url::parse(issuer).map_err(|err| {
            format!(
                "--oidc-issuer {issuer} is not an address ({err}); give the provider's issuer URL"
            )
        })?;
        let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(format!(
                "--oidc-issuer {issuer} must be an https address (plain http only on this machine, for testing)"
            ));
        }
        let client_id = self.oidc_client_id.as_ref().ok_or(
            "--oidc-issuer needs --oidc-client-id: the portal's client id at the provider",
        )?;
        let audiences = match self.oidc_audience.as_slice() {
            [] => vec![client_id.clone()],
            given => given.to_vec(),
        };
        Ok(Some(Settings {
            issuer: issuer.clone(),
            audiences,
            claims: ClaimSettings {
                user_claim: self.oidc_user_claim.clone(),
                groups_claim: self.oidc_groups_claim.clone(),
            },
        }))
    }

    /// The `oidc` member of the app's `config.json`: where the app sends people to sign in.
    pub fn for_app(&self) -> Option<Value> {
        let issuer = self.oidc_issuer.as_ref()?;
        let mut oidc = json!({
            "issuer": issuer,
            "clientId": self.oidc_client_id.clone().unwrap_or_default(),
            "scopes": self.oidc_scopes,
        });
        if let Some(resource) = &self.oidc_resource {
            oidc["resource"] = json!(resource);
        }
        if let Some(name) = &self.oidc_provider_name {
            oidc["providerName"] = json!(name);
        }
        Some(oidc)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::config::Cli;

    #[test]
    fn the_app_names_the_provider_as_the_server_is_told_to() {
        let flags = |extra: &[&str]| {
            let mut args = vec![
                "portal-server",
                "--oidc-issuer",
                "https://login.contoso.com/tenant/v2.0",
                "--oidc-client-id",
                "portal",
            ];
            args.extend_from_slice(extra);
            Cli::try_parse_from(args)
                .expect("valid flags")
                .config
                .sign_in
        };

        let named = flags(&["--oidc-provider-name", "Contoso"]).for_app();
        let unnamed = flags(&[]).for_app();

        assert_eq!(named.expect("oidc")["providerName"], "Contoso");
        assert!(unnamed.expect("oidc").get("providerName").is_none());
    }
}
