//! The delivery outbox of fulfilment webhooks: events written in the same transaction as the
//! change of access they tell of, then claimed, sent and marked by the webhook worker, as
//! emails are in `outbox.rs`. Every step that more than one server instance may take at once
//! is a conditional update, so each event is sent by one of them; a final answer is written
//! into the request's history in the same transaction that marks it.

use chrono::{DateTime, Utc};
use portal_api::{Fulfilment, FulfilmentState, Resource, ResourceKind, ResourceRole};
use sqlx::AnyConnection;

use super::Db;
use super::audit::{self, Change, EntityType};
use super::lease::{self, Queue};
use crate::domain::clock::format;
use crate::domain::fulfilment::{self, AccessFacts, EventType, Holder, Removal, Target};

/// Set the connector of role `position` of `package_id`: its webhook's address and signing
/// secret, or none ("recorded only").
pub async fn set_connector(
    conn: &mut AnyConnection,
    package_id: &str,
    position: i64,
    connector: Option<(&str, &str)>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE resource_roles SET webhook_url = $3, webhook_secret = $4 \
         WHERE package_id = $1 AND position = $2",
    )
    .bind(package_id)
    .bind(position)
    .bind(connector.map(|c| c.0))
    .bind(connector.map(|c| c.1))
    .execute(conn)
    .await?;
    Ok(())
}

/// The resource roles of `package_id` that have no connector ("recorded only"): their grants
/// are written here and told to no system. In the package's order.
pub async fn recorded_only(db: &Db, package_id: &str) -> sqlx::Result<Vec<ResourceRole>> {
    let rows: Vec<RoleRow> = sqlx::query_as(
        "SELECT display_name, resource_name, resource_type FROM resource_roles \
         WHERE package_id = $1 AND (webhook_url IS NULL OR webhook_secret IS NULL) \
         ORDER BY position",
    )
    .bind(package_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(ResourceRole {
                display_name: row.display_name,
                resource: Resource {
                    display_name: row.resource_name,
                    resource_type: super::named::<ResourceKind>(&row.resource_type)?,
                },
            })
        })
        .collect()
}

/// A change of someone's access that the connectors of its package are told of.
#[derive(Debug, Clone, Copy)]
pub struct AccessChange<'a> {
    pub assignment_id: &'a str,
    /// The request that made the change (an extension); the one that created the assignment
    /// when `None`.
    pub request_id: Option<&'a str>,
    pub event: EventType,
    /// Why access was removed, for `access.removed`.
    pub removal: Option<Removal>,
    pub at: &'a str,
}

impl<'a> AccessChange<'a> {
    /// Access granted (or, for an extension by `request_id`, granted for longer).
    pub fn granted(assignment_id: &'a str, request_id: Option<&'a str>, at: &'a str) -> Self {
        Self {
            assignment_id,
            request_id,
            event: EventType::Granted,
            removal: None,
            at,
        }
    }

    /// Access removed, for `why`.
    pub fn removed(assignment_id: &'a str, why: Removal, at: &'a str) -> Self {
        Self {
            assignment_id,
            request_id: None,
            event: EventType::Removed,
            removal: Some(why),
            at,
        }
    }
}

/// Write, inside the caller's transaction, the events that tell every connector of the
/// package of the assignment that its access was granted or removed. Returns how many.
pub async fn enqueue(conn: &mut AnyConnection, change: AccessChange<'_>) -> sqlx::Result<usize> {
    let (assignment_id, at) = (change.assignment_id, change.at);
    let targets: Vec<TargetRow> = sqlx::query_as(
        "SELECT r.resource_name, r.resource_type, r.display_name, r.webhook_url, \
             r.webhook_secret \
         FROM assignments a JOIN resource_roles r ON r.package_id = a.package_id \
         WHERE a.id = $1 AND r.webhook_url IS NOT NULL AND r.webhook_secret IS NOT NULL \
         ORDER BY r.position",
    )
    .bind(assignment_id)
    .fetch_all(&mut *conn)
    .await?;
    if targets.is_empty() {
        return Ok(0);
    }
    let row: FactsRow = sqlx::query_as(
        "SELECT a.id, a.request_id, a.start_at, a.end_at, a.package_id, \
             p.display_name AS package_name, u.id AS user_id, u.user_principal_name, u.mail, \
             u.external_id \
         FROM assignments a JOIN access_packages p ON p.id = a.package_id \
         JOIN users u ON u.id = a.user_id WHERE a.id = $1",
    )
    .bind(assignment_id)
    .fetch_one(&mut *conn)
    .await?;
    let facts = AccessFacts {
        assignment_id: row.id,
        request_id: change.request_id.map(str::to_owned).or(row.request_id),
        holder: Holder {
            id: row.user_id,
            user_principal_name: row.user_principal_name,
            mail: row.mail,
            external_id: row.external_id,
        },
        package_id: row.package_id,
        package_name: row.package_name,
        start: row.start_at,
        end: row.end_at,
    };
    let targets: Vec<Target> = targets
        .into_iter()
        .filter_map(|t| {
            Some(Target {
                resource: t.resource_name,
                resource_type: t.resource_type,
                role: t.display_name,
                url: t.webhook_url?,
                secret: t.webhook_secret?,
            })
        })
        .collect();
    let events = fulfilment::events(change.event, change.removal, &facts, &targets, at);
    for event in &events {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, event_type, request_id, assignment_id, \
                 resource_name, role_name, url, secret, body, created_at, state, attempts, \
                 next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $10)",
        )
        .bind(&event.id)
        .bind(event.event_type.as_str())
        .bind(&facts.request_id)
        .bind(&facts.assignment_id)
        .bind(&event.target.resource)
        .bind(&event.target.role)
        .bind(&event.target.url)
        .bind(&event.target.secret)
        .bind(&event.body)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(events.len())
}

/// A webhook a worker has claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub url: String,
    pub secret: String,
    pub body: String,
    /// Failed tries before this one.
    pub attempts: i64,
}

/// Claim for `owner`, until `lease_until`, up to `limit` webhooks that are due at `now` and
/// that no other worker holds (see [`lease`]; at least once: the receiver drops a repeat by
/// its id).
pub async fn claim(
    db: &Db,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> sqlx::Result<Vec<Claimed>> {
    let columns = "id, url, secret, body, attempts";
    lease::claim(db, Queue::Webhooks, owner, now, lease_until, limit, columns).await
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The receiver answered 2xx with this status.
    Accepted(u16),
    /// It failed; tried again at `retry_at`, or (`None`) never again.
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// Record an attempt at a claimed webhook; a final outcome (accepted, or failed for good) goes
/// into its request's history in the same transaction. `false` when `owner` no longer held it.
pub async fn mark(
    db: &Db,
    id: &str,
    owner: &str,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let at = format(now);
    let (state, status, error, next) = match attempt {
        Attempt::Accepted(status) => ("sent", Some(*status), None, None),
        Attempt::Failed {
            status,
            error,
            retry_at,
        } => match retry_at {
            Some(retry) => (
                "pending",
                *status,
                Some(error.as_str()),
                Some(format(*retry)),
            ),
            None => ("failed", *status, Some(error.as_str()), None),
        },
    };
    let mut tx = db.pool.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, \
             next_attempt_at = COALESCE($4, next_attempt_at), last_status = $5, \
             last_error = $6, sent_at = CASE WHEN $3 = 'sent' THEN $7 ELSE sent_at END, \
             lease_owner = NULL, lease_until = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(owner)
    .bind(state)
    .bind(next)
    .bind(status.map(i64::from))
    .bind(error)
    .bind(&at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    if state != "pending" {
        record_outcome(&mut tx, id, &at).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Write what a connector answered for good into the history of the request the webhook is
/// about: "Delivered to CRM (User)" or "Delivery failed: CRM (User) …".
async fn record_outcome(conn: &mut AnyConnection, id: &str, at: &str) -> sqlx::Result<()> {
    let row: Option<OutcomeRow> = sqlx::query_as(
        "SELECT d.event_type, d.request_id, d.resource_name, d.role_name, d.state, \
             d.last_error, r.state AS request_state \
         FROM webhook_deliveries d JOIN assignment_requests r ON r.id = d.request_id \
         WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    // Two workers may finish webhooks of one request at once: taking the request's row first
    // orders their history entries, which are numbered one after the other.
    sqlx::query("UPDATE assignment_requests SET id = id WHERE id = $1")
        .bind(&row.request_id)
        .execute(&mut *conn)
        .await?;
    let what = if row.event_type == EventType::Removed.as_str() {
        "Removal"
    } else {
        "Grant"
    };
    let target = format!("{} ({})", row.resource_name, row.role_name);
    let action = match row.state.as_str() {
        "sent" => format!("{what} delivered to {target}"),
        _ => format!("{what} failed at {target}"),
    };
    let change = Change {
        entity_type: EntityType::AssignmentRequest,
        entity_id: &row.request_id,
        actor_id: None,
        action: &action,
        from_state: Some(&row.request_state),
        to_state: &row.request_state,
        detail: row.last_error.as_deref().filter(|_| row.state != "sent"),
        at,
    };
    audit::record(conn, change).await
}

/// Where the latest change of a request's access stands with its connectors: its removal once
/// one was written, else its grant; `None` when no connector was told of either.
pub async fn fulfilment(db: &Db, request_id: &str) -> sqlx::Result<Option<Fulfilment>> {
    let rows: Vec<StateRow> = sqlx::query_as(
        "SELECT event_type, resource_name, role_name, state, last_error \
         FROM webhook_deliveries WHERE request_id = $1 ORDER BY created_at, id",
    )
    .bind(request_id)
    .fetch_all(&db.pool)
    .await?;
    let removed = rows
        .iter()
        .any(|r| r.event_type == EventType::Removed.as_str());
    let latest = if removed {
        EventType::Removed
    } else {
        EventType::Granted
    };
    let rows: Vec<&StateRow> = rows
        .iter()
        .filter(|r| r.event_type == latest.as_str())
        .collect();
    let Some(state) = fulfilment::state_of(rows.iter().map(|r| r.state.as_str())) else {
        return Ok(None);
    };
    let failures = if state == FulfilmentState::Delivering {
        vec![]
    } else {
        rows.iter()
            .filter(|r| r.state == "failed")
            .map(|r| {
                format!(
                    "{} ({}): {}",
                    r.resource_name,
                    r.role_name,
                    r.last_error.as_deref().unwrap_or("refused")
                )
            })
            .collect()
    };
    Ok(Some(Fulfilment {
        change: if removed { "removal" } else { "grant" }.to_owned(),
        state,
        failures,
    }))
}

/// One webhook as the delivery outbox holds it; for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: String,
    pub event_type: String,
    pub request_id: Option<String>,
    pub resource_name: String,
    pub role_name: String,
    pub url: String,
    pub created_at: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// The latest `limit` webhooks, newest first.
pub async fn recent(db: &Db, limit: u32) -> sqlx::Result<Vec<Delivery>> {
    sqlx::query_as(
        "SELECT id, event_type, request_id, resource_name, role_name, url, created_at, state, \
             attempts, next_attempt_at, last_status, last_error \
         FROM webhook_deliveries ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await
}

/// Send a failed webhook again from `now` on (after its receiver was fixed); `false` when
/// there is no failed one with this id.
pub async fn retry(db: &Db, id: &str, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $2 \
         WHERE id = $1 AND state = 'failed'",
    )
    .bind(id)
    .bind(format(now))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// How many webhooks are pending, sent and failed.
pub async fn counts(db: &Db) -> sqlx::Result<Counts> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM webhook_deliveries GROUP BY state")
            .fetch_all(&db.pool)
            .await?;
    let mut counts = Counts::default();
    for (state, n) in rows {
        let n = u64::try_from(n).unwrap_or_default();
        match state.as_str() {
            "pending" => counts.pending = n,
            "sent" => counts.sent = n,
            _ => counts.failed = n,
        }
    }
    Ok(counts)
}

/// The delivery outbox by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
}

#[derive(Debug, sqlx::FromRow)]
struct RoleRow {
    display_name: String,
    resource_name: String,
    resource_type: String,
}

#[derive(Debug, sqlx::FromRow)]
struct TargetRow {
    resource_name: String,
    resource_type: String,
    display_name: String,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct FactsRow {
    id: String,
    request_id: Option<String>,
    start_at: String,
    end_at: Option<String>,
    package_id: String,
    package_name: String,
    user_id: String,
    user_principal_name: String,
    mail: String,
    external_id: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct OutcomeRow {
    event_type: String,
    request_id: String,
    resource_name: String,
    role_name: String,
    state: String,
    last_error: Option<String>,
    request_state: String,
}

#[derive(Debug, sqlx::FromRow)]
struct StateRow {
    event_type: String,
    resource_name: String,
    role_name: String,
    state: String,
    last_error: Option<String>,
}
