//! The problem answers (`application/problem+json`, schema `Problem`) that operations list in
//! their `responses(...)`: each declared once here, so no operation spells the media type.
//! What a refusal means for one operation is said in that operation's description.

use portal_api::Problem;
use utoipa::IntoResponses;

/// No valid bearer token
#[derive(IntoResponses)]
#[response(status = 401, content_type = "application/problem+json")]
pub struct Unauthorized(pub Problem);

/// The user is deactivated in the directory
#[derive(IntoResponses)]
#[response(status = 401, content_type = "application/problem+json")]
pub struct SignInRefused(pub Problem);

/// The caller may not do this; the detail says why
#[derive(IntoResponses)]
#[response(status = 403, content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// No such thing, or none the caller may see; the detail says which
#[derive(IntoResponses)]
#[response(status = 404, content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// The thing is not in a state that allows this; the detail says what it is in
#[derive(IntoResponses)]
#[response(status = 409, content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// A field or parameter breaks a rule; the detail says which, and `errors` names each field
#[derive(IntoResponses)]
#[response(status = 422, content_type = "application/problem+json")]
pub struct Invalid(pub Problem);
