//! "Access I have": the caller's assignments with their periods.

use chrono::DateTime;
use portal_api::{Assignment, AssignmentState, Page};

use crate::helpers::spawn_app;

#[tokio::test]
async fn access_i_have_shows_each_package_with_its_start_and_end() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-b").await;

    let access: Page<Assignment> = adele.assignments().await.ok();

    let [assignment] = access.value.as_slice() else {
        panic!("one assignment: {access:?}")
    };
    assert_eq!(assignment.access_package.display_name, "Sales CRM");
    assert_eq!(assignment.assignment_policy.id, "sales-crm-b");
    assert_eq!(assignment.state, AssignmentState::Delivered);
    assert_eq!(assignment.request_id, request.id);
    let start =
        DateTime::parse_from_rfc3339(&assignment.schedule.start_date_time).expect("a start");
    let end = assignment
        .schedule
        .end_date_time
        .as_deref()
        .expect("policy B ends");
    let end = DateTime::parse_from_rfc3339(end).expect("an end");
    assert_eq!((end - start).num_days(), 2, "policy B lasts two days");
}

#[tokio::test]
async fn access_without_expiration_has_no_end() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;

    let access: Page<Assignment> = adele.assignments().await.ok();

    assert_eq!(access.value[0].schedule.end_date_time, None);
}

#[tokio::test]
async fn everyone_sees_only_their_own_access() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let diego = app.sign_in("diego").await;
    adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;

    let diegos: Page<Assignment> = diego.assignments().await.ok();

    assert!(diegos.value.is_empty());
}

#[tokio::test]
async fn access_expires_once_its_end_has_passed_and_can_then_be_requested_again() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele.request_access("sales-crm", "sales-crm-b").await;
    app.state.clock.advance(chrono::TimeDelta::days(3));

    let swept = app.sweep().await;

    assert_eq!(swept.expired_assignments, 1);
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert_eq!(access.value[0].state, AssignmentState::Expired);
    let again = adele.request_access("sales-crm", "sales-crm-b").await;
    assert_eq!(again.state, portal_api::RequestState::Delivered);
}
