//! Abuse limits: too many changes by one user, or sign-ins from one address, are answered 429
//! with when to try again; one requestor's requests email their approvers only so often.

use chrono::TimeDelta;
use portal_api::{AssignmentRequest, Page};
use portal_server::auth::Tokens;

use crate::helpers::{Reply, new_request, spawn_app_with};

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
