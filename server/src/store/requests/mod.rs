//! Assignment requests with their answers and approval stages, and the assignments they
//! deliver. Every change is one transaction whose first statement is a conditional write on
//! the request, so that of two racing changes exactly one happens, and the audit entry is
//! written with it. By job: write.rs (submit, cancel, decide), sweep.rs (what comes due with
//! time), grant.rs (what those two share), read.rs (requests), assignments.rs (access held),
//! decision_times.rs (how long decisions take).

mod assignments;
pub mod decision_times;
mod grant;
mod read;
mod sweep;
mod write;

use chrono::{DateTime, Utc};
use portal_api::{AnsweredQuestion, RequestState, RequestType};

use crate::domain::submission::Period;

pub(crate) use assignments::assignments_query;
pub use assignments::{assignment, assignments};
pub use grant::refresh_waiting;
pub use read::{count, holdings, request, requests};
pub(crate) use read::{count_query, holdings_query, request_query, requests_query};
pub use sweep::{
    SweepStep, deliver_scheduled, expire_assignments, expire_undecided, remind_expiring,
};
pub(crate) use write::held_query;
pub use write::{cancel, decide, submit};

/// A new request's id: a time-ordered UUID (v7), so that requests made within the same
/// second still list newest first (lists are ordered by creation time, then id).
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A request that passed every rule, ready to be written.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id: String,
    /// `userAdd`, or `userExtend` with `extends` naming the assignment.
    pub request_type: RequestType,
    pub extends: Option<String>,
    pub requestor_id: String,
    pub package_id: String,
    pub policy_id: String,
    pub justification: Option<String>,
    /// The period the requestor chose, if any.
    pub requested: Option<Period>,
    pub answers: Vec<AnsweredQuestion>,
    pub stages: Vec<NewStage>,
    /// `pendingApproval`, `delivered` or `scheduled`.
    pub state: RequestState,
    /// The access granted at once, when no approval is needed; for an extension, the period
    /// whose end becomes the assignment's end.
    pub grant: Option<Period>,
    pub now: DateTime<Utc>,
}

/// One approval stage of a new request, with its approvers resolved to people.
#[derive(Debug, Clone)]
pub struct NewStage {
    pub approvers: Vec<String>,
    pub is_approver_justification_required: bool,
    pub duration_days: u32,
}

/// Which requests a listing shows.
#[derive(Debug, Clone)]
pub enum Listing {
    /// The requestor's own, optionally in one state.
    MadeBy {
        requestor_id: String,
        state: Option<RequestState>,
    },
    /// Those waiting for this person's decision at their current stage.
    AwaitingDecisionBy(String),
}

/// Where a listing of requests resumes: after this creation time and id (newest first).
pub type RequestKey = (String, String);

/// Whether a conditional change happened, or another change got there first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// The request was no longer in the state the change needs; nothing was written.
    Lost,
}

/// Whether a new request was written, or what already stood in its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    Done,
    /// The requestor has an open request for the package; nothing was written.
    AlreadyOpen,
    /// The requestor holds the package already (for a `userAdd`); nothing was written.
    AlreadyHeld,
}
