//! Reading assignments: a person's access, and one assignment with who holds it.

use portal_api::{Assignment, AssignmentState, PackageRef, PolicyRef, Schedule};

use crate::domain::clock::{self, format};
use crate::store::Db;
use crate::store::sql::Sql;

/// One assignment with the names of its package and policy, what its policy says about
/// extending it, and its open extension request.
#[derive(Debug, sqlx::FromRow)]
struct AssignmentRow {
    id: String,
    package_id: String,
    package_name: String,
    policy_id: String,
    policy_name: String,
    state: String,
    request_id: String,
    start_at: String,
    end_at: Option<String>,
    allow_extension: i64,
    extension_request_id: Option<String>,
    user_id: String,
    expiration_type: String,
    expiration_days: Option<i64>,
    expiration_date_time: Option<String>,
}

const ASSIGNMENT_COLUMNS: &str = "SELECT a.id, p.id AS package_id, \
        p.display_name AS package_name, ap.id AS policy_id, ap.display_name AS policy_name, \
        a.state, a.request_id, a.start_at, a.end_at, ap.allow_extension, \
        (SELECT MAX(r.id) FROM assignment_requests r WHERE r.assignment_id = a.id \
            AND r.state IN ('submitted', 'pendingApproval', 'scheduled')) AS extension_request_id, \
        a.user_id, ap.expiration_type, ap.expiration_days, ap.expiration_date_time \
     FROM assignments a JOIN access_packages p ON p.id = a.package_id \
     JOIN assignment_policies ap ON ap.id = a.policy_id";

/// `user_id`'s assignments, the latest start first.
pub async fn assignments(db: &Db, user_id: &str) -> sqlx::Result<Vec<Assignment>> {
    let rows: Vec<AssignmentRow> = assignments_query(user_id).fetch_all(&db.pool).await?;
    rows.into_iter()
        .map(|row| Ok(assignment_of(row)?.0))
        .collect()
}

/// The query of [`assignments`]: the person's assignments from the index by user, each
/// with its open extension request from the index by assignment.
pub(crate) fn assignments_query(user_id: &str) -> Sql {
    let mut query = Sql::new(ASSIGNMENT_COLUMNS);
    query.push(" WHERE a.user_id = ");
    query.text(user_id.to_owned());
    query.push(" ORDER BY a.start_at DESC, a.id DESC");
    query
}

/// One assignment by id, with the id of the user who has it; `None` when there is none.
pub async fn assignment(db: &Db, id: &str) -> sqlx::Result<Option<(Assignment, String)>> {
    let row: Option<AssignmentRow> =
        sqlx::query_as(&format!("{ASSIGNMENT_COLUMNS} WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(assignment_of).transpose()
}

fn assignment_of(row: AssignmentRow) -> sqlx::Result<(Assignment, String)> {
    let state = crate::store::named::<AssignmentState>(&row.state)?;
    let view = crate::domain::extension::ExtensionView {
        package_name: row.package_name.clone(),
        state,
        end: row.end_at.as_deref().and_then(clock::parse),
        allow_extension: row.allow_extension != 0,
        expiration: crate::store::catalog::expiration_of(
            &row.expiration_type,
            row.expiration_days,
            row.expiration_date_time,
        ),
    };
    let assignment = Assignment {
        id: row.id,
        access_package: PackageRef {
            id: row.package_id,
            display_name: row.package_name,
        },
        assignment_policy: PolicyRef {
            id: row.policy_id,
            display_name: row.policy_name,
        },
        state,
        schedule: Schedule {
            start_date_time: row.start_at,
            end_date_time: row.end_at,
        },
        request_id: row.request_id,
        extendable_from: crate::domain::extension::extendable_from(&view).map(format),
        extension_request_id: row.extension_request_id,
    };
    Ok((assignment, row.user_id))
}
