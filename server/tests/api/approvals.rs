//! Approvers: what waits for them, and their decisions.

use chrono::TimeDelta;
use portal_api::{
    Assignment, AssignmentRequest, DecisionKind, NewAssignmentRequest, Page, RequestState,
    StageStatus,
};

use crate::helpers::{adele_with_sales_crm, campaign_from_three_days_on, new_request, spawn_app};

#[tokio::test]
async fn the_manager_sees_the_request_waiting_for_their_decision_and_others_do_not() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let alex = app.sign_in("alex").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let megans: Page<AssignmentRequest> = megan.approvals().await.ok();
    let alexs: Page<AssignmentRequest> = alex.approvals().await.ok();

    assert_eq!(megans.value.len(), 1);
    assert_eq!(megans.value[0].id, request.id);
    assert!(alexs.value.is_empty());
}

#[tokio::test]
async fn every_request_waiting_for_an_approver_is_counted_and_reached_page_by_page() {
    let app = spawn_app().await;
    let megan = app.sign_in("megan").await;
    let mut waiting = Vec::new();
    for user in ["adele", "diego", "lynne"] {
        let requestor = app.sign_in(user).await;
        waiting.push(
            requestor
                .request_access("sales-crm", "sales-crm-a")
                .await
                .id,
        );
    }

    let first: Page<AssignmentRequest> = megan.approvals_page("limit=2").await.ok();
    let cursor = first.next_cursor.clone().expect("a second page");
    let second: Page<AssignmentRequest> = megan
        .approvals_page(&format!("limit=2&cursor={cursor}"))
        .await
        .ok();

    assert_eq!((first.total_count, second.total_count), (Some(3), Some(3)));
    assert_eq!((first.value.len(), second.value.len()), (2, 1));
    assert_eq!(second.next_cursor, None);
    let mut seen: Vec<String> = first
        .value
        .into_iter()
        .chain(second.value)
        .map(|r| r.id)
        .collect();
    seen.sort();
    waiting.sort();
    assert_eq!(seen, waiting);
}

#[tokio::test]
async fn approving_the_only_stage_delivers_the_access() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let approved = megan.approve(&request.id).await;

    assert_eq!(approved.state, RequestState::Delivered);
    assert_eq!(approved.stages[0].status, StageStatus::Approved);
    assert_eq!(
        approved.stages[0]
            .decided_by
            .as_ref()
            .map(|u| u.id.as_str()),
        Some("megan")
    );
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert_eq!(access.value[0].access_package.id, "sales-crm");
    let waiting: Page<AssignmentRequest> = megan.approvals().await.ok();
    assert!(waiting.value.is_empty());
}

#[tokio::test]
async fn a_denial_ends_the_request_and_the_requestor_reads_why() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let reply = megan
        .decide(
            &request.id,
            DecisionKind::Deny,
            Some("Use the shared account"),
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::Denied);
    assert_eq!(
        seen.stages[0].justification.as_deref(),
        Some("Use the shared account")
    );
    let access: Page<Assignment> = adele.assignments().await.ok();
    assert!(access.value.is_empty());
}

#[tokio::test]
async fn a_denial_without_a_justification_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let problem = megan
        .decide(&request.id, DecisionKind::Deny, None)
        .await
        .problem(422);

    assert!(problem.field("justification").is_some(), "{problem:?}");
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::PendingApproval);
}

#[tokio::test]
async fn two_stages_are_decided_in_order_and_the_second_needs_a_justification() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let alex = app.sign_in("alex").await;
    let body = NewAssignmentRequest {
        justification: Some("Incident 4711".into()),
        ..new_request("production-access", "production-access-two-stage")
    };
    let request: AssignmentRequest = adele.create_request(&body).await.json();

    let too_early = alex
        .decide(&request.id, DecisionKind::Approve, Some("ok"))
        .await
        .problem(409);
    let after_first = megan.approve(&request.id).await;
    let alexs: Page<AssignmentRequest> = alex.approvals().await.ok();
    let bare = alex
        .decide(&request.id, DecisionKind::Approve, None)
        .await
        .problem(422);
    let done = alex.approve(&request.id).await;

    assert!(too_early.detail.contains("Stage 1"), "{too_early:?}");
    assert_eq!(after_first.state, RequestState::PendingApproval);
    assert_eq!(after_first.stages[1].status, StageStatus::Pending);
    assert_eq!(alexs.value[0].id, request.id);
    assert!(bare.field("justification").is_some());
    assert_eq!(done.state, RequestState::Delivered);
    let actions: Vec<&str> = done.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "Request submitted",
            "Approved (stage 1)",
            "Approved (stage 2)"
        ]
    );
}

#[tokio::test]
async fn nobody_may_decide_their_own_request() {
    let app = spawn_app().await;
    let megan = app.sign_in("megan").await;
    let body = NewAssignmentRequest {
        justification: Some("Autumn campaign".into()),
        ..new_request("marketing-campaigns", "marketing-campaigns-project")
    };
    let request: AssignmentRequest = megan.create_request(&body).await.json();

    let problem = megan
        .decide(&request.id, DecisionKind::Approve, None)
        .await
        .problem(403);

    assert!(problem.detail.contains("own request"), "{problem:?}");
    let waiting: Page<AssignmentRequest> = megan.approvals().await.ok();
    assert!(
        waiting.value.is_empty(),
        "one's own request never waits for one's decision"
    );
}

#[tokio::test]
async fn a_request_not_assigned_to_the_caller_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let diego = app.sign_in("diego").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    diego
        .decide(&request.id, DecisionKind::Approve, None)
        .await
        .problem(404);
    diego
        .decide("no-such-request", DecisionKind::Approve, None)
        .await
        .problem(404);
}

#[tokio::test]
async fn a_stage_already_decided_is_a_conflict_that_names_who_decided() {
    let app = spawn_app().await;
    let (_adele, megan, request) = adele_with_sales_crm(&app).await;

    let problem = megan
        .decide(&request.id, DecisionKind::Deny, Some("Changed my mind"))
        .await
        .problem(409);

    assert!(problem.detail.contains("Megan Bowen"), "{problem:?}");
    assert!(problem.detail.contains("approved"), "{problem:?}");
}

#[tokio::test]
async fn a_canceled_request_can_no_longer_be_decided() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    adele.cancel(&request.id).await.ok::<AssignmentRequest>();

    let problem = megan
        .decide(&request.id, DecisionKind::Approve, None)
        .await
        .problem(409);

    assert!(problem.detail.contains("canceled"), "{problem:?}");
}

#[tokio::test]
async fn an_approved_request_for_a_later_period_is_scheduled_then_delivered_when_it_starts() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let (body, start) = campaign_from_three_days_on();
    let request: AssignmentRequest = adele.create_request(&body).await.json();

    let approved = megan.approve(&request.id).await;
    let before: Page<Assignment> = adele.assignments().await.ok();
    app.state.clock.advance(TimeDelta::days(4));
    let swept = app.sweep().await;
    let after: Page<Assignment> = adele.assignments().await.ok();

    assert_eq!(approved.state, RequestState::Scheduled);
    assert!(before.value.is_empty());
    assert_eq!(swept.delivered, 1);
    assert_eq!(after.value[0].schedule.start_date_time, start);
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::Delivered);
}

#[tokio::test]
async fn a_request_nobody_decides_in_time_expires() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    app.state.clock.advance(TimeDelta::days(15));

    let swept = app.sweep().await;

    assert_eq!(swept.expired_requests, 1);
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(seen.state, RequestState::Expired);
    assert_eq!(seen.stages[0].status, StageStatus::Skipped);
    let problem = megan
        .decide(&request.id, DecisionKind::Approve, None)
        .await
        .problem(409);
    assert!(problem.detail.contains("expired"), "{problem:?}");
}

#[tokio::test]
async fn a_pending_request_shows_its_requestor_the_approvers_of_every_stage() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = NewAssignmentRequest {
        justification: Some("Incident 4711".into()),
        ..new_request("production-access", "production-access-two-stage")
    };
    let request: AssignmentRequest = adele.create_request(&body).await.json();

    let seen: AssignmentRequest = adele.request(&request.id).await.ok();

    let approvers: Vec<Vec<&str>> = seen
        .stages
        .iter()
        .map(|s| {
            s.approvers
                .iter()
                .map(|a| a.display_name.as_str())
                .collect()
        })
        .collect();
    assert_eq!(approvers, [vec!["Megan Bowen"], vec!["Alex Wilber"]]);
}

#[tokio::test]
async fn an_approver_who_was_beaten_to_it_can_still_open_the_request_and_reads_who_decided() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let patti = app.sign_in("patti").await;
    let body = NewAssignmentRequest {
        justification: Some("Case 12".into()),
        ..new_request("legal-archive", "legal-archive-either")
    };
    let request: AssignmentRequest = adele.create_request(&body).await.json();
    patti.approve(&request.id).await;

    let late = megan
        .decide(&request.id, DecisionKind::Approve, Some("Yes"))
        .await
        .problem(409);
    let seen: AssignmentRequest = megan.request(&request.id).await.ok();

    assert!(late.detail.contains("Patti Fernandez"), "{late:?}");
    assert!(late.detail.contains("approved"), "{late:?}");
    assert_eq!(seen.state, RequestState::Delivered);
    assert_eq!(
        seen.stages[0].decided_by.as_ref().map(|u| u.id.as_str()),
        Some("patti")
    );
}
