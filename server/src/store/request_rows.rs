//! The rows a request is read from, each column by name, and how they become the wire's
//! `AssignmentRequest`: the request with its package, policy and requestor, then its answers,
//! stages and approvers, fetched for a whole page of requests at once.

use portal_api::{
    AnsweredQuestion, ApprovalStage, AssignmentRequest, PackageRef, PolicyRef, RequestState,
    RequestType, Schedule, StageStatus, UserRef,
};

use super::Db;
use super::sql::Sql;

/// The select list and joins that read a [`RequestRow`] (the request table is `r`).
pub const REQUEST_COLUMNS: &str = "SELECT r.id, r.request_type, r.state, \
    p.id AS package_id, p.display_name AS package_name, \
    ap.id AS policy_id, ap.display_name AS policy_name, \
    u.id AS requestor_id, u.display_name AS requestor_name, u.mail AS requestor_mail, \
    r.justification, r.schedule_start, r.schedule_end, r.created_at, r.completed_at, \
    r.assignment_id \
    FROM assignment_requests r JOIN access_packages p ON p.id = r.package_id \
    JOIN assignment_policies ap ON ap.id = r.policy_id JOIN users u ON u.id = r.requestor_id";

/// One request with the names of what it refers to.
#[derive(Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    request_type: String,
    state: String,
    package_id: String,
    package_name: String,
    policy_id: String,
    policy_name: String,
    requestor_id: String,
    requestor_name: String,
    requestor_mail: String,
    justification: Option<String>,
    schedule_start: Option<String>,
    schedule_end: Option<String>,
    created_at: String,
    completed_at: Option<String>,
    assignment_id: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct AnswerRow {
    request_id: String,
    question_id: String,
    question_text: String,
    value: String,
    display_value: String,
}

#[derive(Debug, sqlx::FromRow)]
struct StageRow {
    request_id: String,
    stage: i64,
    status: String,
    is_approver_justification_required: i64,
    due_at: Option<String>,
    decided_at: Option<String>,
    justification: Option<String>,
    decided_by_id: Option<String>,
    decided_by_name: Option<String>,
    decided_by_mail: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct ApproverRow {
    request_id: String,
    stage: i64,
    id: String,
    display_name: String,
    mail: String,
}

/// Add answers and stages to request rows, with a few queries for all of them at once.
pub async fn hydrate(db: &Db, rows: Vec<RequestRow>) -> sqlx::Result<Vec<AssignmentRequest>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let answers: Vec<AnswerRow> = in_ids(
        "SELECT request_id, question_id, question_text, value, display_value FROM request_answers \
         WHERE request_id IN ",
        &ids,
        " ORDER BY request_id, position",
    )
    .fetch_all(&db.pool)
    .await?;
    let stages: Vec<StageRow> = in_ids(
        "SELECT s.request_id, s.stage, s.status, s.is_approver_justification_required, s.due_at, \
             s.decided_at, s.justification, u.id AS decided_by_id, \
             u.display_name AS decided_by_name, u.mail AS decided_by_mail \
         FROM request_stages s LEFT JOIN users u ON u.id = s.decided_by WHERE s.request_id IN ",
        &ids,
        " ORDER BY s.request_id, s.stage",
    )
    .fetch_all(&db.pool)
    .await?;
    let approvers: Vec<ApproverRow> = in_ids(
        "SELECT a.request_id, a.stage, u.id, u.display_name, u.mail FROM request_stage_approvers a \
         JOIN users u ON u.id = a.user_id WHERE a.request_id IN ",
        &ids,
        " ORDER BY a.request_id, a.stage, u.display_name",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let answers = answers
                .iter()
                .filter(|a| a.request_id == row.id)
                .map(|a| AnsweredQuestion {
                    question_id: a.question_id.clone(),
                    question: a.question_text.clone(),
                    value: a.value.clone(),
                    display_value: a.display_value.clone(),
                })
                .collect();
            let stages = stages
                .iter()
                .filter(|s| s.request_id == row.id)
                .map(|s| stage_of(s, &approvers))
                .collect::<sqlx::Result<Vec<_>>>()?;
            request_of(row, answers, stages)
        })
        .collect()
}

fn stage_of(s: &StageRow, approvers: &[ApproverRow]) -> sqlx::Result<ApprovalStage> {
    Ok(ApprovalStage {
        stage: u8::try_from(s.stage).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        status: super::named::<StageStatus>(&s.status)?,
        approvers: approvers
            .iter()
            .filter(|a| a.request_id == s.request_id && a.stage == s.stage)
            .map(|a| UserRef {
                id: a.id.clone(),
                display_name: a.display_name.clone(),
                mail: a.mail.clone(),
            })
            .collect(),
        decided_by: super::user_ref(
            s.decided_by_id.clone(),
            s.decided_by_name.clone(),
            s.decided_by_mail.clone(),
        ),
        decided_date_time: s.decided_at.clone(),
        justification: s.justification.clone(),
        due_date_time: s.due_at.clone(),
        is_approver_justification_required: s.is_approver_justification_required != 0,
    })
}

fn request_of(
    row: RequestRow,
    answers: Vec<AnsweredQuestion>,
    stages: Vec<ApprovalStage>,
) -> sqlx::Result<AssignmentRequest> {
    Ok(AssignmentRequest {
        request_type: super::named::<RequestType>(&row.request_type)?,
        state: super::named::<RequestState>(&row.state)?,
        access_package: PackageRef {
            id: row.package_id,
            display_name: row.package_name,
        },
        assignment_policy: PolicyRef {
            id: row.policy_id,
            display_name: row.policy_name,
        },
        requestor: UserRef {
            id: row.requestor_id,
            display_name: row.requestor_name,
            mail: row.requestor_mail,
        },
        justification: row.justification,
        answers,
        schedule: row.schedule_start.map(|start_date_time| Schedule {
            start_date_time,
            end_date_time: row.schedule_end,
        }),
        created_date_time: row.created_at,
        completed_date_time: row.completed_at,
        stages,
        history: vec![],
        fulfilment: None,
        recorded_only: None,
        assignment_id: row.assignment_id,
        id: row.id,
    })
}

/// `head`, the ids as an `IN` list, then `tail`.
fn in_ids(head: &str, ids: &[String], tail: &str) -> Sql {
    let mut query = Sql::new(head);
    query.text_list(ids.iter().cloned()).push(tail);
    query
}
