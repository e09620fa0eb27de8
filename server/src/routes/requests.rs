//! Assignment requests: submit one, list and open one's own, cancel one that is pending.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use portal_api::{AssignmentRequest, NewAssignmentRequest, Page, RequestState};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::domain::lifecycle::{self, RequestView};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::paging;
use crate::requesting::{self, Ask};
use crate::routes::problems::{Conflict, Forbidden, Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::store::requests::{self, Applied, Listing};
use crate::store::webhooks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(one))
        .routes(routes!(cancel))
}

/// Submit a request for a package under one of its policies. Without approval the access is
/// delivered at once (or scheduled for the chosen start); with approval the request waits.
///
/// Refused with 403 when the policy does not apply to the caller, 404 when there is no such
/// package or no such policy of it, 409 when a request for the package is already open or the
/// caller has it, and 422 for fields that break the policy's rules, each named.
#[utoipa::path(post, operation_id = "createAssignmentRequest", path = "/assignmentRequests", tag = "assignmentRequests", security(("bearer" = [])),
    request_body = NewAssignmentRequest,
    responses(
        (status = 201, description = "The request, `pendingApproval`, `delivered` or `scheduled`", body = AssignmentRequest),
        Unauthorized, Forbidden, NotFound, Conflict, Invalid,
    ))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Json(input): Json<NewAssignmentRequest>,
) -> ApiResult<impl IntoResponse> {
    let id = requesting::submit(&state, &me, Ask::New(input)).await?;
    created(&state, &id).await
}

/// 201 Created with the request just written and its location.
pub async fn created(state: &AppState, id: &str) -> ApiResult<impl IntoResponse + use<>> {
    let created = load(state, id).await?;
    let location = format!(
        "{}/assignmentRequests/{}",
        portal_api::API_PREFIX,
        created.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// The query of `GET /assignmentRequests`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only requests in this state, e.g. `pendingApproval`.
    state: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    cursor: Option<String>,
}

/// The caller's requests, newest first.
///
/// Refused with 422 for an unknown state, or a bad limit or cursor.
#[utoipa::path(get, operation_id = "listAssignmentRequests", path = "/assignmentRequests", tag = "assignmentRequests", params(ListQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the caller's requests", body = Page<AssignmentRequest>),
        Unauthorized, Invalid,
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Page<AssignmentRequest>>> {
    let window = paging::Window::new(query.limit, query.cursor.as_deref())?;
    let wanted = match query.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(RequestState::parse(name).ok_or_else(|| {
            let names: Vec<&str> = RequestState::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::invalid(
                "state",
                format!("Filter by one of the states: {}.", names.join(", ")),
            )
        })?),
    };
    let listing = Listing::MadeBy {
        requestor_id: me,
        state: wanted,
    };
    let found =
        requests::requests(&state.db, &listing, window.after.as_ref(), window.fetch()).await?;
    Ok(Json(window.page(found, page_key)))
}

/// One request, with its stages and history; for its requestor and its approvers. For
/// administrators, also the package's roles that are recorded only.
///
/// Answers 404 when the caller has no request with this id.
#[utoipa::path(get, operation_id = "getAssignmentRequest", path = "/assignmentRequests/{id}", tag = "assignmentRequests", security(("bearer" = [])),
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = AssignmentRequest),
        Unauthorized, NotFound,
    ))]
pub async fn one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AssignmentRequest>> {
    let mut request = load(&state, &id).await?;
    let approver = request
        .stages
        .iter()
        .flat_map(|s| &s.approvers)
        .any(|a| a.id == me);
    if request.requestor.id != me && !approver {
        return Err(not_found());
    }
    if super::is_admin(&state, &me).await? {
        let package_id = &request.access_package.id;
        request.recorded_only = Some(webhooks::recorded_only(&state.db, package_id).await?);
    }
    Ok(Json(request))
}

/// Cancel the caller's request while it waits for approval.
///
/// Refused with 404 when the caller has no request with this id, and 409 when it is no
/// longer pending approval.
#[utoipa::path(post, operation_id = "cancelAssignmentRequest", path = "/assignmentRequests/{id}/cancel", tag = "assignmentRequests", security(("bearer" = [])),
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The canceled request", body = AssignmentRequest),
        Unauthorized, NotFound, Conflict,
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AssignmentRequest>> {
    let request = load(&state, &id).await?;
    lifecycle::check_cancel(&RequestView::of(&request), &me)?;
    if requests::cancel(&state.db, &id, &me, state.clock.now()).await? == Applied::Lost {
        // Decided or canceled between the check and the write: say what happened instead.
        let now = load(&state, &id).await?;
        lifecycle::check_cancel(&RequestView::of(&now), &me)?;
        return Err(ApiError::Conflict(
            "The request changed meanwhile; reload it.".to_owned(),
        ));
    }
    Ok(Json(load(&state, &id).await?))
}

/// The request with this id, with its history, or a 404.
pub async fn load(state: &AppState, id: &str) -> Result<AssignmentRequest, ApiError> {
    requests::request(&state.db, id)
        .await?
        .ok_or_else(not_found)
}

/// Where a listing of requests resumes: listings run newest first, by creation time and id.
pub fn page_key(request: &AssignmentRequest) -> (String, String) {
    (request.created_date_time.clone(), request.id.clone())
}

fn not_found() -> ApiError {
    ApiError::NotFound("You have no request with this id.".to_owned())
}
