//! The catalog file's format: what each entry may say, with its defaults, as serde reads it
//! from TOML. Unknown keys are refused, so a typo is never silently ignored.

use portal_api::{Choice, Expiration, ResourceKind};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogFile {
    #[serde(default)]
    pub users: Vec<UserEntry>,
    #[serde(default)]
    pub groups: Vec<GroupEntry>,
    #[serde(default)]
    pub catalogs: Vec<CatalogEntry>,
    #[serde(default)]
    pub packages: Vec<PackageEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserEntry {
    pub id: String,
    pub display_name: String,
    pub user_principal_name: String,
    /// Defaults to the user principal name.
    pub mail: Option<String>,
    pub job_title: Option<String>,
    /// The manager's id.
    pub manager: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupEntry {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// User ids.
    #[serde(default)]
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CatalogEntry {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// User ids: who answers for the catalog. A request whose approvers have all left the
    /// directory, at a stage with no fallback approver, waits in their Approvals.
    #[serde(default)]
    pub owners: Vec<String>,
    /// Where grants and removals of the catalog's resources are sent, unless a resource role
    /// names its own.
    pub connector: Option<ConnectorEntry>,
}

/// A webhook that grants and removes access in the system that holds a resource: the
/// portal posts signed `access.granted` and `access.removed` events to `url`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectorEntry {
    /// An `https://` (or, on loopback, `http://`) address.
    pub url: String,
    /// The signing secret in the Standard Webhooks form: `whsec_` and base64 of 24 to 64
    /// random bytes.
    pub secret: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageEntry {
    pub id: String,
    /// The catalog's id.
    pub catalog: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub is_hidden: bool,
    #[serde(default)]
    pub resource_roles: Vec<RoleEntry>,
    #[serde(default)]
    pub policies: Vec<PolicyEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleEntry {
    /// The role's name, e.g. "Member".
    pub role: String,
    /// The resource's name, e.g. "Sales team".
    pub resource: String,
    #[serde(rename = "type")]
    pub kind: ResourceKind,
    /// Where this role's grants and removals are sent; the catalog's connector when absent,
    /// and "recorded only" when neither has one.
    pub connector: Option<ConnectorEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyEntry {
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    /// `allUsers` (the default), `specificUsers` or `groupMembers`.
    #[serde(default = "all_users")]
    pub allowed_target_scope: String,
    /// The user ids or group ids the scope names.
    #[serde(default)]
    pub specific_allowed_targets: Vec<String>,
    #[serde(default)]
    pub allow_custom_assignment_schedule: bool,
    #[serde(default)]
    pub allow_extension: bool,
    #[serde(default)]
    pub is_approval_required_for_add: bool,
    #[serde(default)]
    pub is_requestor_justification_required: bool,
    #[serde(default)]
    pub stages: Vec<StageEntry>,
    #[serde(default = "no_expiration")]
    pub expiration: Expiration,
    #[serde(default)]
    pub questions: Vec<QuestionEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StageEntry {
    /// `requestorManager`, or user ids.
    pub primary_approvers: Vec<String>,
    #[serde(default)]
    pub is_approver_justification_required: bool,
    #[serde(default = "fourteen")]
    pub duration_before_automatic_denial_days: u32,
    /// User ids: who decides the stage once all its approvers have left the directory.
    #[serde(default)]
    pub fallback_approvers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuestionEntry {
    pub id: String,
    pub text: String,
    #[serde(default)]
    pub is_required: bool,
    /// `text` or `multipleChoice`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default = "yes")]
    pub is_single_line_question: bool,
    pub regex_pattern: Option<String>,
    pub regex_hint: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
}

/// The approver name that stands for the requestor's manager.
pub(super) const REQUESTOR_MANAGER: &str = "requestorManager";

fn all_users() -> String {
    "allUsers".to_owned()
}

fn no_expiration() -> Expiration {
    Expiration::NoExpiration
}

fn fourteen() -> u32 {
    14
}

fn yes() -> bool {
    true
}
