//! The people who sign in with the identity provider, matched to the directory by their
//! `externalId` — and added to it, just in time, on a first sign-in before any directory sync.
//! A person provisioned later by SCIM with the same `externalId` is the same record.

use super::Db;
use crate::oidc::Identity;

/// Who a signed-in person is in the directory.
#[derive(Debug, PartialEq)]
pub enum Match {
    /// The user id.
    User(String),
    /// Someone else already has the person's sign-in name: an administrator must sort it out.
    NameTaken(String),
}

/// The user `person` is, added to the directory when they are not in it yet. Safe when two
/// first requests of the same person arrive at once: one insert wins, both read it back.
pub async fn user_for(db: &Db, person: &Identity) -> sqlx::Result<Match> {
    if let Some(id) = by_external_id(db, &person.key).await? {
        return Ok(Match::User(id));
    }
    if person.key_is_a_name
        && link_by_name(db, &person.key).await?
        && let Some(id) = by_external_id(db, &person.key).await?
    {
        return Ok(Match::User(id));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let added = sqlx::query(
        "INSERT INTO users (id, display_name, mail, user_principal_name, external_id) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(&person.display_name)
    .bind(&person.mail)
    .bind(&person.principal_name)
    .bind(&person.key)
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1;
    if added {
        tracing::info!(user = %id, principal_name = %person.principal_name, "added a person at their first sign-in");
        join_groups(db, &id, &person.groups).await?;
    }
    Ok(match by_external_id(db, &person.key).await? {
        Some(id) => Match::User(id),
        None => Match::NameTaken(person.principal_name.clone()),
    })
}

async fn by_external_id(db: &Db, key: &str) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM users WHERE external_id = $1")
        .bind(key)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Give the one directory record whose sign-in name or mail is `name`, and which has no
/// `externalId` yet (imported from the catalog file), that `externalId`.
async fn link_by_name(db: &Db, name: &str) -> sqlx::Result<bool> {
    let candidates: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM users WHERE external_id IS NULL \
         AND (LOWER(user_principal_name) = $1 OR LOWER(mail) = $1)",
    )
    .bind(name.to_lowercase())
    .fetch_all(&db.pool)
    .await?;
    let [(id,)] = candidates.as_slice() else {
        return Ok(false);
    };
    let linked =
        sqlx::query("UPDATE users SET external_id = $1 WHERE id = $2 AND external_id IS NULL")
            .bind(name)
            .bind(id)
            .execute(&db.pool)
            .await?;
    Ok(linked.rows_affected() == 1)
}

/// Put a new user in the groups their token lists that the directory knows (by id or
/// external id); groups it does not know are left out.
async fn join_groups(db: &Db, user_id: &str, groups: &[String]) -> sqlx::Result<()> {
    for group in groups {
        sqlx::query(
            "INSERT INTO group_members (group_id, user_id) \
             SELECT id, $1 FROM groups WHERE id = $2 OR external_id = $2 \
             ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(group)
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}
