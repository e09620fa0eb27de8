//! Catalog as code: a TOML file that declares users, groups, catalogs, access packages and
//! their policies. Importing creates what is missing and updates what changed; importing the
//! same file twice changes nothing. Things the file does not name are left alone, so requests
//! made under a policy keep it.
//!
//! ```toml
//! [[users]]
//! id = "adele"
//! displayName = "Adele Vance"
//! userPrincipalName = "adele@contoso.com"
//! manager = "megan"
//!
//! [[packages]]
//! id = "sales-crm"
//! catalog = "sales"
//! displayName = "Sales CRM"
//! resourceRoles = [{ role = "User", resource = "CRM", type = "application" }]
//!
//! [[packages.policies]]
//! id = "sales-crm-a"
//! displayName = "60 days, manager approval"
//! isApprovalRequiredForAdd = true
//! expiration = { type = "afterDuration", durationDays = 60 }
//! stages = [{ primaryApprovers = ["requestorManager"] }]
//! ```

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;
use portal_api::{
    AccessPackage, ApprovalStageSettings, Approver, AssignmentPolicy, CatalogRef, Choice,
    Expiration, Question, QuestionKind, RequestApprovalSettings, RequestorSettings, Resource,
    ResourceKind, ResourceRole, User,
};
use serde::Deserialize;

use crate::domain::Scope;
use crate::domain::clock;
use crate::store::catalog::{self, PolicyRecord};
use crate::store::{Db, directory};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub users: usize,
    pub groups: usize,
    pub catalogs: usize,
    pub packages: usize,
    pub policies: usize,
}

/// Read, check and apply the catalog file at `path`.
pub async fn import_file(db: &Db, path: &Path) -> anyhow::Result<Summary> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the catalog file {}", path.display()))?;
    let file = parse(&text).with_context(|| format!("in the catalog file {}", path.display()))?;
    apply(db, &file).await
}

/// Parse and check a catalog file: every reference must name something the file declares.
pub fn parse(text: &str) -> anyhow::Result<CatalogFile> {
    let file: CatalogFile = toml::from_str(text)?;
    let problems = file.problems();
    if !problems.is_empty() {
        anyhow::bail!(
            "the catalog file has {} problem(s):\n- {}",
            problems.len(),
            problems.join("\n- ")
        );
    }
    Ok(file)
}

/// Write the file's contents in one transaction.
pub async fn apply(db: &Db, file: &CatalogFile) -> anyhow::Result<Summary> {
    let mut tx = db.pool.begin().await?;
    for user in &file.users {
        directory::upsert_user(&mut tx, &user.to_user()).await?;
    }
    // Managers are set once every user exists, since a manager may come later in the file.
    for user in &file.users {
        directory::set_manager(&mut tx, &user.id, user.manager.as_deref()).await?;
    }
    for group in &file.groups {
        directory::upsert_group(
            &mut tx,
            &group.id,
            &group.display_name,
            &group.description,
            &group.members,
        )
        .await?;
    }
    for entry in &file.catalogs {
        let catalog = CatalogRef {
            id: entry.id.clone(),
            display_name: entry.display_name.clone(),
        };
        catalog::upsert_catalog(&mut tx, &catalog, &entry.description).await?;
        directory::set_catalog_owners(&mut tx, &entry.id, &entry.owners).await?;
    }
    let mut policies = 0;
    for package in &file.packages {
        catalog::upsert_package(&mut tx, &package.to_package(file)).await?;
        for (position, policy) in (0_i64..).zip(&package.policies) {
            directory::clear_fallback_approvers(&mut tx, &policy.id).await?;
            catalog::upsert_policy(&mut tx, &policy.to_record(&package.id, file), position).await?;
            for (stage, entry) in (1_i64..).zip(&policy.stages) {
                directory::add_fallback_approvers(
                    &mut tx,
                    (&policy.id, stage),
                    &entry.fallback_approvers,
                )
                .await?;
            }
            policies += 1;
        }
    }
    tx.commit().await.context("cannot save the catalog")?;
    Ok(Summary {
        users: file.users.len(),
        groups: file.groups.len(),
        catalogs: file.catalogs.len(),
        packages: file.packages.len(),
        policies,
    })
}

/// A whole catalog file.
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
const REQUESTOR_MANAGER: &str = "requestorManager";

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

impl CatalogFile {
    /// Everything wrong with the file, each as a sentence naming the item.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let users: HashSet<&str> = self.users.iter().map(|u| u.id.as_str()).collect();
        let groups: HashSet<&str> = self.groups.iter().map(|g| g.id.as_str()).collect();
        let catalogs: HashSet<&str> = self.catalogs.iter().map(|c| c.id.as_str()).collect();
        let ids: [(&str, Vec<&String>); 5] = [
            ("user", self.users.iter().map(|u| &u.id).collect()),
            ("group", self.groups.iter().map(|g| &g.id).collect()),
            ("catalog", self.catalogs.iter().map(|c| &c.id).collect()),
            ("package", self.packages.iter().map(|p| &p.id).collect()),
            (
                "policy",
                self.packages
                    .iter()
                    .flat_map(|p| &p.policies)
                    .map(|p| &p.id)
                    .collect(),
            ),
        ];
        for (kind, ids) in &ids {
            duplicates(kind, ids.iter().copied(), &mut problems);
            fit_for_links(kind, ids.iter().copied(), &mut problems);
        }
        for catalog in &self.catalogs {
            for owner in catalog
                .owners
                .iter()
                .filter(|o| !users.contains(o.as_str()))
            {
                problems.push(format!(
                    "catalog {}: the owner {owner} is not a user of the file",
                    catalog.id
                ));
            }
        }
        duplicates(
            "user principal name",
            self.users.iter().map(|u| &u.user_principal_name),
            &mut problems,
        );
        for user in &self.users {
            if let Some(manager) = user.manager.as_deref().filter(|m| !users.contains(m)) {
                problems.push(format!(
                    "user {}: the manager {manager} is not a user of the file",
                    user.id
                ));
            }
        }
        for group in &self.groups {
            for member in group.members.iter().filter(|m| !users.contains(m.as_str())) {
                problems.push(format!(
                    "group {}: the member {member} is not a user of the file",
                    group.id
                ));
            }
        }
        for package in &self.packages {
            if !catalogs.contains(package.catalog.as_str()) {
                problems.push(format!(
                    "package {}: the catalog {} is not in the file",
                    package.id, package.catalog
                ));
            }
            for policy in &package.policies {
                let at = format!("policy {} of package {}", policy.id, package.id);
                policy.check(&at, &users, &groups, &mut problems);
            }
        }
        problems
    }
}

impl PolicyEntry {
    fn check(
        &self,
        at: &str,
        users: &HashSet<&str>,
        groups: &HashSet<&str>,
        problems: &mut Vec<String>,
    ) {
        let targets = match self.allowed_target_scope.as_str() {
            "allUsers" => None,
            "specificUsers" => Some(("user", users)),
            "groupMembers" => Some(("group", groups)),
            other => {
                problems.push(format!(
                    "{at}: allowedTargetScope {other:?} is none of allUsers, specificUsers, groupMembers"
                ));
                None
            }
        };
        if let Some((kind, known)) = targets {
            for target in self
                .specific_allowed_targets
                .iter()
                .filter(|t| !known.contains(t.as_str()))
            {
                problems.push(format!("{at}: the {kind} {target} is not in the file"));
            }
        }
        match (self.is_approval_required_for_add, self.stages.len()) {
            (true, 1..=3) | (false, 0) => {}
            (true, n) => problems.push(format!("{at}: approval needs 1 to 3 stages, not {n}")),
            (false, _) => problems.push(format!(
                "{at}: stages are given but isApprovalRequiredForAdd is false"
            )),
        }
        for (number, stage) in (1..).zip(&self.stages) {
            if stage.primary_approvers.is_empty() {
                problems.push(format!("{at}: stage {number} has no approver"));
            }
            for approver in stage
                .fallback_approvers
                .iter()
                .filter(|a| !users.contains(a.as_str()))
            {
                problems.push(format!(
                    "{at}: the fallback approver {approver} of stage {number} is not a user of the file"
                ));
            }
            for approver in &stage.primary_approvers {
                if approver != REQUESTOR_MANAGER && !users.contains(approver.as_str()) {
                    problems.push(format!(
                        "{at}: the approver {approver} of stage {number} is not a user of the file"
                    ));
                }
            }
        }
        match &self.expiration {
            Expiration::AfterDuration { duration_days: 0 } => {
                problems.push(format!("{at}: an expiration after 0 days grants nothing"));
            }
            Expiration::AfterDateTime { end_date_time }
                if clock::parse(end_date_time).is_none() =>
            {
                problems.push(format!(
                    "{at}: the expiration date {end_date_time:?} is not RFC 3339"
                ));
            }
            _ => {}
        }
        duplicates(
            &format!("question of {at}"),
            self.questions.iter().map(|q| &q.id),
            problems,
        );
        for question in &self.questions {
            match question.kind.as_str() {
                "text" => {
                    if let Some(pattern) = &question.regex_pattern
                        && let Err(err) = regex::Regex::new(pattern)
                    {
                        problems.push(format!(
                            "{at}: question {}: the pattern does not compile: {err}",
                            question.id
                        ));
                    }
                }
                "multipleChoice" if question.choices.is_empty() => {
                    problems.push(format!("{at}: question {} offers no choices", question.id));
                }
                "multipleChoice" => {}
                other => problems.push(format!(
                    "{at}: question {}: type {other:?} is neither text nor multipleChoice",
                    question.id
                )),
            }
        }
    }

    fn to_record(&self, package_id: &str, file: &CatalogFile) -> PolicyRecord {
        let approver = |name: &String| {
            if name == REQUESTOR_MANAGER {
                Approver::RequestorManager
            } else {
                let display_name = file
                    .users
                    .iter()
                    .find(|u| u.id == *name)
                    .map(|u| u.display_name.clone())
                    .unwrap_or_default();
                Approver::SingleUser {
                    user_id: name.clone(),
                    display_name,
                }
            }
        };
        let policy = AssignmentPolicy {
            id: self.id.clone(),
            access_package_id: package_id.to_owned(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            requestor_settings: RequestorSettings {
                allow_custom_assignment_schedule: self.allow_custom_assignment_schedule,
                allow_extension: self.allow_extension,
            },
            request_approval_settings: RequestApprovalSettings {
                is_approval_required_for_add: self.is_approval_required_for_add,
                is_requestor_justification_required: self.is_requestor_justification_required,
                stages: self
                    .stages
                    .iter()
                    .map(|stage| ApprovalStageSettings {
                        duration_before_automatic_denial_days: stage
                            .duration_before_automatic_denial_days,
                        is_approver_justification_required: stage
                            .is_approver_justification_required,
                        primary_approvers: stage.primary_approvers.iter().map(approver).collect(),
                    })
                    .collect(),
            },
            expiration: match &self.expiration {
                // Stored in the one fixed-width form, whatever form the file used.
                Expiration::AfterDateTime { end_date_time } => Expiration::AfterDateTime {
                    end_date_time: clock::parse(end_date_time)
                        .map(clock::format)
                        .unwrap_or_default(),
                },
                other => other.clone(),
            },
            questions: self
                .questions
                .iter()
                .map(QuestionEntry::to_question)
                .collect(),
        };
        let scope = Scope::from_parts(
            &self.allowed_target_scope,
            self.specific_allowed_targets.clone(),
        )
        .unwrap_or(Scope::SpecificUsers(vec![]));
        PolicyRecord { policy, scope }
    }
}

impl QuestionEntry {
    fn to_question(&self) -> Question {
        let kind = if self.kind == "multipleChoice" {
            QuestionKind::MultipleChoice {
                choices: self.choices.clone(),
            }
        } else {
            QuestionKind::Text {
                is_single_line_question: self.is_single_line_question,
                regex_pattern: self.regex_pattern.clone(),
                regex_hint: self.regex_hint.clone(),
            }
        };
        Question {
            id: self.id.clone(),
            text: self.text.clone(),
            is_required: self.is_required,
            kind,
        }
    }
}

impl UserEntry {
    fn to_user(&self) -> User {
        User {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            mail: self
                .mail
                .clone()
                .unwrap_or_else(|| self.user_principal_name.clone()),
            user_principal_name: self.user_principal_name.clone(),
            job_title: self.job_title.clone(),
            manager: None,
        }
    }
}

impl PackageEntry {
    fn to_package(&self, file: &CatalogFile) -> AccessPackage {
        let catalog_name = file
            .catalogs
            .iter()
            .find(|c| c.id == self.catalog)
            .map(|c| c.display_name.clone())
            .unwrap_or_default();
        AccessPackage {
            id: self.id.clone(),
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            catalog: CatalogRef {
                id: self.catalog.clone(),
                display_name: catalog_name,
            },
            is_hidden: self.is_hidden,
            resource_roles: self
                .resource_roles
                .iter()
                .map(|role| ResourceRole {
                    display_name: role.role.clone(),
                    resource: Resource {
                        display_name: role.resource.clone(),
                        resource_type: role.kind,
                    },
                })
                .collect(),
            open_request_id: None,
            assignment_id: None,
        }
    }
}

fn duplicates<'a>(kind: &str, ids: impl Iterator<Item = &'a String>, problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(format!("the {kind} id {id} is declared twice"));
        }
    }
}

/// Ids appear in the portal's links (`/package/<id>`) and in the emails that carry them, so
/// each must be fit for an address as it is.
fn fit_for_links<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
    problems: &mut Vec<String>,
) {
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    for id in ids.filter(|id| id.is_empty() || !id.chars().all(fits)) {
        problems.push(format!(
            "the {kind} id \"{id}\" may only have letters, digits, '-', '_' and '.'"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_is_a_valid_catalog_file() {
        let text = include_str!("../demo/catalog.toml");
        let file = parse(text).unwrap();
        assert!(file.users.len() >= 6);
        assert!(file.packages.len() >= 25);
    }

    #[test]
    fn an_id_unfit_for_a_link_is_refused() {
        let text = r#"
            [[catalogs]]
            id = "sales"
            displayName = "Sales"

            [[packages]]
            id = "sales crm/eu"
            catalog = "sales"
            displayName = "Sales CRM"
            description = "Pipeline"
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("the package id \"sales crm/eu\" may only have letters, digits"),
            "{err}"
        );
    }

    #[test]
    fn a_reference_to_an_undeclared_user_is_named() {
        let text = r#"
            [[users]]
            id = "adele"
            displayName = "Adele Vance"
            userPrincipalName = "adele@contoso.com"
            manager = "nobody"
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("user adele: the manager nobody"), "{err}");
    }

    #[test]
    fn an_owner_or_fallback_approver_who_is_not_a_user_is_named() {
        let text = r#"
            [[catalogs]]
            id = "general"
            displayName = "General"
            owners = ["ghost"]

            [[packages]]
            id = "wiki"
            catalog = "general"
            displayName = "Wiki"

            [[packages.policies]]
            id = "wiki-manager"
            displayName = "Manager approves"
            isApprovalRequiredForAdd = true
            stages = [{ primaryApprovers = ["requestorManager"], fallbackApprovers = ["phantom"] }]
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("the owner ghost is not a user"), "{err}");
        assert!(
            err.contains("the fallback approver phantom of stage 1"),
            "{err}"
        );
    }

    #[test]
    fn approval_without_stages_is_refused() {
        let text = r#"
            [[catalogs]]
            id = "c"
            displayName = "C"
            [[packages]]
            id = "p"
            catalog = "c"
            displayName = "P"
            [[packages.policies]]
            id = "a"
            displayName = "A"
            isApprovalRequiredForAdd = true
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("approval needs 1 to 3 stages"), "{err}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = parse("[[users]]\nid = \"a\"\ncolour = \"red\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
    }
}
