//! Submitting, listing, opening and cancelling requests.

use chrono::{TimeDelta, Utc};
use portal_api::{
    AssignmentRequest, NewAssignmentRequest, Page, RequestState, Schedule, StageStatus,
};

use crate::helpers::{new_request, spawn_app};

#[tokio::test]
async fn a_request_under_a_policy_with_approval_waits_for_the_requestors_manager() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    assert_eq!(request.state, RequestState::PendingApproval);
    assert_eq!(request.stages.len(), 1);
    assert_eq!(request.stages[0].status, StageStatus::Pending);
    assert_eq!(request.stages[0].approvers[0].display_name, "Megan Bowen");
    assert!(request.stages[0].due_date_time.is_some());
    assert_eq!(request.history[0].action, "Request submitted");
}

#[tokio::test]
async fn a_request_without_approval_is_delivered_at_once() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let request = adele.request_access("sales-crm", "sales-crm-b").await;

    assert_eq!(request.state, RequestState::Delivered);
    assert!(request.completed_date_time.is_some());
    assert!(request.stages.is_empty());
    let states: Vec<RequestState> = request.history.iter().map(|h| h.to_state).collect();
    assert_eq!(states, [RequestState::Submitted, RequestState::Delivered]);
}

#[tokio::test]
async fn a_created_request_answers_201_with_its_location() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let reply = adele
        .create_request(&new_request("company-wiki", "company-wiki-everyone"))
        .await;

    assert_eq!(reply.status, 201);
    let request: AssignmentRequest = reply.json();
    assert_eq!(
        adele
            .request(&request.id)
            .await
            .ok::<AssignmentRequest>()
            .id,
        request.id
    );
}

#[tokio::test]
async fn a_request_keeps_the_justification_answers_and_period_it_was_given() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let start = (Utc::now() + TimeDelta::days(1))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    let end = (Utc::now() + TimeDelta::days(30))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string();
    let body = NewAssignmentRequest {
        justification: Some("Spring campaign launch".into()),
        schedule: Some(Schedule {
            start_date_time: start.clone(),
            end_date_time: Some(end.clone()),
        }),
        ..new_request("marketing-campaigns", "marketing-campaigns-project")
    };

    let request: AssignmentRequest = adele.create_request(&body).await.json();

    assert_eq!(
        request.justification.as_deref(),
        Some("Spring campaign launch")
    );
    let schedule = request.schedule.expect("the chosen period");
    assert_eq!(
        (schedule.start_date_time, schedule.end_date_time),
        (start, Some(end))
    );
}

#[tokio::test]
async fn answers_are_kept_with_the_question_and_the_chosen_words() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = serde_json::json!({
        "accessPackageId": "travel-expenses",
        "assignmentPolicyId": "travel-expenses-requestors",
        "answers": [
            { "questionId": "costCenter", "value": "CC-1234" },
            { "questionId": "region", "value": "emea" }
        ]
    });

    let request: AssignmentRequest = adele.create_request_raw(body).await.json();

    assert_eq!(
        request.answers[0].question,
        "Which cost center pays for your travel?"
    );
    assert_eq!(
        request.answers[1].display_value,
        "Europe, Middle East and Africa"
    );
}

#[tokio::test]
async fn my_requests_are_listed_newest_first_and_filter_by_state() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let first = adele.request_access("sales-crm", "sales-crm-a").await;
    app.state.clock.advance(TimeDelta::seconds(5));
    let second = adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;

    let all: Page<AssignmentRequest> = adele.requests("").await.ok();
    let pending: Page<AssignmentRequest> = adele.requests("state=pendingApproval").await.ok();

    let ids: Vec<&str> = all.value.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [second.id.as_str(), first.id.as_str()]);
    assert_eq!(pending.value.len(), 1);
    assert_eq!(pending.value[0].id, first.id);
    adele.requests("state=lost").await.problem(422);
}

#[tokio::test]
async fn requests_made_within_one_second_still_list_newest_first() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    // The clock stands still: every request has the same creation time.
    let mut made = Vec::new();
    for package in [
        "company-wiki",
        "visio",
        "hr-portal",
        "learning-hub",
        "teams-premium",
    ] {
        let request = adele
            .request_access(package, &format!("{package}-everyone"))
            .await;
        made.push(request.id);
    }

    let all: Page<AssignmentRequest> = adele.requests("").await.ok();
    let listed: Vec<String> = all.value.into_iter().map(|r| r.id).collect();
    made.reverse();
    assert_eq!(listed, made);
}

#[tokio::test]
async fn my_requests_page_with_a_cursor() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let packages = ["company-wiki", "visio", "hr-portal"];
    for package in packages {
        adele
            .request_access(package, &format!("{package}-everyone"))
            .await;
        app.state.clock.advance(TimeDelta::seconds(1));
    }

    let first: Page<AssignmentRequest> = adele.requests("limit=2").await.ok();
    let cursor = first.next_cursor.clone().expect("a second page");
    let second: Page<AssignmentRequest> = adele
        .requests(&format!("limit=2&cursor={cursor}"))
        .await
        .ok();

    let names: Vec<&str> = first
        .value
        .iter()
        .chain(&second.value)
        .map(|r| r.access_package.id.as_str())
        .collect();
    assert_eq!(names, ["hr-portal", "visio", "company-wiki"]);
    assert_eq!(second.next_cursor, None);
}

#[tokio::test]
async fn someone_elses_request_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let diego = app.sign_in("diego").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    diego.request(&request.id).await.problem(404);
    adele.request("no-such-request").await.problem(404);
}

#[tokio::test]
async fn the_approver_may_open_the_request_they_decide() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let seen: AssignmentRequest = megan.request(&request.id).await.ok();

    assert_eq!(seen.requestor.display_name, "Adele Vance");
}

#[tokio::test]
async fn a_pending_request_can_be_canceled_and_shows_as_canceled() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let canceled: AssignmentRequest = adele.cancel(&request.id).await.ok();

    assert_eq!(canceled.state, RequestState::Canceled);
    assert_eq!(canceled.stages[0].status, StageStatus::Skipped);
    let last = canceled.history.last().expect("history");
    assert_eq!(
        (last.from_state, last.to_state),
        (Some(RequestState::PendingApproval), RequestState::Canceled)
    );
    let listed: Page<AssignmentRequest> = adele.requests("state=canceled").await.ok();
    assert_eq!(listed.value[0].id, request.id);
}

#[tokio::test]
async fn cancel_is_refused_once_the_request_is_no_longer_pending() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let delivered = adele.request_access("sales-crm", "sales-crm-b").await;

    let problem = adele.cancel(&delivered.id).await.problem(409);

    assert!(problem.detail.contains("delivered"), "{problem:?}");
}

#[tokio::test]
async fn cancel_twice_is_refused_the_second_time() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    adele.cancel(&request.id).await.ok::<AssignmentRequest>();

    adele.cancel(&request.id).await.problem(409);
}

#[tokio::test]
async fn cancel_of_someone_elses_request_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    megan.cancel(&request.id).await.problem(404);

    let still: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(still.state, RequestState::PendingApproval);
}

#[tokio::test]
async fn after_a_cancel_the_package_can_be_requested_again() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    adele.cancel(&request.id).await.ok::<AssignmentRequest>();

    let again = adele.request_access("sales-crm", "sales-crm-a").await;

    assert_eq!(again.state, RequestState::PendingApproval);
}

#[tokio::test]
async fn a_stored_name_the_portal_does_not_know_is_an_error_never_a_default() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    // A type a later version might write (Graph has `userRemove`); this one must not read it
    // as a request to add.
    sqlx::query("UPDATE assignment_requests SET request_type = 'userRemove' WHERE id = $1")
        .bind(&request.id)
        .execute(&app.state.db.pool)
        .await
        .expect("the row is changed");

    let read = portal_server::store::requests::request(&app.state.db, &request.id).await;
    let reply = adele.request(&request.id).await;

    let err = read.expect_err("an unknown request type is an error");
    assert!(
        err.to_string()
            .contains("\"userRemove\" is not a request type"),
        "{err}"
    );
    reply.problem(500);
}
