//! The append-only audit log: one row per change of state of a request or an assignment.

use portal_api::{AuditEntry, RequestState};
use sqlx::AnyConnection;

use super::Db;

/// What is written for one change.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    pub entity_type: EntityType,
    pub entity_id: &'a str,
    /// Who made the change; `None` when the system did.
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub detail: Option<&'a str>,
    pub at: &'a str,
}

/// What kind of thing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityType {
    AssignmentRequest,
    Assignment,
}

impl EntityType {
    fn as_str(self) -> &'static str {
        match self {
            Self::AssignmentRequest => "assignmentRequest",
            Self::Assignment => "assignment",
        }
    }
}

/// Append one entry, inside the caller's transaction, so that it is written exactly when the
/// change is.
pub async fn record(conn: &mut AnyConnection, change: Change<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, entity_type, entity_id, seq, occurred_at, actor_id, action, \
             from_state, to_state, detail) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log \
             WHERE entity_type = $2 AND entity_id = $3), $4, $5, $6, $7, $8, $9)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(change.entity_type.as_str())
    .bind(change.entity_id)
    .bind(change.at)
    .bind(change.actor_id)
    .bind(change.action)
    .bind(change.from_state)
    .bind(change.to_state)
    .bind(change.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// One entry of a request's history, with who made the change.
#[derive(Debug, sqlx::FromRow)]
struct EntryRow {
    occurred_at: String,
    actor_id: Option<String>,
    actor_name: Option<String>,
    actor_mail: Option<String>,
    action: String,
    from_state: Option<String>,
    to_state: String,
    detail: Option<String>,
}

/// The query of [`request_history`], served by the unique index of (entity, seq).
pub(crate) fn request_history_query(request_id: &str) -> super::sql::Sql {
    let mut query = super::sql::Sql::new(
        "SELECT a.occurred_at, u.id AS actor_id, u.display_name AS actor_name, \
             u.mail AS actor_mail, a.action, a.from_state, a.to_state, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
         WHERE a.entity_type = 'assignmentRequest' AND a.entity_id = ",
    );
    query.text(request_id.to_owned());
    query.push(" ORDER BY a.seq");
    query
}

/// A request's history, oldest first.
pub async fn request_history(db: &Db, request_id: &str) -> sqlx::Result<Vec<AuditEntry>> {
    let rows: Vec<EntryRow> = request_history_query(request_id)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|row| {
            let from_state = row.from_state.as_deref().map(super::named).transpose()?;
            Ok(AuditEntry {
                date_time: row.occurred_at,
                actor: super::user_ref(row.actor_id, row.actor_name, row.actor_mail),
                action: row.action,
                from_state,
                to_state: super::named::<RequestState>(&row.to_state)?,
                detail: row.detail,
            })
        })
        .collect()
}
