//! Approvals: the requests waiting for the caller's decision, and the decision itself.

use axum::extract::State;
use portal_api::{AssignmentRequest, Decision, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::domain::decision;
use crate::domain::lifecycle::{self, RequestView};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::paging;
use crate::routes::problems::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::store::policies;
use crate::store::requests::{self, Applied, Listing};
use crate::store::unique::About;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(decide))
}

/// The query of `GET /approvals`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    cursor: Option<String>,
}

/// The requests whose current stage waits for the caller's decision, newest first, with how
/// many there are in all (`totalCount`).
#[utoipa::path(get, operation_id = "listApprovals", path = "/approvals", tag = "approvals", params(ListQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of requests to decide", body = Page<AssignmentRequest>),
        Unauthorized, Invalid,
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Page<AssignmentRequest>>> {
    let window = paging::Window::new(query.limit, query.cursor.as_deref())?;
    let listing = Listing::AwaitingDecisionBy(me);
    let found =
        requests::requests(&state.db, &listing, window.after.as_ref(), window.fetch()).await?;
    let total = requests::count(&state.db, &listing).await?;
    Ok(Json(
        window
            .page(found, super::requests::page_key)
            .counting(total),
    ))
}

/// Approve or deny the stage of a request that waits for the caller. Approving the last stage
/// delivers the access.
///
/// Refused with 403 for the caller's own request, 404 when no such request waits for the
/// caller, 409 when the stage was already decided or the request is no longer pending (the
/// detail says by whom), and 422 when a justification is missing or too long.
#[utoipa::path(post, operation_id = "decide", path = "/approvals/{requestId}/decision", tag = "approvals", security(("bearer" = [])),
    request_body = Decision,
    params(("requestId" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request after the decision", body = AssignmentRequest),
        Unauthorized, Forbidden, NotFound, Conflict, Invalid,
    ))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(request_id): Path<String>,
    Json(decision): Json<Decision>,
) -> ApiResult<Json<AssignmentRequest>> {
    let request = requests::request(&state.db, &request_id)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(
                "There is no request with this id waiting for your decision.".to_owned(),
            )
        })?;
    let policy = policies::policy(&state.db, &request.assignment_policy.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("request {request_id} names a policy that is not there"))?;
    let subject = decision::Subject::of(&request, policy.policy.expiration)?;
    let now = state.clock.now();
    let transition = decision::decide(
        &subject,
        &me,
        decision.decision,
        decision.justification.as_deref(),
        now,
    )?;
    let about = About {
        package: Some(&request.access_package.display_name),
        person: Some(&request.requestor.display_name),
    };
    let applied = requests::decide(&state.db, &request, &me, &transition, now, &state.links())
        .await
        .map_err(|err| ApiError::from_db(err, about))?;
    if applied == Applied::Lost {
        // Someone else decided, or the requestor canceled, since we looked: say who and what.
        let latest = super::requests::load(&state, &request_id).await?;
        return Err(ApiError::Conflict(lifecycle::already_decided(
            &RequestView::of(&latest),
        )));
    }
    Ok(Json(super::requests::load(&state, &request_id).await?))
}
