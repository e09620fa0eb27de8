//! Who is calling: bearer tokens, their issuers, and the `CurrentUser` extractor.
//!
//! Tokens are JWTs from one of two issuers, picked by the token's `iss`: the company's OpenID
//! Provider (checked against its published keys, see `oidc`), or demo sign-in, which signs
//! its own tokens (HS256) for whoever is picked on the demo page — only when demo sign-in is
//! on, so a demo token is worthless otherwise, whatever the secret.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::oidc::{Identity, Provider, Refusal};
use crate::state::AppState;
use crate::store::sign_in::{self, Match};

/// The `iss` of tokens made by demo sign-in.
pub const DEMO_ISSUER: &str = "access-portal-demo";

/// Whom a valid token speaks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// A user of the directory, by id (demo sign-in).
    User(String),
    /// A person as the identity provider describes them, to be matched to the directory.
    Person(Identity),
}

/// The issuers the server trusts.
pub struct Tokens {
    demo: Option<DemoIssuer>,
    oidc: Option<Arc<Provider>>,
}

impl Tokens {
    /// Trust demo sign-in, signing with `secret` (or a fresh random secret when there is
    /// none, so tokens end with the process).
    pub fn new(secret: Option<&str>, ttl_seconds: u64) -> Self {
        Self {
            demo: Some(DemoIssuer::new(secret, ttl_seconds)),
            oidc: None,
        }
    }

    /// Trust no issuer yet.
    pub fn none() -> Self {
        Self {
            demo: None,
            oidc: None,
        }
    }

    /// Also trust the OpenID Provider `provider`.
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.oidc = Some(Arc::new(provider));
        self
    }

    /// How long a new demo token lasts.
    pub fn ttl_seconds(&self) -> u64 {
        self.demo.as_ref().map_or(0, |demo| demo.ttl_seconds)
    }

    /// A demo token for the user `user_id`.
    pub fn issue_demo(&self, user_id: &str) -> anyhow::Result<String> {
        match &self.demo {
            Some(demo) => demo.issue(user_id),
            None => anyhow::bail!("demo sign-in is off"),
        }
    }

    /// Whom a valid token speaks for, checked by its issuer.
    pub async fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        match self.issuer_of(token)? {
            Issuer::Demo(demo) => demo.verify(token).map(Caller::User),
            Issuer::Oidc(provider) => match provider.verify(token).await {
                Ok(person) => Ok(Caller::Person(person)),
                Err(refusal @ Refusal::Invalid(_)) => {
                    Err(ApiError::Unauthorized(refusal.to_string()))
                }
                Err(refusal @ Refusal::ProviderUnreachable(_)) => {
                    Err(ApiError::Unavailable(refusal.to_string()))
                }
            },
        }
    }

    /// Whom `token` speaks for, if that can be settled at once with the keys at hand (for
    /// counting a caller's writes): the user id, or the provider's key for the person.
    pub fn caller_key(&self, token: &str) -> Option<String> {
        match self.issuer_of(token).ok()? {
            Issuer::Demo(demo) => demo.verify(token).ok(),
            Issuer::Oidc(provider) => provider
                .verify_cached(token)
                .map(|person| format!("oidc:{}", person.key)),
        }
    }

    fn issuer_of(&self, token: &str) -> Result<Issuer<'_>, ApiError> {
        // The issuer is read before the signature is checked only to pick the verifier,
        // which then checks everything, the issuer included.
        let issuer = jsonwebtoken::dangerous::insecure_decode::<IssuerOnly>(token)
            .map(|data| data.claims.iss)
            .map_err(|_| invalid_token("is not valid"))?;
        if let Some(demo) = self.demo.as_ref().filter(|_| issuer == DEMO_ISSUER) {
            return Ok(Issuer::Demo(demo));
        }
        if let Some(provider) = self.oidc.as_ref().filter(|p| p.issuer() == issuer) {
            return Ok(Issuer::Oidc(provider));
        }
        Err(invalid_token(
            "comes from an issuer this portal does not trust",
        ))
    }
}

enum Issuer<'a> {
    Demo(&'a DemoIssuer),
    Oidc(&'a Provider),
}

/// Makes and checks the HS256 tokens of demo sign-in.
pub struct DemoIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: u64,
}

impl DemoIssuer {
    fn new(secret: Option<&str>, ttl_seconds: u64) -> Self {
        let secret = secret.map(str::to_owned).unwrap_or_else(|| {
            format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
        });
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            ttl_seconds,
        }
    }

    fn issue(&self, user_id: &str) -> anyhow::Result<String> {
        let now = unix_now();
        let claims = Claims {
            sub: user_id.to_owned(),
            iss: DEMO_ISSUER.to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }
}

impl DemoIssuer {
    fn verify(&self, token: &str) -> Result<String, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[DEMO_ISSUER]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims.sub)
            .map_err(|err| match err.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => invalid_token("has expired"),
                _ => invalid_token("is not valid"),
            })
    }
}

/// The claims the portal reads.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The user's id.
    sub: String,
    iss: String,
    iat: u64,
    exp: u64,
}

#[derive(Debug, Deserialize)]
struct IssuerOnly {
    iss: String,
}

fn invalid_token(why: &str) -> ApiError {
    ApiError::Unauthorized(format!("The bearer token {why}; sign in again."))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The signed-in caller's user id, taken from `Authorization: Bearer …`. A handler that takes
/// it answers 401 to anyone without a valid token.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub String);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "Sign in first: send `Authorization: Bearer <token>`.".to_owned(),
                )
            })?;
        let user_id = match state.tokens.verify(token.trim()).await? {
            Caller::User(id) => id,
            Caller::Person(person) => match sign_in::user_for(&state.db, &person).await? {
                Match::User(id) => id,
                Match::NameTaken(name) => {
                    return Err(ApiError::Forbidden(format!(
                        "The sign-in name {name} already belongs to another person in the \
                         portal's directory; ask your administrator to give that record your \
                         identity provider's id as its externalId."
                    )));
                }
            },
        };
        // A token outlives a deactivation in the identity provider; the directory decides.
        if !crate::store::directory::may_sign_in(&state.db, &user_id).await? {
            return Err(ApiError::Unauthorized(
                "Your account is no longer active in the directory; ask your administrator."
                    .to_owned(),
            ));
        }
        Ok(CurrentUser(user_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_token_speaks_for_the_user_it_was_issued_to() {
        let tokens = Tokens::new(Some("secret"), 60);
        let token = tokens.issue_demo("adele").unwrap();
        assert_eq!(
            tokens.verify(&token).await.unwrap(),
            Caller::User("adele".into())
        );
        assert_eq!(tokens.caller_key(&token).as_deref(), Some("adele"));
    }

    #[tokio::test]
    async fn a_token_signed_with_another_secret_is_refused() {
        let token = Tokens::new(Some("one"), 60).issue_demo("adele").unwrap();
        let err = Tokens::new(Some("two"), 60)
            .verify(&token)
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::Unauthorized(_)));
    }

    #[tokio::test]
    async fn a_demo_token_is_worthless_when_demo_sign_in_is_off() {
        let token = Tokens::new(Some("secret"), 60).issue_demo("adele").unwrap();
        let err = Tokens::none().verify(&token).await.unwrap_err();
        assert!(err.to_string().contains("does not trust"), "{err}");
        assert!(Tokens::none().issue_demo("adele").is_err());
    }

    #[tokio::test]
    async fn a_token_of_an_unknown_issuer_is_refused() {
        let claims = Claims {
            sub: "x".into(),
            iss: "elsewhere".into(),
            iat: 0,
            exp: u64::MAX / 2,
        };
        let token =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(b"k"))
                .unwrap();
        let err = Tokens::new(Some("secret"), 60)
            .verify(&token)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("does not trust"), "{err}");
    }
}
