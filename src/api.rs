//! Typed calls to the server's `/api/v1`: one function per endpoint, each returning
//! `Result<T, ApiError>` so a page can show the server's own words when something fails.

use gloo_net::http::{Method, Request, RequestBuilder};
use portal_api::{
    AccessPackage, Assignment, AssignmentPolicy, AssignmentRequest, Decision, DecisionTime,
    DemoSignIn, ExtendAssignment, NewAssignmentRequest, Page, Problem, Token, User,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{json, session};

/// Why a call failed: the server said no (with a problem body), or it could not be reached.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Problem(Problem),
    Network(String),
}

impl ApiError {
    /// The server's answer, which `why` says could not be read.
    pub fn unreadable(why: String) -> Self {
        Self::Network(format!("The server's answer could not be read: {why}"))
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Problem(p) => Some(p.status),
            Self::Network(_) => None,
        }
    }

    /// What went wrong, in a sentence for the user.
    pub fn message(&self) -> String {
        match self {
            Self::Problem(p) => p.detail.clone(),
            Self::Network(_) => {
                "The portal cannot reach its server. Check your connection and try again."
                    .to_owned()
            }
        }
    }

    /// The server's message for one field of the request body, if it refused that field.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            Self::Problem(p) => p.field(field).map(str::to_owned),
            Self::Network(_) => None,
        }
    }

    /// Whether the server refused particular fields (then each is shown next to its field).
    pub fn has_field_errors(&self) -> bool {
        matches!(self, Self::Problem(p) if !p.errors.is_empty())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

pub async fn demo_users() -> ApiResult<Vec<User>> {
    answer(call(Method::GET, "/auth/demo/users").build()).await
}

pub async fn demo_sign_in(user_principal_name: String) -> ApiResult<Token> {
    let body = DemoSignIn {
        user_principal_name,
    };
    answer(with_body(call(Method::POST, "/auth/demo"), &body)).await
}

pub async fn me() -> ApiResult<User> {
    answer(call(Method::GET, "/me").build()).await
}

/// Who `token` signs in, asked before the session holds it (at the end of a sign-in).
pub async fn me_as(token: &str) -> ApiResult<User> {
    let call = call(Method::GET, "/me").header("Authorization", &format!("Bearer {token}"));
    answer(call.build()).await
}

pub async fn access_packages(search: &str, cursor: Option<&str>) -> ApiResult<Page<AccessPackage>> {
    let query = [("search", Some(search)), ("cursor", cursor)];
    answer(
        call(Method::GET, "/accessPackages")
            .query(present(&query))
            .build(),
    )
    .await
}

pub async fn access_package(id: &str) -> ApiResult<AccessPackage> {
    let path = format!("/accessPackages/{}", encode(id));
    answer(call(Method::GET, &path).build()).await
}

/// The policies under which the caller may request package `id`, to be read later: the
/// request pane reads only whether they need approval, the request form reads them whole.
pub async fn applicable_policies(id: &str) -> ApiResult<json::Later<Page<AssignmentPolicy>>> {
    let path = format!("/accessPackages/{}/applicablePolicies", encode(id));
    Ok(json::Later::new(
        body(call(Method::GET, &path).build()).await?,
    ))
}

pub async fn decision_time(id: &str) -> ApiResult<DecisionTime> {
    let path = format!("/accessPackages/{}/decisionTime", encode(id));
    answer(call(Method::GET, &path).build()).await
}

pub async fn create_request(body: NewAssignmentRequest) -> ApiResult<AssignmentRequest> {
    answer(with_body(call(Method::POST, "/assignmentRequests"), &body)).await
}

pub async fn requests(
    state: Option<&str>,
    cursor: Option<&str>,
) -> ApiResult<Page<AssignmentRequest>> {
    let query = [("limit", Some("50")), ("state", state), ("cursor", cursor)];
    answer(
        call(Method::GET, "/assignmentRequests")
            .query(present(&query))
            .build(),
    )
    .await
}

pub async fn request(id: &str) -> ApiResult<AssignmentRequest> {
    let path = format!("/assignmentRequests/{}", encode(id));
    answer(call(Method::GET, &path).build()).await
}

pub async fn cancel_request(id: &str) -> ApiResult<AssignmentRequest> {
    let path = format!("/assignmentRequests/{}/cancel", encode(id));
    answer(call(Method::POST, &path).build()).await
}

pub async fn assignments() -> ApiResult<Page<Assignment>> {
    answer(call(Method::GET, "/assignments").build()).await
}

pub async fn extend(assignment_id: &str, body: ExtendAssignment) -> ApiResult<AssignmentRequest> {
    let path = format!("/assignments/{}/extend", encode(assignment_id));
    answer(with_body(call(Method::POST, &path), &body)).await
}

pub async fn approvals(cursor: Option<&str>) -> ApiResult<Page<AssignmentRequest>> {
    let query = [("limit", Some("50")), ("cursor", cursor)];
    answer(
        call(Method::GET, "/approvals")
            .query(present(&query))
            .build(),
    )
    .await
}

pub async fn decide(request_id: &str, decision: Decision) -> ApiResult<AssignmentRequest> {
    let path = format!("/approvals/{}/decision", encode(request_id));
    answer(with_body(call(Method::POST, &path), &decision)).await
}

/// A call to the API at `path`, as the signed-in user when there is one.
fn call(method: Method, path: &str) -> RequestBuilder {
    let call = RequestBuilder::new(&format!("{}{path}", crate::config::api_base()))
        .method(method)
        .header("Accept", "application/json");
    match session::token() {
        Some(token) => call.header("Authorization", &format!("Bearer {token}")),
        None => call,
    }
}

/// `call` with `body` as JSON.
fn with_body<B: Serialize>(call: RequestBuilder, body: &B) -> Result<Request, gloo_net::Error> {
    let text = json::to_string(body)
        .ok_or_else(|| gloo_net::Error::GlooError("the body could not be written".to_owned()))?;
    call.header("Content-Type", "application/json").body(text)
}

/// Send the call; a successful answer read as a `T`, or the server's problem.
async fn answer<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> ApiResult<T> {
    let text = body(request).await?;
    json::from_str(&text).map_err(ApiError::unreadable)
}

/// Send the call; the body of a successful answer, or the server's problem. Apart from
/// [`answer`], which is compiled once for each type read, so this is compiled only once.
async fn body(request: Result<Request, gloo_net::Error>) -> ApiResult<String> {
    // gloo-net's errors are not put in words here: the user is told the same either way, and
    // their wording would bring serde_json's and std's error messages into the download.
    let request =
        request.map_err(|_| ApiError::Network("the request could not be written".to_owned()))?;
    // The browser's own reason (offline, refused, blocked by CORS) is in its console.
    let response = request
        .send()
        .await
        .map_err(|_| ApiError::Network("no answer".to_owned()))?;
    let status = response.status();
    let text = response.text().await;
    if response.ok() {
        return text.map_err(|_| ApiError::unreadable("it is not text".to_owned()));
    }
    let problem = text
        .ok()
        .and_then(|text| json::from_str::<Problem>(&text).ok())
        .unwrap_or_else(|| Problem {
            status,
            title: "Error".to_owned(),
            detail: format!("The server answered {status}. Try again in a moment."),
            errors: vec![],
        });
    if status == 401 {
        // Signed in again from the sign-in screen that now shows, back to this page.
        crate::oidc::forget();
        session::expire();
    }
    Err(ApiError::Problem(problem))
}

/// The query parameters that have a value.
fn present<'a>(
    query: &'a [(&'a str, Option<&'a str>)],
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    query
        .iter()
        .filter_map(|(key, value)| value.map(|value| (*key, value)))
}

/// A GET outside the API (the configuration file): the status and the body as text.
pub async fn fetch_text(url: &str) -> Result<(u16, String), gloo_net::Error> {
    let response = Request::get(url).send().await?;
    Ok((response.status(), response.text().await?))
}

/// Percent-encode a path segment.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
