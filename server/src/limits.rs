//! Abuse and overload limits: how many writes one user and how many sign-ins one address may
//! make per minute (governor's keyed rate limiters), how many API calls may be at work at once
//! (a semaphore), and how long any request may take (tower's timeout). Each refusal is a
//! problem+json body that says when to try again.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::BoxError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use portal_api::Problem;
use tokio::sync::Semaphore;

use crate::auth::Tokens;
use crate::config::Config;
use crate::error::problem_response;

/// The path of demo sign-in, limited by client address.
const SIGN_IN_PATH: &str = "/api/v1/auth/demo";

/// Past this many remembered callers, those whose limit has fully recovered are forgotten, so
/// the limiters' memory stays small however many addresses call.
const FORGET_ABOVE: usize = 10_000;

/// The rate limiters of one server, and what they need to tell callers apart.
pub struct Limits {
    writes: Option<DefaultKeyedRateLimiter<Caller>>,
    sign_ins: Option<DefaultKeyedRateLimiter<IpAddr>>,
    tokens: Arc<Tokens>,
    behind_proxy: bool,
}

/// Whom a write is counted against: the verified user, or, without a valid token, the
/// address it came from (so that nobody can spend someone else's quota with a forged token).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Caller {
    User(String),
    Address(IpAddr),
}

impl Limits {
    /// The limits `config` sets; a limit of 0 is none.
    pub fn new(config: &Config, tokens: Arc<Tokens>) -> Self {
        Self {
            writes: per_minute(config.writes_per_minute),
            sign_ins: per_minute(config.sign_ins_per_minute),
            tokens,
            behind_proxy: config.behind_proxy,
        }
    }

    /// How long `request` must wait before it may go on, if it is over a limit.
    fn wait(&self, request: &Request) -> Option<Duration> {
        let method = request.method();
        let path = request.uri().path();
        if *method == Method::POST && path == SIGN_IN_PATH {
            let limiter = self.sign_ins.as_ref()?;
            return over(limiter, &self.address(request));
        }
        let writes = matches!(
            *method,
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        // Only people's changes count: /scim/v2 is one provisioning client behind a secret,
        // pushing a whole directory at once, and must not be throttled like a person.
        if writes && path.starts_with("/api/v1/") {
            let limiter = self.writes.as_ref()?;
            return over(limiter, &self.caller(request));
        }
        None
    }

    fn caller(&self, request: &Request) -> Caller {
        let token = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            });
        match token.and_then(|t| self.tokens.caller_key(t.trim())) {
            Some(user) => Caller::User(user),
            _ => Caller::Address(self.address(request)),
        }
    }

    fn address(&self, request: &Request) -> IpAddr {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        client_address(request.headers(), peer, self.behind_proxy)
    }
}

/// A limiter that lets each key make `n` calls per minute, in a burst or spread out; none
/// for 0.
fn per_minute<K>(n: u32) -> Option<DefaultKeyedRateLimiter<K>>
where
    K: Clone + Eq + std::hash::Hash,
{
    NonZeroU32::new(n).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

/// The client's address: the connection's peer, or, behind a proxy, the last address the
/// proxy added to `X-Forwarded-For` (earlier entries are whatever the client claimed). A
/// server run without connection info (as in `oneshot` tests) counts everyone as one.
fn client_address(headers: &HeaderMap, peer: Option<IpAddr>, behind_proxy: bool) -> IpAddr {
    let forwarded = || {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok())
    };
    let forwarded = if behind_proxy { forwarded() } else { None };
    forwarded
        .or(peer)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn over<K>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Option<Duration>
where
    K: Clone + Eq + std::hash::Hash,
{
    if limiter.len() > FORGET_ABOVE {
        limiter.retain_recent();
    }
    limiter
        .check_key(key)
        .err()
        .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// Middleware: answer 429 with `Retry-After` to a request over its limit, else pass it on.
pub async fn enforce(State(limits): State<Arc<Limits>>, request: Request, next: Next) -> Response {
    match limits.wait(&request) {
        Some(wait) => too_many(&request, wait),
        None => next.run(request).await,
    }
}

fn too_many(request: &Request, wait: Duration) -> Response {
    // Whole seconds, rounded up: a client that waits as told is let through.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let what = if request.uri().path() == SIGN_IN_PATH {
        "sign-in attempts from your address"
    } else {
        "changes"
    };
    let problem = Problem {
        status: StatusCode::TOO_MANY_REQUESTS.as_u16(),
        title: "Too many requests".to_owned(),
        detail: format!(
            "Too many {what} in a short time; try again in {seconds} second{}.",
            if seconds == 1 { "" } else { "s" }
        ),
        errors: vec![],
    };
    let mut response = problem_response(problem);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// How long a call over the bound waits for a place before it is answered 503: long enough to
/// ride out a burst of quick calls, short enough that nobody queues for seconds behind slow
/// ones.
pub const BUSY_WAIT: Duration = Duration::from_millis(200);

/// `router` with at most `bound` of its calls at work at once; `None` (or 0) for no bound.
/// The routers given the same `Concurrency` share its places.
pub fn bounded<S>(router: axum::Router<S>, bound: &Concurrency) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    match &bound.0 {
        Some(places) => router.layer(axum::middleware::from_fn_with_state(
            places.clone(),
            take_a_place,
        )),
        None => router,
    }
}

/// The places for API calls at work: a call holds one from its start until its answer is
/// ready, so the database pool is never asked for more connections than it has.
#[derive(Clone)]
pub struct Concurrency(Option<Arc<Semaphore>>);

impl Concurrency {
    /// `places` calls at once; none for 0 (no bound).
    pub fn new(places: usize) -> Self {
        Self((places > 0).then(|| Arc::new(Semaphore::new(places))))
    }
}

async fn take_a_place(
    State(places): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(BUSY_WAIT, places.acquire_owned()).await {
        Ok(Ok(_place)) => next.run(request).await,
        // Elapsed, or (never, as nobody closes it) a closed semaphore.
        _ => crate::error::ApiError::Busy.into_response(),
    }
}

/// `router` with every request given at most `timeout`, answered by `timed_out` after it.
pub fn with_timeout<S>(router: axum::Router<S>, timeout: Duration) -> axum::Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(
        tower::ServiceBuilder::new()
            .layer(axum::error_handling::HandleErrorLayer::new(timed_out))
            .timeout(timeout),
    )
}

/// What a request that ran out of time answers: 503 Service Unavailable (the server, not the
/// client, was too slow), with a problem body.
pub async fn timed_out(err: BoxError) -> Response {
    if err.is::<tower::timeout::error::Elapsed>() {
        let problem = Problem {
            status: StatusCode::SERVICE_UNAVAILABLE.as_u16(),
            title: "Request took too long".to_owned(),
            detail: "The server took too long to answer and gave up; try again in a moment."
                .to_owned(),
            errors: vec![],
        };
        let mut response = problem_response(problem);
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    }
    tracing::error!(error = %err, "a request failed in a layer");
    crate::error::ApiError::Internal(anyhow::anyhow!("{err}")).into_response()
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    async fn a_request_that_never_finishes_is_answered_503_with_a_problem() {
        let hangs = axum::Router::new().route("/", get(std::future::pending::<()>));
        let app = with_timeout(hangs, Duration::from_millis(20));

        let response = app
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let problem: Problem = serde_json::from_slice(&body).unwrap();
        assert!(problem.detail.contains("too long"), "{problem:?}");
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_proxy_is_in_front() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 198.51.100.7"),
        );
        let peer = Some(IpAddr::from([10, 0, 0, 1]));
        assert_eq!(
            client_address(&headers, peer, false),
            IpAddr::from([10, 0, 0, 1]),
            "a client may write any X-Forwarded-For it likes"
        );
        assert_eq!(
            client_address(&headers, peer, true),
            IpAddr::from([198, 51, 100, 7]),
            "the proxy adds the address it saw last"
        );
        assert_eq!(
            client_address(&HeaderMap::new(), peer, true),
            IpAddr::from([10, 0, 0, 1])
        );
    }
}
