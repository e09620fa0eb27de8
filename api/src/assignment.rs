//! Assignments: the access a user has ("Access I have").

use serde::{Deserialize, Serialize};

use crate::{PackageRef, PolicyRef, Schedule};

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
