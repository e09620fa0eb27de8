//! Time: what the sweep changes as the clock moves, each change once with its audit entry and
//! its email, even when two server instances sweep at the same moment.

use chrono::TimeDelta;
use portal_api::{Assignment, AssignmentRequest, AssignmentState, Page, RequestState};

use crate::helpers::{
    Session, TestApp, adele_with_sales_crm, campaign_from_three_days_on, spawn_app,
};

/// Adele asks for the campaign workspace from three days on, and Megan approves it.
async fn scheduled_request(app: &TestApp, adele: &Session) -> AssignmentRequest {
    let megan = app.sign_in("megan").await;
    let (body, _) = campaign_from_three_days_on();
    let request: AssignmentRequest = adele.create_request(&body).await.json();
    let approved = megan.approve(&request.id).await;
    assert_eq!(approved.state, RequestState::Scheduled);
    approved
}

#[tokio::test]
async fn a_scheduled_request_is_delivered_when_its_start_comes_and_the_requestor_is_told() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = scheduled_request(&app, &adele).await;

    let before = app.sweep().await;
    app.advance(TimeDelta::days(4));
    let at_start = app.sweep().await;

    assert_eq!(before.delivered, 0);
    assert_eq!(at_start.delivered, 1);
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::Delivered);
    let last = seen.history.last().expect("a history");
    assert_eq!(
        (last.action.as_str(), last.from_state, last.actor.is_none()),
        ("Access delivered", Some(RequestState::Scheduled), true)
    );
    let kinds: Vec<String> = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m.recipient_id == "adele")
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds, ["approved", "delivered"]);
}

#[tokio::test]
async fn delivered_access_expires_at_its_end() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele.request_access("sales-crm", "sales-crm-b").await;

    app.advance(TimeDelta::days(1));
    let during = app.sweep().await;
    app.advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    let after = app.sweep().await;

    assert_eq!(during.expired_assignments, 0);
    assert_eq!(after.expired_assignments, 1);
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert_eq!(access.value[0].state, AssignmentState::Expired);
}

#[tokio::test]
async fn a_pending_request_expires_when_its_stage_is_not_decided_in_time_and_the_requestor_is_told()
{
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    app.advance(TimeDelta::days(13));
    let before = app.sweep().await;
    app.advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    let after = app.sweep().await;

    assert_eq!(before.expired_requests, 0);
    assert_eq!(after.expired_requests, 1);
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::Expired);
    let told = app
        .outbox()
        .await
        .into_iter()
        .find(|m| m.kind == "expired")
        .expect("an email about the expiry");
    assert_eq!(told.recipient_mail, "adele@contoso.com");
    assert!(
        told.body
            .contains(&format!("https://portal.test/requests/{}", request.id)),
        "{}",
        told.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweeps_at_once_deliver_a_scheduled_request_once_with_one_audit_entry_and_one_email() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = scheduled_request(&app, &adele).await;
    app.advance(TimeDelta::days(4));

    let (one, two) = tokio::join!(
        portal_server::sweep::run_once(&app.state),
        portal_server::sweep::run_once(&app.state),
    );

    let (one, two) = (one.expect("a sweep"), two.expect("a sweep"));
    assert_eq!(one.delivered + two.delivered, 1, "{one:?} {two:?}");
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    let deliveries = seen
        .history
        .iter()
        .filter(|h| h.action == "Access delivered")
        .count();
    assert_eq!(deliveries, 1, "{:?}", seen.history);
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert_eq!(access.value.len(), 1);
    let emails = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m.kind == "delivered")
        .count();
    assert_eq!(emails, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweeps_at_once_expire_a_request_and_write_a_reminder_once() {
    let app = spawn_app().await;
    let (adele, _megan, _held) = adele_with_sales_crm(&app).await;
    let pending = adele
        .request_access("project-online", "project-online-manager")
        .await;
    app.advance(TimeDelta::days(47));

    let (one, two) = tokio::join!(
        portal_server::sweep::run_once(&app.state),
        portal_server::sweep::run_once(&app.state),
    );

    let (one, two) = (one.expect("a sweep"), two.expect("a sweep"));
    assert_eq!(one.expired_requests + two.expired_requests, 1);
    assert_eq!(one.reminders + two.reminders, 1);
    let seen: AssignmentRequest = adele.request(&pending.id).await.ok();
    let expiries = seen
        .history
        .iter()
        .filter(|h| h.to_state == RequestState::Expired)
        .count();
    assert_eq!(expiries, 1);
    let outbox = app.outbox().await;
    let count = |kind: &str| outbox.iter().filter(|m| m.kind == kind).count();
    assert_eq!((count("expired"), count("reminder14Days")), (1, 1));
}

#[tokio::test]
async fn a_scheduled_request_whose_start_does_not_read_is_reported_and_the_others_are_still_delivered()
 {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let diego = app.sign_in("diego").await;
    let broken = scheduled_request(&app, &adele).await;
    let sound = scheduled_request(&app, &diego).await;
    // A start the portal could once write: the year 10000 in a fixed-width column.
    sqlx::query("UPDATE assignment_requests SET schedule_start = $1 WHERE id = $2")
        .bind("+10000-01-01T23:58:59Z")
        .bind(&broken.id)
        .execute(&app.state.db.pool)
        .await
        .expect("the row is changed");

    app.advance(TimeDelta::days(4));
    let swept = app.sweep().await;

    assert_eq!((swept.delivered, swept.failed), (1, 1));
    let sound: AssignmentRequest = diego.request(&sound.id).await.ok();
    assert_eq!(sound.state, RequestState::Delivered);
    let broken: AssignmentRequest = adele.request(&broken.id).await.ok();
    assert_eq!(
        broken.state,
        RequestState::Scheduled,
        "never delivered as from now"
    );
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert!(access.value.is_empty(), "{:?}", access.value);
}
