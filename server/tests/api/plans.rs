//! Every read a page makes answers from an index: its plan, on a small generated tenant with
//! the planner's statistics, reads no table of requests, stages, approvers, assignments,
//! decisions, emails or audit entries from end to end; nor, for the catalog, every policy.

use chrono::{TimeDelta, Utc};
use portal_server::generate::{BENCH_MANAGER, BENCH_REQUESTOR, Size, generate, package_id};
use portal_server::store::Backend;
use portal_server::store::plans::{Plan, Subjects, page_reads};

use crate::helpers::spawn_app;

/// The tables that grow with the number of requests, by name and by the alias the store's
/// queries give them.
const GROWING: [&str; 16] = [
    "assignment_requests",
    "r",
    "request_stages",
    "s",
    "request_stage_approvers",
    "request_answers",
    "assignments",
    "a",
    "audit_log",
    "outbox",
    "o",
    "waiting_approvals",
    "w",
    "decision_waits",
    "d",
    "ra",
];

/// The policies, which grow with the catalog: the catalog's reads look at them package by
/// package, so must find them by package rather than read them all.
const PER_PACKAGE: [&str; 2] = ["assignment_policies", "ap"];

/// The steps of `plan` that read a growing table whole: SQLite's `SCAN t` (also `SCAN t
/// USING INDEX i`, a walk over all of an index); PostgreSQL's `Seq Scan on t`, and an index
/// scan of it with no `Index Cond` under it (a walk over all of the index).
fn full_scans(plan: &Plan, backend: Backend) -> Vec<String> {
    let mut growing = GROWING.to_vec();
    if plan.read.starts_with("GET /accessPackages") {
        growing.extend(PER_PACKAGE);
    }
    let names_growing = |rest: &str| {
        rest.split_whitespace()
            .take(3)
            .any(|word| growing.contains(&word))
    };
    let mut found = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let node = step.trim_start().trim_start_matches("->").trim_start();
        let scans_whole = match backend {
            Backend::Sqlite => node.strip_prefix("SCAN ").is_some_and(names_growing),
            Backend::Postgres => {
                let on = node.split_once(" on ");
                match on {
                    Some((kind, table)) if kind.starts_with("Seq Scan") => names_growing(table),
                    Some((kind, table))
                        if (kind.starts_with("Index Scan")
                            || kind.starts_with("Index Only Scan"))
                            && names_growing(table) =>
                    {
                        let depth = indent(step);
                        !plan.steps[i + 1..]
                            .iter()
                            .take_while(|below| indent(below) > depth)
                            .any(|below| below.trim_start().starts_with("Index Cond:"))
                    }
                    _ => false,
                }
            }
        };
        if scans_whole {
            found.push(step.clone());
        }
    }
    found
}

fn indent(step: &str) -> usize {
    step.len() - step.trim_start().len()
}

#[tokio::test]
async fn every_read_a_page_makes_answers_from_an_index() {
    let app = spawn_app().await;
    let size = Size {
        users: 400,
        groups: 10,
        packages: 60,
        requests: 6_000,
        seed: 15,
    };
    generate(&app.state.db, size, Utc::now())
        .await
        .expect("the tenant is written");
    let subjects = Subjects {
        requestor: BENCH_REQUESTOR.to_owned(),
        approver: BENCH_MANAGER.to_owned(),
        package: package_id(1),
        request: "bench-requestor-1".to_owned(),
        search_many: "sales".to_owned(),
        search_none: "no-such-package".to_owned(),
        since: Utc::now() - TimeDelta::hours(1),
    };

    let plans = page_reads(&app.state.db, &subjects).await.expect("plans");

    let backend = app.state.db.backend;
    let mut shown = String::new();
    let mut scanning = Vec::new();
    for plan in &plans {
        shown.push_str(&format!("{}\n", plan.read));
        for step in &plan.steps {
            shown.push_str(&format!("    {step}\n"));
        }
        let scans = full_scans(plan, backend);
        if !scans.is_empty() {
            scanning.push(format!("{}: {}", plan.read, scans.join("; ")));
        }
    }
    println!("{shown}");
    assert!(plans.len() >= 16, "{shown}");
    assert!(
        scanning.is_empty(),
        "reads that scan a growing table:\n{}\n\nall plans:\n{shown}",
        scanning.join("\n")
    );
}
