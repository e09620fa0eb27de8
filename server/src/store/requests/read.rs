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
    let rows: Vec<RequestRow> = request_query(id).fetch_all(&db.pool).await?;
    let Some(mut request) = hydrate(db, rows).await?.pop() else {
        return Ok(None);
    };
    request.history = audit::request_history(db, id).await?;
    request.fulfilment = crate::store::webhooks::fulfilment(db, id).await?;
    Ok(Some(request))
}

/// The query of [`request`], without its parts: the request by id.
pub(crate) fn request_query(id: &str) -> Sql {
    let mut query = Sql::new(REQUEST_COLUMNS);
    query.push(" WHERE r.id = ");
    query.text(id.to_owned());
    query
}

/// Requests as `listing` selects them, newest first, after `after`, at most `limit`.
pub async fn requests(
    db: &Db,
    listing: &Listing,
    after: Option<&RequestKey>,
    limit: u32,
) -> sqlx::Result<Vec<AssignmentRequest>> {
    let rows: Vec<RequestRow> = requests_query(listing, after, limit)
        .fetch_all(&db.pool)
        .await?;
    hydrate(db, rows).await
}

/// The query of [`requests`]. A person's own requests are read from the index by requestor
/// and creation time; those waiting for a person's decision from `waiting_approvals`, whose
/// key is the approver and the creation time: either way a page reads a page of index.
pub(crate) fn requests_query(listing: &Listing, after: Option<&RequestKey>, limit: u32) -> Sql {
    let mut query = Sql::new(REQUEST_COLUMNS);
    let key = match listing {
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
            ("r.created_at", "r.id")
        }
        Listing::AwaitingDecisionBy(approver) => {
            // The page is taken from the index first, then its few requests are read by id:
            // so no planner can choose to walk the requests in id order to join them.
            query.push(
                " WHERE r.id IN (SELECT w.request_id FROM waiting_approvals w WHERE w.user_id = ",
            );
            query.text(approver.clone());
            query.keyset_page(
                ("w.created_at", "w.request_id"),
                Order::Descending,
                after,
                limit,
            );
            query.push(")");
            // Waiting entries carry their request's creation time: the same order.
            query.push(" ORDER BY r.created_at DESC, r.id DESC");
            return query;
        }
    };
    query.keyset_page(key, Order::Descending, after, limit);
    query
}

/// How many requests `listing` shows in all.
pub async fn count(db: &Db, listing: &Listing) -> sqlx::Result<u64> {
    let counted: Vec<(i64,)> = count_query(listing).fetch_all(&db.pool).await?;
    Ok(counted
        .first()
        .map_or(0, |(n,)| u64::try_from(*n).unwrap_or_default()))
}

/// The query of [`count`]; for the approvals, one person's entries of one index.
pub(crate) fn count_query(listing: &Listing) -> Sql {
    match listing {
        Listing::MadeBy {
            requestor_id,
            state,
        } => {
            let mut query =
                Sql::new("SELECT COUNT(*) FROM assignment_requests r WHERE r.requestor_id = ");
            query.text(requestor_id.clone());
            if let Some(state) = state {
                query.push(" AND r.state = ");
                query.text(state.as_str());
            }
            query
        }
        Listing::AwaitingDecisionBy(approver) => {
            let mut query = Sql::new("SELECT COUNT(*) FROM waiting_approvals w WHERE w.user_id = ");
            query.text(approver.clone());
            query
        }
    }
}

/// The ids of `user_id`'s open request and active assignment for each package they have one
/// for: (package id → open request id), (package id → assignment id).
pub async fn holdings(
    db: &Db,
    user_id: &str,
) -> sqlx::Result<(HashMap<String, String>, HashMap<String, String>)> {
    let [open_query, held_query] = holdings_queries(user_id);
    let open: Vec<(String, String)> = open_query.fetch_all(&db.pool).await?;
    let held: Vec<(String, String)> = held_query.fetch_all(&db.pool).await?;
    Ok((open.into_iter().collect(), held.into_iter().collect()))
}

/// The queries of [`holdings`]: open requests (the partial unique index of open requests
/// serves it) and held assignments (that of delivered assignments).
pub(crate) fn holdings_queries(user_id: &str) -> [Sql; 2] {
    let mut open = Sql::new("SELECT package_id, id FROM assignment_requests WHERE requestor_id = ");
    open.text(user_id.to_owned());
    open.push(" AND state IN ('submitted', 'pendingApproval', 'scheduled')");
    let mut held = Sql::new("SELECT package_id, id FROM assignments WHERE user_id = ");
    held.text(user_id.to_owned());
    held.push(" AND state = 'delivered'");
    [open, held]
}

/// How long each decided request for `package_id` waited for its decision, from the latest
/// `limit` decisions: submission to the decision that ended its approval, for requests that
/// were approved or denied (not canceled, not expired).
pub async fn decision_waits(db: &Db, package_id: &str, limit: u32) -> sqlx::Result<Vec<TimeDelta>> {
    let rows: Vec<(String, String)> = decision_waits_query(package_id, limit)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(submitted, decided)| {
            Some(clock::parse(&decided)? - clock::parse(&submitted)?)
        })
        .collect())
}

/// The query of [`decision_waits`]. Each decision that ends a request's approval writes its
/// wait to `decision_waits` in the decision's own transaction (see `write::decide`), so this
/// reads `limit` entries of the index by package and decision time, however long the
/// package's history: kept on decision rather than computed from the requests, because the
/// requests of one package would have to be joined with their stages to find the decided
/// ones, and a package with a long history of undecided requests makes that a long walk.
pub(crate) fn decision_waits_query(package_id: &str, limit: u32) -> Sql {
    let mut query =
        Sql::new("SELECT submitted_at, decided_at FROM decision_waits WHERE package_id = ");
    query.text(package_id.to_owned());
    query.push(" ORDER BY decided_at DESC, request_id DESC LIMIT ");
    query.int(i64::from(limit));
    query
}
