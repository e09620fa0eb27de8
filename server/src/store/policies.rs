//! Reading assignment policies with everything the request pane and the rules need: who may
//! request under each (targets), its approval stages with their approvers, and its questions
//! with their choices. One policy or all of a package's are read with the same six queries,
//! one per table, whatever their number.

use std::collections::HashMap;

use portal_api::{
    ApprovalStageSettings, Approver, AssignmentPolicy, Choice, Question, QuestionKind,
    RequestApprovalSettings, RequestorSettings,
};

use super::Db;
use super::catalog::expiration_of;
use super::sql::Sql;
use crate::domain::Scope;

/// A policy together with who may request under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    pub policy: AssignmentPolicy,
    pub scope: Scope,
}

/// One policy by id; `None` when there is none.
pub async fn policy(db: &Db, id: &str) -> sqlx::Result<Option<PolicyRecord>> {
    Ok(read(db, Which::Policy(id)).await?.pop())
}

/// Every policy of a package, in the order the catalog file lists them.
pub async fn of_package(db: &Db, package_id: &str) -> sqlx::Result<Vec<PolicyRecord>> {
    read(db, Which::Package(package_id)).await
}

/// Which policies a read is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which<'a> {
    Policy(&'a str),
    Package(&'a str),
}

/// The query of the policies' own rows: by id, or by the package's index in catalog order.
pub(crate) fn policies_query(which: Which) -> Sql {
    let mut query = Sql::new(
        "SELECT id, package_id, display_name, description, allowed_target_scope, \
             allow_custom_assignment_schedule, allow_extension, is_approval_required, \
             is_requestor_justification_required, expiration_type, expiration_days, \
             expiration_date_time \
         FROM assignment_policies WHERE ",
    );
    match which {
        Which::Policy(id) => query.push("id = ").text(id),
        Which::Package(package_id) => query
            .push("package_id = ")
            .text(package_id)
            .push(" ORDER BY position, id"),
    };
    query
}

/// The query of one of a policy's parts: `head`, then the condition that `column` names one
/// of the policies read, then `tail`. A package's policies are found by the package's index.
pub(crate) fn parts_query(head: &str, column: &str, which: Which, tail: &str) -> Sql {
    let mut query = Sql::new(head);
    query.push(" WHERE ").push(column);
    match which {
        Which::Policy(id) => query.push(" = ").text(id),
        Which::Package(package_id) => query
            .push(" IN (SELECT id FROM assignment_policies WHERE package_id = ")
            .text(package_id)
            .push(")"),
    };
    query.push(" ").push(tail);
    query
}

#[derive(Debug, sqlx::FromRow)]
struct PolicyRow {
    id: String,
    package_id: String,
    display_name: String,
    description: String,
    allowed_target_scope: String,
    allow_custom_assignment_schedule: i64,
    allow_extension: i64,
    is_approval_required: i64,
    is_requestor_justification_required: i64,
    expiration_type: String,
    expiration_days: Option<i64>,
    expiration_date_time: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct StageRow {
    policy_id: String,
    stage: i64,
    duration_before_automatic_denial_days: i64,
    is_approver_justification_required: i64,
}

/// An approver of a policy's stage: the requestor's manager, or a user (`user_id`, `name`).
#[derive(Debug, sqlx::FromRow)]
struct StageApproverRow {
    policy_id: String,
    stage: i64,
    approver_type: String,
    #[sqlx(rename = "id")]
    user_id: Option<String>,
    #[sqlx(rename = "display_name")]
    name: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct QuestionRow {
    policy_id: String,
    id: String,
    text: String,
    is_required: i64,
    question_type: String,
    is_single_line: i64,
    regex_pattern: Option<String>,
    regex_hint: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct ChoiceRow {
    policy_id: String,
    question_id: String,
    actual_value: String,
    display_value: String,
}

/// The queries of [`read`] after the policies' own rows, in the order it runs them: targets,
/// stages, stage approvers, questions, choices.
pub(crate) fn parts_queries(which: Which) -> [Sql; 5] {
    [
        parts_query(
            "SELECT policy_id, target_id FROM policy_targets",
            "policy_id",
            which,
            "ORDER BY policy_id, target_id",
        ),
        parts_query(
            "SELECT policy_id, stage, duration_before_automatic_denial_days, \
                 is_approver_justification_required FROM policy_stages",
            "policy_id",
            which,
            "ORDER BY policy_id, stage",
        ),
        parts_query(
            "SELECT a.policy_id, a.stage, a.approver_type, u.id, u.display_name \
             FROM policy_stage_approvers a LEFT JOIN users u ON u.id = a.user_id",
            "a.policy_id",
            which,
            "ORDER BY a.policy_id, a.stage, a.position",
        ),
        parts_query(
            "SELECT policy_id, id, text, is_required, question_type, is_single_line, \
                 regex_pattern, regex_hint FROM policy_questions",
            "policy_id",
            which,
            "ORDER BY policy_id, position",
        ),
        parts_query(
            "SELECT policy_id, question_id, actual_value, display_value FROM question_choices",
            "policy_id",
            which,
            "ORDER BY policy_id, question_id, position",
        ),
    ]
}

async fn read(db: &Db, which: Which<'_>) -> sqlx::Result<Vec<PolicyRecord>> {
    let rows: Vec<PolicyRow> = policies_query(which).fetch_all(&db.pool).await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let [targets, stages, approvers, questions, choices] = parts_queries(which);
    let mut targets = by_policy(
        targets.fetch_all::<(String, String), _>(&db.pool).await?,
        |(policy_id, _)| policy_id,
    );
    let mut stages = by_policy(stages.fetch_all(&db.pool).await?, |s: &StageRow| {
        &s.policy_id
    });
    let approvers: Vec<StageApproverRow> = approvers.fetch_all(&db.pool).await?;
    let mut questions = by_policy(questions.fetch_all(&db.pool).await?, |q: &QuestionRow| {
        &q.policy_id
    });
    let choices: Vec<ChoiceRow> = choices.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let targets = targets.remove(&id).unwrap_or_default();
            let scope = Scope::from_parts(
                &row.allowed_target_scope,
                targets.into_iter().map(|(_, target)| target).collect(),
            )
            .unwrap_or(Scope::SpecificUsers(vec![]));
            let stages = stages
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|stage| stage_of(stage, &approvers))
                .collect();
            let questions = questions
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .map(|question| question_of(question, &choices))
                .collect();
            let policy = AssignmentPolicy {
                access_package_id: row.package_id,
                display_name: row.display_name,
                description: row.description,
                requestor_settings: RequestorSettings {
                    allow_custom_assignment_schedule: row.allow_custom_assignment_schedule != 0,
                    allow_extension: row.allow_extension != 0,
                },
                request_approval_settings: RequestApprovalSettings {
                    is_approval_required_for_add: row.is_approval_required != 0,
                    is_requestor_justification_required: row.is_requestor_justification_required
                        != 0,
                    stages,
                },
                expiration: expiration_of(
                    &row.expiration_type,
                    row.expiration_days,
                    row.expiration_date_time,
                ),
                questions,
                id,
            };
            PolicyRecord { policy, scope }
        })
        .collect())
}

/// `rows` grouped by the policy each names, keeping their order.
fn by_policy<T>(rows: Vec<T>, policy_id: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        grouped
            .entry(policy_id(&row).clone())
            .or_default()
            .push(row);
    }
    grouped
}

fn stage_of(row: StageRow, approvers: &[StageApproverRow]) -> ApprovalStageSettings {
    ApprovalStageSettings {
        duration_before_automatic_denial_days: u32::try_from(
            row.duration_before_automatic_denial_days,
        )
        .unwrap_or_default(),
        is_approver_justification_required: row.is_approver_justification_required != 0,
        primary_approvers: approvers
            .iter()
            .filter(|a| a.policy_id == row.policy_id && a.stage == row.stage)
            .filter_map(|a| match (a.approver_type.as_str(), &a.user_id, &a.name) {
                ("requestorManager", _, _) => Some(Approver::RequestorManager),
                (_, Some(user_id), Some(display_name)) => Some(Approver::SingleUser {
                    user_id: user_id.clone(),
                    display_name: display_name.clone(),
                }),
                _ => None,
            })
            .collect(),
    }
}

fn question_of(row: QuestionRow, choices: &[ChoiceRow]) -> Question {
    let kind = if row.question_type == "multipleChoice" {
        QuestionKind::MultipleChoice {
            choices: choices
                .iter()
                .filter(|c| c.policy_id == row.policy_id && c.question_id == row.id)
                .map(|c| Choice {
                    actual_value: c.actual_value.clone(),
                    display_value: c.display_value.clone(),
                })
                .collect(),
        }
    } else {
        QuestionKind::Text {
            is_single_line_question: row.is_single_line != 0,
            regex_pattern: row.regex_pattern,
            regex_hint: row.regex_hint,
        }
    };
    Question {
        id: row.id,
        text: row.text,
        is_required: row.is_required != 0,
        kind,
    }
}
