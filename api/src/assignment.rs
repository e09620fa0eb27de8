//! Assignments: the access a user has ("Access I have").

use serde::{Deserialize, Serialize};

use crate::{Answer, PackageRef, PolicyRef, Schedule};

/// How many days before its end an assignment may be extended.
pub const EXTENSION_WINDOW_DAYS: u32 = 14;

/// One package a user has, under one policy, for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: String,
    pub access_package: PackageRef,
    pub assignment_policy: PolicyRef,
    pub state: AssignmentState,
    pub schedule: Schedule,
    /// The request that delivered it.
    pub request_id: String,
    /// When the policy allows extension and the access ends: the first moment an extension
    /// may be asked for (`EXTENSION_WINDOW_DAYS` before the end). Absent when it cannot be
    /// extended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extendable_from: Option<String>,
    /// The caller's open request to extend this assignment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_request_id: Option<String>,
}

/// Body of `POST /assignments/{id}/extend`: a request of type `userExtend`, decided by the
/// policy's approvers like the original request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendAssignment {
    /// Required where the policy requires a business justification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Answers to the policy's questions; when empty, the answers of the request that
    /// delivered the assignment are carried over.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<Answer>,
}

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum AssignmentState {
    Delivered,
    Expired,
    Revoked,
}

impl AssignmentState {
    /// The words the portal shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Delivered => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Removed",
        }
    }
}
