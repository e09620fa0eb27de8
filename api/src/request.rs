//! Assignment requests: what a user asked for, where it stands, and how it got there.

use serde::{Deserialize, Serialize};

use crate::{PackageRef, PolicyRef, ResourceRole, UserRef};

/// Body of `POST /assignmentRequests`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAssignmentRequest {
    pub access_package_id: String,
    pub assignment_policy_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// A specific period, where the policy allows the requestor to choose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<Answer>,
}

/// When access starts and ends. Without an end, access lasts as long as the policy allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    pub start_date_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
}

/// The requestor's answer to one question; for a choice, the choice's `actualValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Answer {
    pub question_id: String,
    pub value: String,
}

/// A request as its requestor and its approvers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRequest {
    pub id: String,
    pub request_type: RequestType,
    pub state: RequestState,
    pub access_package: PackageRef,
    pub assignment_policy: PolicyRef,
    pub requestor: UserRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(default)]
    pub answers: Vec<AnsweredQuestion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    pub created_date_time: String,
    /// When the request reached a final state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_date_time: Option<String>,
    /// The approval stages, in order; empty when no approval is required.
    #[serde(default)]
    pub stages: Vec<ApprovalStage>,
    /// For a `userExtend` request: the assignment it extends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_id: Option<String>,
    /// Every change of state, oldest first; only on `GET /assignmentRequests/{id}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<AuditEntry>,
    /// How far the systems that hold the package's resources have taken the access in (its
    /// grant, or its removal once it ended); absent when no resource has a connector ("recorded
    /// only"). Only on `GET /assignmentRequests/{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilment: Option<Fulfilment>,
    /// For administrators only, on `GET /assignmentRequests/{id}`: the package's resource
    /// roles that have no connector ("recorded only"), whose grants no system is told of.
    /// Absent for everyone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_only: Option<Vec<ResourceRole>>,
}

/// Where the grant (or the removal) of a request's access stands in the systems that hold
/// its resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Fulfilment {
    /// `grant` while access is held, `removal` once it ended.
    pub change: String,
    pub state: FulfilmentState,
    /// What failed, in words ("CRM (User): answered 403 Forbidden: unknown user"); empty
    /// unless a connector refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
}

/// How far the connectors of a package have taken in a change of access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum FulfilmentState {
    /// Some connector has not accepted it yet; the portal keeps trying.
    Delivering,
    /// Every connector accepted it.
    Delivered,
    /// Some connectors accepted it and some refused it.
    PartiallyDelivered,
    /// Every connector that answered for good refused it.
    DeliveryFailed,
}

impl FulfilmentState {
    /// The words the requestor reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Delivering => "Delivering",
            Self::Delivered => "Delivered",
            Self::PartiallyDelivered => "Partially delivered",
            Self::DeliveryFailed => "Delivery failed",
        }
    }
}

/// An answer together with its question, as the request shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AnsweredQuestion {
    pub question_id: String,
    pub question: String,
    pub value: String,
    /// The words shown for the value (a choice's display value, or the text itself).
    pub display_value: String,
}

/// One stage of approval of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStage {
    /// 1, 2 or 3.
    pub stage: u8,
    pub status: StageStatus,
    /// Who may decide this stage.
    pub approvers: Vec<UserRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When the request expires if this stage is still undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date_time: Option<String>,
    pub is_approver_justification_required: bool,
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub date_time: String,
    /// Who made the change; absent when the system did (a schedule or an expiry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<UserRef>,
    /// What happened, in words: "Request submitted", "Approved (stage 1)".
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_state: Option<RequestState>,
    pub to_state: RequestState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum RequestType {
    UserAdd,
    UserExtend,
}

/// Where a request stands (Microsoft Graph's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum RequestState {
    Submitted,
    PendingApproval,
    Scheduled,
    Delivered,
    Denied,
    Canceled,
    Expired,
}

impl RequestState {
    /// Every state, in the order a filter lists them.
    pub const ALL: [RequestState; 7] = [
        Self::PendingApproval,
        Self::Scheduled,
        Self::Delivered,
        Self::Denied,
        Self::Canceled,
        Self::Expired,
        Self::Submitted,
    ];

    /// The words the portal shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Submitted",
            Self::PendingApproval => "Pending approval",
            Self::Scheduled => "Scheduled",
            Self::Delivered => "Delivered",
            Self::Denied => "Denied",
            Self::Canceled => "Canceled",
            Self::Expired => "Expired",
        }
    }

    /// The state named by `as_str` (see `names.rs`), if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        name.parse().ok()
    }

    /// No further change can happen to a request in this state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Delivered | Self::Denied | Self::Canceled | Self::Expired
        )
    }
}

/// Where one approval stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum StageStatus {
    /// An earlier stage is still undecided.
    NotStarted,
    Pending,
    Approved,
    Denied,
    /// The request ended (canceled, or expired) before this stage was decided.
    Skipped,
}

impl StageStatus {
    /// The words the portal shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::Pending => "Waiting for a decision",
            Self::Approved => "Approved",
            Self::Denied => "Denied",
            Self::Skipped => "Not decided",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_wire_names() {
        for state in RequestState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(RequestState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn a_new_request_with_an_unknown_field_is_refused() {
        let body = r#"{"accessPackageId":"p","assignmentPolicyId":"a","color":"red"}"#;
        let err = serde_json::from_str::<NewAssignmentRequest>(body).unwrap_err();
        assert!(err.to_string().contains("unknown field `color`"), "{err}");
    }
}
