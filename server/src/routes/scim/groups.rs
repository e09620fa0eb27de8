//! `/scim/v2/Groups`: create, read, list, replace, PATCH and delete groups. Membership
//! decides who may request under policies scoped to a group, at the moment they request.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{ListQuery, ScimError, ScimResult, Shape, base, created, list, read_body, scim_json};
use crate::scim::patch::{self, PatchRequest};
use crate::scim::schema::{group_input, group_json};
use crate::state::AppState;
use crate::store::scim::{self as store, GroupAttr, Written};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
}

async fn list_groups(State(state): State<AppState>, Query(query): Query<ListQuery>) -> ScimResult {
    listing(&state, &query).await
}

async fn search_groups(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let query = ListQuery::from_search(&read_body(&body)?);
    listing(&state, &query).await
}

async fn listing(state: &AppState, query: &ListQuery) -> ScimResult {
    let filter = query.filter()?;
    let conditions = super::equalities(
        filter.as_ref(),
        |attr| match attr.to_ascii_lowercase().as_str() {
            "id" => Some(GroupAttr::Id),
            "externalid" => Some(GroupAttr::ExternalId),
            "displayname" => Some(GroupAttr::DisplayName),
            _ => None,
        },
        "id, externalId and displayName",
    )?;
    let (start, window) = query.window()?;
    let (total, groups) = store::groups(&state.db, &conditions, window).await?;
    let base = base(state);
    let resources = groups
        .iter()
        .map(|one| {
            let mut json = group_json(one, &base);
            query.shape.apply(&mut json);
            json
        })
        .collect();
    Ok(list(total, start, resources))
}

async fn create_group(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let input = group_input(&read_body(&body)?)?;
    match store::create_group(&state.db, &input).await? {
        Written::Done(group) => Ok(created(&group_json(&group, &base(&state)))),
        Written::UnknownUser(id) => Err(ScimError::unknown_user(&id)),
        Written::NotFound => Err(ScimError::not_found("group", "(new)")),
    }
}

async fn get_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(shape): Query<Shape>,
) -> ScimResult {
    let group = store::group(&state.db, &id)
        .await?
        .ok_or_else(|| ScimError::not_found("group", &id))?;
    let mut json = group_json(&group, &base(&state));
    shape.apply(&mut json);
    Ok(scim_json(StatusCode::OK, &json))
}

async fn replace_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let input = group_input(&read_body(&body)?)?;
    write(&state, &id, &input).await
}

async fn patch_group(
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
    let group = store::group(&state.db, &id)
        .await?
        .ok_or_else(|| ScimError::not_found("group", &id))?;
    let mut json = group_json(&group, &base(&state));
    patch::apply(&mut json, &request)?;
    let input = group_input(&json)?;
    write(&state, &id, &input).await
}

async fn write(state: &AppState, id: &str, input: &crate::scim::schema::GroupInput) -> ScimResult {
    match store::replace_group(&state.db, id, input).await? {
        Written::Done(group) => Ok(scim_json(StatusCode::OK, &group_json(&group, &base(state)))),
        Written::NotFound => Err(ScimError::not_found("group", id)),
        Written::UnknownUser(member) => Err(ScimError::unknown_user(&member)),
    }
}

async fn delete_group(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    if store::delete_group(&state.db, &id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ScimError::not_found("group", &id))
    }
}
