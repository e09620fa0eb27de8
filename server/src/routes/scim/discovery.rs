//! `/scim/v2/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`: what this service
//! supports, for clients and conformance checkers to read.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::Value;

use super::{ScimError, ScimResult, base, list, scim_json};
use crate::scim::schema;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(one_schema))
}

async fn service_provider_config(State(state): State<AppState>) -> ScimResult {
    Ok(scim_json(
        StatusCode::OK,
        &schema::service_provider_config(&base(&state)),
    ))
}

async fn resource_types(State(state): State<AppState>) -> ScimResult {
    let all = schema::resource_types(&base(&state));
    Ok(list(all.len() as u64, 1, all))
}

async fn resource_type(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    one(schema::resource_types(&base(&state)), &id, "resource type")
}

async fn schemas(State(state): State<AppState>) -> ScimResult {
    let all = schema::schemas(&base(&state));
    Ok(list(all.len() as u64, 1, all))
}

async fn one_schema(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    one(schema::schemas(&base(&state)), &id, "schema")
}

fn one(all: Vec<Value>, id: &str, what: &str) -> ScimResult {
    all.into_iter()
        .find(|item| item["id"].as_str() == Some(id))
        .map(|item| scim_json(StatusCode::OK, &item))
        .ok_or_else(|| ScimError::not_found(what, id))
}
