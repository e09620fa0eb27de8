//! What writing and sweeping share: granting access (a new assignment, or a new end for the
//! one an extension extends), ending a request with its conditional write and audit entry, and
//! skipping the stages nobody will decide.

use chrono::{DateTime, TimeDelta, Utc};
use portal_api::RequestState;
use sqlx::{Any, AnyConnection, Transaction};

use crate::domain::clock::format;
use crate::domain::submission::Period;
use crate::store::Db;
use crate::store::audit::{self, Change, EntityType};
use crate::store::webhooks::{self, AccessChange};

/// Move the end of the assignment a `userExtend` request extends (bringing it back if it
/// expired while the extension waited for approval).
pub(super) async fn extend(
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
    audit::record(&mut *conn, change).await?;
    // Connectors hear of the longer period as a grant with the new end, from the extension.
    let granted = AccessChange::granted(assignment_id, Some(request_id), now);
    webhooks::enqueue(conn, granted).await?;
    Ok(())
}

/// The words of the audit entry that grants access.
pub(super) fn granted_action(state: RequestState) -> &'static str {
    if state == RequestState::Scheduled {
        "Access scheduled"
    } else {
        "Access delivered"
    }
}

pub(super) struct Grant<'a> {
    pub(super) request_id: &'a str,
    pub(super) user_id: &'a str,
    pub(super) package_id: &'a str,
    pub(super) policy_id: &'a str,
    pub(super) period: Period,
    pub(super) now: &'a str,
}

pub(super) async fn deliver(conn: &mut AnyConnection, grant: Grant<'_>) -> sqlx::Result<()> {
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
    audit::record(&mut *conn, change).await?;
    webhooks::enqueue(conn, AccessChange::granted(&id, None, grant.now)).await?;
    Ok(())
}

/// A request moving to a final state, by its requestor or by the system.
pub(super) struct Ending<'a> {
    pub(super) request_id: &'a str,
    /// The requestor ending their own request (and only their own); `None` for the system.
    pub(super) requestor_id: Option<&'a str>,
    pub(super) from: RequestState,
    pub(super) to: RequestState,
    /// The words of the audit entry.
    pub(super) action: &'a str,
    pub(super) at: &'a str,
}

impl<'a> Ending<'a> {
    /// An ending the system makes on its own (a sweep), for any requestor.
    pub(super) fn by_system(
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
pub(super) async fn end_request(
    db: &Db,
    end: Ending<'_>,
) -> sqlx::Result<Option<Transaction<'static, Any>>> {
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

pub(super) async fn skip_open_stages(
    conn: &mut AnyConnection,
    request_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE request_stages SET status = 'skipped' \
         WHERE request_id = $1 AND status IN ('pending', 'notStarted')",
    )
    .bind(request_id)
    .execute(&mut *conn)
    .await?;
    refresh_waiting(conn, request_id).await
}

/// Bring `waiting_approvals` in step with the request's stages and approvers: one row per
/// approver of its pending stage while it waits for approval (never its requestor), none
/// otherwise. Every change to a request's stages or approvers calls it in its transaction.
pub async fn refresh_waiting(conn: &mut AnyConnection, request_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM waiting_approvals WHERE request_id = $1")
        .bind(request_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO waiting_approvals (user_id, created_at, request_id) \
         SELECT DISTINCT a.user_id, r.created_at, r.id FROM assignment_requests r \
         JOIN request_stages s ON s.request_id = r.id AND s.status = 'pending' \
         JOIN request_stage_approvers a ON a.request_id = s.request_id AND a.stage = s.stage \
         WHERE r.id = $1 AND r.state = 'pendingApproval' AND a.user_id <> r.requestor_id",
    )
    .bind(request_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) fn days(n: u32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}
