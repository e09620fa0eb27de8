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

/// The same races one layer down, without the checks the handlers make first: the
/// conditional writes alone decide which change happens.
mod in_the_store {
    use chrono::{DateTime, Utc};
    use portal_api::{AssignmentRequest, DecisionKind, RequestState};
    use portal_server::domain::lifecycle::{self, DecisionPlan, RequestView};
    use portal_server::domain::submission::Period;
    use portal_server::store::requests::{self, Applied};

    use crate::helpers::{TestApp, spawn_app};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_two_simultaneous_decisions_the_database_lets_one_through() {
        let (app, request) = pending_request().await;
        let db = &app.state.db;
        let approve = megans(&request, DecisionKind::Approve, None);
        let deny = megans(&request, DecisionKind::Deny, Some("No"));
        let now = app.state.clock.now();
        let links = app.state.links();
        let grant = from(now);

        let (one, two) = tokio::join!(
            requests::decide(db, &request, "megan", &approve, grant, now, &links),
            requests::decide(db, &request, "megan", &deny, grant, now, &links),
        );

        let mut outcomes = [one.expect("no error"), two.expect("no error")];
        outcomes.sort_by_key(|o| *o == Applied::Lost);
        assert_eq!(outcomes, [Applied::Done, Applied::Lost]);
        let after = read(&app, &request.id).await;
        assert_eq!(
            after.history.len(),
            2,
            "submitted + one decision: {:?}",
            after.history
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_a_simultaneous_cancel_and_approval_the_database_lets_one_through() {
        let (app, request) = pending_request().await;
        let db = &app.state.db;
        let approve = megans(&request, DecisionKind::Approve, None);
        let now = app.state.clock.now();
        let links = app.state.links();
        let grant = from(now);

        let (cancel, decide) = tokio::join!(
            requests::cancel(db, &request.id, "adele", now),
            requests::decide(db, &request, "megan", &approve, grant, now, &links),
        );

        let (cancel, decide) = (cancel.expect("no error"), decide.expect("no error"));
        assert_ne!(cancel, decide, "exactly one of them happens");
        let after = read(&app, &request.id).await;
        assert_eq!(after.history.len(), 2, "{:?}", after.history);
        let expected = if cancel == Applied::Done {
            RequestState::Canceled
        } else {
            RequestState::Delivered
        };
        assert_eq!(after.state, expected);
    }

    /// An app where Adele has asked for Sales CRM, and her request as the store reads it.
    async fn pending_request() -> (TestApp, AssignmentRequest) {
        let app = spawn_app().await;
        let adele = app.sign_in("adele").await;
        let created = adele.request_access("sales-crm", "sales-crm-a").await;
        let request = read(&app, &created.id).await;
        (app, request)
    }

    async fn read(app: &TestApp, id: &str) -> AssignmentRequest {
        requests::request(&app.state.db, id)
            .await
            .expect("read")
            .expect("found")
    }

    /// Megan's decision on `request`, checked as the handler checks it first.
    fn megans(
        request: &AssignmentRequest,
        kind: DecisionKind,
        justification: Option<&str>,
    ) -> DecisionPlan {
        lifecycle::check_decision(&RequestView::of(request), "megan", kind, justification)
            .expect("allowed")
    }

    /// Access from `now` with no end.
    fn from(now: DateTime<Utc>) -> Period {
        Period {
            start: now,
            end: None,
        }
    }
}
