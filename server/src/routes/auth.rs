//! Demo sign-in: list the directory's users, and hand out a bearer token for one of them.
//! Both answer 404 unless demo mode is on (and allowed on this address).

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use portal_api::{DemoSignIn, Problem, Token, User};

use crate::domain::submission::{Lines, check_typed_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::state::AppState;
use crate::store::directory;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/demo/users", get(demo_users))
        .route("/auth/demo", post(demo_sign_in))
}

/// The users one may sign in as in demo mode.
#[utoipa::path(get, operation_id = "listDemoUsers", path = "/auth/demo/users", tag = "auth",
    responses(
        (status = 200, description = "The directory's users", body = Vec<User>),
        (status = 404, description = "Demo sign-in is off", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn demo_users(State(state): State<AppState>) -> ApiResult<Json<Vec<User>>> {
    demo_on(&state)?;
    Ok(Json(directory::users(&state.db).await?))
}

/// A bearer token for the user with this user principal name.
#[utoipa::path(post, operation_id = "demoSignIn", path = "/auth/demo", tag = "auth", request_body = DemoSignIn,
    responses(
        (status = 200, description = "A signed bearer token", body = Token),
        (status = 401, description = "The user is deactivated in the directory", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Demo sign-in is off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such user, or a malformed body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn demo_sign_in(
    State(state): State<AppState>,
    Json(body): Json<DemoSignIn>,
) -> ApiResult<Json<Token>> {
    demo_on(&state)?;
    let mut errors = Vec::new();
    check_typed_text(
        "userPrincipalName",
        "the user name",
        &body.user_principal_name,
        Lines::One,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::invalid_fields(errors));
    }
    let user = directory::user_by_principal_name(&state.db, &body.user_principal_name)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                "userPrincipalName",
                format!(
                    "No demo user signs in as {:?}; pick one from GET /api/v1/auth/demo/users.",
                    body.user_principal_name
                ),
            )
        })?;
    if !directory::may_sign_in(&state.db, &user.id).await? {
        return Err(ApiError::Unauthorized(format!(
            "{} is deactivated in the directory and cannot sign in.",
            body.user_principal_name
        )));
    }
    let access_token = state.tokens.issue_demo(&user.id)?;
    Ok(Json(Token {
        access_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.tokens.ttl_seconds(),
    }))
}

fn demo_on(state: &AppState) -> Result<(), ApiError> {
    match state.config.demo_allowed() {
        Ok(true) => Ok(()),
        _ => Err(ApiError::NotFound(
            "Demo sign-in is off on this server; sign in with your organization's account."
                .to_owned(),
        )),
    }
}
