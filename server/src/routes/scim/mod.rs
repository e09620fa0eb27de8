//! `/scim/v2`: the SCIM 2.0 service an identity provider provisions users and groups through.
//! Open only with the secret token set by `--scim-token` (compared in constant time); the
//! portal's user tokens never open it. Every answer is `application/scim+json`, errors in
//! SCIM's own format.

mod discovery;
mod groups;
mod resource;
mod users;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::scim::filter::{self, Filter};
use crate::scim::patch::PatchError;
use crate::scim::schema::{ERROR, InvalidValue, LIST_RESPONSE};
use crate::scim::{DEFAULT_COUNT, MAX_COUNT};
use crate::state::AppState;
use crate::store::scim::Window;
use crate::store::unique::{About, Unique};

/// The media type of every SCIM body.
pub const SCIM_JSON: &str = "application/scim+json";

/// Every SCIM route, behind the token check.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(resource::router::<users::Users>("/Users"))
        .merge(resource::router::<groups::Groups>("/Groups"))
        .merge(discovery::router())
        .route("/.search", axum::routing::post(search_everything))
        .fallback(any(no_such_endpoint))
        .layer(axum::middleware::from_fn_with_state(state, guard))
}

/// A SCIM error: its status, `scimType` and a detail that says what to fix.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            None,
            format!("There is no {what} with id {id:?}."),
        )
    }

    fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }

    fn unknown_user(id: &str) -> Self {
        Self::invalid_value(format!(
            "There is no user with id {id:?}: provision that user first, then refer to them \
             by the id this service gave them."
        ))
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [ERROR],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        scim_json(self.status, &body)
    }
}

impl From<sqlx::Error> for ScimError {
    /// A unique index refusing a write means another resource has that userName or
    /// externalId already (`Unique` says which); anything else is logged and answered as a
    /// 500 with no detail.
    fn from(err: sqlx::Error) -> Self {
        if let Some(unique) = Unique::of(&err) {
            return Self::new(
                StatusCode::CONFLICT,
                Some("uniqueness"),
                unique.sentence(About::default()),
            );
        }
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::new(
                StatusCode::CONFLICT,
                Some("uniqueness"),
                "Another resource has this userName or externalId already; find it with a \
                 filter (userName eq \"…\") and update it instead.",
            ),
            _ => {
                tracing::error!(error = ?err, "a SCIM request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    "Something went wrong on our side. Try again in a moment.",
                )
            }
        }
    }
}

impl From<PatchError> for ScimError {
    fn from(err: PatchError) -> Self {
        let scim_type = match &err {
            PatchError::InvalidPath(_) => "invalidPath",
            PatchError::NoTarget(_) => "noTarget",
            PatchError::InvalidValue(_) => "invalidValue",
            PatchError::InvalidSyntax(_) => "invalidSyntax",
        };
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), err.to_string())
    }
}

impl From<InvalidValue> for ScimError {
    fn from(err: InvalidValue) -> Self {
        Self::invalid_value(err.0)
    }
}

type ScimResult = Result<Response, ScimError>;

/// `body` as SCIM JSON with `status`.
fn scim_json(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (status, [(CONTENT_TYPE, SCIM_JSON)], bytes).into_response()
}

/// A 201 for a new resource, with its `Location`.
fn created(body: &Value) -> Response {
    let mut response = scim_json(StatusCode::CREATED, body);
    if let Some(location) = body["meta"]["location"].as_str()
        && let Ok(value) = HeaderValue::from_str(location)
    {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The JSON body of a request, whatever JSON media type it was sent as.
fn read_body(body: &Bytes) -> Result<Value, ScimError> {
    let value: Value = serde_json::from_slice(body).map_err(|err| {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            format!("The body is not valid JSON: {err}."),
        )
    })?;
    if !value.is_object() {
        return Err(ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "The body must be a JSON object.",
        ));
    }
    Ok(value)
}

/// The service's root as clients reach it, for `meta.location`.
fn base(state: &AppState) -> String {
    format!(
        "{}/scim/v2",
        state.config.public_url().trim_end_matches('/')
    )
}

/// The query of a list request, from the URL or the body of a `POST …/.search`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    filter: Option<String>,
    start_index: Option<String>,
    count: Option<String>,
    #[serde(flatten)]
    shape: Shape,
}

/// Which attributes to return: `attributes` and `excludedAttributes`, comma-separated.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shape {
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl Shape {
    fn apply(&self, resource: &mut Value) {
        let names = |list: &Option<String>| -> Vec<String> {
            list.as_deref()
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        crate::scim::schema::project(
            resource,
            &names(&self.attributes),
            &names(&self.excluded_attributes),
        );
    }
}

impl ListQuery {
    /// The query a `POST …/.search` body holds (numbers as numbers, lists as lists).
    fn from_search(body: &Value) -> Self {
        let text = |name: &str| -> Option<String> {
            match body.get(name)? {
                Value::String(s) => Some(s.clone()),
                Value::Array(items) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                Value::Null => None,
                other => Some(other.to_string()),
            }
        };
        Self {
            filter: text("filter"),
            start_index: text("startIndex"),
            count: text("count"),
            shape: Shape {
                attributes: text("attributes"),
                excluded_attributes: text("excludedAttributes"),
            },
        }
    }

    /// The 1-based start and the page size, within bounds (RFC 7644 §3.4.2.4: a start below
    /// 1 is 1, a negative count is 0).
    fn window(&self) -> Result<(u32, Window), ScimError> {
        let number = |name: &str, text: &Option<String>, default: i64| match text {
            None => Ok(default),
            Some(text) => text.trim().parse::<i64>().map_err(|_| {
                ScimError::invalid_value(format!("{name} must be a whole number, not {text:?}"))
            }),
        };
        let start = number("startIndex", &self.start_index, 1)?.max(1);
        let count =
            number("count", &self.count, i64::from(DEFAULT_COUNT))?.clamp(0, i64::from(MAX_COUNT));
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let limit = u32::try_from(count).unwrap_or(0);
        Ok((
            start,
            Window {
                offset: start - 1,
                limit,
            },
        ))
    }

    fn filter(&self) -> Result<Option<Filter>, ScimError> {
        self.filter
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .map(|text| {
                filter::parse(text).map_err(|err| {
                    ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), err.0)
                })
            })
            .transpose()
    }
}

/// The `attr eq "value"` conditions of a filter, each attribute mapped by `column`; any
/// other shape or attribute is refused with what is supported.
fn equalities<C>(
    filter: Option<&Filter>,
    column: impl Fn(&str) -> Option<C>,
    supported: &str,
) -> Result<Vec<(C, String)>, ScimError> {
    let Some(filter) = filter else {
        return Ok(vec![]);
    };
    let unsupported = || {
        ScimError::new(
            StatusCode::BAD_REQUEST,
            Some("invalidFilter"),
            format!("This service filters on {supported} with eq, joined by and."),
        )
    };
    let parts = filter.equalities().ok_or_else(unsupported)?;
    parts
        .into_iter()
        .map(|(attr, value)| {
            let column = column(attr).ok_or_else(unsupported)?;
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Ok((column, value))
        })
        .collect()
}

/// A list response.
fn list(total: u64, start: u32, resources: Vec<Value>) -> Response {
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    )
}

/// Middleware: without a configured token, SCIM does not exist (404); with one, only a
/// request bearing it passes (else 401, in SCIM's format).
async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.config.scim_token.as_deref() else {
        return ScimError::new(
            StatusCode::NOT_FOUND,
            None,
            "SCIM provisioning is off on this server; start it with --scim-token to turn it on.",
        )
        .into_response();
    };
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        let mut response = ScimError::new(
            StatusCode::UNAUTHORIZED,
            None,
            "Send the SCIM secret token set on the server as `Authorization: Bearer <token>`.",
        )
        .into_response();
        response
            .headers_mut()
            .insert("www-authenticate", HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}

/// A search across resource types: not offered (RFC 7644 §3.4.3 lets a service answer 501).
async fn search_everything() -> ScimError {
    ScimError::new(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "This service searches one resource type at a time: POST /Users/.search or \
         /Groups/.search.",
    )
}

async fn no_such_endpoint(uri: axum::http::Uri) -> ScimError {
    ScimError::new(
        StatusCode::NOT_FOUND,
        None,
        format!(
            "There is no SCIM endpoint at {}; this service has /Users, /Groups, \
             /ServiceProviderConfig, /ResourceTypes and /Schemas.",
            uri.path()
        ),
    )
}
