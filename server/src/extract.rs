//! Extractors whose rejections answer in the API's problem shape. They also refuse NUL
//! characters wherever a caller can send text, with a problem that says so: PostgreSQL cannot
//! store or even compare text holding one, and would fail the query.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::Json`, but a malformed, oversized or unknown-field body answers with a problem
/// that says what to fix. Unknown fields, wrong types and NUL characters in text are 422,
/// broken JSON is 400, another media type 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
                _ => ApiError::BadRequest(rejection.body_text()),
            }
        })?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes).map_err(rejection_to_error)?;
        if holds_nul(&bytes) {
            return Err(nul_in_body(&bytes));
        }
        Ok(Self(value))
    }
}

/// `axum::extract::Path`, but a path that cannot name anything (an id with a NUL character, or
/// whose percent-encoding is not UTF-8 text) answers 404 in the problem shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    axum::extract::Path<T>: FromRequestParts<S, Rejection = PathRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let unreadable = || {
            ApiError::NotFound(
                "Nothing has this id: it is not valid text (a NUL character, or a broken \
                 percent-encoding); check the link."
                    .to_owned(),
            )
        };
        if parts.uri.path().contains("%00") {
            return Err(unreadable());
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(_) => Err(unreadable()),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, but a parameter that cannot be read answers with a 422 problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    axum::extract::Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(ApiError::Validation {
                detail: "A query parameter holds a NUL character (%00); remove it.".to_owned(),
                errors: vec![],
            });
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::Validation {
                detail: rejection.body_text().replace(
                    "Failed to deserialize query string: ",
                    "A query parameter is wrong: ",
                ),
                errors: vec![],
            }),
        }
    }
}

/// Whether the body says it is JSON: `application/json`, or `application/…+json`, as
/// `axum::Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    let essence = essence.to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a JSON text holds an escaped NUL (`\u0000`) in a string; a raw NUL byte is not
/// JSON and never gets this far.
fn holds_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        if json[i] == b'\\' {
            if json
                .get(i + 1..)
                .is_some_and(|rest| rest.starts_with(b"u0000"))
            {
                return true;
            }
            // Skip the escaped character, so that `\\` is never read as the start of one.
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The 422 for a body with a NUL character, naming the member that holds it
/// (`justification`, `answers[0].value`) so the form can show it beside its field.
fn nul_in_body(json: &[u8]) -> ApiError {
    let field = serde_json::from_slice::<serde_json::Value>(json)
        .ok()
        .and_then(|value| nul_member(&value, String::new()));
    match field {
        Some(field) => ApiError::invalid(
            &field,
            format!(
                "Remove the control character U+0000 (NUL) from `{field}`: text may not hold it."
            ),
        ),
        None => ApiError::Validation {
            detail:
                "Remove the control character U+0000 (NUL) from the body: text may not hold it."
                    .to_owned(),
            errors: vec![],
        },
    }
}

/// Where in `value` a string (or a member's name) holds a NUL character, as a path.
fn nul_member(value: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => text.contains('\0').then_some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_member(item, format!("{at}[{i}]"))),
        Value::Object(members) => members.iter().find_map(|(key, item)| {
            let path = if at.is_empty() {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            if key.contains('\0') {
                Some(path)
            } else {
                nul_member(item, path)
            }
        }),
        _ => None,
    }
}

fn unsupported_media_type() -> ApiError {
    ApiError::UnsupportedMediaType(
        "Send the body as JSON with `Content-Type: application/json`.".to_owned(),
    )
}

fn payload_too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "The request body is larger than the {} KB allowed.",
        crate::MAX_BODY_BYTES / 1024
    ))
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Validation {
            detail: text.replace(
                "Failed to deserialize the JSON body into the target type: ",
                "",
            ),
            errors: vec![],
        },
        _ => ApiError::BadRequest(text),
    }
}

#[cfg(test)]
mod tests {
    use super::holds_nul;

    #[test]
    fn the_member_holding_a_nul_is_named() {
        let body = br#"{"accessPackageId":"p","answers":[{"questionId":"q","value":"a\u0000"}]}"#;
        let crate::error::ApiError::Validation { errors, .. } = super::nul_in_body(body) else {
            panic!("a 422")
        };
        assert_eq!(errors[0].field, "answers[0].value");
        assert!(
            errors[0].message.contains("U+0000"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn an_escaped_nul_is_found_and_an_escaped_backslash_before_u0000_is_not() {
        assert!(holds_nul(br#"{"justification":"a\u0000b"}"#));
        assert!(!holds_nul(br#"{"justification":"a\\u0000b"}"#));
        assert!(!holds_nul(br#"{"justification":"plain"}"#));
    }
}
