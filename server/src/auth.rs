//! Who is calling: bearer tokens, their issuers, and the `CurrentUser` extractor.
//!
//! Tokens are JWTs. The demo issuer signs them itself (HS256) for whoever is picked on the
//! demo sign-in page. Each issuer is tried by its `iss` claim, so an OIDC issuer can stand
//! beside the demo one later without touching the handlers.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

/// The `iss` of tokens made by demo sign-in.
pub const DEMO_ISSUER: &str = "access-portal-demo";

/// Makes and checks bearer tokens.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: u64,
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

impl Tokens {
    /// Tokens signed with `secret`, or with a fresh random secret when there is none.
    pub fn new(secret: Option<&str>, ttl_seconds: u64) -> Self {
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

    /// How long a new token lasts.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// A demo token for the user `user_id`.
    pub fn issue_demo(&self, user_id: &str) -> anyhow::Result<String> {
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

    /// The user id a valid token speaks for.
    pub fn verify(&self, token: &str) -> Result<String, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[DEMO_ISSUER]);
        validation.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims.sub)
            .map_err(|err| {
                let why = match err.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => "has expired",
                    _ => "is not valid",
                };
                ApiError::Unauthorized(format!("The bearer token {why}; sign in again."))
            })
    }
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
        state.tokens.verify(token.trim()).map(CurrentUser)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_speaks_for_the_user_it_was_issued_to() {
        let tokens = Tokens::new(Some("secret"), 60);
        let token = tokens.issue_demo("adele").unwrap();
        assert_eq!(tokens.verify(&token).unwrap(), "adele");
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let token = Tokens::new(Some("one"), 60).issue_demo("adele").unwrap();
        let err = Tokens::new(Some("two"), 60).verify(&token).unwrap_err();
        assert!(matches!(err, ApiError::Unauthorized(_)));
    }
}
