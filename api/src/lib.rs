//! The wire contract of Access Portal: every request and response body of `/api/v1`, shared by
//! the web app and the server so that the two cannot drift apart.
//!
//! JSON is camelCase and uses the vocabulary of entitlement management (Microsoft Graph v1.0):
//! `displayName`, `accessPackageId`, `assignmentPolicyId`, `justification`, `schedule`, `state`.
//! Times travel as RFC 3339 strings in UTC (`2026-11-27T16:00:00Z`).

mod approval;
mod assignment;
mod auth;
mod delivery;
mod names;
mod package;
mod page;
mod policy;
mod problem;
mod request;
mod user;

pub use approval::{Decision, DecisionKind};
pub use assignment::{Assignment, AssignmentState, EXTENSION_WINDOW_DAYS, ExtendAssignment};
pub use auth::{DemoSignIn, Token};
pub use delivery::WebhookDelivery;
pub use names::UnknownName;
pub use package::{
    AccessPackage, CatalogRef, DecisionTime, MIN_DECISION_SAMPLE, PackageRef, Resource,
    ResourceKind, ResourceRole,
};
pub use page::Page;
pub use policy::{
    ApprovalRequirement, ApprovalStageSettings, Approver, AssignmentPolicy, Choice, Expiration,
    PolicyApproval, PolicyRef, Question, QuestionKind, RequestApprovalSettings, RequestorSettings,
};
pub use problem::{FieldError, Problem};
pub use request::{
    Answer, AnsweredQuestion, ApprovalStage, AssignmentRequest, AuditEntry, Fulfilment,
    FulfilmentState, NewAssignmentRequest, RequestState, RequestType, Schedule, StageStatus,
};
pub use user::{User, UserRef};

/// The path under which every endpoint of this contract is served.
pub const API_PREFIX: &str = "/api/v1";

/// The longest business justification a request or a decision may carry, in characters.
pub const MAX_JUSTIFICATION_CHARS: usize = 1000;
