//! Assignment requests with their answers and approval stages, and the assignments they
//! deliver. Every change is one transaction whose first statement is a conditional write on
//! the request, so that of two racing changes exactly one happens, and the audit entry is
//! written with it.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::{
    AnsweredQuestion, Assignment, AssignmentRequest, AssignmentState, PackageRef, PolicyRef,
    RequestState, RequestType, Schedule, StageStatus,
};
use sqlx::{Any, AnyConnection, Transaction};

use super::Db;
use super::audit::{self, Change, EntityType};
use super::outbox;
use super::request_rows::{REQUEST_COLUMNS, RequestRow, hydrate};
use super::sql::{Order, Sql};
use crate::domain::clock::{self, format};
use crate::domain::decision::{self, Notice, Transition};
use crate::domain::notifications::{self as notify, Links, Outgoing};
use crate::domain::submission::Period;

/// A new request's id: a time-ordered UUID (v7), so that requests made within the same
/// second still list newest first (lists are ordered by creation time, then id).
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A request that passed every rule, ready to be written.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id: String,
    /// `userAdd`, or `userExtend` with `extends` naming the assignment.
    pub request_type: RequestType,
    pub extends: Option<String>,
    pub requestor_id: String,
    pub package_id: String,
    pub policy_id: String,
    pub justification: Option<String>,
    /// The period the requestor chose, if any.
    pub requested: Option<Period>,
    pub answers: Vec<AnsweredQuestion>,
    pub stages: Vec<NewStage>,
    /// `pendingApproval`, `delivered` or `scheduled`.
    pub state: RequestState,
    /// The access granted at once, when no approval is needed; for an extension, the period
    /// whose end becomes the assignment's end.
    pub grant: Option<Period>,
    pub now: DateTime<Utc>,
}

/// One approval stage of a new request, with its approvers resolved to people.
#[derive(Debug, Clone)]
pub struct NewStage {
    pub approvers: Vec<String>,
    pub is_approver_justification_required: bool,
    pub duration_days: u32,
}

/// Which requests a listing shows.
#[derive(Debug, Clone)]
pub enum Listing {
    /// The requestor's own, optionally in one state.
    MadeBy {
        requestor_id: String,
        state: Option<RequestState>,
    },
    /// Those waiting for this person's decision at their current stage.
    AwaitingDecisionBy(String),
}

/// Where a listing of requests resumes: after this creation time and id (newest first).
pub type RequestKey = (String, String);

/// Whether a conditional change happened, or another change got there first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// The request was no longer in the state the change needs; nothing was written.
    Lost,
}

/// Whether a new request was written, or what already stood in its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    Done,
    /// The requestor has an open request for the package; nothing was written.
    AlreadyOpen,
    /// The requestor holds the package already (for a `userAdd`); nothing was written.
    AlreadyHeld,
}

/// Write a new request, its stages and answers, its audit entries, its assignment (or the new
/// end of the assignment it extends) when it is delivered at once, and the emails that tell of
/// it. At most one open request or held assignment per person and package, under any
/// interleaving: the request is written first in an open state, where a unique index admits
/// one per person and package (a second waits for the first and is then refused); only then,
/// inside the same transaction, is the package looked for among what the person holds, and
/// the request moved on to delivered or scheduled.
pub async fn submit(db: &Db, request: &NewRequest, outgoing: &Outgoing) -> sqlx::Result<Submitted> {
    let links = &outgoing.links;
    let now = format(request.now);
    let submitted = if request.state == RequestState::PendingApproval {
        RequestState::PendingApproval
    } else {
        RequestState::Submitted
    };
    let mut tx = db.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO assignment_requests (id, request_type, state, requestor_id, package_id, \
             policy_id, justification, schedule_start, schedule_end, created_at, completed_at, \
             version, assignment_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, 1, $11)",
    )
    .bind(&request.id)
    .bind(request.request_type.as_str())
    .bind(submitted.as_str())
    .bind(&request.requestor_id)
    .bind(&request.package_id)
    .bind(&request.policy_id)
    .bind(&request.justification)
    .bind(request.requested.map(|p| format(p.start)))
    .bind(request.requested.and_then(|p| p.end).map(format))
    .bind(&now)
    .bind(&request.extends)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
            return Ok(Submitted::AlreadyOpen);
        }
        other => other?,
    };
    if request.request_type == RequestType::UserAdd {
        let held: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM assignments WHERE user_id = $1 AND package_id = $2 \
             AND state = 'delivered'",
        )
        .bind(&request.requestor_id)
        .bind(&request.package_id)
        .fetch_optional(&mut *tx)
        .await?;
        if held.is_some() {
            tx.rollback().await?;
            return Ok(Submitted::AlreadyHeld);
        }
    }
    if request.state != submitted {
        sqlx::query("UPDATE assignment_requests SET state = $2, completed_at = $3 WHERE id = $1")
            .bind(&request.id)
            .bind(request.state.as_str())
            .bind(request.state.is_final().then(|| now.clone()))
            .execute(&mut *tx)
            .await?;
    }
    for (position, answer) in (0_i64..).zip(&request.answers) {
        sqlx::query(
            "INSERT INTO request_answers (request_id, question_id, position, question_text, value, \
                 display_value) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&request.id)
        .bind(&answer.question_id)
        .bind(position)
        .bind(&answer.question)
        .bind(&answer.value)
        .bind(&answer.display_value)
        .execute(&mut *tx)
        .await?;
    }
    for (number, stage) in (1_i64..).zip(&request.stages) {
        let (status, due) = if number == 1 {
            (
                StageStatus::Pending,
                Some(format(request.now + days(stage.duration_days))),
            )
        } else {
            (StageStatus::NotStarted, None)
        };
        sqlx::query(
            "INSERT INTO request_stages (request_id, stage, status, \
                 is_approver_justification_required, duration_days, due_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&request.id)
        .bind(number)
        .bind(status.as_str())
        .bind(super::flag(stage.is_approver_justification_required))
        .bind(i64::from(stage.duration_days))
        .bind(due)
        .execute(&mut *tx)
        .await?;
        for approver in &stage.approvers {
            sqlx::query(
                "INSERT INTO request_stage_approvers (request_id, stage, user_id) VALUES ($1, $2, $3)",
            )
            .bind(&request.id)
            .bind(number)
            .bind(approver)
            .execute(&mut *tx)
            .await?;
        }
    }
    super::scim::mark_manager_approvers(&mut tx, &request.id, &request.requestor_id).await?;
    let change = Change {
        entity_type: EntityType::AssignmentRequest,
        entity_id: &request.id,
        actor_id: Some(&request.requestor_id),
        action: "Request submitted",
        from_state: None,
        to_state: submitted.as_str(),
        detail: request.justification.as_deref(),
        at: &now,
    };
    audit::record(&mut tx, change).await?;
    if request.state != submitted {
        let action = granted_action(request.state);
        let change = Change {
            actor_id: None,
            action,
            from_state: Some(submitted.as_str()),
            to_state: request.state.as_str(),
            detail: None,
            ..change
        };
        audit::record(&mut tx, change).await?;
    }
    if let Some(period) = request.grant {
        match &request.extends {
            Some(assignment_id) => {
                extend(&mut tx, &request.id, assignment_id, period.end, &now).await?;
            }
            None => {
                let grant = Grant {
                    request_id: &request.id,
                    user_id: &request.requestor_id,
                    package_id: &request.package_id,
                    policy_id: &request.policy_id,
                    period,
                    now: &now,
                };
                deliver(&mut tx, grant).await?;
            }
        }
    }
    let facts = outbox::request_facts(&mut tx, &request.id).await?;
    let mails = match request.state {
        RequestState::PendingApproval => {
            ask_approvers_within_cap(&mut tx, outgoing, &facts, request.now).await?
        }
        RequestState::Delivered => {
            let end = request.grant.and_then(|p| p.end);
            vec![notify::delivered(links, &facts, end, false)]
        }
        _ => vec![],
    };
    outbox::enqueue(&mut tx, &mails, &now).await?;
    tx.commit().await?;
    Ok(Submitted::Done)
}

/// Cancel `request_id` for its requestor, if it is still pending approval.
pub async fn cancel(
    db: &Db,
    request_id: &str,
    requestor_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Applied> {
    let now = format(now);
    let ending = Ending {
        request_id,
        requestor_id: Some(requestor_id),
        from: RequestState::PendingApproval,
        to: RequestState::Canceled,
        action: "Request canceled",
        at: &now,
    };
    let Some(mut tx) = end_request(db, ending).await? else {
        return Ok(Applied::Lost);
    };
    skip_open_stages(&mut tx, request_id).await?;
    tx.commit().await?;
    Ok(Applied::Done)
}

/// Apply `approver_id`'s decision on `request`, as the rules worked it out in `transition`:
/// the stage's outcome, the next stage or the final state, the access granted, the audit entry
/// and the emails, in one transaction. `Lost` when the request was no longer waiting for that
/// stage (another approver or a cancel got there first); then nothing was written.
pub async fn decide(
    db: &Db,
    request: &AssignmentRequest,
    approver_id: &str,
    transition: &Transition,
    now: DateTime<Utc>,
    links: &Links,
) -> sqlx::Result<Applied> {
    let at = format(now);
    let mut tx = db.pool.begin().await?;
    // Taking the request row first orders this change against a cancel or another decision:
    // whoever comes second finds the state moved on and writes nothing.
    let locked = sqlx::query(
        "UPDATE assignment_requests SET version = version + 1 \
         WHERE id = $1 AND state = 'pendingApproval'",
    )
    .bind(&request.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let decided = if locked == 0 {
        0
    } else {
        sqlx::query(
            "UPDATE request_stages SET status = $3, decided_by = $4, decided_at = $5, \
                 justification = $6 \
             WHERE request_id = $1 AND stage = $2 AND status = 'pending'",
        )
        .bind(&request.id)
        .bind(i64::from(transition.stage))
        .bind(transition.stage_status.as_str())
        .bind(approver_id)
        .bind(&at)
        .bind(&transition.justification)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    if decided == 0 {
        tx.rollback().await?;
        return Ok(Applied::Lost);
    }
    if let Some(next) = transition.opens {
        open_stage(&mut tx, &request.id, next, now).await?;
    }
    if transition.skips_later_stages {
        skip_open_stages(&mut tx, &request.id).await?;
    }
    let to_state = transition.to_state;
    if to_state != RequestState::PendingApproval {
        sqlx::query("UPDATE assignment_requests SET state = $2, completed_at = $3 WHERE id = $1")
            .bind(&request.id)
            .bind(to_state.as_str())
            .bind(to_state.is_final().then(|| at.clone()))
            .execute(&mut *tx)
            .await?;
    }
    let change = Change {
        entity_type: EntityType::AssignmentRequest,
        entity_id: &request.id,
        actor_id: Some(approver_id),
        action: &transition.action,
        from_state: Some(RequestState::PendingApproval.as_str()),
        to_state: to_state.as_str(),
        detail: transition.justification.as_deref(),
        at: &at,
    };
    audit::record(&mut tx, change).await?;
    match &transition.grant {
        Some(decision::Grant::Assign(period)) => {
            let grant = Grant {
                request_id: &request.id,
                user_id: &request.requestor.id,
                package_id: &request.access_package.id,
                policy_id: &request.assignment_policy.id,
                period: *period,
                now: &at,
            };
            deliver(&mut tx, grant).await?;
        }
        Some(decision::Grant::Extend { assignment_id, end }) => {
            extend(&mut tx, &request.id, assignment_id, *end, &at).await?;
        }
        None => {}
    }
    let facts = outbox::request_facts(&mut tx, &request.id).await?;
    let mails = match transition.notice {
        Notice::AskApprovers(stage) => ask_approvers(&mut tx, links, &facts, stage).await?,
        Notice::Denied => {
            let by = outbox::display_name(&mut tx, approver_id).await?;
            let why = transition.justification.as_deref();
            vec![notify::denied(links, &facts, &by, why)]
        }
        Notice::Scheduled { start } => vec![notify::approved(links, &facts, start)],
        Notice::Delivered { end } => vec![notify::delivered(links, &facts, end, true)],
    };
    outbox::enqueue(&mut tx, &mails, &at).await?;
    tx.commit().await?;
    Ok(Applied::Done)
}

/// Start the clock of `stage`: it waits for a decision from now on, for its own duration.
async fn open_stage(
    conn: &mut AnyConnection,
    request_id: &str,
    stage: u8,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (duration,): (i64,) = sqlx::query_as(
        "SELECT duration_days FROM request_stages WHERE request_id = $1 AND stage = $2",
    )
    .bind(request_id)
    .bind(i64::from(stage))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE request_stages SET status = 'pending', due_at = $3 \
         WHERE request_id = $1 AND stage = $2",
    )
    .bind(request_id)
    .bind(i64::from(stage))
    .bind(format(now + TimeDelta::days(duration)))
    .execute(conn)
    .await?;
    Ok(())
}

/// Emails to the approvers of a new request's first stage, unless its requestor's requests
/// already caused as many approval emails in the past hour as `outgoing` allows; then none,
/// and the server says so in its log.
async fn ask_approvers_within_cap(
    conn: &mut AnyConnection,
    outgoing: &Outgoing,
    facts: &notify::RequestFacts,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<notify::Mail>> {
    let capped = outgoing.approval_emails_per_hour > 0;
    let sent = if capped {
        let hour_ago = now - TimeDelta::hours(1);
        outbox::approval_emails_since(conn, &facts.requestor.id, hour_ago).await?
    } else {
        0
    };
    if !outgoing.may_ask_approvers(sent) {
        tracing::warn!(
            request = %facts.id,
            requestor = %facts.requestor.id,
            cap = outgoing.approval_emails_per_hour,
            "approvers not emailed: this requestor's requests reached the hourly cap of \
             approval emails; the request waits under their Approvals"
        );
        return Ok(vec![]);
    }
    ask_approvers(conn, &outgoing.links, facts, 1).await
}

/// Emails to the approvers of `stage`: the request waits for them.
async fn ask_approvers(
    conn: &mut AnyConnection,
    links: &Links,
    facts: &notify::RequestFacts,
    stage: u8,
) -> sqlx::Result<Vec<notify::Mail>> {
    let (approvers, due, stages) = outbox::stage_approvers(conn, &facts.id, stage).await?;
    Ok(approvers
        .iter()
        .map(|approver| notify::decision_needed(links, facts, approver, (stage, stages), due))
        .collect())
}

/// Move the end of the assignment a `userExtend` request extends (bringing it back if it
/// expired while the extension waited for approval).
async fn extend(
    conn: &mut AnyConnection,
    request_id: &str,
    assignment_id: &str,
    end: Option<DateTime<Utc>>,
    now: &str,
) -> sqlx::Result<()> {
    let before: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT state, end_at FROM assignments WHERE id = $1")
            .bind(assignment_id)
            .fetch_optional(&mut *conn)
            .await?;
    let changed = sqlx::query(
        "UPDATE assignments SET end_at = $2, state = 'delivered' \
         WHERE id = $1 AND state IN ('delivered', 'expired')",
    )
    .bind(assignment_id)
    .bind(end.map(format))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(());
    }
    let (from_state, old_end) = before.unwrap_or_else(|| ("delivered".to_owned(), None));
    let detail = format!(
        "Extended by request {request_id}: from {} to {}",
        old_end.as_deref().unwrap_or("no end"),
        end.map_or_else(|| "no end".to_owned(), format)
    );
    let change = Change {
        entity_type: EntityType::Assignment,
        entity_id: assignment_id,
        actor_id: None,
        action: "Assignment extended",
        from_state: Some(&from_state),
        to_state: "delivered",
        detail: Some(&detail),
        at: now,
    };
    audit::record(conn, change).await
}

/// What one sweep step did: the rows it changed, and the rows it could not process. A row
/// that fails is logged and left as it was for the next sweep; the others go on, so one bad
/// row never holds up everyone's deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepStep {
    pub done: usize,
    pub failed: usize,
}

impl SweepStep {
    /// Count the outcome of one row: changed (`Ok(true)`), already changed by someone else
    /// (`Ok(false)`), or failed (logged with the row's id).
    fn count(&mut self, what: &'static str, id: &str, outcome: anyhow::Result<bool>) {
        match outcome {
            Ok(true) => self.done += 1,
            Ok(false) => {}
            Err(err) => {
                self.failed += 1;
                tracing::error!(
                    what,
                    id,
                    error = format!("{err:#}"),
                    "a due change failed; the sweep goes on with the others and tries this one again next time"
                );
            }
        }
    }
}

/// Deliver the scheduled requests whose period has started by `now`, telling each requestor.
pub async fn deliver_scheduled(
    db: &Db,
    now: DateTime<Utc>,
    links: &Links,
) -> sqlx::Result<SweepStep> {
    let at = format(now);
    let due: Vec<ScheduledRow> = sqlx::query_as(
        "SELECT id, requestor_id, package_id, policy_id, schedule_start, schedule_end \
         FROM assignment_requests WHERE state = 'scheduled' AND schedule_start <= $1",
    )
    .bind(&at)
    .fetch_all(&db.pool)
    .await?;
    let mut step = SweepStep::default();
    for row in due {
        let id = row.0.clone();
        let outcome = deliver_one_scheduled(db, row, &at, links).await;
        step.count("deliver a scheduled request", &id, outcome);
    }
    Ok(step)
}

async fn deliver_one_scheduled(
    db: &Db,
    (id, user_id, package_id, policy_id, start, end): ScheduledRow,
    at: &str,
    links: &Links,
) -> anyhow::Result<bool> {
    // Read the period before anything is written: a start that does not read is a fault to
    // report, never "from now on".
    let start = clock::stored(start.as_deref().unwrap_or_default())?;
    let end = end.as_deref().map(clock::stored).transpose()?;
    let ending = Ending::by_system(
        &id,
        (RequestState::Scheduled, RequestState::Delivered),
        "Access delivered",
        at,
    );
    let Some(mut tx) = end_request(db, ending).await? else {
        return Ok(false);
    };
    let grant = Grant {
        request_id: &id,
        user_id: &user_id,
        package_id: &package_id,
        policy_id: &policy_id,
        period: Period { start, end },
        now: at,
    };
    deliver(&mut tx, grant).await?;
    let facts = outbox::request_facts(&mut tx, &id).await?;
    let mail = notify::delivered(links, &facts, end, false);
    outbox::enqueue(&mut tx, &[mail], at).await?;
    tx.commit().await?;
    Ok(true)
}

/// End as `expired` the pending requests whose current stage was not decided by its due
/// time, telling each requestor.
pub async fn expire_undecided(
    db: &Db,
    now: DateTime<Utc>,
    links: &Links,
) -> sqlx::Result<SweepStep> {
    let at = format(now);
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT r.id FROM assignment_requests r JOIN request_stages s ON s.request_id = r.id \
         WHERE r.state = 'pendingApproval' AND s.status = 'pending' AND s.due_at <= $1",
    )
    .bind(&at)
    .fetch_all(&db.pool)
    .await?;
    let mut step = SweepStep::default();
    for (id,) in due {
        let outcome = expire_one_request(db, &id, &at, links).await;
        step.count("expire an undecided request", &id, outcome);
    }
    Ok(step)
}

async fn expire_one_request(db: &Db, id: &str, at: &str, links: &Links) -> anyhow::Result<bool> {
    let ending = Ending::by_system(
        id,
        (RequestState::PendingApproval, RequestState::Expired),
        "Expired: no decision in time",
        at,
    );
    let Some(mut tx) = end_request(db, ending).await? else {
        return Ok(false);
    };
    skip_open_stages(&mut tx, id).await?;
    let facts = outbox::request_facts(&mut tx, id).await?;
    outbox::enqueue(&mut tx, &[notify::expired(links, &facts)], at).await?;
    tx.commit().await?;
    Ok(true)
}

/// Mark as `expired` the assignments whose end has passed.
pub async fn expire_assignments(db: &Db, now: DateTime<Utc>) -> sqlx::Result<SweepStep> {
    let at = format(now);
    let due: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM assignments WHERE state = 'delivered' AND end_at IS NOT NULL \
         AND end_at <= $1",
    )
    .bind(&at)
    .fetch_all(&db.pool)
    .await?;
    let mut step = SweepStep::default();
    for (id,) in due {
        let outcome = expire_one_assignment(db, &id, &at).await;
        step.count("expire an assignment", &id, outcome);
    }
    Ok(step)
}

async fn expire_one_assignment(db: &Db, id: &str, at: &str) -> anyhow::Result<bool> {
    let mut tx = db.pool.begin().await?;
    let changed = sqlx::query(
        "UPDATE assignments SET state = 'expired' WHERE id = $1 AND state = 'delivered'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let change = Change {
        entity_type: EntityType::Assignment,
        entity_id: id,
        actor_id: None,
        action: "Assignment expired",
        from_state: Some("delivered"),
        to_state: "expired",
        detail: None,
        at,
    };
    audit::record(&mut tx, change).await?;
    tx.commit().await?;
    Ok(true)
}

/// One request with its stages, answers and history; `None` when there is none.
pub async fn request(db: &Db, id: &str) -> sqlx::Result<Option<AssignmentRequest>> {
    let mut query = Sql::new(REQUEST_COLUMNS);
    query.push(" WHERE r.id = ");
    query.text(id.to_owned());
    let rows: Vec<RequestRow> = query.fetch_all(&db.pool).await?;
    let Some(mut request) = hydrate(db, rows).await?.pop() else {
        return Ok(None);
    };
    request.history = audit::request_history(db, id).await?;
    Ok(Some(request))
}

/// Requests as `listing` selects them, newest first, after `after`, at most `limit`.
pub async fn requests(
    db: &Db,
    listing: &Listing,
    after: Option<&RequestKey>,
    limit: u32,
) -> sqlx::Result<Vec<AssignmentRequest>> {
    let mut query = Sql::new(REQUEST_COLUMNS);
    where_listed(&mut query, listing);
    query.keyset_page(("r.created_at", "r.id"), Order::Descending, after, limit);
    let rows: Vec<RequestRow> = query.fetch_all(&db.pool).await?;
    hydrate(db, rows).await
}

/// How many requests `listing` shows in all.
pub async fn count(db: &Db, listing: &Listing) -> sqlx::Result<u64> {
    let mut query = Sql::new("SELECT COUNT(*) FROM assignment_requests r");
    where_listed(&mut query, listing);
    let counted: Vec<(i64,)> = query.fetch_all(&db.pool).await?;
    Ok(counted
        .first()
        .map_or(0, |(n,)| u64::try_from(*n).unwrap_or_default()))
}

/// ` WHERE …` for the requests `listing` shows (the table is `r`).
fn where_listed(query: &mut Sql, listing: &Listing) {
    match listing {
        Listing::MadeBy {
            requestor_id,
            state,
        } => {
            query.push(" WHERE r.requestor_id = ");
            query.text(requestor_id.clone());
            if let Some(state) = state {
                query.push(" AND r.state = ");
                query.text(state.as_str());
            }
        }
        Listing::AwaitingDecisionBy(approver) => {
            query.push(
                " WHERE r.state = 'pendingApproval' AND EXISTS (SELECT 1 FROM request_stages s \
                 JOIN request_stage_approvers a ON a.request_id = s.request_id AND a.stage = s.stage \
                 WHERE s.request_id = r.id AND s.status = 'pending' AND a.user_id = ",
            );
            query.text(approver.clone());
            query.push(") AND r.requestor_id <> ");
            query.text(approver.clone());
        }
    }
}

/// The ids of `user_id`'s open request and active assignment for each package they have one
/// for: (package id → open request id), (package id → assignment id).
pub async fn holdings(
    db: &Db,
    user_id: &str,
) -> sqlx::Result<(HashMap<String, String>, HashMap<String, String>)> {
    let open: Vec<(String, String)> = sqlx::query_as(
        "SELECT package_id, id FROM assignment_requests WHERE requestor_id = $1 \
         AND state IN ('submitted', 'pendingApproval', 'scheduled')",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    let held: Vec<(String, String)> = sqlx::query_as(
        "SELECT package_id, id FROM assignments WHERE user_id = $1 AND state = 'delivered'",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    Ok((open.into_iter().collect(), held.into_iter().collect()))
}

/// One assignment with the names of its package and policy, what its policy says about
/// extending it, and its open extension request.
#[derive(Debug, sqlx::FromRow)]
struct AssignmentRow {
    id: String,
    package_id: String,
    package_name: String,
    policy_id: String,
    policy_name: String,
    state: String,
    request_id: String,
    start_at: String,
    end_at: Option<String>,
    allow_extension: i64,
    extension_request_id: Option<String>,
    user_id: String,
    expiration_type: String,
    expiration_days: Option<i64>,
    expiration_date_time: Option<String>,
}

const ASSIGNMENT_COLUMNS: &str = "SELECT a.id, p.id AS package_id, \
        p.display_name AS package_name, ap.id AS policy_id, ap.display_name AS policy_name, \
        a.state, a.request_id, a.start_at, a.end_at, ap.allow_extension, \
        (SELECT MAX(r.id) FROM assignment_requests r WHERE r.assignment_id = a.id \
            AND r.state IN ('submitted', 'pendingApproval', 'scheduled')) AS extension_request_id, \
        a.user_id, ap.expiration_type, ap.expiration_days, ap.expiration_date_time \
     FROM assignments a JOIN access_packages p ON p.id = a.package_id \
     JOIN assignment_policies ap ON ap.id = a.policy_id";

/// `user_id`'s assignments, the latest start first.
pub async fn assignments(db: &Db, user_id: &str) -> sqlx::Result<Vec<Assignment>> {
    let rows: Vec<AssignmentRow> = sqlx::query_as(&format!(
        "{ASSIGNMENT_COLUMNS} WHERE a.user_id = $1 ORDER BY a.start_at DESC, a.id DESC"
    ))
    .bind(user_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|row| Ok(assignment_of(row)?.0))
        .collect()
}

/// One assignment by id, with the id of the user who has it; `None` when there is none.
pub async fn assignment(db: &Db, id: &str) -> sqlx::Result<Option<(Assignment, String)>> {
    let row: Option<AssignmentRow> =
        sqlx::query_as(&format!("{ASSIGNMENT_COLUMNS} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(assignment_of).transpose()
}

fn assignment_of(row: AssignmentRow) -> sqlx::Result<(Assignment, String)> {
    let state = super::named::<AssignmentState>(&row.state)?;
    let view = crate::domain::extension::ExtensionView {
        package_name: row.package_name.clone(),
        state,
        end: row.end_at.as_deref().and_then(clock::parse),
        allow_extension: row.allow_extension != 0,
        expiration: super::catalog::expiration_of(
            &row.expiration_type,
            row.expiration_days,
            row.expiration_date_time,
        ),
    };
    let assignment = Assignment {
        id: row.id,
        access_package: PackageRef {
            id: row.package_id,
            display_name: row.package_name,
        },
        assignment_policy: PolicyRef {
            id: row.policy_id,
            display_name: row.policy_name,
        },
        state,
        schedule: Schedule {
            start_date_time: row.start_at,
            end_date_time: row.end_at,
        },
        request_id: row.request_id,
        extendable_from: crate::domain::extension::extendable_from(&view).map(format),
        extension_request_id: row.extension_request_id,
    };
    Ok((assignment, row.user_id))
}

/// Write the reminders due at `now` for access that ends soon: each once per assignment,
/// kind and end, however many instances sweep at once. `done` counts the reminders written.
pub async fn remind_expiring(
    db: &Db,
    now: DateTime<Utc>,
    links: &Links,
) -> sqlx::Result<SweepStep> {
    let at = format(now);
    let horizon = format(now + crate::domain::extension::window());
    let rows: Vec<ReminderRow> = sqlx::query_as(
        "SELECT a.id, a.start_at, a.end_at, p.display_name, ap.allow_extension, \
             u.id, u.display_name, u.mail \
         FROM assignments a JOIN access_packages p ON p.id = a.package_id \
         JOIN assignment_policies ap ON ap.id = a.policy_id JOIN users u ON u.id = a.user_id \
         WHERE a.state = 'delivered' AND a.end_at > $1 AND a.end_at <= $2",
    )
    .bind(&at)
    .bind(&horizon)
    .fetch_all(&db.pool)
    .await?;
    let mut step = SweepStep::default();
    for row in rows {
        let id = row.0.clone();
        let outcome = remind_one(db, row, now, &at, links).await;
        step.count("write an expiry reminder", &id, outcome);
    }
    Ok(step)
}

async fn remind_one(
    db: &Db,
    (id, start, end, package_name, allow_extension, user_id, name, mail): ReminderRow,
    now: DateTime<Utc>,
    at: &str,
    links: &Links,
) -> anyhow::Result<bool> {
    let (start, end) = (clock::stored(&start)?, clock::stored(&end)?);
    let Some(which) = notify::due_reminder(start, end, now) else {
        return Ok(false);
    };
    let facts = notify::AssignmentFacts {
        id,
        package_name,
        holder: notify::Person {
            id: user_id,
            name,
            mail,
        },
        end,
        extendable: allow_extension != 0,
    };
    let mail = notify::reminder(links, &facts, which);
    let mut conn = db.pool.acquire().await?;
    Ok(outbox::enqueue(&mut conn, &[mail], at).await? > 0)
}

/// assignment, start, end, package name, extension allowed, holder id, name and mail.
type ReminderRow = (String, String, String, String, i64, String, String, String);

/// How long each decided request for `package_id` waited for its decision, from the latest
/// `limit` of them: submission to the last stage's decision, for requests that were approved
/// or denied (not canceled, not expired).
pub async fn decision_waits(db: &Db, package_id: &str, limit: u32) -> sqlx::Result<Vec<TimeDelta>> {
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT r.created_at, MAX(s.decided_at) FROM assignment_requests r \
         JOIN request_stages s ON s.request_id = r.id \
         WHERE r.package_id = $1 AND r.state IN ('scheduled', 'delivered', 'denied') \
             AND s.status IN ('approved', 'denied') \
         GROUP BY r.id, r.created_at ORDER BY r.created_at DESC LIMIT $2",
    )
    .bind(package_id)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(created, decided)| {
            Some(clock::parse(decided.as_deref()?)? - clock::parse(&created)?)
        })
        .collect())
}

/// id, requestor, package, policy, requested start and end.
type ScheduledRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The words of the audit entry that grants access.
fn granted_action(state: RequestState) -> &'static str {
    if state == RequestState::Scheduled {
        "Access scheduled"
    } else {
        "Access delivered"
    }
}

struct Grant<'a> {
    request_id: &'a str,
    user_id: &'a str,
    package_id: &'a str,
    policy_id: &'a str,
    period: Period,
    now: &'a str,
}

async fn deliver(conn: &mut AnyConnection, grant: Grant<'_>) -> sqlx::Result<()> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO assignments (id, user_id, package_id, policy_id, request_id, state, start_at, \
             end_at, created_at) VALUES ($1, $2, $3, $4, $5, 'delivered', $6, $7, $8)",
    )
    .bind(&id)
    .bind(grant.user_id)
    .bind(grant.package_id)
    .bind(grant.policy_id)
    .bind(grant.request_id)
    .bind(format(grant.period.start))
    .bind(grant.period.end.map(format))
    .bind(grant.now)
    .execute(&mut *conn)
    .await?;
    let change = Change {
        entity_type: EntityType::Assignment,
        entity_id: &id,
        actor_id: None,
        action: "Assignment delivered",
        from_state: None,
        to_state: "delivered",
        detail: Some(grant.request_id),
        at: grant.now,
    };
    audit::record(conn, change).await
}

/// A request moving to a final state, by its requestor or by the system.
struct Ending<'a> {
    request_id: &'a str,
    /// The requestor ending their own request (and only their own); `None` for the system.
    requestor_id: Option<&'a str>,
    from: RequestState,
    to: RequestState,
    /// The words of the audit entry.
    action: &'a str,
    at: &'a str,
}

impl<'a> Ending<'a> {
    /// An ending the system makes on its own (a sweep), for any requestor.
    fn by_system(
        request_id: &'a str,
        (from, to): (RequestState, RequestState),
        action: &'a str,
        at: &'a str,
    ) -> Self {
        Self {
            request_id,
            requestor_id: None,
            from,
            to,
            action,
            at,
        }
    }
}

/// Begin the transaction that ends a request: its conditional write and its audit entry.
/// `None` when the request was no longer in `end.from` (another change got there first); then
/// nothing was written.
async fn end_request(db: &Db, end: Ending<'_>) -> sqlx::Result<Option<Transaction<'static, Any>>> {
    let mut tx = db.pool.begin().await?;
    let mut sql = String::from(
        "UPDATE assignment_requests SET state = $3, completed_at = $4, version = version + 1 \
         WHERE id = $1 AND state = $2",
    );
    if end.requestor_id.is_some() {
        sql.push_str(" AND requestor_id = $5");
    }
    let mut update = sqlx::query(&sql)
        .bind(end.request_id)
        .bind(end.from.as_str())
        .bind(end.to.as_str())
        .bind(end.at);
    if let Some(requestor_id) = end.requestor_id {
        update = update.bind(requestor_id);
    }
    if update.execute(&mut *tx).await?.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let change = Change {
        entity_type: EntityType::AssignmentRequest,
        entity_id: end.request_id,
        actor_id: end.requestor_id,
        action: end.action,
        from_state: Some(end.from.as_str()),
        to_state: end.to.as_str(),
        detail: None,
        at: end.at,
    };
    audit::record(&mut tx, change).await?;
    Ok(Some(tx))
}

async fn skip_open_stages(conn: &mut AnyConnection, request_id: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE request_stages SET status = 'skipped' \
         WHERE request_id = $1 AND status IN ('pending', 'notStarted')",
    )
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

fn days(n: u32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}
