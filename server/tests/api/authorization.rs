//! The authorization matrix: every endpoint of `/api/v1`, called by each of five callers
//! (anonymous, the requestor, another user, the approver of the request, an approver of
//! something else), answers the status that caller is entitled to, and no body names another
//! person's request, justification or answers where the caller may not see them. Another
//! person's request is a 404, never a 403: its existence is not the caller's business.
//!
//! A new endpoint is one row of `ROWS`.

use portal_api::{Answer, AssignmentRequest, NewAssignmentRequest};
use serde_json::json;

use crate::helpers::{Reply, Session, TestApp, new_request, spawn_app};

/// Who calls, in the order of each row's expected statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    /// Adele, who asked for travel expenses.
    Requestor,
    /// Diego, who has nothing to do with Adele's request.
    AnotherUser,
    /// Megan, Adele's manager, who decides her request.
    ApproverOfThis,
    /// Patti, who decides Joni's request but not Adele's.
    ApproverOfSomethingElse,
}

use Caller::*;

const CALLERS: [Caller; 5] = [
    Anonymous,
    Requestor,
    AnotherUser,
    ApproverOfThis,
    ApproverOfSomethingElse,
];

/// One endpoint: how to call it in a world, the status each caller gets (in `CALLERS` order),
/// and who may read Adele's request in the answer.
struct Row {
    method: &'static str,
    path: fn(&World) -> String,
    body: fn(&World) -> Option<serde_json::Value>,
    statuses: [u16; 5],
    may_see_the_request: &'static [Caller],
}

/// Adele's justification and answer: words that only she and her approver may read.
const JUSTIFICATION: &str = "Visiting the Lisbon customer in March";
const COST_CENTER: &str = "CC-4711";

const ROWS: &[Row] = &[
    Row {
        method: "GET",
        path: |_| "/auth/demo/users".to_owned(),
        body: no_body,
        statuses: [200, 200, 200, 200, 200],
        may_see_the_request: &[],
    },
    Row {
        method: "POST",
        path: |_| "/auth/demo".to_owned(),
        body: |_| Some(json!({ "userPrincipalName": "adele@contoso.com" })),
        statuses: [200, 200, 200, 200, 200],
        may_see_the_request: &[],
    },
    Row {
        method: "GET",
        path: |_| "/me".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[],
    },
    Row {
        method: "GET",
        path: |_| "/accessPackages?limit=100".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "GET",
        path: |_| "/accessPackages/travel-expenses".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "GET",
        path: |_| "/accessPackages/travel-expenses/applicablePolicies".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[],
    },
    Row {
        method: "GET",
        path: |_| "/accessPackages/travel-expenses/decisionTime".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[],
    },
    Row {
        method: "POST",
        path: |_| "/assignmentRequests".to_owned(),
        body: |_| {
            let wiki = new_request("company-wiki", "company-wiki-everyone");
            Some(serde_json::to_value(wiki).expect("json"))
        },
        statuses: [401, 201, 201, 201, 201],
        may_see_the_request: &[],
    },
    Row {
        method: "GET",
        path: |_| "/assignmentRequests".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "GET",
        path: |w| format!("/assignmentRequests/{}", w.request_id),
        body: no_body,
        statuses: [401, 200, 404, 200, 404],
        may_see_the_request: &[Requestor, ApproverOfThis],
    },
    Row {
        method: "POST",
        path: |w| format!("/assignmentRequests/{}/cancel", w.request_id),
        body: no_body,
        statuses: [401, 200, 404, 404, 404],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "GET",
        path: |_| "/assignments".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "POST",
        path: |w| format!("/assignments/{}/extend", w.assignment_id),
        body: |_| Some(json!({ "justification": "Still needed" })),
        // Adele's own assignment is too young to extend: a 409 that says from when.
        statuses: [401, 409, 404, 404, 404],
        may_see_the_request: &[Requestor],
    },
    Row {
        method: "GET",
        path: |_| "/approvals".to_owned(),
        body: no_body,
        statuses: [401, 200, 200, 200, 200],
        may_see_the_request: &[ApproverOfThis],
    },
    Row {
        method: "POST",
        path: |w| format!("/approvals/{}/decision", w.request_id),
        body: |_| Some(json!({ "decision": "approve", "justification": "Fine by me" })),
        // Adele may know her own request exists, so she is told why she cannot decide it.
        statuses: [401, 403, 404, 200, 404],
        may_see_the_request: &[Requestor, ApproverOfThis],
    },
    // Only the configured administrators (none of these five) see fulfilment webhooks.
    Row {
        method: "GET",
        path: |_| "/webhookDeliveries".to_owned(),
        body: no_body,
        statuses: [401, 403, 403, 403, 403],
        may_see_the_request: &[],
    },
    Row {
        method: "POST",
        path: |_| "/webhookDeliveries/msg_unknown/retry".to_owned(),
        body: no_body,
        statuses: [401, 403, 403, 403, 403],
        may_see_the_request: &[],
    },
];

/// Every endpoint the OpenAPI document describes has a row, so a new endpoint cannot skip
/// the matrix.
#[tokio::test]
async fn the_matrix_has_a_row_for_every_endpoint_of_the_openapi_document() {
    let app = spawn_app().await;
    let document: serde_json::Value = app.raw("GET", "/api/openapi.json", None, None).await.json();
    let world = World::arrange(&app).await;

    let mut missing = Vec::new();
    for (path, operations) in document["paths"].as_object().expect("paths") {
        for method in operations.as_object().expect("operations").keys() {
            let covered = ROWS.iter().any(|row| {
                row.method.eq_ignore_ascii_case(method)
                    && template_matches(path, (row.path)(&world).split('?').next().unwrap_or(""))
            });
            if !covered {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }

    assert!(missing.is_empty(), "endpoints with no row: {missing:?}");
}

#[tokio::test]
async fn every_endpoint_answers_each_caller_as_entitled_and_leaks_no_one_elses_request() {
    let mut wrong = Vec::new();
    for row in ROWS {
        // A world per row: a write in one row (a cancel, a decision) cannot change another's.
        let app = spawn_app().await;
        let world = World::arrange(&app).await;
        let path = (row.path)(&world);
        for (caller, expected) in CALLERS.iter().zip(row.statuses) {
            let reply = world
                .call(*caller, row.method, &path, (row.body)(&world))
                .await;
            let case = format!("{} {path} as {caller:?}", row.method);
            if reply.status != expected {
                wrong.push(format!(
                    "{case}: expected {expected}, got {}: {}",
                    reply.status, reply.body
                ));
            }
            if reply.status >= 400 && reply.content_type != "application/problem+json" {
                wrong.push(format!(
                    "{case}: an error as {:?}, not application/problem+json",
                    reply.content_type
                ));
            }
            if !row.may_see_the_request.contains(caller) {
                for secret in world.secrets() {
                    if reply.body.contains(secret) {
                        wrong.push(format!(
                            "{case}: the answer names {secret:?}: {}",
                            reply.body
                        ));
                    }
                }
            }
        }
    }

    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Adele's pending request for travel expenses (Megan decides it), her assignment of Teams
/// Premium, and Joni's pending request for Project Online (Patti decides it); everyone
/// signed in.
struct World<'a> {
    app: &'a TestApp,
    adele: Session,
    diego: Session,
    megan: Session,
    patti: Session,
    request_id: String,
    assignment_id: String,
}

impl<'a> World<'a> {
    async fn arrange(app: &'a TestApp) -> Self {
        let adele = app.sign_in("adele").await;
        let request: AssignmentRequest = {
            let body = NewAssignmentRequest {
                justification: Some(JUSTIFICATION.to_owned()),
                answers: vec![
                    Answer {
                        question_id: "costCenter".to_owned(),
                        value: COST_CENTER.to_owned(),
                    },
                    Answer {
                        question_id: "region".to_owned(),
                        value: "emea".to_owned(),
                    },
                ],
                ..new_request("travel-expenses", "travel-expenses-requestors")
            };
            let reply = adele.create_request(&body).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            reply.json()
        };
        let assignment_id = adele
            .request_access("teams-premium", "teams-premium-everyone")
            .await;
        let assignment_id = adele
            .assignment_of(&assignment_id.access_package.id)
            .await
            .id;
        app.sign_in("joni")
            .await
            .request_access("project-online", "project-online-manager")
            .await;
        Self {
            app,
            adele,
            diego: app.sign_in("diego").await,
            megan: app.sign_in("megan").await,
            patti: app.sign_in("patti").await,
            request_id: request.id,
            assignment_id,
        }
    }

    /// What only Adele and her approver may read.
    fn secrets(&self) -> [&str; 4] {
        [
            &self.request_id,
            JUSTIFICATION,
            COST_CENTER,
            &self.assignment_id,
        ]
    }

    async fn call(
        &self,
        caller: Caller,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let token = match caller {
            Anonymous => None,
            Requestor => Some(self.adele.token()),
            AnotherUser => Some(self.diego.token()),
            ApproverOfThis => Some(self.megan.token()),
            ApproverOfSomethingElse => Some(self.patti.token()),
        };
        let body = body.map(|b| b.to_string());
        self.app
            .raw(method, &format!("/api/v1{path}"), token, body)
            .await
    }
}

fn no_body(_: &World) -> Option<serde_json::Value> {
    None
}

/// Whether `path` fills the OpenAPI `template` (`/approvals/{requestId}/decision`).
fn template_matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}
