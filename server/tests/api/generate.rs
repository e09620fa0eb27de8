//! `portal-server generate`: a small synthetic tenant reads back through the API as a real one
//! would, with the known people the benchmark signs in as.

use chrono::Utc;
use portal_api::{AccessPackage, Assignment, AssignmentRequest, DecisionTime, Page, RequestState};
use portal_server::generate::{BENCH_MANAGER, BENCH_REQUESTOR, Size, generate, user_id};
use portal_server::store::Backend;

use crate::helpers::{TestApp, spawn_app};

const SMALL: Size = Size {
    users: 200,
    groups: 10,
    packages: 50,
    requests: 2_000,
    seed: 15,
};

async fn app_with_small_tenant() -> TestApp {
    let app = spawn_app().await;
    let summary = generate(&app.state.db, SMALL, Utc::now()).await;
    let summary = summary.expect("the tenant is written");
    assert_eq!(summary.requests, 2_000 + 8 * 3 + 3);
    app
}

#[tokio::test]
async fn the_bench_manager_sees_the_requests_of_their_eight_reports_waiting() {
    let app = app_with_small_tenant().await;
    let manager = app.sign_in(BENCH_MANAGER).await;

    let waiting: Page<AssignmentRequest> = manager.approvals_page("limit=100").await.ok();

    assert_eq!(waiting.total_count, Some(24));
    assert_eq!(waiting.value.len(), 24);
    assert!(
        waiting
            .value
            .iter()
            .all(|r| r.state == RequestState::PendingApproval)
    );
    let mut requestors: Vec<&str> = waiting
        .value
        .iter()
        .map(|r| r.requestor.id.as_str())
        .collect();
    requestors.sort_unstable();
    requestors.dedup();
    assert_eq!(requestors.len(), 8);
}

#[tokio::test]
async fn the_bench_requestor_sees_their_requests_and_what_they_were_given() {
    let app = app_with_small_tenant().await;
    let requestor = app.sign_in(BENCH_REQUESTOR).await;

    let requests: Page<AssignmentRequest> = requestor.requests("limit=100").await.ok();
    let assignments: Page<Assignment> = requestor.assignments().await.ok();
    let one: AssignmentRequest = requestor.request("bench-requestor-1").await.ok();

    assert_eq!(requests.value.len(), 6);
    assert_eq!(assignments.value.len(), 3);
    assert_eq!(one.state, RequestState::Delivered);
}

#[tokio::test]
async fn a_generated_person_sees_their_finished_requests_with_their_history() {
    let app = app_with_small_tenant().await;
    let person = app.sign_in(&user_id(1)).await;

    let requests: Page<AssignmentRequest> = person.requests("limit=100").await.ok();

    assert!(requests.value.len() >= 10, "{}", requests.value.len());
    assert!(requests.value.iter().all(|r| r.state.is_final()));
    let first: AssignmentRequest = person.request(&requests.value[0].id).await.ok();
    assert!(!first.history.is_empty());
}

#[tokio::test]
async fn generated_packages_are_listed_searchable_and_have_a_decision_time() {
    let app = app_with_small_tenant().await;
    let person = app.sign_in(&user_id(1)).await;

    let first: Page<AccessPackage> = person.access_packages("limit=20").await.ok();
    let sales: Page<AccessPackage> = person
        .access_packages("search=sales%20crm&limit=100")
        .await
        .ok();
    let nothing: Page<AccessPackage> = person.access_packages("search=no-such-package").await.ok();
    let time: DecisionTime = person.decision_time("p00001").await.ok();

    assert_eq!(first.value.len(), 20);
    assert!(!sales.value.is_empty());
    assert!(
        sales
            .value
            .iter()
            .all(|p| p.display_name.starts_with("Sales CRM"))
    );
    assert!(nothing.value.is_empty());
    assert!(time.sample_size >= 5, "{}", time.sample_size);
    assert!(time.median_hours.is_some());
}

#[tokio::test]
async fn generating_into_a_database_that_holds_a_tenant_is_refused_and_says_what_to_do() {
    let app = app_with_small_tenant().await;

    let again = generate(&app.state.db, SMALL, Utc::now()).await;

    let message = format!("{:#}", again.expect_err("refused"));
    assert!(
        message.contains("generate into a fresh database"),
        "{message}"
    );
}

#[tokio::test]
async fn a_generated_tenant_refers_only_to_rows_that_exist() {
    // The load writes with foreign keys unchecked, row by row; every reference must hold.
    let app = app_with_small_tenant().await;
    let db = &app.state.db;

    let broken: Vec<String> = match db.backend {
        Backend::Sqlite => {
            let rows: Vec<(String, i64, String)> =
                sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
            rows.into_iter()
                .map(|(table, row, parent)| format!("{table} row {row} → {parent}"))
                .collect()
        }
        Backend::Postgres => {
            // PostgreSQL checks every row when a foreign key is added: add each one again.
            let keys: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE contype = 'f' \
                 AND connamespace = current_schema()::regnamespace",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap();
            assert!(!keys.is_empty());
            let mut broken = Vec::new();
            for (table, name, definition) in keys {
                let again = format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {name}, ADD CONSTRAINT {name} {definition}"
                );
                if let Err(err) = sqlx::raw_sql(&again).execute(&db.pool).await {
                    broken.push(format!("{table}.{name}: {err}"));
                }
            }
            broken
        }
    };

    assert!(broken.is_empty(), "{broken:#?}");
}
