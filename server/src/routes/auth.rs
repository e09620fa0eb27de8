//! Demo sign-in: list the directory's users, and hand out a bearer token for one of them.
//! Both answer 404 unless demo mode is on (and allowed on this address).

use axum::extract::State;
use portal_api::{DemoSignIn, Token, User};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::submission::{Lines, check_typed_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::routes::problems::{Invalid, NotFound, SignInRefused};
use crate::state::AppState;
use crate::store::directory;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(demo_users))
        .routes(routes!(demo_sign_in))
}

/// The users one may sign in as in demo mode.
///
/// Answers 404 when demo sign-in is off.
#[utoipa::path(get, operation_id = "listDemoUsers", path = "/auth/demo/users", tag = "auth",
    responses(
        (status = 200, description = "The directory's users", body = Vec<User>),
        NotFound,
    ))]
pub async fn demo_users(State(state): State<AppState>) -> ApiResult<Json<Vec<User>>> {
    demo_on(&state)?;
    Ok(Json(directory::users(&state.db).await?))
}

/// A bearer token for the user with this user principal name.
///
/// Refused with 404 when demo sign-in is off, and 422 when no user has this name or the body
/// is malformed.
#[utoipa::path(post, operation_id = "demoSignIn", path = "/auth/demo", tag = "auth", request_body = DemoSignIn,
    responses(
        (status = 200, description = "A signed bearer token", body = Token),
        SignInRefused, NotFound, Invalid,
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
