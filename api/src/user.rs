//! People: the signed-in user and the people named on requests.

use serde::{Deserialize, Serialize};

/// A user of the directory, as `GET /me` and the demo sign-in list show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub mail: String,
    pub user_principal_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// The user's manager, who approves under "requestor's manager" policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserRef>,
    /// On `GET /me`: true when the signed-in user is one of the portal's administrators
    /// (`--admin`, `--admin-group`), who see the fulfilment webhooks and which resources are
    /// recorded only. Absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_admin: bool,
}

/// A short reference to a user: enough to show a name and write to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserRef {
    pub id: String,
    pub display_name: String,
    pub mail: String,
}
