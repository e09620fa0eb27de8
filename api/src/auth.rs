//! Demo sign-in: pick a demo user, get a bearer token.

use serde::{Deserialize, Serialize};

/// Body of `POST /auth/demo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoSignIn {
    pub user_principal_name: String,
}

/// A signed bearer token, sent back as `Authorization: Bearer <accessToken>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token stops being accepted.
    pub expires_in: u64,
}
