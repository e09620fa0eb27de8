//! The changes that come due with time: scheduled access starts, undecided requests expire,
//! ended access expires, reminders are written. One row that cannot be processed is logged and
//! skipped; it never holds up the others.

use chrono::{DateTime, Utc};
use portal_api::RequestState;

use super::grant::{Ending, Grant, deliver, end_request, skip_open_stages};
use crate::domain::clock::{self, format};
use crate::domain::fulfilment::Removal;
use crate::domain::notifications::{self as notify, Links};
use crate::domain::submission::Period;
use crate::store::Db;
use crate::store::audit::{self, Change, EntityType};
use crate::store::outbox;
use crate::store::webhooks::{self, AccessChange};

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
        let id = row.id.clone();
        let outcome = deliver_one_scheduled(db, row, &at, links).await;
        step.count("deliver a scheduled request", &id, outcome);
    }
    Ok(step)
}

async fn deliver_one_scheduled(
    db: &Db,
    row: ScheduledRow,
    at: &str,
    links: &Links,
) -> anyhow::Result<bool> {
    let ScheduledRow {
        id,
        requestor_id: user_id,
        package_id,
        policy_id,
        schedule_start: start,
        schedule_end: end,
    } = row;
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
    let removed = AccessChange::removed(id, Removal::Expired, at);
    webhooks::enqueue(&mut tx, removed).await?;
    tx.commit().await?;
    Ok(true)
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
        "SELECT a.id, a.start_at, a.end_at, p.display_name AS package_name, \
             ap.allow_extension, u.id AS user_id, u.display_name AS user_name, \
             u.mail AS user_mail \
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
        let id = row.id.clone();
        let outcome = remind_one(db, row, now, &at, links).await;
        step.count("write an expiry reminder", &id, outcome);
    }
    Ok(step)
}

async fn remind_one(
    db: &Db,
    row: ReminderRow,
    now: DateTime<Utc>,
    at: &str,
    links: &Links,
) -> anyhow::Result<bool> {
    let (start, end) = (clock::stored(&row.start_at)?, clock::stored(&row.end_at)?);
    let Some(which) = notify::due_reminder(start, end, now) else {
        return Ok(false);
    };
    let facts = notify::AssignmentFacts {
        id: row.id,
        package_name: row.package_name,
        holder: notify::Person {
            id: row.user_id,
            name: row.user_name,
            mail: row.user_mail,
        },
        end,
        extendable: row.allow_extension != 0,
    };
    let mail = notify::reminder(links, &facts, which);
    let mut conn = db.pool.acquire().await?;
    Ok(outbox::enqueue(&mut conn, &[mail], at).await? > 0)
}

/// An assignment near its end, with its package's name, whether its policy allows extension,
/// and its holder.
#[derive(Debug, sqlx::FromRow)]
struct ReminderRow {
    id: String,
    start_at: String,
    end_at: String,
    package_name: String,
    allow_extension: i64,
    user_id: String,
    user_name: String,
    user_mail: String,
}

/// A scheduled request and the period its requestor asked for.
#[derive(Debug, sqlx::FromRow)]
struct ScheduledRow {
    id: String,
    requestor_id: String,
    package_id: String,
    policy_id: String,
    schedule_start: Option<String>,
    schedule_end: Option<String>,
}
