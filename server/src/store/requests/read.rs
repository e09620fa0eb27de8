//! Reading requests: one with its history, a page of a listing, how many a listing has, and
//! what a person has open or holds.

use std::collections::HashMap;

use portal_api::AssignmentRequest;

use super::{Listing, RequestKey};
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
    let rows: Vec<(String, String, String)> = holdings_query(user_id).fetch_all(&db.pool).await?;
    let (mut open, mut held) = (HashMap::new(), HashMap::new());
    for (kind, package_id, id) in rows {
        let into = if kind == "held" { &mut held } else { &mut open };
        into.insert(package_id, id);
    }
    Ok((open, held))
}

/// The query of [`holdings`], in one round trip: open requests (the partial unique index of
/// open requests serves them), then held assignments (that of delivered assignments), each
/// marked `open` or `held`.
pub(crate) fn holdings_query(user_id: &str) -> Sql {
    let mut query =
        Sql::new("SELECT 'open', package_id, id FROM assignment_requests WHERE requestor_id = ");
    query.text(user_id.to_owned());
    query.push(
        " AND state IN ('submitted', 'pendingApproval', 'scheduled') \
         UNION ALL SELECT 'held', package_id, id FROM assignments WHERE user_id = ",
    );
    query.text(user_id.to_owned());
    query.push(" AND state = 'delivered'");
    query
}
