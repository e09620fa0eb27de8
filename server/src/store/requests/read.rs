//! Reading requests: one with its history, a page of a listing, how many a listing has, what a
//! person has open or holds, and how long decisions took.

use std::collections::HashMap;

use chrono::TimeDelta;
use portal_api::AssignmentRequest;

use super::{Listing, RequestKey};
use crate::domain::clock;
use crate::store::Db;
use crate::store::audit;
use crate::store::request_rows::{REQUEST_COLUMNS, RequestRow, hydrate};
use crate::store::sql::{Order, Sql};

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
