//! Typed calls to the server's `/api/v1`: one function per endpoint, each returning
//! `Result<T, ApiError>` so a page can show the server's own words when something fails.

use portal_api::codec::{Decode, Encode};
use portal_api::{
    AccessPackage, Assignment, AssignmentPolicy, AssignmentRequest, Decision, DecisionTime,
    DemoSignIn, ExtendAssignment, NewAssignmentRequest, Page, Problem, Token, User,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

use crate::session;

/// Why a call failed: the server said no (with a problem body), or it could not be reached.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    Problem(Problem),
    Network(String),
}

impl ApiError {
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
    get("/auth/demo/users").await
}

pub async fn demo_sign_in(user_principal_name: String) -> ApiResult<Token> {
    post(
        "/auth/demo",
        &DemoSignIn {
            user_principal_name,
        },
    )
    .await
}

pub async fn me() -> ApiResult<User> {
    get("/me").await
}

pub async fn access_packages(search: &str, cursor: Option<&str>) -> ApiResult<Page<AccessPackage>> {
    let mut path = format!("/accessPackages?search={}", encode(search));
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&encode(cursor));
    }
    get(&path).await
}

pub async fn access_package(id: &str) -> ApiResult<AccessPackage> {
    get(&format!("/accessPackages/{}", encode(id))).await
}

pub async fn applicable_policies(id: &str) -> ApiResult<Page<AssignmentPolicy>> {
    get(&format!(
        "/accessPackages/{}/applicablePolicies",
        encode(id)
    ))
    .await
}

pub async fn decision_time(id: &str) -> ApiResult<DecisionTime> {
    get(&format!("/accessPackages/{}/decisionTime", encode(id))).await
}

pub async fn create_request(body: NewAssignmentRequest) -> ApiResult<AssignmentRequest> {
    post("/assignmentRequests", &body).await
}

pub async fn requests(
    state: Option<&str>,
    cursor: Option<&str>,
) -> ApiResult<Page<AssignmentRequest>> {
    let mut path = "/assignmentRequests?limit=50".to_owned();
    if let Some(state) = state {
        path.push_str("&state=");
        path.push_str(&encode(state));
    }
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&encode(cursor));
    }
    get(&path).await
}

pub async fn request(id: &str) -> ApiResult<AssignmentRequest> {
    get(&format!("/assignmentRequests/{}", encode(id))).await
}

pub async fn cancel_request(id: &str) -> ApiResult<AssignmentRequest> {
    send(
        "POST",
        &format!("/assignmentRequests/{}/cancel", encode(id)),
        None,
    )
    .await
}

pub async fn assignments() -> ApiResult<Page<Assignment>> {
    get("/assignments").await
}

pub async fn extend(assignment_id: &str, body: ExtendAssignment) -> ApiResult<AssignmentRequest> {
    post(
        &format!("/assignments/{}/extend", encode(assignment_id)),
        &body,
    )
    .await
}

pub async fn approvals(cursor: Option<&str>) -> ApiResult<Page<AssignmentRequest>> {
    let mut path = "/approvals?limit=50".to_owned();
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&encode(cursor));
    }
    get(&path).await
}

pub async fn decide(request_id: &str, decision: Decision) -> ApiResult<AssignmentRequest> {
    post(
        &format!("/approvals/{}/decision", encode(request_id)),
        &decision,
    )
    .await
}

async fn get<T: Decode>(path: &str) -> ApiResult<T> {
    read(call("GET", path, None).await?)
}

async fn post<B: Encode, T: Decode>(path: &str, body: &B) -> ApiResult<T> {
    read(call("POST", path, Some(crate::json::to_string(body))).await?)
}

async fn send<T: Decode>(method: &str, path: &str, body: Option<String>) -> ApiResult<T> {
    read(call(method, path, body).await?)
}

/// A successful answer read as a `T`.
fn read<T: Decode>(text: String) -> ApiResult<T> {
    crate::json::from_str(&text)
        .map_err(|e| ApiError::Network(format!("The server's answer could not be read: {e}")))
}

/// Call the API; the body of a successful answer, or the server's problem.
async fn call(method: &str, path: &str, body: Option<String>) -> ApiResult<String> {
    let (status, text) = fetch(
        method,
        &format!("{}{path}", crate::config::api_base()),
        body,
    )
    .await
    // The browser's own reason (offline, refused, blocked by CORS) is in its console.
    .map_err(|_| ApiError::Network("no answer".to_owned()))?;
    if (200..300).contains(&status) {
        return Ok(text);
    }
    let problem = crate::json::from_str::<Problem>(&text).unwrap_or_else(|_| Problem {
        status,
        title: "Error".to_owned(),
        detail: format!("The server answered {status}. Try again in a moment."),
        errors: vec![],
    });
    if status == 401 {
        session::expire();
    }
    Err(ApiError::Problem(problem))
}

/// A GET outside the API (the configuration file): the status and the body as text.
pub async fn fetch_text(url: &str) -> Result<(u16, String), JsValue> {
    fetch("GET", url, None).await
}

async fn fetch(method: &str, url: &str, body: Option<String>) -> Result<(u16, String), JsValue> {
    let headers = Headers::new()?;
    headers.set("Accept", "application/json")?;
    if let Some(token) = session::token() {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        headers.set("Content-Type", "application/json")?;
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await?
        .dyn_into()?;
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok((response.status(), text))
}

/// Percent-encode a query or path value.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
