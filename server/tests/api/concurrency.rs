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
    use chrono::{DateTime, TimeDelta, Utc};
    use portal_api::{
        Assignment, AssignmentRequest, DecisionKind, Expiration, Page, RequestState, RequestType,
    };
    use portal_server::domain::decision::{self, Subject, Transition};
    use portal_server::domain::submission::Period;
    use portal_server::store::requests::{self, Applied, NewRequest, NewStage, Submitted};

    use crate::helpers::{TestApp, spawn_app};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn of_two_simultaneous_decisions_the_database_lets_one_through() {
        let (app, request) = pending_request().await;
        let db = &app.state.db;
        let now = app.state.clock.now();
        let approve = megans(&request, DecisionKind::Approve, None, now);
        let deny = megans(&request, DecisionKind::Deny, Some("No"), now);
        let links = app.state.links();

        let (one, two) = tokio::join!(
            requests::decide(db, &request, "megan", &approve, now, &links),
            requests::decide(db, &request, "megan", &deny, now, &links),
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
        let now = app.state.clock.now();
        let approve = megans(&request, DecisionKind::Approve, None, now);
        let links = app.state.links();

        let (cancel, decide) = tokio::join!(
            requests::cancel(db, &request.id, "adele", now),
            requests::decide(db, &request, "megan", &approve, now, &links),
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

    /// Megan's decision on `request`, worked out by the rules as the handler does first.
    fn megans(
        request: &AssignmentRequest,
        kind: DecisionKind,
        justification: Option<&str>,
        now: DateTime<Utc>,
    ) -> Transition {
        let subject = Subject::of(request, Expiration::NoExpiration).expect("a readable request");
        decision::decide(&subject, "megan", kind, justification, now).expect("allowed")
    }

    /// Adele's request for Sales CRM under `policy_id`, ready for the store: under policy A it
    /// waits for Megan, under policy B it is delivered at once for two days.
    fn sales_crm_under(policy_id: &str, approval: bool) -> NewRequest {
        let now = Utc::now();
        let (state, grant, stages) = if approval {
            let stage = NewStage {
                approvers: vec!["megan".to_owned()],
                is_approver_justification_required: false,
                duration_days: 14,
            };
            (RequestState::PendingApproval, None, vec![stage])
        } else {
            let period = Period {
                start: now,
                end: Some(now + TimeDelta::days(2)),
            };
            (RequestState::Delivered, Some(period), vec![])
        };
        NewRequest {
            id: requests::new_request_id(),
            request_type: RequestType::UserAdd,
            extends: None,
            requestor_id: "adele".to_owned(),
            package_id: "sales-crm".to_owned(),
            policy_id: policy_id.to_owned(),
            justification: Some("Quarterly pipeline review".to_owned()),
            requested: None,
            answers: vec![],
            stages,
            state,
            grant,
            now,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_requests_for_one_package_under_two_policies_at_once_write_one() {
        let app = spawn_app().await;
        let (db, outgoing) = (&app.state.db, app.state.outgoing());
        let pending = sales_crm_under("sales-crm-a", true);
        let delivered = sales_crm_under("sales-crm-b", false);

        // Straight to the store, past the route's own checks: the store alone must hold the rule.
        let (first, second) = tokio::join!(
            requests::submit(db, &pending, &outgoing),
            requests::submit(db, &delivered, &outgoing),
        );

        let mut outcomes = [
            first.expect("written or refused"),
            second.expect("written or refused"),
        ];
        outcomes.sort_by_key(|o| *o != Submitted::Done);
        assert_eq!(outcomes[0], Submitted::Done, "{outcomes:?}");
        assert_ne!(outcomes[1], Submitted::Done, "{outcomes:?}");
        let adele = app.sign_in("adele").await;
        let mine: Page<AssignmentRequest> = adele.requests("").await.ok();
        let access: Page<Assignment> = adele.assignments().await.ok();
        assert_eq!(mine.value.len(), 1, "{:?}", mine.value);
        assert!(
            access.value.len() == usize::from(mine.value[0].state == RequestState::Delivered),
            "{:?} / {:?}",
            mine.value,
            access.value
        );
    }

    #[tokio::test]
    async fn a_request_for_a_package_already_held_is_refused_by_the_store_itself() {
        let app = spawn_app().await;
        let (db, outgoing) = (&app.state.db, app.state.outgoing());
        let first = requests::submit(db, &sales_crm_under("sales-crm-b", false), &outgoing).await;

        let second = requests::submit(db, &sales_crm_under("sales-crm-a", true), &outgoing).await;
        let third = requests::submit(db, &sales_crm_under("sales-crm-b", false), &outgoing).await;

        assert_eq!(first.expect("written"), Submitted::Done);
        assert_eq!(second.expect("refused"), Submitted::AlreadyHeld);
        assert_eq!(third.expect("refused"), Submitted::AlreadyHeld);
    }
}
