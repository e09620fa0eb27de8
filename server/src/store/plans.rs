//! The query plans of the reads the pages make, as the database would run them, for the test
//! that shows every one of them answers from an index. The queries are the store's own (each
//! read's query builder), so what is shown is what runs.

use chrono::{DateTime, Utc};
use portal_api::RequestState;

use super::policies::{self, Which};
use super::requests::{self, Listing};
use super::sql::Sql;
use super::{Backend, Db, catalog, outbox};

/// Whom and what the reads are about: the people and things a page would ask for.
#[derive(Debug, Clone)]
pub struct Subjects {
    /// A person with requests and assignments of their own.
    pub requestor: String,
    /// A person with requests waiting for their approval.
    pub approver: String,
    /// A package with decided requests.
    pub package: String,
    /// One request, as a deep link opens it.
    pub request: String,
    /// A search that finds many packages, and one that finds none.
    pub search_many: String,
    pub search_none: String,
    /// The time from which the hourly cap on approval emails counts.
    pub since: DateTime<Utc>,
}

/// One read and how the database would run it, a line per step.
#[derive(Debug, Clone)]
pub struct Plan {
    pub read: &'static str,
    pub steps: Vec<String>,
}

/// The plans of every read the pages make, and of the reads of request creation. On
/// PostgreSQL they are shown with sequential scans switched off: on a small tenant it rightly
/// reads a table of a few pages whole, and what matters is whether an index can serve the
/// query as the tenant grows.
pub async fn page_reads(db: &Db, of: &Subjects) -> sqlx::Result<Vec<Plan>> {
    let page = 21;
    let mine = Listing::MadeBy {
        requestor_id: of.requestor.clone(),
        state: None,
    };
    let mine_delivered = Listing::MadeBy {
        requestor_id: of.requestor.clone(),
        state: Some(RequestState::Delivered),
    };
    let waiting = Listing::AwaitingDecisionBy(of.approver.clone());
    let policies_of = Which::Package(&of.package);
    let [targets, stages, approvers, questions, choices] = policies::parts_queries(policies_of);
    let packages = |search: Option<&str>| {
        catalog::requestable_packages_query(db.backend, &of.requestor, search, None, page)
    };
    let reads: Vec<(&'static str, Sql)> = vec![
        ("GET /accessPackages (first page)", packages(None)),
        (
            "GET /accessPackages?search= (many found)",
            packages(Some(&of.search_many)),
        ),
        (
            "GET /accessPackages?search= (none found)",
            packages(Some(&of.search_none)),
        ),
        (
            "what the caller has open or holds (every package read)",
            requests::holdings_query(&of.requestor),
        ),
        (
            "GET /accessPackages/{id}/applicablePolicies",
            policies::policies_query(policies_of),
        ),
        ("… their targets", targets),
        ("… their stages", stages),
        ("… their stages' approvers", approvers),
        ("… their questions", questions),
        ("… their questions' choices", choices),
        (
            "GET /accessPackages/{id}/decisionTime",
            requests::decision_times::kept_query(&of.package),
        ),
        (
            "GET /accessPackages/{id}/decisionTime (first read, or kept by a decision)",
            requests::decision_times::decision_waits_query(
                &of.package,
                requests::decision_times::SAMPLE,
            ),
        ),
        (
            "GET /assignmentRequests",
            requests::requests_query(&mine, None, page),
        ),
        (
            "GET /assignmentRequests?state=delivered",
            requests::requests_query(&mine_delivered, None, page),
        ),
        (
            "GET /assignmentRequests/{id}",
            requests::request_query(&of.request),
        ),
        (
            "GET /assignmentRequests/{id} (history)",
            super::audit::request_history_query(&of.request),
        ),
        (
            "GET /approvals",
            requests::requests_query(&waiting, None, page),
        ),
        (
            "GET /approvals (totalCount)",
            requests::count_query(&waiting),
        ),
        (
            "GET /assignments",
            requests::assignments_query(&of.requestor),
        ),
        (
            "POST /assignmentRequests (what the person holds)",
            requests::held_query(&of.requestor, &of.package),
        ),
        (
            "POST /assignmentRequests (approval emails this hour)",
            outbox::approval_emails_since_query(&of.requestor, of.since),
        ),
    ];
    let mut conn = db.pool.acquire().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut *conn)
            .await?;
    }
    let mut plans = Vec::with_capacity(reads.len());
    for (read, sql) in reads {
        let steps = sql.plan(&mut conn, db.backend).await?;
        plans.push(Plan { read, steps });
    }
    if db.backend == Backend::Postgres {
        sqlx::query("RESET enable_seqscan")
            .execute(&mut *conn)
            .await?;
    }
    Ok(plans)
}
