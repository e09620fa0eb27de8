//! What a request goes through between the requestor's Submit and the store: the one sequence
//! that a new request and an extension both run — who is asking, what under which policy,
//! whether the policy admits them, what they already have or asked for, whether the input
//! keeps the policy's rules, who approves, and what state it starts in. Routes call
//! [`submit`] and answer with what it returns.

use chrono::{DateTime, Utc};
use portal_api::{
    Answer, AssignmentPolicy, ExtendAssignment, NewAssignmentRequest, RequestState, RequestType,
};

use crate::domain::extension::{self, ExtensionView};
use crate::domain::submission::{self, Period};
use crate::domain::{Requestor, clock, lifecycle, policy};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::policies::{self, PolicyRecord};
use crate::store::requests::{self, NewRequest, NewStage, Submitted};
use crate::store::unique::{About, Unique};

/// What a requestor asks for.
#[derive(Debug, Clone)]
pub enum Ask {
    /// A package under one of its policies.
    New(NewAssignmentRequest),
    /// More time on one of their assignments, under the policy that gave it.
    Extend {
        assignment_id: String,
        input: ExtendAssignment,
    },
}

/// Run `ask` for `requestor_id` through every rule, and write it; the new request's id.
pub async fn submit(state: &AppState, requestor_id: &str, ask: Ask) -> Result<String, ApiError> {
    let requestor = crate::store::directory::requestor(&state.db, requestor_id)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "Your user is no longer in the directory; sign in again.".to_owned(),
            )
        })?;
    let now = state.clock.now();
    let prepared = match ask {
        Ask::New(input) => prepare_new(state, &requestor, input, now).await?,
        Ask::Extend {
            assignment_id,
            input,
        } => prepare_extension(state, &requestor, &assignment_id, input, now).await?,
    };
    let Prepared { package_name, new } = prepared;
    match requests::submit(&state.db, &new, &state.outgoing()).await? {
        Submitted::Done => Ok(new.id),
        // What the checks saw may have changed since (two requests sent at the same moment):
        // the store has the last word.
        Submitted::AlreadyOpen => Err(ApiError::Conflict(Unique::OpenRequest.sentence(About {
            package: Some(&package_name),
            person: None,
        }))),
        Submitted::AlreadyHeld => Err(already_held(&package_name)),
    }
}

/// A request that passed every rule, and the name of its package for what the store refuses.
struct Prepared {
    package_name: String,
    new: NewRequest,
}

async fn prepare_new(
    state: &AppState,
    requestor: &Requestor,
    input: NewAssignmentRequest,
    now: DateTime<Utc>,
) -> Result<Prepared, ApiError> {
    let package = crate::routes::find_package(state, &input.access_package_id).await?;
    let record = policies::policy(&state.db, &input.assignment_policy_id)
        .await?
        .filter(|record| record.policy.access_package_id == package.id)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "{} has no policy with id {:?}; pick one of GET /accessPackages/{}/applicablePolicies.",
                package.display_name, input.assignment_policy_id, package.id
            ))
        })?;
    if !record.scope.admits(requestor) {
        return Err(ApiError::Forbidden(format!(
            "You may not request {} under the policy {:?}; pick a policy from its applicable policies.",
            package.display_name, record.policy.display_name
        )));
    }
    let (open, held) = requests::holdings(&state.db, &requestor.id).await?;
    if let Some(open) = open.get(&package.id) {
        return Err(already_open(&package.display_name, open));
    }
    if held.contains_key(&package.id) {
        return Err(already_held(&package.display_name));
    }
    let policy = &record.policy;
    let accepted = submission::validate(policy, &input, now).map_err(ApiError::invalid_fields)?;
    let stages = new_stages(policy, requestor)?;
    let period = submission::granted_period(&policy.expiration, accepted.requested, now);
    let approval = policy
        .request_approval_settings
        .is_approval_required_for_add;
    let request_state = lifecycle::state_after_submit(approval, period.start, now);
    let new = NewRequest {
        id: requests::new_request_id(),
        request_type: RequestType::UserAdd,
        extends: None,
        requestor_id: requestor.id.clone(),
        package_id: package.id.clone(),
        policy_id: policy.id.clone(),
        justification: accepted.justification,
        requested: accepted.requested,
        answers: accepted.answers,
        stages,
        state: request_state,
        grant: (request_state == RequestState::Delivered).then_some(period),
        now,
    };
    Ok(Prepared {
        package_name: package.display_name,
        new,
    })
}

async fn prepare_extension(
    state: &AppState,
    requestor: &Requestor,
    assignment_id: &str,
    input: ExtendAssignment,
    now: DateTime<Utc>,
) -> Result<Prepared, ApiError> {
    let (assignment, _) = requests::assignment(&state.db, assignment_id)
        .await?
        .filter(|(_, holder)| *holder == requestor.id)
        .ok_or_else(|| ApiError::NotFound("You have no assignment with this id.".to_owned()))?;
    let package = assignment.access_package.display_name.clone();
    if let Some(open) = &assignment.extension_request_id {
        return Err(ApiError::Conflict(format!(
            "You already asked to extend your access to {package} (request {open}); wait for \
             the decision, or cancel that request first."
        )));
    }
    let PolicyRecord { policy, scope } =
        policies::policy(&state.db, &assignment.assignment_policy.id)
            .await?
            .ok_or_else(|| {
                anyhow::anyhow!("assignment {assignment_id} names a policy that is not there")
            })?;
    let end = assignment
        .schedule
        .end_date_time
        .as_deref()
        .map(clock::stored)
        .transpose()?;
    let view = ExtensionView {
        package_name: package.clone(),
        state: assignment.state,
        end,
        allow_extension: policy.requestor_settings.allow_extension,
        expiration: policy.expiration.clone(),
    };
    let new_end = extension::check_extension(&view, now)?;
    if !scope.admits(requestor) {
        return Err(ApiError::Forbidden(format!(
            "The policy {:?} no longer applies to you, so your access to {package} cannot be \
             extended under it; request the package again under a policy that applies.",
            policy.display_name
        )));
    }
    let (open, _) = requests::holdings(&state.db, &requestor.id).await?;
    if let Some(open) = open.get(&assignment.access_package.id) {
        return Err(already_open(&package, open));
    }
    let answers = if input.answers.is_empty() {
        carried_over_answers(state, &assignment.request_id, &policy).await?
    } else {
        input.answers
    };
    let as_new = NewAssignmentRequest {
        access_package_id: assignment.access_package.id.clone(),
        assignment_policy_id: policy.id.clone(),
        justification: input.justification,
        schedule: None,
        answers,
    };
    let accepted = submission::validate(&policy, &as_new, now).map_err(ApiError::invalid_fields)?;
    let stages = new_stages(&policy, requestor)?;
    // The extension runs from the current end to the new one; approved, the end moves.
    let period = Period {
        start: end.unwrap_or(now),
        end: new_end,
    };
    let approval = policy
        .request_approval_settings
        .is_approval_required_for_add;
    let new = NewRequest {
        id: requests::new_request_id(),
        request_type: RequestType::UserExtend,
        extends: Some(assignment.id.clone()),
        requestor_id: requestor.id.clone(),
        package_id: assignment.access_package.id.clone(),
        policy_id: policy.id.clone(),
        justification: accepted.justification,
        requested: Some(period),
        answers: accepted.answers,
        stages,
        state: if approval {
            RequestState::PendingApproval
        } else {
            RequestState::Delivered
        },
        grant: (!approval).then_some(period),
        now,
    };
    Ok(Prepared {
        package_name: package,
        new,
    })
}

/// The approval stages of a new request under `policy`, with their approvers resolved to
/// people; none when the policy needs no approval.
fn new_stages(policy: &AssignmentPolicy, requestor: &Requestor) -> Result<Vec<NewStage>, ApiError> {
    let approval = &policy.request_approval_settings;
    if !approval.is_approval_required_for_add {
        return Ok(vec![]);
    }
    let approvers = policy::resolve_approvers(&approval.stages, requestor)
        .map_err(|error| ApiError::invalid_fields(vec![error]))?;
    Ok(approval
        .stages
        .iter()
        .zip(approvers)
        .map(|(stage, approvers)| NewStage {
            approvers,
            is_approver_justification_required: stage.is_approver_justification_required,
            duration_days: stage.duration_before_automatic_denial_days,
        })
        .collect())
}

/// The answers of the request that delivered the assignment, to the questions the policy
/// still asks.
async fn carried_over_answers(
    state: &AppState,
    request_id: &str,
    policy: &AssignmentPolicy,
) -> Result<Vec<Answer>, ApiError> {
    let original = requests::request(&state.db, request_id).await?;
    Ok(original
        .map(|r| r.answers)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| policy.questions.iter().any(|q| q.id == a.question_id))
        .map(|a| Answer {
            question_id: a.question_id,
            value: a.value,
        })
        .collect())
}

/// 409: the requestor already has an open request for the package, `open`.
fn already_open(package_name: &str, open: &str) -> ApiError {
    ApiError::Conflict(format!(
        "You already have a request for {package_name} that is not finished ({open}); wait for \
         it, or cancel it first."
    ))
}

/// 409: the requestor holds the package already.
fn already_held(package_name: &str) -> ApiError {
    ApiError::Conflict(format!(
        "You already have {package_name}; there is no need to request it again."
    ))
}
