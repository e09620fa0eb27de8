//! Assignments: the access the caller has ("Access I have"), and asking to extend one.

use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use portal_api::{Assignment, AssignmentRequest, ExtendAssignment, Page, Problem};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::requesting::{self, Ask};
use crate::state::AppState;
use crate::store::requests;

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
    let ask = Ask::Extend {
        assignment_id: id,
        input,
    };
    let id = requesting::submit(&state, &me, ask).await?;
    super::requests::created(&state, &id).await
}
