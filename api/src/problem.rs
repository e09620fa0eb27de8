//! The error body of every failed call: RFC 9457 problem details, with per-field errors.

use serde::{Deserialize, Serialize};

/// An `application/problem+json` body. `detail` says what to fix; `errors` names each field
/// that was refused, so that the portal shows the message next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The HTTP status code.
    pub status: u16,
    /// A short, stable summary of the kind of problem, e.g. "Validation failed".
    pub title: String,
    /// What went wrong and what to do about it.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One refused field. `field` is the JSON path of the field in the request body, e.g.
/// `justification`, `schedule.endDateTime` or `answers.costCenter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl Problem {
    /// The message for one field, if the server refused it.
    pub fn field(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}
