//! The changes people make to a request: submit it, cancel it, decide a stage of it. Each is
//! one transaction whose first statement is a conditional write on the request, so that of two
//! racing changes exactly one happens, and the audit entry and the emails are written with it.

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::{AssignmentRequest, RequestState, RequestType, StageStatus};
use sqlx::AnyConnection;

use super::grant::{
    Ending, Grant, days, deliver, end_request, extend, granted_action, skip_open_stages,
};
use super::{Applied, NewRequest, Submitted};
use crate::domain::clock::format;
use crate::domain::decision::{self, Notice, Transition};
use crate::domain::notifications::{self as notify, Links, Outgoing};
use crate::store::Db;
use crate::store::audit::{self, Change, EntityType};
use crate::store::outbox;
use crate::store::sql::Sql;
use crate::store::unique::Unique;

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
        Err(err) if Unique::of(&err) == Some(Unique::OpenRequest) => {
            return Ok(Submitted::AlreadyOpen);
        }
        other => other?,
    };
    if request.request_type == RequestType::UserAdd {
        let held: Vec<(String,)> = held_query(&request.requestor_id, &request.package_id)
            .fetch_all(&mut *tx)
            .await?;
        if !held.is_empty() {
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
        .bind(crate::store::flag(stage.is_approver_justification_required))
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
    crate::store::scim::mark_manager_approvers(&mut tx, &request.id, &request.requestor_id).await?;
    super::refresh_waiting(&mut tx, &request.id).await?;
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

/// The query that finds whether `user_id` holds `package_id`, from the unique index of
/// delivered assignments by person and package.
pub(crate) fn held_query(user_id: &str, package_id: &str) -> Sql {
    let mut query = Sql::new("SELECT id FROM assignments WHERE user_id = ");
    query.text(user_id.to_owned());
    query.push(" AND package_id = ");
    query.text(package_id.to_owned());
    query.push(" AND state = 'delivered'");
    query
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
        // The request waited until now: its package's decision time reads this wait.
        sqlx::query(
            "INSERT INTO decision_waits (request_id, package_id, submitted_at, decided_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&request.id)
        .bind(&request.access_package.id)
        .bind(&request.created_date_time)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        super::decision_times::refresh(&mut tx, &request.access_package.id).await?;
    }
    super::refresh_waiting(&mut tx, &request.id).await?;
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
