//! Assignments: the access the caller has ("Access I have"), and asking to extend one.

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use portal_api::{
    Answer, Assignment, AssignmentRequest, ExtendAssignment, NewAssignmentRequest, Page, Problem,
    RequestState, RequestType,
};

use crate::auth::CurrentUser;
use crate::domain::clock;
use crate::domain::extension::{self, ExtensionView};
use crate::domain::submission::{self, Period};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::state::AppState;
use crate::store::catalog;
use crate::store::requests::{self, NewRequest};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assignments", get(list))
        .route("/assignments/{id}/extend", post(extend))
}

/// The caller's assignments with their start and end, latest start first, on one page.
#[utoipa::path(get, operation_id = "listAssignments", path = "/assignments", tag = "assignments", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's assignments", body = Page<Assignment>),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> ApiResult<Json<Page<Assignment>>> {
    Ok(Json(Page::last(
        requests::assignments(&state.db, &me).await?,
    )))
}

/// Ask to extend one of the caller's assignments, from `extendableFrom` (14 days before its
/// end) on, where its policy allows it. This submits a request of type `userExtend` that the
/// policy's approvers decide like a new one; once delivered, the assignment's end moves by the
/// policy's duration. Without approval it is delivered at once.
#[utoipa::path(post, operation_id = "extendAssignment", path = "/assignments/{id}/extend", tag = "assignments", security(("bearer" = [])),
    request_body = ExtendAssignment,
    params(("id" = String, Path, description = "The assignment's id")),
    responses(
        (status = 201, description = "The `userExtend` request, `pendingApproval` or `delivered`; its schedule runs from the current end to the new one", body = AssignmentRequest),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The policy does not allow extension, or no longer applies to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too early (the detail names the moment from which it is possible), an extension is already open, or the access has ended or never ends", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A justification or an answer the policy requires is missing or wrong", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn extend(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
    Json(input): Json<ExtendAssignment>,
) -> ApiResult<impl IntoResponse> {
    let (assignment, _) = requests::assignment(&state.db, &id)
        .await?
        .filter(|(_, holder)| *holder == me)
        .ok_or_else(|| ApiError::NotFound("You have no assignment with this id.".to_owned()))?;
    let package = &assignment.access_package.display_name;
    if let Some(open) = &assignment.extension_request_id {
        return Err(ApiError::Conflict(format!(
            "You already asked to extend your access to {package} (request {open}); wait for \
             the decision, or cancel that request first."
        )));
    }
    let requestor = super::requestor(&state, &me).await?;
    let record = catalog::policy(&state.db, &assignment.assignment_policy.id)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!(
                "assignment {id} names a policy that does not exist"
            ))
        })?;
    let policy = &record.policy;
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
    let now = state.clock.now();
    let new_end = extension::check_extension(&view, now)?;
    if !record.scope.admits(&requestor) {
        return Err(ApiError::Forbidden(format!(
            "The policy {:?} no longer applies to you, so your access to {package} cannot be \
             extended under it; request the package again under a policy that applies.",
            policy.display_name
        )));
    }
    let (open, _) = requests::holdings(&state.db, &me).await?;
    if let Some(open) = open.get(&assignment.access_package.id) {
        return Err(super::requests::already_open(package, Some(open)));
    }
    let answers = if input.answers.is_empty() {
        carried_over_answers(&state, &assignment.request_id, policy).await?
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
    let accepted = submission::validate(policy, &as_new, now).map_err(ApiError::invalid_fields)?;
    let stages = super::requests::new_stages(policy, &requestor)?;
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
        requestor_id: me,
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
    super::requests::submit(&state, &new, package).await?;
    super::requests::created(&state, &new.id).await
}

/// The answers of the request that delivered the assignment, to the questions the policy
/// still asks.
async fn carried_over_answers(
    state: &AppState,
    request_id: &str,
    policy: &portal_api::AssignmentPolicy,
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
