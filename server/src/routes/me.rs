//! `GET /me`: the signed-in user.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use portal_api::{Problem, User};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;
use crate::store::directory;

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

/// The signed-in user, with their manager.
#[utoipa::path(get, operation_id = "getMe", path = "/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = User),
        (status = 401, description = "No valid bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> ApiResult<Json<User>> {
    let user = directory::user(&state.db, &me).await?.ok_or_else(|| {
        ApiError::Unauthorized("Your user is no longer in the directory; sign in again.".to_owned())
    })?;
    Ok(Json(user))
}
