//! Catalogs, access packages with their resource roles, and assignment policies as the catalog
//! file writes them (policies.rs reads them).

use std::collections::HashMap;

use portal_api::{
    AccessPackage, Approver, CatalogRef, Expiration, QuestionKind, Resource, ResourceKind,
    ResourceRole,
};
use sqlx::AnyConnection;

use super::Db;
use super::policies::PolicyRecord;
use super::sql::{Order, Sql};

/// Where a listing of packages resumes: after this display name and id.
pub type PackageKey = (String, String);

/// A package with its catalog, as `PACKAGE_COLUMNS` reads them.
#[derive(Debug, sqlx::FromRow)]
struct PackageRow {
    id: String,
    display_name: String,
    description: String,
    is_hidden: i64,
    catalog_id: String,
    catalog_name: String,
}

const PACKAGE_COLUMNS: &str = "SELECT p.id, p.display_name, p.description, p.is_hidden, \
    c.id AS catalog_id, c.display_name AS catalog_name \
    FROM access_packages p JOIN catalogs c ON c.id = p.catalog_id";

/// The packages `user_id` may request under at least one policy, hidden ones left out, by
/// display name then id, after `after`, at most `limit`; `search` narrows to packages whose
/// name, description or resource names contain it, ignoring case.
pub async fn requestable_packages(
    db: &Db,
    user_id: &str,
    search: Option<&str>,
    after: Option<&PackageKey>,
    limit: u32,
) -> sqlx::Result<Vec<AccessPackage>> {
    let query = requestable_packages_query(db.backend, user_id, search, after, limit);
    let rows: Vec<PackageRow> = query.fetch_all(&db.pool).await?;
    with_roles(db, rows).await
}

/// The query of [`requestable_packages`]. It walks the packages in name order (an index) and
/// keeps those a policy admits the person to (each looked up by index), so the first page
/// stops after a page; a search first finds its packages in the search index.
pub(crate) fn requestable_packages_query(
    backend: super::Backend,
    user_id: &str,
    search: Option<&str>,
    after: Option<&PackageKey>,
    limit: u32,
) -> Sql {
    let mut query = Sql::new(PACKAGE_COLUMNS);
    query.push(" WHERE p.is_hidden = 0 AND EXISTS (SELECT 1 FROM assignment_policies ap WHERE ap.package_id = p.id AND (ap.allowed_target_scope = 'allUsers' OR (ap.allowed_target_scope = 'specificUsers' AND EXISTS (SELECT 1 FROM policy_targets t WHERE t.policy_id = ap.id AND t.target_id = ");
    query.text(user_id.to_owned());
    query.push(")) OR (ap.allowed_target_scope = 'groupMembers' AND EXISTS (SELECT 1 FROM policy_targets t JOIN group_members m ON m.group_id = t.target_id WHERE t.policy_id = ap.id AND m.user_id = ");
    query.text(user_id.to_owned());
    query.push(")))");
    if backend == super::Backend::Postgres {
        // A fence: PostgreSQL would otherwise turn the EXISTS into a join with every policy
        // the person may use, found by reading all policies, before taking the first page;
        // as a subquery per package it is a look-up in the policies' index by package.
        query.push(" OFFSET 0");
    }
    query.push(")");
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let search = search.to_lowercase();
        // Both indexes are of trigrams: a search of three characters or more is answered
        // from them; a shorter one compares every package's text (there are no trigrams to
        // look up), which is the same answer, found more slowly.
        if backend == super::Backend::Sqlite && search.chars().count() >= 3 {
            // In FTS5's trigram index a quoted phrase matches where it occurs as written,
            // inside words too: what `LIKE '%…%'` finds.
            query.push(
                " AND p.rowid IN (SELECT rowid FROM access_packages_search \
                 WHERE access_packages_search MATCH ",
            );
            query.text(format!("\"{}\"", search.replace('"', "\"\"")));
            query.push(")");
        } else {
            query.push(" AND p.search_text LIKE ");
            query.text(like_pattern(&search));
            query.push(" ESCAPE '\\'");
        }
    }
    query.keyset_page(("p.display_name", "p.id"), Order::Ascending, after, limit);
    query
}

/// One package by id, hidden or not, with its resource roles.
pub async fn package(db: &Db, id: &str) -> sqlx::Result<Option<AccessPackage>> {
    let sql = format!("{PACKAGE_COLUMNS} WHERE p.id = $1");
    let row: Option<PackageRow> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(with_roles(db, row.into_iter().collect()).await?.pop())
}

#[derive(Debug, sqlx::FromRow)]
struct RoleRow {
    package_id: String,
    display_name: String,
    resource_name: String,
    resource_type: String,
}

async fn with_roles(db: &Db, rows: Vec<PackageRow>) -> sqlx::Result<Vec<AccessPackage>> {
    let mut roles: HashMap<String, Vec<ResourceRole>> = HashMap::new();
    if !rows.is_empty() {
        let mut query = Sql::new(
            "SELECT package_id, display_name, resource_name, resource_type FROM resource_roles \
             WHERE package_id IN ",
        );
        query.text_list(rows.iter().map(|row| row.id.clone()));
        query.push(" ORDER BY package_id, position");
        let found: Vec<RoleRow> = query.fetch_all(&db.pool).await?;
        for role in found {
            let resource_type = super::named::<ResourceKind>(&role.resource_type)?;
            roles
                .entry(role.package_id)
                .or_default()
                .push(ResourceRole {
                    display_name: role.display_name,
                    resource: Resource {
                        display_name: role.resource_name,
                        resource_type,
                    },
                });
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| AccessPackage {
            resource_roles: roles.remove(&row.id).unwrap_or_default(),
            id: row.id,
            display_name: row.display_name,
            description: row.description,
            catalog: CatalogRef {
                id: row.catalog_id,
                display_name: row.catalog_name,
            },
            is_hidden: row.is_hidden != 0,
            open_request_id: None,
            assignment_id: None,
            recorded_only: None,
        })
        .collect())
}

/// `%text%` for LIKE, lower-cased like `search_text`, with LIKE's wildcards taken literally.
fn like_pattern(search: &str) -> String {
    let escaped = search
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A catalog as the catalog file describes it.
pub async fn upsert_catalog(
    conn: &mut AnyConnection,
    catalog: &CatalogRef,
    description: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO catalogs (id, display_name, description) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET display_name = $2, description = $3",
    )
    .bind(&catalog.id)
    .bind(&catalog.display_name)
    .bind(description)
    .execute(conn)
    .await?;
    Ok(())
}

/// A package with exactly these resource roles.
pub async fn upsert_package(conn: &mut AnyConnection, package: &AccessPackage) -> sqlx::Result<()> {
    let mut search_text = format!("{} {}", package.display_name, package.description);
    for role in &package.resource_roles {
        search_text.push(' ');
        search_text.push_str(&role.resource.display_name);
    }
    sqlx::query(
        "INSERT INTO access_packages (id, catalog_id, display_name, description, is_hidden, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO UPDATE SET catalog_id = $2, display_name = $3, description = $4, \
             is_hidden = $5, search_text = $6",
    )
    .bind(&package.id)
    .bind(&package.catalog.id)
    .bind(&package.display_name)
    .bind(&package.description)
    .bind(super::flag(package.is_hidden))
    .bind(search_text.to_lowercase())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM resource_roles WHERE package_id = $1")
        .bind(&package.id)
        .execute(&mut *conn)
        .await?;
    for (position, role) in (0_i64..).zip(&package.resource_roles) {
        sqlx::query(
            "INSERT INTO resource_roles (package_id, position, display_name, resource_name, resource_type) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&package.id)
        .bind(position)
        .bind(&role.display_name)
        .bind(&role.resource.display_name)
        .bind(role.resource.resource_type.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A policy with exactly these targets, stages and questions. Requests made under it keep
/// their own copy of approvers and answers, so replacing the parts does not change them.
pub async fn upsert_policy(
    conn: &mut AnyConnection,
    record: &PolicyRecord,
    position: i64,
) -> sqlx::Result<()> {
    let policy = &record.policy;
    let approval = &policy.request_approval_settings;
    let (expiration_type, days, date_time) = match &policy.expiration {
        Expiration::NoExpiration => ("noExpiration", None, None),
        Expiration::AfterDuration { duration_days } => {
            ("afterDuration", Some(i64::from(*duration_days)), None)
        }
        Expiration::AfterDateTime { end_date_time } => {
            ("afterDateTime", None, Some(end_date_time.clone()))
        }
    };
    sqlx::query(
        "INSERT INTO assignment_policies (id, package_id, position, display_name, description, \
             allowed_target_scope, allow_custom_assignment_schedule, allow_extension, \
             is_approval_required, is_requestor_justification_required, expiration_type, \
             expiration_days, expiration_date_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (id) DO UPDATE SET package_id = $2, position = $3, display_name = $4, \
             description = $5, allowed_target_scope = $6, allow_custom_assignment_schedule = $7, \
             allow_extension = $8, is_approval_required = $9, \
             is_requestor_justification_required = $10, expiration_type = $11, \
             expiration_days = $12, expiration_date_time = $13",
    )
    .bind(&policy.id)
    .bind(&policy.access_package_id)
    .bind(position)
    .bind(&policy.display_name)
    .bind(&policy.description)
    .bind(record.scope.kind())
    .bind(super::flag(
        policy.requestor_settings.allow_custom_assignment_schedule,
    ))
    .bind(super::flag(policy.requestor_settings.allow_extension))
    .bind(super::flag(approval.is_approval_required_for_add))
    .bind(super::flag(approval.is_requestor_justification_required))
    .bind(expiration_type)
    .bind(days)
    .bind(date_time)
    .execute(&mut *conn)
    .await?;
    for table in [
        "policy_targets",
        "policy_stage_approvers",
        "policy_stages",
        "question_choices",
        "policy_questions",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE policy_id = $1"))
            .bind(&policy.id)
            .execute(&mut *conn)
            .await?;
    }
    for target in record.scope.targets() {
        sqlx::query("INSERT INTO policy_targets (policy_id, target_id) VALUES ($1, $2)")
            .bind(&policy.id)
            .bind(target)
            .execute(&mut *conn)
            .await?;
    }
    for (stage_number, stage) in (1_i64..).zip(&approval.stages) {
        sqlx::query(
            "INSERT INTO policy_stages (policy_id, stage, duration_before_automatic_denial_days, \
                 is_approver_justification_required) VALUES ($1, $2, $3, $4)",
        )
        .bind(&policy.id)
        .bind(stage_number)
        .bind(i64::from(stage.duration_before_automatic_denial_days))
        .bind(super::flag(stage.is_approver_justification_required))
        .execute(&mut *conn)
        .await?;
        for (position, approver) in (0_i64..).zip(&stage.primary_approvers) {
            let (kind, user_id) = match approver {
                Approver::RequestorManager => ("requestorManager", None),
                Approver::SingleUser { user_id, .. } => ("singleUser", Some(user_id.clone())),
            };
            sqlx::query(
                "INSERT INTO policy_stage_approvers (policy_id, stage, position, approver_type, user_id) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&policy.id)
            .bind(stage_number)
            .bind(position)
            .bind(kind)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    for (position, question) in (0_i64..).zip(&policy.questions) {
        let (kind, single_line, pattern, hint) = match &question.kind {
            QuestionKind::Text {
                is_single_line_question,
                regex_pattern,
                regex_hint,
            } => (
                "text",
                *is_single_line_question,
                regex_pattern.clone(),
                regex_hint.clone(),
            ),
            QuestionKind::MultipleChoice { .. } => ("multipleChoice", true, None, None),
        };
        sqlx::query(
            "INSERT INTO policy_questions (policy_id, id, position, text, is_required, \
                 question_type, is_single_line, regex_pattern, regex_hint) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&policy.id)
        .bind(&question.id)
        .bind(position)
        .bind(&question.text)
        .bind(super::flag(question.is_required))
        .bind(kind)
        .bind(super::flag(single_line))
        .bind(pattern)
        .bind(hint)
        .execute(&mut *conn)
        .await?;
        if let QuestionKind::MultipleChoice { choices } = &question.kind {
            for (position, choice) in (0_i64..).zip(choices) {
                sqlx::query(
                    "INSERT INTO question_choices (policy_id, question_id, position, actual_value, \
                         display_value) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&policy.id)
                .bind(&question.id)
                .bind(position)
                .bind(&choice.actual_value)
                .bind(&choice.display_value)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

/// A policy's expiration from its three columns.
pub(crate) fn expiration_of(
    kind: &str,
    days: Option<i64>,
    date_time: Option<String>,
) -> Expiration {
    match (kind, days, date_time) {
        ("afterDuration", Some(days), _) => Expiration::AfterDuration {
            duration_days: u32::try_from(days).unwrap_or(u32::MAX),
        },
        ("afterDateTime", _, Some(end_date_time)) => Expiration::AfterDateTime { end_date_time },
        _ => Expiration::NoExpiration,
    }
}
