//! Abuse and overload limits: too many changes by one user, or sign-ins from one address, are
//! answered 429 with when to try again; API calls over the concurrency bound are answered 503
//! at once instead of queueing; one requestor's requests email their approvers only so often.

use chrono::TimeDelta;
use portal_api::{AssignmentRequest, Page};
use portal_server::auth::Tokens;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Reply, TestApp, new_request, spawn_app_with};

fn assert_told_to_wait(reply: &Reply) {
    let problem = reply.problem(429);
    let seconds: u64 = reply
        .retry_after
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in seconds: {reply:?}"));
    assert!((1..=60).contains(&seconds), "{reply:?}");
    assert!(
        problem
            .detail
            .contains(&format!("try again in {seconds} second")),
        "{problem:?}"
    );
}

#[tokio::test]
async fn a_user_over_the_write_limit_is_told_when_to_try_again_and_others_are_not() {
    let app = spawn_app_with(|config| config.writes_per_minute = 2).await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;

    adele.request_access("sales-crm", "sales-crm-a").await;
    adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;
    let third = adele
        .create_request(&new_request(
            "travel-expenses",
            "travel-expenses-requestors",
        ))
        .await;
    let megans = megan
        .create_request(&new_request("company-wiki", "company-wiki-everyone"))
        .await;

    assert_told_to_wait(&third);
    assert_eq!(megans.status, 201, "{}", megans.body);
}

#[tokio::test]
async fn a_forged_token_does_not_spend_the_write_limit_of_the_user_it_names() {
    let app = spawn_app_with(|config| config.writes_per_minute = 1).await;
    let adele = app.sign_in("adele").await;
    let forged = Tokens::new(Some("not-the-servers-secret"), 600)
        .issue_demo("adele")
        .expect("a token");
    let body = r#"{"accessPackageId":"company-wiki","assignmentPolicyId":"company-wiki-everyone"}"#;

    let refused = app
        .raw(
            "POST",
            "/api/v1/assignmentRequests",
            Some(&forged),
            Some(body.to_owned()),
        )
        .await;
    let own = adele
        .create_request(&new_request("company-wiki", "company-wiki-everyone"))
        .await;
    let again = adele
        .create_request(&new_request("sales-crm", "sales-crm-a"))
        .await;

    refused.problem(401);
    assert_eq!(own.status, 201, "{}", own.body);
    assert_told_to_wait(&again);
}

#[tokio::test]
async fn sign_in_attempts_over_the_limit_from_one_address_are_told_when_to_try_again() {
    let app = spawn_app_with(|config| config.sign_ins_per_minute = 2).await;

    app.demo_sign_in("nobody@contoso.com").await.problem(422);
    app.sign_in("adele").await;
    let third = app.demo_sign_in("megan@contoso.com").await;

    assert_told_to_wait(&third);
    assert!(third.body.contains("sign-in"), "{}", third.body);
}

#[tokio::test]
async fn over_the_hourly_cap_a_request_is_taken_without_emailing_its_approvers() {
    let app = spawn_app_with(|config| config.approval_emails_per_hour = 1).await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let approval_emails = |app_outbox: Vec<portal_server::store::outbox::Entry>| {
        app_outbox
            .iter()
            .filter(|m| m.kind == "decisionNeeded")
            .count()
    };

    adele.request_access("sales-crm", "sales-crm-a").await;
    let over_cap = adele
        .request_access("project-online", "project-online-manager")
        .await;
    let emails_within_the_hour = approval_emails(app.outbox().await);
    app.advance(TimeDelta::minutes(61));
    adele
        .request_access("office-parking", "office-parking-manager")
        .await;

    assert_eq!(
        emails_within_the_hour, 1,
        "the second request emails nobody"
    );
    let waiting: Page<AssignmentRequest> = megan.approvals().await.ok();
    assert!(
        waiting.value.iter().any(|r| r.id == over_cap.id),
        "the request over the cap still waits under Megan's Approvals"
    );
    assert_eq!(
        approval_emails(app.outbox().await),
        2,
        "an hour later approvers are emailed again"
    );
}

/// An API call that has taken its place in the server and holds it: a demo sign-in whose body
/// is announced (`Expect: 100-continue`) but not yet sent. The server's `100 Continue` says
/// the handler is reading the body, so the call is at work, with no timing involved.
struct HeldCall {
    stream: TcpStream,
    body: &'static str,
}

impl HeldCall {
    async fn start(app: &TestApp) -> Self {
        let body = r#"{"userPrincipalName":"megan@contoso.com"}"#;
        let address = app.address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).await.expect("a connection");
        let head = format!(
            "POST /api/v1/auth/demo HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\
             Expect: 100-continue\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("sent");
        let mut seen = Vec::new();
        let mut buffer = [0u8; 256];
        while !String::from_utf8_lossy(&seen).contains("100 Continue\r\n\r\n") {
            let n = stream.read(&mut buffer).await.expect("the server answers");
            assert!(
                n > 0,
                "closed before 100 Continue: {:?}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buffer[..n]);
        }
        Self { stream, body }
    }

    /// Send the rest of the call; its status line.
    async fn finish(mut self) -> String {
        self.stream
            .write_all(self.body.as_bytes())
            .await
            .expect("sent");
        let mut answer = String::new();
        self.stream
            .read_to_string(&mut answer)
            .await
            .expect("an answer");
        answer.lines().next().unwrap_or_default().to_owned()
    }
}

#[tokio::test]
async fn over_the_concurrency_bound_a_call_is_told_the_portal_is_busy_and_health_still_answers() {
    let app = spawn_app_with(|config| config.concurrent_requests = Some(1)).await;
    let adele = app.sign_in("adele").await;
    let held = HeldCall::start(&app).await;

    let refused = adele.me().await;
    let health = app.raw("GET", "/healthz", None, None).await;
    let held_status = held.finish().await;
    let after = adele.me().await;

    let problem = refused.problem(503);
    assert!(problem.detail.contains("busy"), "{problem:?}");
    assert_eq!(refused.retry_after.as_deref(), Some("1"), "{refused:?}");
    assert_eq!(health.status, 200, "{health:?}");
    assert!(held_status.contains(" 200 "), "{held_status}");
    assert_eq!(after.status, 200, "{after:?}");
}

#[tokio::test]
async fn with_the_bound_at_zero_calls_are_not_bounded() {
    let app = spawn_app_with(|config| config.concurrent_requests = Some(0)).await;
    let adele = app.sign_in("adele").await;
    let held = HeldCall::start(&app).await;

    let meanwhile = adele.me().await;
    let held_status = held.finish().await;

    assert_eq!(meanwhile.status, 200, "{meanwhile:?}");
    assert!(held_status.contains(" 200 "), "{held_status}");
}
