//! Extending access near its end: a `userExtend` request, decided like the original, that
//! moves the assignment's end once delivered.

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::{
    AssignmentRequest, AssignmentState, ExtendAssignment, Page, RequestState, RequestType,
};

use crate::helpers::{adele_with_sales_crm, spawn_app};

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}

fn asking(why: &str) -> ExtendAssignment {
    ExtendAssignment {
        justification: Some(why.to_owned()),
        answers: vec![],
    }
}

#[tokio::test]
async fn access_near_its_end_is_extended_once_the_approver_approves() {
    let app = spawn_app().await;
    let (adele, megan, _) = adele_with_sales_crm(&app).await;
    let before = adele.assignment_of("sales-crm").await;
    let old_end = time(before.schedule.end_date_time.as_deref().expect("an end"));
    app.advance(TimeDelta::days(50));

    let reply = adele.extend(&before.id, &asking("Q3 renewals")).await;

    assert_eq!(reply.status, 201, "{}", reply.body);
    let extension: AssignmentRequest = reply.json();
    assert_eq!(extension.request_type, RequestType::UserExtend);
    assert_eq!(extension.state, RequestState::PendingApproval);
    assert_eq!(extension.assignment_id.as_deref(), Some(before.id.as_str()));
    assert_eq!(extension.stages[0].approvers[0].id, "megan");
    let waiting = adele.assignment_of("sales-crm").await;
    assert_eq!(waiting.extension_request_id, Some(extension.id.clone()));

    let approved = megan.approve(&extension.id).await;

    assert_eq!(approved.state, RequestState::Delivered);
    let after = adele.assignment_of("sales-crm").await;
    assert_eq!(after.id, before.id, "the same assignment, extended");
    let new_end = time(after.schedule.end_date_time.as_deref().expect("an end"));
    assert_eq!(new_end - old_end, TimeDelta::days(60));
    assert_eq!(after.extension_request_id, None);
    app.advance(TimeDelta::days(11));
    assert_eq!(app.sweep().await.expired_assignments, 0, "past the old end");
    assert_eq!(
        adele.assignment_of("sales-crm").await.state,
        AssignmentState::Delivered
    );
    let told = app.outbox().await;
    assert!(
        told.iter().any(
            |m| m.recipient_id == "adele" && m.subject.starts_with("Extended: Sales CRM until")
        )
    );
}

#[tokio::test]
async fn asking_too_early_is_refused_naming_the_moment_it_becomes_possible() {
    let app = spawn_app().await;
    let (adele, _, _) = adele_with_sales_crm(&app).await;
    let assignment = adele.assignment_of("sales-crm").await;
    let from = assignment
        .extendable_from
        .clone()
        .expect("policy A allows it");
    let end = time(
        assignment
            .schedule
            .end_date_time
            .as_deref()
            .expect("an end"),
    );

    let problem = adele
        .extend(&assignment.id, &asking("Early"))
        .await
        .problem(409);

    assert_eq!(end - time(&from), TimeDelta::days(14));
    assert!(problem.detail.contains(&from), "{problem:?}");
}

#[tokio::test]
async fn a_policy_that_does_not_allow_extension_refuses_it() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele
        .request_access("price-lists", "price-lists-everyone")
        .await;
    let assignment = adele.assignment_of("price-lists").await;

    let problem = adele
        .extend(&assignment.id, &asking("More time"))
        .await
        .problem(403);

    assert_eq!(assignment.extendable_from, None);
    assert!(problem.detail.contains("does not allow"), "{problem:?}");
}

#[tokio::test]
async fn someone_elses_assignment_cannot_be_extended() {
    let app = spawn_app().await;
    let (adele, _, _) = adele_with_sales_crm(&app).await;
    let diego = app.sign_in("diego").await;
    let assignment = adele.assignment_of("sales-crm").await;
    app.advance(TimeDelta::days(50));

    diego
        .extend(&assignment.id, &asking("Mine now"))
        .await
        .problem(404);
}

#[tokio::test]
async fn a_second_extension_while_one_is_open_is_a_conflict() {
    let app = spawn_app().await;
    let (adele, _, _) = adele_with_sales_crm(&app).await;
    let assignment = adele.assignment_of("sales-crm").await;
    app.advance(TimeDelta::days(50));
    let first = adele.extend(&assignment.id, &asking("Renewals")).await;
    assert_eq!(first.status, 201, "{}", first.body);

    let problem = adele
        .extend(&assignment.id, &asking("Again"))
        .await
        .problem(409);

    assert!(problem.detail.contains("already asked"), "{problem:?}");
}

#[tokio::test]
async fn an_extension_under_a_policy_without_approval_is_delivered_at_once() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele
        .request_access("teams-premium", "teams-premium-everyone")
        .await;
    let before = adele.assignment_of("teams-premium").await;
    app.advance(TimeDelta::days(360));

    let reply = adele
        .extend(
            &before.id,
            &ExtendAssignment {
                justification: None,
                answers: vec![],
            },
        )
        .await;

    assert_eq!(reply.status, 201, "{}", reply.body);
    let extension: AssignmentRequest = reply.json();
    assert_eq!(extension.state, RequestState::Delivered);
    let after = adele.assignment_of("teams-premium").await;
    let moved = time(after.schedule.end_date_time.as_deref().expect("an end"))
        - time(before.schedule.end_date_time.as_deref().expect("an end"));
    assert_eq!(moved, TimeDelta::days(365));
    let requests: Page<AssignmentRequest> = adele.requests("").await.ok();
    assert_eq!(requests.value.len(), 2, "the original and the extension");
}
