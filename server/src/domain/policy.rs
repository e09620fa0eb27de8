//! Who may request under a policy, and who approves their request.

use portal_api::{ApprovalStageSettings, Approver, FieldError};

/// Who may request under a policy (`allowedTargetScope` with its `specificAllowedTargets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    AllUsers,
    /// These users, by id.
    SpecificUsers(Vec<String>),
    /// Members of any of these groups, by id.
    GroupMembers(Vec<String>),
}

/// What the rules need to know about the person asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requestor {
    pub id: String,
    pub manager_id: Option<String>,
    pub group_ids: Vec<String>,
}

impl Scope {
    /// Whether `requestor` may request under a policy with this scope.
    pub fn admits(&self, requestor: &Requestor) -> bool {
        match self {
            Self::AllUsers => true,
            Self::SpecificUsers(users) => users.contains(&requestor.id),
            Self::GroupMembers(groups) => groups.iter().any(|g| requestor.group_ids.contains(g)),
        }
    }

    /// The scope's name in the catalog file and the database.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AllUsers => "allUsers",
            Self::SpecificUsers(_) => "specificUsers",
            Self::GroupMembers(_) => "groupMembers",
        }
    }

    /// The user or group ids the scope names.
    pub fn targets(&self) -> &[String] {
        match self {
            Self::AllUsers => &[],
            Self::SpecificUsers(ids) | Self::GroupMembers(ids) => ids,
        }
    }

    /// The scope named `kind` over `targets`; `None` for an unknown kind.
    pub fn from_parts(kind: &str, targets: Vec<String>) -> Option<Self> {
        match kind {
            "allUsers" => Some(Self::AllUsers),
            "specificUsers" => Some(Self::SpecificUsers(targets)),
            "groupMembers" => Some(Self::GroupMembers(targets)),
            _ => None,
        }
    }
}

/// The people who decide each stage of `requestor`'s request, stage by stage, resolved now so
/// that a later change of manager does not move a request already waiting.
///
/// A "requestor's manager" approver needs a manager: without one the request cannot be
/// decided by anybody, so it is refused with a message that says so.
pub fn resolve_approvers(
    stages: &[ApprovalStageSettings],
    requestor: &Requestor,
) -> Result<Vec<Vec<String>>, FieldError> {
    stages
        .iter()
        .map(|stage| {
            let mut people: Vec<String> = Vec::new();
            for approver in &stage.primary_approvers {
                let person = match approver {
                    Approver::RequestorManager => {
                        requestor.manager_id.clone().ok_or_else(|| {
                            FieldError::new(
                                "assignmentPolicyId",
                                "This policy needs approval by your manager, but the directory \
                             names no manager for you. Choose another policy, or ask your \
                             administrator to record your manager.",
                            )
                        })?
                    }
                    Approver::SingleUser { user_id, .. } => user_id.clone(),
                };
                if !people.contains(&person) {
                    people.push(person);
                }
            }
            Ok(people)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adele() -> Requestor {
        Requestor {
            id: "adele".into(),
            manager_id: Some("megan".into()),
            group_ids: vec!["sales".into()],
        }
    }

    fn stage(approvers: Vec<Approver>) -> ApprovalStageSettings {
        ApprovalStageSettings {
            duration_before_automatic_denial_days: 14,
            is_approver_justification_required: false,
            primary_approvers: approvers,
        }
    }

    #[test]
    fn everyone_may_request_under_an_all_users_policy() {
        assert!(Scope::AllUsers.admits(&adele()));
    }

    #[test]
    fn only_the_named_users_may_request_under_a_specific_users_policy() {
        assert!(Scope::SpecificUsers(vec!["adele".into()]).admits(&adele()));
        assert!(!Scope::SpecificUsers(vec!["megan".into()]).admits(&adele()));
    }

    #[test]
    fn members_of_any_named_group_may_request_under_a_group_policy() {
        assert!(Scope::GroupMembers(vec!["it".into(), "sales".into()]).admits(&adele()));
        assert!(!Scope::GroupMembers(vec!["finance".into()]).admits(&adele()));
    }

    #[test]
    fn the_requestors_manager_is_resolved_to_the_manager() {
        let stages = vec![
            stage(vec![Approver::RequestorManager]),
            stage(vec![Approver::SingleUser {
                user_id: "alex".into(),
                display_name: "Alex".into(),
            }]),
        ];
        let people = resolve_approvers(&stages, &adele()).unwrap();
        assert_eq!(
            people,
            vec![vec!["megan".to_owned()], vec!["alex".to_owned()]]
        );
    }

    #[test]
    fn a_requestor_without_a_manager_cannot_use_a_manager_approval_policy() {
        let isaiah = Requestor {
            id: "isaiah".into(),
            manager_id: None,
            group_ids: vec![],
        };
        let err =
            resolve_approvers(&[stage(vec![Approver::RequestorManager])], &isaiah).unwrap_err();
        assert_eq!(err.field, "assignmentPolicyId");
        assert!(err.message.contains("no manager"), "{}", err.message);
    }

    #[test]
    fn an_approver_named_twice_is_listed_once() {
        let stages = vec![stage(vec![
            Approver::RequestorManager,
            Approver::SingleUser {
                user_id: "megan".into(),
                display_name: "Megan".into(),
            },
        ])];
        assert_eq!(
            resolve_approvers(&stages, &adele()).unwrap(),
            vec![vec!["megan".to_owned()]]
        );
    }
}
