//! The outbox: emails written in the same transaction as the change they tell of, then
//! claimed, sent and marked by the mail worker. Every step that more than one server instance
//! may take at once is a conditional update, so each message is sent by one of them.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::Db;
use super::lease::{self, Queue};
use super::sql::Sql;
use crate::domain::clock::format;
use crate::domain::notifications::{Mail, Person, RequestFacts};

/// Add `mails` to the outbox inside the caller's transaction. A mail whose dedupe key was
/// written before is left out, so a reminder is written once whoever writes it. Returns how
/// many were written.
pub async fn enqueue(conn: &mut AnyConnection, mails: &[Mail], now: &str) -> sqlx::Result<u64> {
    let mut written = 0;
    for mail in mails {
        written += sqlx::query(
            "INSERT INTO outbox (id, kind, dedupe_key, request_id, recipient_id, recipient_name, \
                 recipient_mail, subject, body, created_at, state, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $10) \
             ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(mail.kind.as_str())
        .bind(&mail.dedupe_key)
        .bind(&mail.request_id)
        .bind(&mail.to.id)
        .bind(&mail.to.name)
        .bind(&mail.to.mail)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(written)
}

/// How many approval emails (`decisionNeeded`) were written since `since` about requests
/// made by `requestor_id`.
pub async fn approval_emails_since(
    conn: &mut AnyConnection,
    requestor_id: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let counted: Vec<(i64,)> = approval_emails_since_query(requestor_id, since)
        .fetch_all(&mut *conn)
        .await?;
    Ok(counted
        .first()
        .map_or(0, |(n,)| u64::try_from(*n).unwrap_or_default()))
}

/// The query of [`approval_emails_since`]: the requestor's requests from the index by
/// requestor, each one's emails from the outbox's index by request.
pub(crate) fn approval_emails_since_query(requestor_id: &str, since: DateTime<Utc>) -> Sql {
    let mut query = Sql::new(
        "SELECT COUNT(*) FROM outbox o JOIN assignment_requests r ON r.id = o.request_id \
         WHERE o.kind = 'decisionNeeded' AND r.requestor_id = ",
    );
    query.text(requestor_id.to_owned());
    query.push(" AND o.created_at >= ");
    query.text(format(since));
    query
}

/// A message a worker has claimed and now sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: String,
    pub recipient_name: String,
    pub recipient_mail: String,
    pub subject: String,
    pub body: String,
    /// Failed tries before this one.
    pub attempts: u32,
}

/// Claim for `owner`, until `lease_until`, up to `limit` messages that are due at `now` and
/// that no other worker holds (see [`lease`]).
pub async fn claim(
    db: &Db,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> sqlx::Result<Vec<Claimed>> {
    let columns = "id, recipient_name, recipient_mail, subject, body, attempts";
    let rows: Vec<ClaimedRow> =
        lease::claim(db, Queue::Outbox, owner, now, lease_until, limit, columns).await?;
    Ok(rows
        .into_iter()
        .map(|row| Claimed {
            id: row.id,
            recipient_name: row.recipient_name,
            recipient_mail: row.recipient_mail,
            subject: row.subject,
            body: row.body,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        })
        .collect())
}

/// Mark a claimed message as sent; `false` when `owner` no longer held it.
pub async fn mark_sent(db: &Db, id: &str, owner: &str, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'sent', sent_at = $3, attempts = attempts + 1, \
             lease_owner = NULL, lease_until = NULL, last_error = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(owner)
    .bind(format(now))
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Record a failed try of a claimed message: retried at `retry_at`, or given up on (`None`)
/// when it can never be sent, e.g. to an address that is not one.
pub async fn mark_failed(
    db: &Db,
    id: &str,
    owner: &str,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    let (state, next) = match retry_at {
        Some(at) => ("pending", Some(format(at))),
        None => ("failed", None),
    };
    sqlx::query(
        "UPDATE outbox SET state = $3, attempts = attempts + 1, \
             next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5, \
             lease_owner = NULL, lease_until = NULL \
         WHERE id = $1 AND lease_owner = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(owner)
    .bind(state)
    .bind(next)
    .bind(error)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// One message as the outbox holds it; for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    pub kind: String,
    pub recipient_id: String,
    pub recipient_mail: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Every message, oldest first.
pub async fn entries(db: &Db) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT kind, recipient_id, recipient_mail, subject, body, state, attempts, last_error \
         FROM outbox ORDER BY created_at, id",
    )
    .fetch_all(&db.pool)
    .await
}

/// What a message about `request_id` tells of it, read inside the writing transaction.
pub async fn request_facts(
    conn: &mut AnyConnection,
    request_id: &str,
) -> sqlx::Result<RequestFacts> {
    let row: FactsRow = sqlx::query_as(
        "SELECT r.id, r.request_type, p.display_name AS package_name, u.id AS user_id, \
             u.display_name AS user_name, u.mail AS user_mail, r.justification \
         FROM assignment_requests r JOIN access_packages p ON p.id = r.package_id \
         JOIN users u ON u.id = r.requestor_id WHERE r.id = $1",
    )
    .bind(request_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(RequestFacts {
        id: row.id,
        package_name: row.package_name,
        requestor: Person {
            id: row.user_id,
            name: row.user_name,
            mail: row.user_mail,
        },
        justification: row.justification,
        is_extension: row.request_type == "userExtend",
    })
}

/// The approvers of one stage of a request, with the stage's due time and the number of
/// stages.
pub async fn stage_approvers(
    conn: &mut AnyConnection,
    request_id: &str,
    stage: u8,
) -> sqlx::Result<(Vec<Person>, Option<DateTime<Utc>>, u8)> {
    let people: Vec<PersonRow> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.mail FROM request_stage_approvers a \
         JOIN users u ON u.id = a.user_id WHERE a.request_id = $1 AND a.stage = $2 \
         ORDER BY u.display_name",
    )
    .bind(request_id)
    .bind(i64::from(stage))
    .fetch_all(&mut *conn)
    .await?;
    let due: Option<(Option<String>,)> =
        sqlx::query_as("SELECT due_at FROM request_stages WHERE request_id = $1 AND stage = $2")
            .bind(request_id)
            .bind(i64::from(stage))
            .fetch_optional(&mut *conn)
            .await?;
    let (stages,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM request_stages WHERE request_id = $1")
            .bind(request_id)
            .fetch_one(&mut *conn)
            .await?;
    let people = people
        .into_iter()
        .map(|row| Person {
            id: row.id,
            name: row.display_name,
            mail: row.mail,
        })
        .collect();
    let due = due
        .and_then(|d| d.0)
        .as_deref()
        .and_then(crate::domain::clock::parse);
    Ok((people, due, u8::try_from(stages).unwrap_or(u8::MAX)))
}

/// A user's display name, for the words of a message.
pub async fn display_name(conn: &mut AnyConnection, user_id: &str) -> sqlx::Result<String> {
    let name: Option<(String,)> = sqlx::query_as("SELECT display_name FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(name.map_or_else(|| user_id.to_owned(), |n| n.0))
}

/// A claimed message's words and how often it was tried.
#[derive(Debug, sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    recipient_name: String,
    recipient_mail: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// A request with its package's name and its requestor, for the words of a message.
#[derive(Debug, sqlx::FromRow)]
struct FactsRow {
    id: String,
    request_type: String,
    package_name: String,
    user_id: String,
    user_name: String,
    user_mail: String,
    justification: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct PersonRow {
    id: String,
    display_name: String,
    mail: String,
}
