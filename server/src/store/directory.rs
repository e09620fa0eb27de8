//! Users and groups: who people are, who their manager is, which groups they are in.

use portal_api::User;
use sqlx::AnyConnection;

use super::Db;
use crate::domain::Requestor;

/// A user with their manager, as `USER_COLUMNS` reads them.
#[derive(Debug, sqlx::FromRow)]
struct UserRow {
    id: String,
    display_name: String,
    mail: String,
    user_principal_name: String,
    job_title: Option<String>,
    manager_id: Option<String>,
    manager_name: Option<String>,
    manager_mail: Option<String>,
}

const USER_COLUMNS: &str = "SELECT u.id, u.display_name, u.mail, u.user_principal_name, \
    u.job_title, m.id AS manager_id, m.display_name AS manager_name, m.mail AS manager_mail \
    FROM users u LEFT JOIN users m ON m.id = u.manager_id";

/// What the rules read of a requestor's own record.
#[derive(Debug, sqlx::FromRow)]
struct RequestorRow {
    id: String,
    manager_id: Option<String>,
    group_id: Option<String>,
}

/// One user, with their manager.
pub async fn user(db: &Db, id: &str) -> sqlx::Result<Option<User>> {
    let sql = format!("{USER_COLUMNS} WHERE u.id = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(user_from_row))
}

/// The user who signs in as `upn`; the comparison ignores case, as directories do.
pub async fn user_by_principal_name(db: &Db, upn: &str) -> sqlx::Result<Option<User>> {
    let sql = format!("{USER_COLUMNS} WHERE LOWER(u.user_principal_name) = $1");
    let row: Option<UserRow> = sqlx::query_as(&sql)
        .bind(upn.trim().to_lowercase())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(user_from_row))
}

/// Every user who may sign in, by name.
pub async fn users(db: &Db) -> sqlx::Result<Vec<User>> {
    let sql = format!("{USER_COLUMNS} WHERE u.active = 1 ORDER BY u.display_name, u.id");
    let rows: Vec<UserRow> = sqlx::query_as(&sql).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(user_from_row).collect())
}

/// Whether user `id` may sign in: they exist and are active (not deactivated or deleted by
/// the identity provider).
pub async fn may_sign_in(db: &Db, id: &str) -> sqlx::Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE id = $1 AND active = 1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// What the rules need to know about a requestor: their manager and groups.
pub async fn requestor(db: &Db, id: &str) -> sqlx::Result<Option<Requestor>> {
    // One row per group (one with no group for a person in none), in one round trip.
    let rows: Vec<RequestorRow> = sqlx::query_as(
        "SELECT u.id, u.manager_id, m.group_id FROM users u \
         LEFT JOIN group_members m ON m.user_id = u.id \
         WHERE u.id = $1 AND u.active = 1 ORDER BY m.group_id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(Requestor {
        id: first.id.clone(),
        manager_id: first.manager_id.clone(),
        group_ids: rows.into_iter().filter_map(|row| row.group_id).collect(),
    }))
}

/// A user as the catalog file describes them; the manager is set by `set_manager`, once
/// every user exists.
pub async fn upsert_user(conn: &mut AnyConnection, user: &User) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO users (id, display_name, mail, user_principal_name, job_title) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET display_name = $2, mail = $3, \
             user_principal_name = $4, job_title = $5",
    )
    .bind(&user.id)
    .bind(&user.display_name)
    .bind(&user.mail)
    .bind(&user.user_principal_name)
    .bind(&user.job_title)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record `manager_id` as the manager of `user_id` (or none).
pub async fn set_manager(
    conn: &mut AnyConnection,
    user_id: &str,
    manager_id: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET manager_id = $2 WHERE id = $1")
        .bind(user_id)
        .bind(manager_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A group with exactly these members.
pub async fn upsert_group(
    conn: &mut AnyConnection,
    id: &str,
    display_name: &str,
    description: &str,
    members: &[String],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO groups (id, display_name, description) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET display_name = $2, description = $3",
    )
    .bind(id)
    .bind(display_name)
    .bind(description)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for member in members {
        sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Forget the fallback approvers of `policy_id`'s stages (before its stages are rewritten).
pub async fn clear_fallback_approvers(
    conn: &mut AnyConnection,
    policy_id: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM policy_stage_fallback_approvers WHERE policy_id = $1")
        .bind(policy_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Record who decides stage `stage` of `policy_id` once its approvers have left.
pub async fn add_fallback_approvers(
    conn: &mut AnyConnection,
    (policy_id, stage): (&str, i64),
    user_ids: &[String],
) -> sqlx::Result<()> {
    for user_id in user_ids {
        sqlx::query(
            "INSERT INTO policy_stage_fallback_approvers (policy_id, stage, user_id) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(policy_id)
        .bind(stage)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Make `user_ids` exactly the owners of `catalog_id`.
pub async fn set_catalog_owners(
    conn: &mut AnyConnection,
    catalog_id: &str,
    user_ids: &[String],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM catalog_owners WHERE catalog_id = $1")
        .bind(catalog_id)
        .execute(&mut *conn)
        .await?;
    for user_id in user_ids {
        sqlx::query(
            "INSERT INTO catalog_owners (catalog_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(catalog_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn user_from_row(row: UserRow) -> User {
    User {
        manager: super::user_ref(row.manager_id, row.manager_name, row.manager_mail),
        id: row.id,
        display_name: row.display_name,
        mail: row.mail,
        user_principal_name: row.user_principal_name,
        job_title: row.job_title,
        is_admin: false,
    }
}
