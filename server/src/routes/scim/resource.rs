//! The endpoints a SCIM resource type has — list, search, create, read, replace, PATCH and
//! delete — written once for Users and Groups; a `Resource` says where the two differ.

use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::Value;

use super::{ListQuery, ScimError, ScimResult, Shape, base, created, list, read_body, scim_json};
use crate::scim::patch::{self, PatchRequest};
use crate::scim::schema::InvalidValue;
use crate::state::AppState;
use crate::store::scim::{Window, Written};

/// A SCIM resource type: its words, its JSON, and the store's calls for it.
pub trait Resource: 'static {
    /// What the errors call one ("user", "group").
    const NAME: &'static str;
    /// The attributes a filter may compare, as the error about an unsupported filter lists
    /// them.
    const FILTERABLE: &'static str;
    /// An attribute a filter may compare.
    type Attr: Send + Sync;
    /// One stored resource.
    type Record: Send;
    /// A resource as a request describes it.
    type Input: Send + Sync;

    /// The attribute a filter names (lower-cased), if it may be compared.
    fn attr(name: &str) -> Option<Self::Attr>;
    /// The resource as SCIM JSON, its links under `base`.
    fn json(record: &Self::Record, base: &str) -> Value;
    /// What a request body asks for.
    fn input(json: &Value) -> Result<Self::Input, InvalidValue>;

    /// How many match every `(attribute, value)` in all, and the window's slice.
    fn find(
        state: &AppState,
        conditions: &[(Self::Attr, String)],
        window: Window,
    ) -> impl Future<Output = sqlx::Result<(u64, Vec<Self::Record>)>> + Send;
    /// One by id.
    fn one(
        state: &AppState,
        id: &str,
    ) -> impl Future<Output = sqlx::Result<Option<Self::Record>>> + Send;
    /// A new one with a fresh id.
    fn create(
        state: &AppState,
        input: &Self::Input,
    ) -> impl Future<Output = sqlx::Result<Written<Self::Record>>> + Send;
    /// Set one to `input`, with what that changes for requests and access.
    fn replace(
        state: &AppState,
        id: &str,
        input: &Self::Input,
    ) -> impl Future<Output = sqlx::Result<Written<Self::Record>>> + Send;
    /// Delete one; `false` when there is none.
    fn delete(state: &AppState, id: &str) -> impl Future<Output = sqlx::Result<bool>> + Send;
}

/// The routes of resource type `R` under `path` (`/Users`).
pub fn router<R: Resource>(path: &str) -> Router<AppState> {
    Router::new()
        .route(path, get(list_all::<R>).post(create::<R>))
        .route(&format!("{path}/.search"), post(search::<R>))
        .route(
            &format!("{path}/{{id}}"),
            get(one::<R>)
                .put(replace::<R>)
                .patch(patch::<R>)
                .delete(delete::<R>),
        )
}

async fn list_all<R: Resource>(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> ScimResult {
    listing::<R>(&state, &query).await
}

async fn search<R: Resource>(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let query = ListQuery::from_search(&read_body(&body)?);
    listing::<R>(&state, &query).await
}

async fn listing<R: Resource>(state: &AppState, query: &ListQuery) -> ScimResult {
    let filter = query.filter()?;
    let conditions = super::equalities(
        filter.as_ref(),
        |attr| R::attr(&attr.to_ascii_lowercase()),
        R::FILTERABLE,
    )?;
    let (start, window) = query.window()?;
    let (total, found) = R::find(state, &conditions, window).await?;
    let base = base(state);
    let resources = found
        .iter()
        .map(|one| {
            let mut json = R::json(one, &base);
            query.shape.apply(&mut json);
            json
        })
        .collect();
    Ok(list(total, start, resources))
}

async fn create<R: Resource>(State(state): State<AppState>, body: Bytes) -> ScimResult {
    let input = R::input(&read_body(&body)?)?;
    match R::create(&state, &input).await? {
        Written::Done(record) => Ok(created(&R::json(&record, &base(&state)))),
        Written::UnknownUser(id) => Err(ScimError::unknown_user(&id)),
        Written::NotFound => Err(ScimError::not_found(R::NAME, "(new)")),
    }
}

async fn one<R: Resource>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(shape): Query<Shape>,
) -> ScimResult {
    let mut json = stored::<R>(&state, &id).await?;
    shape.apply(&mut json);
    Ok(scim_json(StatusCode::OK, &json))
}

async fn replace<R: Resource>(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ScimResult {
    let input = R::input(&read_body(&body)?)?;
    write::<R>(&state, &id, &input).await
}

async fn patch<R: Resource>(
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
    let mut json = stored::<R>(&state, &id).await?;
    patch::apply(&mut json, &request)?;
    let input = R::input(&json)?;
    write::<R>(&state, &id, &input).await
}

async fn delete<R: Resource>(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    if R::delete(&state, &id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ScimError::not_found(R::NAME, &id))
    }
}

/// The resource `id` as SCIM JSON, or a 404.
async fn stored<R: Resource>(state: &AppState, id: &str) -> Result<Value, ScimError> {
    let record = R::one(state, id)
        .await?
        .ok_or_else(|| ScimError::not_found(R::NAME, id))?;
    Ok(R::json(&record, &base(state)))
}

async fn write<R: Resource>(state: &AppState, id: &str, input: &R::Input) -> ScimResult {
    match R::replace(state, id, input).await? {
        Written::Done(record) => Ok(scim_json(StatusCode::OK, &R::json(&record, &base(state)))),
        Written::NotFound => Err(ScimError::not_found(R::NAME, id)),
        Written::UnknownUser(user) => Err(ScimError::unknown_user(&user)),
    }
}
