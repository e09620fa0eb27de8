//! `GET /me`: the signed-in user.

use axum::extract::State;
use portal_api::User;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::routes::problems::Unauthorized;
use crate::state::AppState;
use crate::store::directory;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// The signed-in user, with their manager, and whether they are an administrator.
#[utoipa::path(get, operation_id = "getMe", path = "/me", tag = "me", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = User),
        Unauthorized,
    ))]
pub async fn me(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> ApiResult<Json<User>> {
    let mut user = directory::user(&state.db, &me).await?.ok_or_else(|| {
        ApiError::Unauthorized("Your user is no longer in the directory; sign in again.".to_owned())
    })?;
    user.is_admin = super::is_admin(&state, &me).await?;
    Ok(Json(user))
}
