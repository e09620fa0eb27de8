//! The HTTP API: one module per resource, each with its own `router()`. Handlers are thin:
//! extract, ask the rules in `domain`, read or write through `store`, answer.

use axum::Router;
use axum::routing::any;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

mod approvals;
mod assignments;
mod auth;
mod deliveries;
mod health;
mod me;
pub mod openapi;
mod packages;
pub mod problems;
mod requests;
pub mod scim;

/// Every route under `/api/v1`.
pub fn api() -> Router<AppState> {
    let (router, _) = documented().split_for_parts();
    router.fallback(any(api_not_found))
}

/// The routes under `/api/v1` with the OpenAPI document they make. Handlers are added with
/// `routes!`, which takes each one's path and method from its `#[utoipa::path]`, so no route
/// is served without being described.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(auth::router())
        .merge(me::router())
        .merge(packages::router())
        .merge(requests::router())
        .merge(assignments::router())
        .merge(approvals::router())
        .merge(deliveries::router())
}

/// Routes outside `/api/v1`: health checks and metrics.
pub fn operations() -> Router<AppState> {
    health::router().merge(deliveries::metrics_router())
}

/// Any `/api/...` path that names no endpoint: a JSON 404, never the web app's HTML.
pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "There is no API endpoint at {}; see /api/openapi.json.",
        uri.path()
    ))
}

/// The package with this id, or a 404 that says so.
pub async fn find_package(
    state: &AppState,
    id: &str,
) -> Result<portal_api::AccessPackage, ApiError> {
    crate::store::catalog::package(&state.db, id)
        .await?
        .ok_or_else(|| no_such_package(id))
}

/// The 404 for a package id that names none.
pub fn no_such_package(id: &str) -> ApiError {
    ApiError::NotFound(format!(
        "There is no access package with id {id:?}; check the link, or find the package under Request access."
    ))
}

/// Whether the caller is one of the portal's administrators, named by user id (`--admin`) or
/// by a group they belong to (`--admin-group`).
async fn is_admin(state: &AppState, user_id: &str) -> Result<bool, ApiError> {
    let config = &state.config;
    if config.admins.iter().any(|a| a == user_id) {
        return Ok(true);
    }
    let Some(group) = &config.admin_group else {
        return Ok(false);
    };
    let me = requestor(state, user_id).await?;
    Ok(me.group_ids.iter().any(|g| g == group))
}

/// The signed-in caller as the rules see them; a token for a user who is no longer in the
/// directory is treated as no token.
async fn requestor(state: &AppState, user_id: &str) -> Result<crate::domain::Requestor, ApiError> {
    crate::store::directory::requestor(&state.db, user_id)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "Your user is no longer in the directory; sign in again.".to_owned(),
            )
        })
}
