//! Assignment policies: who may request a package, and on what terms.

use serde::{Deserialize, Serialize};

/// A policy under which the caller may request a package, with all the request pane needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentPolicy {
    pub id: String,
    pub access_package_id: String,
    pub display_name: String,
    pub description: String,
    pub requestor_settings: RequestorSettings,
    pub request_approval_settings: RequestApprovalSettings,
    pub expiration: Expiration,
    pub questions: Vec<Question>,
}

impl AssignmentPolicy {
    /// The longest period, in days, a requestor may ask for under this policy; `None` when the
    /// policy sets no limit.
    pub fn max_duration_days(&self) -> Option<u32> {
        match self.expiration {
            Expiration::AfterDuration { duration_days } => Some(duration_days),
            _ => None,
        }
    }
}

/// What the request pane reads of an [`AssignmentPolicy`] before its form is opened: whether
/// requests under it need approval. It reads the policy's own JSON, in part (the form reads
/// the policy whole, in code the pane's first visit does not download), so its fields are the
/// policy's, under the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyApproval {
    pub request_approval_settings: ApprovalRequirement,
}

/// The part of [`RequestApprovalSettings`] that [`PolicyApproval`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRequirement {
    pub is_approval_required_for_add: bool,
}

/// A short reference to a policy, as requests and assignments name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    pub id: String,
    pub display_name: String,
}

/// What the requestor may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestorSettings {
    /// The "Request for specific period?" choice is offered.
    pub allow_custom_assignment_schedule: bool,
    /// Access may be extended near its end by a new request of type `userExtend`.
    pub allow_extension: bool,
}

/// Whether requests need approval, and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RequestApprovalSettings {
    pub is_approval_required_for_add: bool,
    pub is_requestor_justification_required: bool,
    /// One to three stages, decided in order; empty when no approval is required.
    pub stages: Vec<ApprovalStageSettings>,
}

/// One stage of approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStageSettings {
    /// Days without a decision after which the request ends as `expired`.
    pub duration_before_automatic_denial_days: u32,
    pub is_approver_justification_required: bool,
    pub primary_approvers: Vec<Approver>,
}

/// Who approves a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Approver {
    /// The requestor's manager.
    RequestorManager,
    /// One named user.
    #[serde(rename_all = "camelCase")]
    SingleUser {
        user_id: String,
        display_name: String,
    },
}

/// How long access granted under a policy lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Expiration {
    NoExpiration,
    #[serde(rename_all = "camelCase")]
    AfterDuration {
        duration_days: u32,
    },
    #[serde(rename_all = "camelCase")]
    AfterDateTime {
        end_date_time: String,
    },
}

impl Expiration {
    /// How a person reads it: "60 days", "No expiration", "Until 2027-03-31".
    pub fn label(&self) -> String {
        match self {
            Self::NoExpiration => "No expiration".to_owned(),
            Self::AfterDuration { duration_days: 1 } => "1 day".to_owned(),
            Self::AfterDuration { duration_days } => format!("{duration_days} days"),
            Self::AfterDateTime { end_date_time } => {
                format!("Until {}", end_date_time.get(..10).unwrap_or(end_date_time))
            }
        }
    }
}

/// A question the requestor answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub id: String,
    pub text: String,
    pub is_required: bool,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// Free text or a choice among offered values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum QuestionKind {
    #[serde(rename_all = "camelCase")]
    Text {
        is_single_line_question: bool,
        /// Answers must match this regular expression in full.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regex_pattern: Option<String>,
        /// Said to the requestor when an answer does not match, e.g. "Format: CC-1234".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regex_hint: Option<String>,
    },
    MultipleChoice {
        choices: Vec<Choice>,
    },
}

/// One choice of a multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub actual_value: String,
    pub display_value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(is_approval_required_for_add: bool) -> AssignmentPolicy {
        AssignmentPolicy {
            id: "a1".to_owned(),
            access_package_id: "p1".to_owned(),
            display_name: "Employees".to_owned(),
            description: String::new(),
            requestor_settings: RequestorSettings {
                allow_custom_assignment_schedule: true,
                allow_extension: false,
            },
            request_approval_settings: RequestApprovalSettings {
                is_approval_required_for_add,
                is_requestor_justification_required: true,
                stages: vec![],
            },
            expiration: Expiration::AfterDuration { duration_days: 30 },
            questions: vec![Question {
                id: "q1".to_owned(),
                text: "Cost centre?".to_owned(),
                is_required: true,
                kind: QuestionKind::Text {
                    is_single_line_question: true,
                    regex_pattern: None,
                    regex_hint: None,
                },
            }],
        }
    }

    #[test]
    fn the_pane_reads_whether_a_policy_needs_approval_from_the_policy_itself() {
        for required in [true, false] {
            let json = serde_json::to_string(&policy(required)).unwrap();
            let read: PolicyApproval = serde_json::from_str(&json).unwrap();
            assert_eq!(
                read.request_approval_settings.is_approval_required_for_add,
                required
            );
        }
    }
}
