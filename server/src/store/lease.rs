//! Claiming the due rows of a worker's queue (the mail outbox, the webhook deliveries): a row
//! is held by one worker at a time, for a lease, so that several server instances on one
//! database send each row once in normal operation, and a worker that dies holding some lets
//! them go when the lease ends, for another to send then.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::any::AnyRow;

use super::Db;
use super::sql::Sql;
use crate::domain::clock::format;

/// A table of rows waiting to be sent, each with `id`, `state`, `created_at`,
/// `next_attempt_at`, `lease_owner` and `lease_until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Outbox,
    Webhooks,
}

impl Queue {
    fn table(self) -> &'static str {
        match self {
            Queue::Outbox => "outbox",
            Queue::Webhooks => "webhook_deliveries",
        }
    }
}

/// Claim for `owner`, until `lease_until`, up to `limit` rows of `queue` that are due at `now`
/// and that no other worker holds; their `columns`, read as `T` in one query, oldest first.
pub async fn claim<T>(
    db: &Db,
    queue: Queue,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
    columns: &str,
) -> sqlx::Result<Vec<T>>
where
    T: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let ids = claim_ids(db, queue, owner, now, lease_until, limit).await?;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let mut query = Sql::new(&format!(
        "SELECT {columns} FROM {} WHERE id IN ",
        queue.table()
    ));
    query.text_list(ids).push(" ORDER BY created_at, id");
    query.fetch_all(&db.pool).await
}

/// The ids of the rows [`claim`] takes, oldest first.
async fn claim_ids(
    db: &Db,
    queue: Queue,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> sqlx::Result<Vec<String>> {
    let table = queue.table();
    let now = format(now);
    let due: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT id FROM {table} WHERE state = 'pending' AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until <= $1) ORDER BY created_at, id LIMIT $2"
    ))
    .bind(&now)
    .bind(i64::from(limit))
    .fetch_all(&db.pool)
    .await?;
    let take = format!(
        "UPDATE {table} SET lease_owner = $2, lease_until = $3 \
         WHERE id = $1 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $4)"
    );
    let mut claimed = Vec::new();
    for (id,) in due {
        let taken = sqlx::query(&take)
            .bind(&id)
            .bind(owner)
            .bind(format(lease_until))
            .bind(&now)
            .execute(&db.pool)
            .await?
            .rows_affected();
        if taken == 1 {
            claimed.push(id);
        }
    }
    Ok(claimed)
}
