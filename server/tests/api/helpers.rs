//! The test harness: `spawn_app()` starts the real server on 127.0.0.1:0 with a fresh database
//! (a new SQLite file, or a new PostgreSQL database when `PORTAL_TEST_POSTGRES_URL` names a
//! server), loaded with the demo catalog. `TestApp::sign_in` gives a `Session` with one method
//! per endpoint.

use std::path::PathBuf;

use chrono::{TimeDelta, Utc};
use portal_api::{
    AccessPackage, Assignment, AssignmentPolicy, AssignmentRequest, Decision, DecisionKind,
    ExtendAssignment, NewAssignmentRequest, Page, Problem, Schedule, Token,
};
use portal_server::config::SmtpTls;
use portal_server::mail::{Postman, Round};
use portal_server::oidc::flags::OidcFlags;
use portal_server::store::outbox;
use portal_server::sweep::Swept;
use portal_server::{AppState, Config};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::Connection;

/// The server's address of a PostgreSQL database that tests may create databases on, e.g.
/// `postgres://postgres:postgres@127.0.0.1:5432/postgres`. Unset: tests use SQLite.
pub const POSTGRES_ENV: &str = "PORTAL_TEST_POSTGRES_URL";

/// A running server and what a test needs to reach into it.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _database: FreshDatabase,
}

/// A signed-in user's view of the API.
pub struct Session {
    token: String,
    base: String,
    client: reqwest::Client,
}

/// A response, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
    pub body: String,
}

/// The provisioning client's secret in tests.
pub const SCIM_TOKEN: &str = "scim-test-token-0123456789abcdef0123456789";

/// The administrator in tests (a demo user): sees and retries fulfilment webhooks.
pub const ADMIN: &str = "lynne";

/// The portal's public address in tests; links in emails start with it.
pub const PUBLIC_URL: &str = "https://portal.test";

/// Start the app with the demo catalog and demo sign-in on.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Start the app with its emails going to an SMTP server on loopback at `port`.
pub async fn spawn_app_mailing_to(port: u16) -> TestApp {
    spawn_app_with(|config| {
        config.smtp_host = Some("127.0.0.1".to_owned());
        config.smtp_port = Some(port);
        config.smtp_tls = SmtpTls::None;
    })
    .await
}

/// Sign-in settings with no OpenID Provider: only demo sign-in.
pub fn no_oidc() -> OidcFlags {
    OidcFlags {
        oidc_issuer: None,
        oidc_client_id: None,
        oidc_audience: vec![],
        oidc_scopes: "openid profile email offline_access".to_owned(),
        oidc_resource: None,
        oidc_provider_name: None,
        oidc_user_claim: "sub".to_owned(),
        oidc_groups_claim: "groups".to_owned(),
    }
}

/// The configuration API tests start from: demo sign-in and the demo catalog on the database
/// at `database_url`, no SMTP, no rate limits.
pub fn test_config(database_url: &str) -> Config {
    Config {
        address: "127.0.0.1".parse().expect("an address"),
        port: 0,
        database_url: database_url.to_owned(),
        static_dir: PathBuf::from("no-web-app-in-api-tests"),
        demo: true,
        allow_demo_on_network: false,
        seed: Some(demo_catalog()),
        token_secret: Some("test-secret-of-at-least-32-bytes!".to_owned()),
        sign_in: no_oidc(),
        token_ttl_seconds: 600,
        public_url: Some(PUBLIC_URL.to_owned()),
        smtp_host: None,
        smtp_port: None,
        smtp_tls: SmtpTls::None,
        smtp_from: "Access Portal <portal@contoso.com>".to_owned(),
        smtp_username: None,
        smtp_password: None,
        mail_interval_seconds: 5,
        sweep_interval_seconds: 60,
        cors_allowed_origins: vec![],
        frame_ancestors: vec![],
        writes_per_minute: 0,
        sign_ins_per_minute: 0,
        behind_proxy: false,
        request_timeout_seconds: 30,
        concurrent_requests: None,
        approval_emails_per_hour: 0,
        scim_token: Some(SCIM_TOKEN.to_owned()),
        admins: vec![ADMIN.to_owned()],
        admin_group: None,
    }
}

/// Start the app after `change` has adjusted its configuration.
pub async fn spawn_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    let database = FreshDatabase::create().await;
    let mut config = test_config(&database.url);
    change(&mut config);
    let state = portal_server::state(config).await.expect("the app starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = format!("http://{}", listener.local_addr().expect("a local address"));
    let app = portal_server::app(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    TestApp {
        address,
        state,
        client: reqwest::Client::new(),
        _database: database,
    }
}

/// Send `head` (request line and headers, each ending in CRLF) byte for byte, as no HTTP
/// client would: for paths and `Host` headers that clients tidy up or refuse.
pub async fn send_raw(app: &TestApp, head: &str) -> Reply {
    use std::io::{Read, Write};
    let address = app.address.trim_start_matches("http://").to_owned();
    let request = format!("{head}Connection: close\r\n\r\n");
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("a connection");
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("an answer");
        answer
    })
    .await
    .expect("the request ran");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let retry_after = head.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("retry-after: ")
            .map(str::to_owned)
    });
    Reply {
        status,
        content_type,
        body: body.to_owned(),
        retry_after,
    }
}

/// The committed demo catalog that `cargo xtask run` loads.
pub fn demo_catalog() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("demo/catalog.toml")
}

impl TestApp {
    /// Sign in as the demo user with this id (`adele` signs in as adele@contoso.com).
    pub async fn sign_in(&self, user_id: &str) -> Session {
        let reply = self.demo_sign_in(&format!("{user_id}@contoso.com")).await;
        assert_eq!(reply.status, 200, "sign-in as {user_id}: {}", reply.body);
        let token: Token = reply.json();
        Session {
            token: token.access_token,
            base: self.api(""),
            client: self.client.clone(),
        }
    }

    /// The API as the bearer of `token` (from an identity provider) sees it.
    pub fn session(&self, token: String) -> Session {
        Session {
            token,
            base: self.api(""),
            client: self.client.clone(),
        }
    }

    /// `POST /auth/demo`.
    pub async fn demo_sign_in(&self, user_principal_name: &str) -> Reply {
        let body = serde_json::json!({ "userPrincipalName": user_principal_name });
        read(
            self.client
                .post(self.api("/auth/demo"))
                .json(&body)
                .send()
                .await,
        )
        .await
    }

    /// `GET /auth/demo/users`.
    pub async fn demo_users(&self) -> Reply {
        read(self.client.get(self.api("/auth/demo/users")).send().await).await
    }

    /// Any method on any path under the server, with an optional bearer token.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        read(request.send().await).await
    }

    /// One round of the time sweep at the app's clock, as the background task runs it.
    pub async fn sweep(&self) -> Swept {
        portal_server::sweep::run_once(&self.state)
            .await
            .expect("the sweep runs")
    }

    /// A mail worker for this app's configuration, as each server instance runs one.
    pub fn postman(&self) -> Postman {
        Postman::new(&self.state.config).expect("a mail worker")
    }

    /// One round of a fresh mail worker: send what is due.
    pub async fn send_mail(&self) -> Round {
        self.postman()
            .run_once(&self.state)
            .await
            .expect("the outbox can be read")
    }

    /// Every message in the outbox, oldest first.
    pub async fn outbox(&self) -> Vec<outbox::Entry> {
        outbox::entries(&self.state.db)
            .await
            .expect("the outbox can be read")
    }

    /// Move the app's clock.
    pub fn advance(&self, by: chrono::TimeDelta) {
        self.state.clock.advance(by);
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.address)
    }
}

impl Session {
    /// `GET /me`.
    pub async fn me(&self) -> Reply {
        self.get("/me").await
    }

    /// `GET /accessPackages?…` with the query as written, e.g. `search=crm&limit=5`.
    pub async fn access_packages(&self, query: &str) -> Reply {
        self.get(&format!("/accessPackages?{query}")).await
    }

    /// Every package the caller may request, following the cursor to the end.
    pub async fn all_access_packages(&self, page_size: u32) -> Vec<AccessPackage> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("limit={page_size}&cursor={c}"),
                None => format!("limit={page_size}"),
            };
            let page: Page<AccessPackage> = self.access_packages(&query).await.ok();
            all.extend(page.value);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return all,
            }
        }
    }

    /// `GET /accessPackages/{id}`.
    pub async fn access_package(&self, id: &str) -> Reply {
        self.get(&format!("/accessPackages/{id}")).await
    }

    /// `GET /accessPackages/{id}/applicablePolicies`.
    pub async fn applicable_policies(&self, id: &str) -> Reply {
        self.get(&format!("/accessPackages/{id}/applicablePolicies"))
            .await
    }

    /// The ids of the policies the caller may request `package_id` under.
    pub async fn applicable_policy_ids(&self, package_id: &str) -> Vec<String> {
        let page: Page<AssignmentPolicy> = self.applicable_policies(package_id).await.ok();
        page.value.into_iter().map(|p| p.id).collect()
    }

    /// `POST /assignmentRequests`.
    pub async fn create_request(&self, body: &NewAssignmentRequest) -> Reply {
        self.post(
            "/assignmentRequests",
            Some(serde_json::to_value(body).expect("json")),
        )
        .await
    }

    /// `POST /assignmentRequests` with any JSON body.
    pub async fn create_request_raw(&self, body: Value) -> Reply {
        self.post("/assignmentRequests", Some(body)).await
    }

    /// A request for `package_id` under `policy_id` with nothing else, which must be accepted.
    pub async fn request_access(&self, package_id: &str, policy_id: &str) -> AssignmentRequest {
        let reply = self
            .create_request(&new_request(package_id, policy_id))
            .await;
        assert_eq!(reply.status, 201, "request {package_id}: {}", reply.body);
        reply.json()
    }

    /// `GET /assignmentRequests?…`.
    pub async fn requests(&self, query: &str) -> Reply {
        self.get(&format!("/assignmentRequests?{query}")).await
    }

    /// `GET /assignmentRequests/{id}`.
    pub async fn request(&self, id: &str) -> Reply {
        self.get(&format!("/assignmentRequests/{id}")).await
    }

    /// `POST /assignmentRequests/{id}/cancel`.
    pub async fn cancel(&self, id: &str) -> Reply {
        self.post(&format!("/assignmentRequests/{id}/cancel"), None)
            .await
    }

    /// `GET /assignments`.
    pub async fn assignments(&self) -> Reply {
        self.get("/assignments").await
    }

    /// `POST /assignments/{id}/extend`.
    pub async fn extend(&self, assignment_id: &str, body: &ExtendAssignment) -> Reply {
        let body = serde_json::to_value(body).expect("json");
        self.post(&format!("/assignments/{assignment_id}/extend"), Some(body))
            .await
    }

    /// The caller's only assignment of `package_id`.
    pub async fn assignment_of(&self, package_id: &str) -> Assignment {
        let page: Page<Assignment> = self.assignments().await.ok();
        page.value
            .into_iter()
            .find(|a| a.access_package.id == package_id)
            .unwrap_or_else(|| panic!("an assignment of {package_id}"))
    }

    /// `GET /accessPackages/{id}/decisionTime`.
    pub async fn decision_time(&self, package_id: &str) -> Reply {
        self.get(&format!("/accessPackages/{package_id}/decisionTime"))
            .await
    }

    /// `GET /approvals`.
    pub async fn approvals(&self) -> Reply {
        self.get("/approvals").await
    }

    /// `GET /approvals?…` with the query as written, e.g. `limit=2&cursor=…`.
    pub async fn approvals_page(&self, query: &str) -> Reply {
        self.get(&format!("/approvals?{query}")).await
    }

    /// `POST /approvals/{id}/decision`.
    pub async fn decide(
        &self,
        request_id: &str,
        decision: DecisionKind,
        justification: Option<&str>,
    ) -> Reply {
        let body = Decision {
            decision,
            justification: justification.map(str::to_owned),
        };
        let body = serde_json::to_value(body).expect("json");
        self.post(&format!("/approvals/{request_id}/decision"), Some(body))
            .await
    }

    /// `POST /approvals/{id}/decision` approving, which must be accepted.
    pub async fn approve(&self, request_id: &str) -> AssignmentRequest {
        let reply = self
            .decide(request_id, DecisionKind::Approve, Some("Fine by me"))
            .await;
        assert_eq!(reply.status, 200, "approve {request_id}: {}", reply.body);
        reply.json()
    }

    /// The bearer token, for hand-made calls.
    pub fn token(&self) -> &str {
        &self.token
    }

    async fn get(&self, path: &str) -> Reply {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        read(request.send().await).await
    }

    async fn post(&self, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await).await
    }
}

/// A request body with only the package and policy.
pub fn new_request(package_id: &str, policy_id: &str) -> NewAssignmentRequest {
    NewAssignmentRequest {
        access_package_id: package_id.to_owned(),
        assignment_policy_id: policy_id.to_owned(),
        ..Default::default()
    }
}

/// A request for the campaign workspace from three days on (at midnight UTC), and that start
/// as the request gives it.
pub fn campaign_from_three_days_on() -> (NewAssignmentRequest, String) {
    let start = (Utc::now() + TimeDelta::days(3))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    let body = NewAssignmentRequest {
        justification: Some("Summer campaign".into()),
        schedule: Some(Schedule {
            start_date_time: start.clone(),
            end_date_time: None,
        }),
        ..new_request("marketing-campaigns", "marketing-campaigns-project")
    };
    (body, start)
}

/// Adele has Sales CRM under policy A (60 days, extension allowed), approved by Megan: both
/// signed in, with the request that gave it.
pub async fn adele_with_sales_crm(app: &TestApp) -> (Session, Session, AssignmentRequest) {
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    megan.approve(&request.id).await;
    (adele, megan, request)
}

impl Reply {
    /// The body as `T`; panics with the body when it is not.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body).unwrap_or_else(|err| {
            panic!(
                "not the expected JSON ({err}): {} {}",
                self.status, self.body
            )
        })
    }

    /// The body as `T`, after checking the status is 200.
    pub fn ok<T: DeserializeOwned>(&self) -> T {
        assert_eq!(self.status, 200, "{}", self.body);
        self.json()
    }

    /// The problem of a failed call, after checking its status and media type.
    pub fn problem(&self, status: u16) -> Problem {
        assert_eq!(
            self.status, status,
            "expected {status}, got {}: {}",
            self.status, self.body
        );
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        let problem: Problem = self.json();
        assert_eq!(problem.status, status);
        assert!(!problem.detail.is_empty(), "a problem says what to fix");
        problem
    }
}

async fn read(response: reqwest::Result<reqwest::Response>) -> Reply {
    let response = response.expect("the server answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.expect("a body");
    Reply {
        status,
        content_type,
        retry_after,
        body,
    }
}

/// A database used by one test only: a SQLite file in a temporary folder, or a PostgreSQL
/// database with a unique name, dropped when the test ends.
/// A database of the test's own, dropped with it: a SQLite file in a temporary folder, or a
/// new database on the PostgreSQL server that `PORTAL_TEST_POSTGRES_URL` names.
pub struct FreshDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl FreshDatabase {
    pub async fn create() -> Self {
        match std::env::var(POSTGRES_ENV)
            .ok()
            .filter(|url| !url.is_empty())
        {
            None => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", dir.path().join("portal.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Some(server) => {
                let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .unwrap_or_else(|err| panic!("cannot reach {POSTGRES_ENV}={server}: {err}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("a fresh database");
                let _ = admin.close().await;
                let url = with_database(&server, &name);
                Self {
                    url,
                    _dir: None,
                    postgres: Some((server, name)),
                }
            }
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot block on async work; a thread
        // with its own small runtime can.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&server).await {
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(&drop).execute(&mut admin).await;
                    }
                });
            }
        })
        .join();
    }
}

/// `url` with its database name replaced by `name`, its query kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].rfind('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
