//! The HTTP API: one module per resource, each with its own `router()`.

use axum::Router;
use axum::routing::any;

use crate::error::ApiError;
use crate::state::AppState;

mod health;

/// Every route under `/api/v1`.
pub fn api() -> Router<AppState> {
    Router::new().fallback(any(api_not_found))
}

/// Routes outside `/api/v1`: health checks.
pub fn operations() -> Router<AppState> {
    health::router()
}

/// Any `/api/...` path that names no endpoint: a JSON 404, never the web app's HTML.
pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "There is no API endpoint at {}; see /api/openapi.json.",
        uri.path()
    ))
}
