//! SQL for the directory as the identity provider keeps it over SCIM: users and groups, and
//! what a departure or a new manager changes on open requests and held access, written in the
//! same transaction as the change that causes it.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::Db;
use super::audit::{self, Change, EntityType};
use super::outbox;
use super::sql::Sql;
use super::webhooks::AccessChange;
use crate::domain::clock::format;
use crate::domain::directory::{self, ManagerStage, Via, WaitingStage};
use crate::domain::fulfilment::Removal;
use crate::domain::notifications::{self as notify, Links};
use crate::scim::schema::{GroupInput, GroupRecord, UserInput, UserRecord};

/// A user attribute a filter may compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAttr {
    Id,
    UserName,
    ExternalId,
    DisplayName,
}

/// A group attribute a filter may compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupAttr {
    Id,
    ExternalId,
    DisplayName,
}

/// Which slice of a listing: `offset` rows skipped, at most `limit` returned.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: u32,
    pub limit: u32,
}

/// The outcome of a write that names other records.
#[derive(Debug)]
pub enum Written<T> {
    Done(T),
    /// No such resource.
    NotFound,
    /// A referenced user (manager, member) does not exist; the id.
    UnknownUser(String),
}

/// When a change happens and how its emails link into the portal.
#[derive(Debug, Clone, Copy)]
pub struct Moment<'a> {
    pub now: DateTime<Utc>,
    pub links: &'a Links,
}

const USER_SELECT: &str = "SELECT u.id, u.user_principal_name, u.external_id, u.display_name, \
    u.scim_display_name, u.scim_emails, u.given_name, u.family_name, u.mail, u.job_title, \
    u.active, u.manager_id, u.provisioned FROM users u WHERE u.deleted = 0";

/// One user, unless deleted.
pub async fn user(db: &Db, id: &str) -> sqlx::Result<Option<UserRecord>> {
    let mut query = Sql::new(USER_SELECT);
    query.push(" AND u.id = ").text(id);
    Ok(query.fetch_all(&db.pool).await?.pop())
}

/// The users for which every `(attribute, value)` holds, in id order: how many in all, and
/// the window's slice.
pub async fn users(
    db: &Db,
    conditions: &[(UserAttr, String)],
    window: Window,
) -> sqlx::Result<(u64, Vec<UserRecord>)> {
    let condition = |query: &mut Sql| {
        for (attr, value) in conditions {
            match attr {
                UserAttr::Id => query.push(" AND u.id = ").text(value.as_str()),
                UserAttr::ExternalId => query.push(" AND u.external_id = ").text(value.as_str()),
                UserAttr::UserName => query
                    .push(" AND LOWER(u.user_principal_name) = ")
                    .text(value.to_lowercase()),
                UserAttr::DisplayName => query
                    .push(" AND LOWER(u.display_name) = ")
                    .text(value.to_lowercase()),
            };
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM users u WHERE u.deleted = 0");
    condition(&mut count);
    let total: Vec<(i64,)> = count.fetch_all(&db.pool).await?;
    let mut query = Sql::new(USER_SELECT);
    condition(&mut query);
    page(&mut query, "u.id", window);
    let rows = query.fetch_all(&db.pool).await?;
    Ok((total_of(&total), rows))
}

/// A new user with a fresh id.
pub async fn create_user(db: &Db, input: &UserInput) -> sqlx::Result<Written<UserRecord>> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.pool.begin().await?;
    if let Some(manager) = &input.manager_id
        && !user_exists(&mut tx, manager).await?
    {
        return Ok(Written::UnknownUser(manager.clone()));
    }
    sqlx::query(
        "INSERT INTO users (id, display_name, mail, user_principal_name, job_title, manager_id, \
             external_id, active, given_name, family_name, scim_display_name, scim_emails, \
             provisioned) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1)",
    )
    .bind(&id)
    .bind(&input.display_name)
    .bind(&input.mail)
    .bind(&input.user_name)
    .bind(&input.title)
    .bind(&input.manager_id)
    .bind(&input.external_id)
    .bind(super::flag(input.active))
    .bind(&input.given_name)
    .bind(&input.family_name)
    .bind(&input.given_display_name)
    .bind(&input.emails)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(match user(db, &id).await? {
        Some(user) => Written::Done(user),
        None => Written::NotFound,
    })
}

/// Set every attribute of user `id` to `input`, with what a deactivation or a new manager
/// means for requests and access, all in one transaction.
pub async fn replace_user(
    db: &Db,
    id: &str,
    input: &UserInput,
    at: Moment<'_>,
) -> sqlx::Result<Written<UserRecord>> {
    let mut tx = db.pool.begin().await?;
    let before: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT active, manager_id FROM users WHERE id = $1 AND deleted = 0")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((was_active, old_manager)) = before else {
        return Ok(Written::NotFound);
    };
    if let Some(manager) = &input.manager_id
        && (manager == id || !user_exists(&mut tx, manager).await?)
    {
        return Ok(Written::UnknownUser(manager.clone()));
    }
    let changed = sqlx::query(
        "UPDATE users SET display_name = $2, mail = $3, user_principal_name = $4, \
             job_title = $5, manager_id = $6, external_id = $7, active = $8, given_name = $9, \
             family_name = $10, scim_display_name = $11, scim_emails = $12, provisioned = 1 \
         WHERE id = $1 AND deleted = 0",
    )
    .bind(id)
    .bind(&input.display_name)
    .bind(&input.mail)
    .bind(&input.user_name)
    .bind(&input.title)
    .bind(&input.manager_id)
    .bind(&input.external_id)
    .bind(super::flag(input.active))
    .bind(&input.given_name)
    .bind(&input.family_name)
    .bind(&input.given_display_name)
    .bind(&input.emails)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Written::NotFound);
    }
    if was_active != 0 && !input.active {
        leave(&mut tx, id, at).await?;
    }
    if old_manager != input.manager_id && input.active {
        follow_manager(&mut tx, id, input.manager_id.as_deref(), at).await?;
    }
    tx.commit().await?;
    Ok(match user(db, id).await? {
        Some(user) => Written::Done(user),
        None => Written::NotFound,
    })
}

/// Delete user `id`: they leave as on deactivation, drop out of their groups, and their
/// record stays (requests and the audit log name them) but is hidden; their user name and
/// external id are freed for someone new.
pub async fn delete_user(db: &Db, id: &str, at: Moment<'_>) -> sqlx::Result<bool> {
    let mut tx = db.pool.begin().await?;
    let before: Option<(i64,)> =
        sqlx::query_as("SELECT active FROM users WHERE id = $1 AND deleted = 0")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((was_active,)) = before else {
        return Ok(false);
    };
    sqlx::query(
        "UPDATE users SET active = 0, deleted = 1, external_id = NULL, \
             user_principal_name = user_principal_name || ' (deleted ' || id || ')' \
         WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM group_members WHERE user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if was_active != 0 {
        leave(&mut tx, id, at).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// One group.
pub async fn group(db: &Db, id: &str) -> sqlx::Result<Option<GroupRecord>> {
    let mut query = Sql::new("SELECT g.id, g.external_id, g.display_name FROM groups g WHERE ");
    query.push("g.id = ").text(id);
    let rows: Vec<GroupRow> = query.fetch_all(&db.pool).await?;
    Ok(with_members(db, rows).await?.pop())
}

/// The groups for which every `(attribute, value)` holds, in id order.
pub async fn groups(
    db: &Db,
    conditions: &[(GroupAttr, String)],
    window: Window,
) -> sqlx::Result<(u64, Vec<GroupRecord>)> {
    let condition = |query: &mut Sql| {
        for (attr, value) in conditions {
            match attr {
                GroupAttr::Id => query.push(" AND g.id = ").text(value.as_str()),
                GroupAttr::ExternalId => query.push(" AND g.external_id = ").text(value.as_str()),
                GroupAttr::DisplayName => query
                    .push(" AND LOWER(g.display_name) = ")
                    .text(value.to_lowercase()),
            };
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM groups g WHERE 1 = 1");
    condition(&mut count);
    let total: Vec<(i64,)> = count.fetch_all(&db.pool).await?;
    let mut query =
        Sql::new("SELECT g.id, g.external_id, g.display_name FROM groups g WHERE 1 = 1");
    condition(&mut query);
    page(&mut query, "g.id", window);
    let rows: Vec<GroupRow> = query.fetch_all(&db.pool).await?;
    Ok((total_of(&total), with_members(db, rows).await?))
}

/// A new group with a fresh id.
pub async fn create_group(db: &Db, input: &GroupInput) -> sqlx::Result<Written<GroupRecord>> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO groups (id, display_name, description, external_id) VALUES ($1, $2, '', $3)",
    )
    .bind(&id)
    .bind(&input.display_name)
    .bind(&input.external_id)
    .execute(&mut *tx)
    .await?;
    if let Some(unknown) = set_members(&mut tx, &id, &input.members).await? {
        return Ok(Written::UnknownUser(unknown));
    }
    tx.commit().await?;
    Ok(match group(db, &id).await? {
        Some(group) => Written::Done(group),
        None => Written::NotFound,
    })
}

/// Set group `id` to `input`. A member who leaves loses the right to request under policies
/// scoped to the group (the rules read membership at request time); what they hold stays
/// until it ends.
pub async fn replace_group(
    db: &Db,
    id: &str,
    input: &GroupInput,
) -> sqlx::Result<Written<GroupRecord>> {
    let mut tx = db.pool.begin().await?;
    let changed =
        sqlx::query("UPDATE groups SET display_name = $2, external_id = $3 WHERE id = $1")
            .bind(id)
            .bind(&input.display_name)
            .bind(&input.external_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(Written::NotFound);
    }
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some(unknown) = set_members(&mut tx, id, &input.members).await? {
        return Ok(Written::UnknownUser(unknown));
    }
    tx.commit().await?;
    Ok(match group(db, id).await? {
        Some(group) => Written::Done(group),
        None => Written::NotFound,
    })
}

/// Delete group `id` and its memberships.
pub async fn delete_group(db: &Db, id: &str) -> sqlx::Result<bool> {
    let mut tx = db.pool.begin().await?;
    sqlx::query("DELETE FROM group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let gone = sqlx::query("DELETE FROM groups WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(gone > 0)
}

/// At submission: mark the approvers that are there as the requestor's manager, so that
/// they follow the manager while the stage is open.
pub async fn mark_manager_approvers(
    conn: &mut AnyConnection,
    request_id: &str,
    requestor_id: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE request_stage_approvers SET via = 'requestorManager' \
         WHERE request_id = $1 \
         AND user_id = (SELECT manager_id FROM users WHERE id = $2) \
         AND EXISTS (SELECT 1 FROM policy_stage_approvers p \
             JOIN assignment_requests r ON r.policy_id = p.policy_id \
             WHERE r.id = $1 AND p.stage = request_stage_approvers.stage \
             AND p.approver_type = 'requestorManager') \
         AND NOT EXISTS (SELECT 1 FROM policy_stage_approvers p \
             JOIN assignment_requests r ON r.policy_id = p.policy_id \
             WHERE r.id = $1 AND p.stage = request_stage_approvers.stage \
             AND p.approver_type = 'singleUser' AND p.user_id = request_stage_approvers.user_id)",
    )
    .bind(request_id)
    .bind(requestor_id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct GroupRow {
    id: String,
    external_id: Option<String>,
    display_name: String,
}

#[derive(Debug, sqlx::FromRow)]
struct MemberRow {
    group_id: String,
    user_id: String,
}

#[derive(Debug, sqlx::FromRow)]
struct OpenRequestRow {
    id: String,
    state: String,
}

#[derive(Debug, sqlx::FromRow)]
struct WaitingRow {
    request_id: String,
    stage: i64,
    status: String,
    policy_id: String,
    catalog_id: String,
}

#[derive(Debug, sqlx::FromRow)]
struct OpenStageRow {
    request_id: String,
    stage: i64,
    status: String,
    policy_id: String,
}

#[derive(Debug, sqlx::FromRow)]
struct StageApproverRow {
    user_id: String,
    via: String,
}

async fn with_members(db: &Db, rows: Vec<GroupRow>) -> sqlx::Result<Vec<GroupRecord>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let mut query =
        Sql::new("SELECT gm.group_id, gm.user_id FROM group_members gm WHERE gm.group_id IN ");
    query.text_list(rows.iter().map(|r| r.id.clone()));
    query.push(" ORDER BY gm.user_id");
    let members: Vec<MemberRow> = query.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|row| GroupRecord {
            members: members
                .iter()
                .filter(|m| m.group_id == row.id)
                .map(|m| m.user_id.clone())
                .collect(),
            id: row.id,
            external_id: row.external_id,
            display_name: row.display_name,
        })
        .collect())
}

/// Add `members` to group `id`; the first id that names no user, if any (then the caller
/// rolls back).
async fn set_members(
    conn: &mut AnyConnection,
    id: &str,
    members: &[String],
) -> sqlx::Result<Option<String>> {
    for member in members {
        if !user_exists(conn, member).await? {
            return Ok(Some(member.clone()));
        }
        sqlx::query("INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    Ok(None)
}

async fn user_exists(conn: &mut AnyConnection, id: &str) -> sqlx::Result<bool> {
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE id = $1 AND deleted = 0")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

fn page(query: &mut Sql, order: &str, window: Window) {
    query.push(&format!(" ORDER BY {order} LIMIT "));
    query.int(i64::from(window.limit));
    query.push(" OFFSET ");
    query.int(i64::from(window.offset));
}

fn total_of(rows: &[(i64,)]) -> u64 {
    rows.first()
        .map_or(0, |(n,)| u64::try_from(*n).unwrap_or_default())
}

/// User `user_id` has left: their open requests are canceled, their access ends, and the
/// stages waiting for them go to someone who can decide.
async fn leave(conn: &mut AnyConnection, user_id: &str, at: Moment<'_>) -> sqlx::Result<()> {
    let now = format(at.now);
    let open: Vec<OpenRequestRow> = sqlx::query_as(
        "SELECT id, state FROM assignment_requests WHERE requestor_id = $1 \
         AND state IN ('submitted', 'pendingApproval', 'scheduled') ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for request in open {
        let canceled = sqlx::query(
            "UPDATE assignment_requests SET state = 'canceled', completed_at = $3, \
                 version = version + 1 WHERE id = $1 AND state = $2",
        )
        .bind(&request.id)
        .bind(&request.state)
        .bind(&now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if canceled == 0 {
            continue;
        }
        sqlx::query(
            "UPDATE request_stages SET status = 'skipped' \
             WHERE request_id = $1 AND status IN ('pending', 'notStarted')",
        )
        .bind(&request.id)
        .execute(&mut *conn)
        .await?;
        crate::store::requests::refresh_waiting(conn, &request.id).await?;
        let change = Change {
            entity_type: EntityType::AssignmentRequest,
            entity_id: &request.id,
            actor_id: None,
            action: "Request canceled: the requestor left the directory",
            from_state: Some(&request.state),
            to_state: "canceled",
            detail: None,
            at: &now,
        };
        audit::record(conn, change).await?;
    }
    let held: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM assignments WHERE user_id = $1 AND state = 'delivered' ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for (assignment_id,) in held {
        let ended = sqlx::query(
            "UPDATE assignments SET state = 'revoked', end_at = $2 \
             WHERE id = $1 AND state = 'delivered'",
        )
        .bind(&assignment_id)
        .bind(&now)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if ended == 0 {
            continue;
        }
        let change = Change {
            entity_type: EntityType::Assignment,
            entity_id: &assignment_id,
            actor_id: None,
            action: "Assignment removed: the user left the directory",
            from_state: Some("delivered"),
            to_state: "revoked",
            detail: None,
            at: &now,
        };
        audit::record(conn, change).await?;
        let removed = AccessChange::removed(&assignment_id, Removal::Deactivated, &now);
        crate::store::webhooks::enqueue(conn, removed).await?;
    }
    hand_over_waiting_stages(conn, user_id, at).await
}

async fn hand_over_waiting_stages(
    conn: &mut AnyConnection,
    user_id: &str,
    at: Moment<'_>,
) -> sqlx::Result<()> {
    let waiting: Vec<WaitingRow> = sqlx::query_as(
        "SELECT s.request_id, s.stage, s.status, r.policy_id, p.catalog_id \
         FROM request_stage_approvers a \
         JOIN request_stages s ON s.request_id = a.request_id AND s.stage = a.stage \
         JOIN assignment_requests r ON r.id = a.request_id \
         JOIN access_packages p ON p.id = r.package_id \
         WHERE a.user_id = $1 AND s.status IN ('pending', 'notStarted') \
         AND r.state IN ('submitted', 'pendingApproval') ORDER BY s.request_id, s.stage",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in waiting {
        let others_active = ids(
            conn,
            "SELECT a.user_id FROM request_stage_approvers a JOIN users u ON u.id = a.user_id \
             WHERE a.request_id = $1 AND a.stage = $2 AND u.active = 1",
            &row.request_id,
            row.stage,
        )
        .await?;
        let fallback_active = ids(
            conn,
            "SELECT f.user_id FROM policy_stage_fallback_approvers f \
             JOIN users u ON u.id = f.user_id \
             WHERE f.policy_id = $1 AND f.stage = $2 AND u.active = 1",
            &row.policy_id,
            row.stage,
        )
        .await?;
        let owners: Vec<(String,)> = sqlx::query_as(
            "SELECT o.user_id FROM catalog_owners o JOIN users u ON u.id = o.user_id \
             WHERE o.catalog_id = $1 AND u.active = 1 ORDER BY o.user_id",
        )
        .bind(&row.catalog_id)
        .fetch_all(&mut *conn)
        .await?;
        let stage = WaitingStage {
            request_id: row.request_id.clone(),
            stage: row.stage,
            others_active,
            fallback_active,
            owners_active: owners.into_iter().map(|o| o.0).collect(),
        };
        let Some(handover) = directory::handover(&stage, user_id) else {
            continue;
        };
        let pending = row.status == "pending";
        add_approvers(
            conn,
            (&handover.request_id, handover.stage),
            &handover.to,
            handover.via,
            pending.then_some(at),
        )
        .await?;
    }
    Ok(())
}

/// The requestor `user_id` has a new manager: open stages that resolve the manager follow.
async fn follow_manager(
    conn: &mut AnyConnection,
    user_id: &str,
    new_manager: Option<&str>,
    at: Moment<'_>,
) -> sqlx::Result<()> {
    let stages: Vec<OpenStageRow> = sqlx::query_as(
        "SELECT s.request_id, s.stage, s.status, r.policy_id FROM request_stages s \
         JOIN assignment_requests r ON r.id = s.request_id \
         WHERE r.requestor_id = $1 AND r.state IN ('submitted', 'pendingApproval') \
         AND s.status IN ('pending', 'notStarted') ORDER BY s.request_id, s.stage",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in stages {
        let resolves: Option<(i64,)> = sqlx::query_as(
            "SELECT stage FROM policy_stage_approvers WHERE policy_id = $1 AND stage = $2 \
             AND approver_type = 'requestorManager'",
        )
        .bind(&row.policy_id)
        .bind(row.stage)
        .fetch_optional(&mut *conn)
        .await?;
        let approvers: Vec<StageApproverRow> = sqlx::query_as(
            "SELECT user_id, via FROM request_stage_approvers WHERE request_id = $1 AND stage = $2",
        )
        .bind(&row.request_id)
        .bind(row.stage)
        .fetch_all(&mut *conn)
        .await?;
        let (via_manager, others): (Vec<_>, Vec<_>) = approvers
            .into_iter()
            .partition(|a| a.via == Via::RequestorManager.as_str());
        let stage = ManagerStage {
            request_id: row.request_id.clone(),
            stage: row.stage,
            resolves_manager: resolves.is_some(),
            via_manager: via_manager.into_iter().map(|a| a.user_id).collect(),
            others: others.into_iter().map(|a| a.user_id).collect(),
        };
        let Some(change) = directory::reresolve(&stage, new_manager) else {
            continue;
        };
        for gone in &change.remove {
            sqlx::query(
                "DELETE FROM request_stage_approvers WHERE request_id = $1 AND stage = $2 \
                 AND user_id = $3",
            )
            .bind(&row.request_id)
            .bind(row.stage)
            .bind(gone)
            .execute(&mut *conn)
            .await?;
        }
        crate::store::requests::refresh_waiting(conn, &row.request_id).await?;
        if let Some(new) = change.add {
            let pending = row.status == "pending";
            add_approvers(
                conn,
                (&row.request_id, row.stage),
                &[new],
                Via::RequestorManager,
                pending.then_some(at),
            )
            .await?;
        }
    }
    Ok(())
}

/// Put `people` on a stage; when `ask` is given (the stage is pending), email them that a
/// decision waits for them.
async fn add_approvers(
    conn: &mut AnyConnection,
    (request_id, stage): (&str, i64),
    people: &[String],
    via: Via,
    ask: Option<Moment<'_>>,
) -> sqlx::Result<()> {
    for person in people {
        sqlx::query(
            "INSERT INTO request_stage_approvers (request_id, stage, user_id, via) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(request_id)
        .bind(stage)
        .bind(person)
        .bind(via.as_str())
        .execute(&mut *conn)
        .await?;
    }
    crate::store::requests::refresh_waiting(conn, request_id).await?;
    let Some(at) = ask else {
        return Ok(());
    };
    let number = u8::try_from(stage).unwrap_or(u8::MAX);
    let facts = outbox::request_facts(conn, request_id).await?;
    let (approvers, due, stages) = outbox::stage_approvers(conn, request_id, number).await?;
    let mails: Vec<notify::Mail> = approvers
        .iter()
        .filter(|a| people.contains(&a.id))
        .map(|a| notify::decision_needed(at.links, &facts, a, (number, stages), due))
        .collect();
    outbox::enqueue(conn, &mails, &format(at.now)).await?;
    Ok(())
}

async fn ids(
    conn: &mut AnyConnection,
    sql: &str,
    key: &str,
    stage: i64,
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .bind(key)
        .bind(stage)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
