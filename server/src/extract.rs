//! Extractors whose rejections answer in the API's problem shape.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::ApiError;

/// `axum::Json`, but a malformed, oversized or unknown-field body answers with a problem
/// that says what to fix. Unknown fields and wrong types are 422, broken JSON is 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_to_error(rejection)),
        }
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn rejection_to_error(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(format!(
            "The request body is larger than the {} KB allowed.",
            crate::MAX_BODY_BYTES / 1024
        )),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
            "Send the body as JSON with `Content-Type: application/json`.".to_owned(),
        ),
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
