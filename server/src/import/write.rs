//! How a checked catalog file becomes rows: each entry turned into the wire type the store
//! writes, and the whole file written in one transaction.

use anyhow::Context;
use portal_api::{
    AccessPackage, ApprovalStageSettings, Approver, AssignmentPolicy, CatalogRef, Expiration,
    Question, QuestionKind, RequestApprovalSettings, RequestorSettings, Resource, ResourceRole,
    User,
};

use super::format::{
    CatalogFile, PackageEntry, PolicyEntry, QuestionEntry, REQUESTOR_MANAGER, UserEntry,
};
use crate::domain::{Scope, clock};
use crate::store::catalog;
use crate::store::policies::PolicyRecord;
use crate::store::{Db, directory, webhooks};

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub users: usize,
    pub groups: usize,
    pub catalogs: usize,
    pub packages: usize,
    pub policies: usize,
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
        let default = file
            .catalogs
            .iter()
            .find(|c| c.id == package.catalog)
            .and_then(|c| c.connector.as_ref());
        for (position, role) in (0_i64..).zip(&package.resource_roles) {
            let connector = role.connector.as_ref().or(default);
            let connector = connector.map(|c| (c.url.as_str(), c.secret.as_str()));
            webhooks::set_connector(&mut tx, &package.id, position, connector).await?;
        }
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

impl PolicyEntry {
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
            is_admin: false,
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
            recorded_only: None,
        }
    }
}
