//! `GET /assignments`: the access the caller has ("Access I have").

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use portal_api::{Assignment, Page, Problem};

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::state::AppState;
use crate::store::requests;

pub fn router() -> Router<AppState> {
    Router::new().route("/assignments", get(list))
}

/// The caller's assignments with their start and end, latest start first, on one page.
#[utoipa::path(get, path = "/assignments", tag = "assignments", security(("bearer" = [])),
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
