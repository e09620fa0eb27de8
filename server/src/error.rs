//! The one error type of the HTTP layer. Every failure leaves as `application/problem+json`
//! (`portal_api::Problem`), with a detail that says what to fix.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portal_api::{FieldError, Problem};

use crate::domain::Refusal;
use crate::store::unique::{About, Unique};

/// How long a caller told the server is busy should wait before trying again, in seconds.
pub const BUSY_RETRY_AFTER_SECONDS: u64 = 1;

/// Why a call failed; each variant names the status it answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 Bad Request: the body or a parameter cannot be read.
    #[error("{0}")]
    BadRequest(String),
    /// 401 Unauthorized: no bearer token, or one that is not valid.
    #[error("{0}")]
    Unauthorized(String),
    /// 403 Forbidden: the caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// 404 Not Found: no such thing, or not one the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// 409 Conflict: the thing is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    /// 413 Payload Too Large.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 415 Unsupported Media Type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422 Unprocessable Content: fields that break a rule, each with its message.
    #[error("{detail}")]
    Validation {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 503 Service Unavailable: something the answer depends on (the identity provider) cannot
    /// be reached now; trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// 503 Service Unavailable, with `Retry-After`: the server has as many calls at work as
    /// it takes (or no database connection came free in time); the caller should retry soon.
    #[error("The portal is busy answering other requests; try again in a second.")]
    Busy,
    /// 500 Internal Server Error: logged in full, answered with no internals.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            detail: message.clone(),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// A 422 about several fields at once, so the user can fix them all in one go.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => one.message.clone(),
            _ => format!(
                "{} fields need attention: {}",
                errors.len(),
                field_list(&errors)
            ),
        };
        Self::Validation { detail, errors }
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "Bad request",
            Self::Unauthorized(_) => "Sign-in required",
            Self::Forbidden(_) => "Not allowed",
            Self::NotFound(_) => "Not found",
            Self::Conflict(_) => "Conflict",
            Self::PayloadTooLarge(_) => "Request body too large",
            Self::UnsupportedMediaType(_) => "Unsupported media type",
            Self::Validation { .. } => "Validation failed",
            Self::Unavailable(_) => "Service unavailable",
            Self::Busy => "Service busy",
            Self::Internal(_) => "Internal error",
        }
    }
}

fn field_list(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.field.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound(detail) => Self::NotFound(detail),
            Refusal::Forbidden(detail) => Self::Forbidden(detail),
            Refusal::Conflict(detail) => Self::Conflict(detail),
            Refusal::Invalid(errors) => Self::invalid_fields(errors),
        }
    }
}

impl ApiError {
    /// A database error from a write about `about`: a unique index's refusal is a 409 in the
    /// words `Unique::sentence` has for that index, naming what `about` names.
    pub fn from_db(err: sqlx::Error, about: About<'_>) -> Self {
        match Unique::of(&err) {
            Some(unique) => Self::Conflict(unique.sentence(about)),
            None => Self::from(err),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    /// A unique-constraint violation means the thing exists already: 409, decided here once
    /// rather than in every handler, in the words of the index that refused the write.
    /// Anything else from the database is internal.
    fn from(err: sqlx::Error) -> Self {
        if let Some(unique) = Unique::of(&err) {
            return Self::Conflict(unique.sentence(About::default()));
        }
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict(
                "This conflicts with something that exists already; reload and try again."
                    .to_owned(),
            ),
            // PostgreSQL's "invalid byte sequence": text with a NUL byte, which the rules for
            // typed text refuse first; this is the last guard for ids and names in a path.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => Self::BadRequest(
                "The request holds a NUL character (U+0000), which cannot be stored; \
                     remove it and try again."
                    .to_owned(),
            ),
            // Every connection stayed busy for the whole acquire timeout: overload, not a
            // fault, so the caller is told to come back rather than that something broke.
            sqlx::Error::PoolTimedOut => {
                tracing::warn!("no database connection came free in time: answered 503");
                Self::Busy
            }
            _ => Self::Internal(err.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let title = self.title().to_owned();
        let busy = matches!(self, Self::Busy);
        let (detail, errors) = match self {
            Self::Internal(err) => {
                tracing::error!(error = ?err, "request failed");
                (
                    "Something went wrong on our side. Try again in a moment.".to_owned(),
                    vec![],
                )
            }
            Self::Validation { detail, errors } => (detail, errors),
            other => (other.to_string(), vec![]),
        };
        let problem = Problem {
            status: status.as_u16(),
            title,
            detail,
            errors,
        };
        let mut response = problem_response(problem);
        if busy {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(BUSY_RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

/// Serialise a problem with its own media type.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body,
    )
        .into_response()
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_that_stays_busy_is_answered_503_with_when_to_retry_not_500() {
        let response = ApiError::from(sqlx::Error::PoolTimedOut).into_response();

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
