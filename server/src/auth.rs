//! Who is calling: bearer tokens, their issuers, and the `CurrentUser` extractor.
//!
//! Tokens are JWTs. The demo issuer signs them itself (HS256) for whoever is picked on the
//! demo sign-in page. A token is checked by the verifier registered for its `iss` claim, so an
//! OIDC issuer (checking signatures against its published keys) can stand beside the demo one
//! later: implement `TokenVerifier` for it and register it in `Tokens`; no handler changes.

use std::sync::Arc;
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

/// Checks the tokens of one issuer.
pub trait TokenVerifier: Send + Sync {
    /// The `iss` claim of the tokens this verifier checks.
    fn issuer(&self) -> &str;
    /// The user id a valid token speaks for.
    fn verify(&self, token: &str) -> Result<String, ApiError>;
}

/// Every issuer the server trusts, and the demo issuer that makes tokens.
pub struct Tokens {
    demo: Arc<DemoIssuer>,
    verifiers: Vec<Arc<dyn TokenVerifier>>,
}

impl Tokens {
    /// Trust the demo issuer, signing with `secret` (or a fresh random secret when there is
    /// none, so tokens end with the process).
    pub fn new(secret: Option<&str>, ttl_seconds: u64) -> Self {
        let demo = Arc::new(DemoIssuer::new(secret, ttl_seconds));
        Self {
            verifiers: vec![demo.clone() as Arc<dyn TokenVerifier>],
            demo,
        }
    }

    /// Also trust `verifier`'s issuer.
    pub fn with_verifier(mut self, verifier: Arc<dyn TokenVerifier>) -> Self {
        self.verifiers.push(verifier);
        self
    }

    /// How long a new demo token lasts.
    pub fn ttl_seconds(&self) -> u64 {
        self.demo.ttl_seconds
    }

    /// A demo token for the user `user_id`.
    pub fn issue_demo(&self, user_id: &str) -> anyhow::Result<String> {
        self.demo.issue(user_id)
    }

    /// The user id a valid token speaks for, checked by the verifier of its issuer.
    pub fn verify(&self, token: &str) -> Result<String, ApiError> {
        // The issuer is read before the signature is checked only to pick the verifier,
        // which then checks everything, the issuer included.
        let issuer = jsonwebtoken::dangerous::insecure_decode::<IssuerOnly>(token)
            .map(|data| data.claims.iss)
            .map_err(|_| invalid_token("is not valid"))?;
        self.verifiers
            .iter()
            .find(|v| v.issuer() == issuer)
            .ok_or_else(|| invalid_token("comes from an issuer this portal does not trust"))?
            .verify(token)
    }
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

impl TokenVerifier for DemoIssuer {
    fn issuer(&self) -> &str {
        DEMO_ISSUER
    }

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
        let user_id = state.tokens.verify(token.trim())?;
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

    struct OtherIssuer;

    impl TokenVerifier for OtherIssuer {
        fn issuer(&self) -> &str {
            "https://login.example.com"
        }

        fn verify(&self, _token: &str) -> Result<String, ApiError> {
            Ok("from-oidc".to_owned())
        }
    }

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

    #[test]
    fn a_token_is_checked_by_the_verifier_of_its_issuer() {
        let tokens = Tokens::new(Some("secret"), 60).with_verifier(Arc::new(OtherIssuer));
        let claims = Claims {
            sub: "x".into(),
            iss: "https://login.example.com".into(),
            iat: 0,
            exp: u64::MAX / 2,
        };
        let token =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(b"k"))
                .unwrap();
        assert_eq!(tokens.verify(&token).unwrap(), "from-oidc");
        let demo = tokens.issue_demo("adele").unwrap();
        assert_eq!(tokens.verify(&demo).unwrap(), "adele");
    }

    #[test]
    fn a_token_of_an_unknown_issuer_is_refused() {
        let claims = Claims {
            sub: "x".into(),
            iss: "elsewhere".into(),
            iat: 0,
            exp: u64::MAX / 2,
        };
        let token =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(b"k"))
                .unwrap();
        let err = Tokens::new(Some("secret"), 60).verify(&token).unwrap_err();
        assert!(err.to_string().contains("does not trust"), "{err}");
    }
}
