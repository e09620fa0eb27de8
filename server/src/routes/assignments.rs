//! Assignments: the access the caller has ("Access I have"), and asking to extend one.

use axum::extract::State;
use axum::response::IntoResponse;
use portal_api::{Assignment, AssignmentRequest, ExtendAssignment, Page};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::requesting::{self, Ask};
use crate::routes::problems::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::store::requests;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(extend))
}

/// The caller's assignments with their start and end, latest start first, on one page.
#[utoipa::path(get, operation_id = "listAssignments", path = "/assignments", tag = "assignments", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's assignments", body = Page<Assignment>),
        Unauthorized,
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
///
/// Refused with 403 when the policy does not allow extension or no longer applies to the
/// caller, 404 when the caller has no assignment with this id, 409 when it is too early (the
/// detail names the moment from which it is possible), an extension is already open, or the
/// access has ended or never ends, and 422 when a justification or an answer the policy
/// requires is missing or wrong.
#[utoipa::path(post, operation_id = "extendAssignment", path = "/assignments/{id}/extend", tag = "assignments", security(("bearer" = [])),
    request_body = ExtendAssignment,
    params(("id" = String, Path, description = "The assignment's id")),
    responses(
        (status = 201, description = "The `userExtend` request, `pendingApproval` or `delivered`; its schedule runs from the current end to the new one", body = AssignmentRequest),
        Unauthorized, Forbidden, NotFound, Conflict, Invalid,
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
