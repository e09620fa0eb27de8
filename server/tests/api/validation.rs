//! Every way a new request can be refused, and that a refused request changes nothing.

use chrono::{TimeDelta, Utc};
use portal_api::{AssignmentRequest, NewAssignmentRequest, Page, Schedule};
use serde_json::json;

use crate::helpers::{Session, new_request, spawn_app};

fn day(offset_days: i64) -> String {
    (Utc::now() + TimeDelta::days(offset_days))
        .format("%Y-%m-%dT00:00:00Z")
        .to_string()
}

fn campaign(start: String, end: Option<String>) -> NewAssignmentRequest {
    NewAssignmentRequest {
        justification: Some("Spring campaign".into()),
        schedule: Some(Schedule {
            start_date_time: start,
            end_date_time: end,
        }),
        ..new_request("marketing-campaigns", "marketing-campaigns-project")
    }
}

fn travel(cost_center: Option<&str>, region: Option<&str>) -> serde_json::Value {
    let mut answers = vec![];
    if let Some(value) = cost_center {
        answers.push(json!({ "questionId": "costCenter", "value": value }));
    }
    if let Some(value) = region {
        answers.push(json!({ "questionId": "region", "value": value }));
    }
    json!({
        "accessPackageId": "travel-expenses",
        "assignmentPolicyId": "travel-expenses-requestors",
        "answers": answers,
    })
}

async fn assert_nothing_was_stored(session: &Session) {
    let requests: Page<AssignmentRequest> = session.requests("").await.ok();
    assert!(
        requests.value.is_empty(),
        "a refused request changes nothing: {:?}",
        requests.value
    );
    let assignments: Page<portal_api::Assignment> = session.assignments().await.ok();
    assert!(assignments.value.is_empty());
}

#[tokio::test]
async fn an_unknown_package_or_policy_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    adele
        .create_request(&new_request("no-such-package", "sales-crm-a"))
        .await
        .problem(404);
    adele
        .create_request(&new_request("sales-crm", "no-such-policy"))
        .await
        .problem(404);
    let other = adele
        .create_request(&new_request("sales-crm", "company-wiki-everyone"))
        .await;
    let problem = other.problem(404);

    assert!(problem.detail.contains("applicablePolicies"), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_policy_that_does_not_apply_to_the_caller_is_forbidden() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&new_request("general-ledger", "general-ledger-finance"))
        .await
        .problem(403);

    assert!(problem.detail.contains("General ledger"), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_missing_justification_is_refused_when_the_policy_requires_one() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = NewAssignmentRequest {
        justification: None,
        ..campaign(day(1), None)
    };

    let problem = adele.create_request(&body).await.problem(422);

    assert!(problem.field("justification").is_some(), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_justification_over_a_thousand_characters_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = NewAssignmentRequest {
        justification: Some("x".repeat(1001)),
        ..campaign(day(1), None)
    };

    let problem = adele.create_request(&body).await.problem(422);

    assert!(
        problem
            .field("justification")
            .is_some_and(|m| m.contains("1000")),
        "{problem:?}"
    );
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_schedule_is_refused_when_the_policy_does_not_allow_one() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = NewAssignmentRequest {
        schedule: Some(Schedule {
            start_date_time: day(1),
            end_date_time: None,
        }),
        ..new_request("sales-crm", "sales-crm-a")
    };

    let problem = adele.create_request(&body).await.problem(422);

    assert!(problem.field("schedule").is_some(), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_start_in_the_past_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign(day(-3), None))
        .await
        .problem(422);

    assert!(
        problem.field("schedule.startDateTime").is_some(),
        "{problem:?}"
    );
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_start_in_the_year_ten_thousand_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign("9999-12-31T23:59:59-23:59".into(), None))
        .await
        .problem(422);

    let message = problem
        .field("schedule.startDateTime")
        .unwrap_or_else(|| panic!("{problem:?}"));
    assert!(message.contains("0001 to 9999"), "{message}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_start_more_than_a_year_ahead_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign(day(400), None))
        .await
        .problem(422);

    let message = problem
        .field("schedule.startDateTime")
        .unwrap_or_else(|| panic!("{problem:?}"));
    assert!(message.contains("more than a year away"), "{message}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn today_is_a_valid_start_whatever_the_time_zone() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let reply = adele.create_request(&campaign(day(0), Some(day(10)))).await;

    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn an_end_before_the_start_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign(day(10), Some(day(5))))
        .await
        .problem(422);

    assert!(
        problem.field("schedule.endDateTime").is_some(),
        "{problem:?}"
    );
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_period_longer_than_the_policy_allows_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign(day(1), Some(day(120))))
        .await
        .problem(422);

    let message = problem
        .field("schedule.endDateTime")
        .expect("the end is named");
    assert!(message.contains("90 days"), "{message}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_date_that_is_not_a_date_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request(&campaign("next monday".into(), None))
        .await
        .problem(422);

    assert!(
        problem.field("schedule.startDateTime").is_some(),
        "{problem:?}"
    );
}

#[tokio::test]
async fn unanswered_required_questions_are_refused_each_by_name() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request_raw(travel(None, None))
        .await
        .problem(422);

    assert!(problem.field("answers.costCenter").is_some(), "{problem:?}");
    assert!(problem.field("answers.region").is_some(), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn an_answer_that_fails_the_pattern_is_refused_with_the_hint() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request_raw(travel(Some("1234"), Some("emea")))
        .await
        .problem(422);

    let message = problem
        .field("answers.costCenter")
        .expect("the question is named");
    assert!(message.contains("CC-1234"), "{message}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_choice_that_is_not_offered_is_refused() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let problem = adele
        .create_request_raw(travel(Some("CC-1234"), Some("mars")))
        .await
        .problem(422);

    assert!(
        problem
            .field("answers.region")
            .is_some_and(|m| m.contains("emea")),
        "{problem:?}"
    );
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn all_broken_rules_are_reported_in_one_answer() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = NewAssignmentRequest {
        justification: None,
        ..campaign(day(-5), Some(day(-10)))
    };

    let problem = adele.create_request(&body).await.problem(422);

    assert_eq!(problem.errors.len(), 3, "{problem:?}");
}

#[tokio::test]
async fn a_requestor_without_a_manager_cannot_use_a_manager_approval_policy() {
    let app = spawn_app().await;
    let isaiah = app.sign_in("isaiah").await;

    let problem = isaiah
        .create_request(&new_request("sales-crm", "sales-crm-a"))
        .await
        .problem(422);

    assert!(
        problem
            .field("assignmentPolicyId")
            .is_some_and(|m| m.contains("manager")),
        "{problem:?}"
    );
    assert_nothing_was_stored(&isaiah).await;
}

#[tokio::test]
async fn a_second_request_while_one_is_pending_is_a_conflict() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let first = adele.request_access("sales-crm", "sales-crm-a").await;

    let problem = adele
        .create_request(&new_request("sales-crm", "sales-crm-b"))
        .await
        .problem(409);

    assert!(problem.detail.contains(&first.id), "{problem:?}");
    let requests: Page<AssignmentRequest> = adele.requests("").await.ok();
    assert_eq!(requests.value.len(), 1);
}

#[tokio::test]
async fn a_request_for_a_package_already_held_is_a_conflict() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele.request_access("sales-crm", "sales-crm-b").await;

    let problem = adele
        .create_request(&new_request("sales-crm", "sales-crm-a"))
        .await
        .problem(409);

    assert!(problem.detail.contains("already have"), "{problem:?}");
}

#[tokio::test]
async fn unknown_fields_are_refused_by_name() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = json!({ "accessPackageId": "sales-crm", "assignmentPolicyId": "sales-crm-b", "colour": "red" });

    let problem = adele.create_request_raw(body).await.problem(422);

    assert!(problem.detail.contains("colour"), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_bad_request() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let reply = app
        .raw(
            "POST",
            "/api/v1/assignmentRequests",
            Some(adele.token()),
            Some("{not json".into()),
        )
        .await;

    reply.problem(400);
}

#[tokio::test]
async fn a_body_over_64_kilobytes_is_too_large() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let body = json!({
        "accessPackageId": "sales-crm",
        "assignmentPolicyId": "sales-crm-b",
        "justification": "x".repeat(70 * 1024),
    });

    let problem = adele.create_request_raw(body).await.problem(413);

    assert!(problem.detail.contains("64 KB"), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_nul_byte_in_a_justification_is_refused_with_a_message_on_every_database() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let reply = adele
        .create_request_raw(json!({
            "accessPackageId": "sales-crm",
            "assignmentPolicyId": "sales-crm-a",
            "justification": "Customer visits\u{0} next week",
        }))
        .await;

    let problem = reply.problem(422);
    let message = problem
        .field("justification")
        .expect("the justification is named");
    assert!(message.contains("U+0000"), "{problem:?}");
    assert_nothing_was_stored(&adele).await;
}

#[tokio::test]
async fn a_nul_byte_in_a_sign_in_name_or_a_request_id_is_refused_not_a_server_error() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let sign_in = app.demo_sign_in("adele\u{0}@contoso.com").await;
    let lookup = adele.request("nul%00id").await;

    let problem = sign_in.problem(422);
    let message = problem
        .field("userPrincipalName")
        .expect("the user name is named");
    assert!(message.contains("U+0000"), "{problem:?}");
    assert!(
        (400..500).contains(&lookup.status),
        "a NUL in an id is the caller's mistake: {} {}",
        lookup.status,
        lookup.body
    );
}
