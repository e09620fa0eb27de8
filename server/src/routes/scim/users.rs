//! `/scim/v2/Users`: create, read, list, replace, PATCH and delete users. Deactivating or
//! deleting a user, or changing their manager, changes their requests and access in the
//! same transaction (see `store::scim`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{ListQuery, ScimError, ScimResult, Shape, base, created, list, read_body, scim_json};
use crate::scim::patch::{self, PatchRequest};
use crate::scim::schema::{UserInput, user_input, user_json};
use crate::state::AppState;
use crate::store::scim::{self as store, Moment, UserAttr, Written};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", post(search_users))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
}

async fn list_users(State(state): State<AppState>, Query(query): Query<ListQuery>) -> ScimResult {
    listing(&state, &query).await
}

async fn search_users(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let query = ListQuery::from_search(&read_body(&body)?);
    listing(&state, &query).await
}

async fn listing(state: &AppState, query: &ListQuery) -> ScimResult {
    let filter = query.filter()?;
    let conditions = super::equalities(
        filter.as_ref(),
        |attr| match attr.to_ascii_lowercase().as_str() {
            "id" => Some(UserAttr::Id),
            "username" => Some(UserAttr::UserName),
            "externalid" => Some(UserAttr::ExternalId),
            "displayname" => Some(UserAttr::DisplayName),
            _ => None,
        },
        "id, userName, externalId and displayName",
    )?;
    let (start, window) = query.window()?;
    let (total, users) = store::users(&state.db, &conditions, window).await?;
    let base = base(state);
    let resources = users
        .iter()
        .map(|one| {
            let mut json = user_json(one, &base);
            query.shape.apply(&mut json);
            json
        })
        .collect();
    Ok(list(total, start, resources))
}

async fn create_user(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let input = user_input(&read_body(&body)?)?;
    match store::create_user(&state.db, &input).await? {
        Written::Done(user) => Ok(created(&user_json(&user, &base(&state)))),
        Written::UnknownUser(id) => Err(ScimError::unknown_user(&id)),
        Written::NotFound => Err(ScimError::not_found("user", "(new)")),
    }
}

async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(shape): Query<Shape>,
) -> ScimResult {
    let user = store::user(&state.db, &id)
        .await?
        .ok_or_else(|| ScimError::not_found("user", &id))?;
    let mut json = user_json(&user, &base(&state));
    shape.apply(&mut json);
    Ok(scim_json(StatusCode::OK, &json))
}

async fn replace_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let input = user_input(&read_body(&body)?)?;
    write(&state, &id, &input).await
}

async fn patch_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let request: PatchRequest = serde_json::from_value(read_body(&body)?).map_err(|err| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            format!("The body is not a PatchOp with Operations: {err}."),
        )
    })?;
    let user = store::user(&state.db, &id)
        .await?
        .ok_or_else(|| ScimError::not_found("user", &id))?;
    let mut json = user_json(&user, &base(&state));
    patch::apply(&mut json, &request)?;
    let input = user_input(&json)?;
    write(&state, &id, &input).await
}

async fn write(state: &AppState, id: &str, input: &UserInput) -> ScimResult {
    let links = state.links();
    let at = Moment {
        now: state.clock.now(),
        links: &links,
    };
    match store::replace_user(&state.db, id, input, at).await? {
        Written::Done(user) => Ok(scim_json(StatusCode::OK, &user_json(&user, &base(state)))),
        Written::NotFound => Err(ScimError::not_found("user", id)),
        Written::UnknownUser(manager) => Err(ScimError::unknown_user(&manager)),
    }
}

async fn delete_user(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    let links = state.links();
    let at = Moment {
        now: state.clock.now(),
        links: &links,
    };
    if store::delete_user(&state.db, &id, at).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ScimError::not_found("user", &id))
    }
}
