//! Races: of two changes that exclude each other, exactly one happens, with one audit entry.

use portal_api::{AssignmentRequest, DecisionKind, RequestState};

use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_decisions_on_one_stage_end_with_one_outcome() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let (approve, deny) = tokio::join!(
        megan.decide(&request.id, DecisionKind::Approve, Some("Yes")),
        megan.decide(&request.id, DecisionKind::Deny, Some("No")),
    );

    let mut statuses = [approve.status, deny.status];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "approve: {} / deny: {}",
        approve.body,
        deny.body
    );
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    let decisions = seen
        .history
        .iter()
        .filter(|h| h.action.ends_with("(stage 1)"))
        .count();
    assert_eq!(decisions, 1, "{:?}", seen.history);
    let expected = if approve.status == 200 {
        RequestState::Delivered
    } else {
        RequestState::Denied
    };
    assert_eq!(seen.state, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_racing_an_approval_ends_with_one_outcome() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let (cancel, approve) = tokio::join!(
        adele.cancel(&request.id),
        megan.decide(&request.id, DecisionKind::Approve, Some("Yes")),
    );

    let mut statuses = [cancel.status, approve.status];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "cancel: {} / approve: {}",
        cancel.body,
        approve.body
    );
    let seen: AssignmentRequest = adele.request(&request.id).await.ok();
    let outcomes: Vec<RequestState> = seen.history.iter().skip(1).map(|h| h.to_state).collect();
    assert_eq!(outcomes.len(), 1, "{:?}", seen.history);
    let access: portal_api::Page<portal_api::Assignment> = adele.assignments().await.ok();
    if cancel.status == 200 {
        assert_eq!(seen.state, RequestState::Canceled);
        assert!(access.value.is_empty());
    } else {
        assert_eq!(seen.state, RequestState::Delivered);
        assert_eq!(access.value.len(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_requests_for_one_package_open_one_request() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = crate::helpers::new_request("sales-crm", "sales-crm-a");

    let (one, two) = tokio::join!(adele.create_request(&body), adele.create_request(&body));

    let mut statuses = [one.status, two.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "{} / {}", one.body, two.body);
}
