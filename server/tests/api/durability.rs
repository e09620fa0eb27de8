//! What the database acknowledged stays: a server killed with SIGKILL in the middle of a write
//! load comes back with every request it answered 201 (or 200 to a cancel) for, complete with
//! its stages and audit entries. On SQLite and, with `PORTAL_TEST_POSTGRES_URL`, PostgreSQL.

use std::sync::{Arc, Mutex};

use portal_api::{AssignmentRequest, RequestState, Token};
use serde_json::json;

use crate::helpers::FreshDatabase;
use crate::process::ServerProcess;

/// Tokens must outlive the first process: both processes sign with this.
const SECRET: &str = "durability-test-secret-of-32-bytes!";
/// Writes acknowledged before the kill: enough that the kill lands among writes in flight.
const ACKNOWLEDGED_BEFORE_KILL: usize = 40;

/// What the server answered, in order: each created request, and whether its cancel was
/// acknowledged.
#[derive(Debug, Default)]
struct Acknowledged {
    created: Vec<(String, String)>,
    canceled: Vec<String>,
}

async fn token(client: &reqwest::Client, base: &str, user: &str) -> String {
    let token: Token = client
        .post(format!("{base}/api/v1/auth/demo"))
        .json(&json!({ "userPrincipalName": format!("{user}@contoso.com") }))
        .send()
        .await
        .expect("sign-in answers")
        .json()
        .await
        .expect("a token");
    token.access_token
}

/// Request Sales CRM under policy A and cancel it, over and over, until the server is gone;
/// record every acknowledgement.
async fn write_until_gone(
    base: String,
    user: String,
    token: String,
    seen: Arc<Mutex<Acknowledged>>,
) {
    let client = reqwest::Client::new();
    let body = json!({ "accessPackageId": "sales-crm", "assignmentPolicyId": "sales-crm-a" });
    loop {
        let Ok(created) = client
            .post(format!("{base}/api/v1/assignmentRequests"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if created.status() != 201 {
            return;
        }
        let Ok(request) = created.json::<AssignmentRequest>().await else {
            return;
        };
        seen.lock()
            .expect("the record")
            .created
            .push((user.clone(), request.id.clone()));
        let Ok(canceled) = client
            .post(format!(
                "{base}/api/v1/assignmentRequests/{}/cancel",
                request.id
            ))
            .bearer_auth(&token)
            .send()
            .await
        else {
            return;
        };
        if canceled.status() != 200 {
            return;
        }
        seen.lock().expect("the record").canceled.push(request.id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_a_kill_in_the_middle_of_a_write_load() {
    let database = FreshDatabase::create().await;
    let first = ServerProcess::start(&database, &["--token-secret", SECRET]).await;
    let client = reqwest::Client::new();
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let mut tokens = std::collections::HashMap::new();
    let mut writers = Vec::new();
    for user in ["adele", "diego", "lynne", "nestor"] {
        let token = token(&client, &first.url, user).await;
        tokens.insert(user.to_owned(), token.clone());
        let task = write_until_gone(first.url.clone(), user.to_owned(), token, seen.clone());
        writers.push(tokio::spawn(task));
    }

    // Kill as soon as enough writes were acknowledged, while the writers keep writing.
    loop {
        let acknowledged = {
            let seen = seen.lock().expect("the record");
            seen.created.len() + seen.canceled.len()
        };
        if acknowledged >= ACKNOWLEDGED_BEFORE_KILL {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    first.kill().await;
    for writer in writers {
        writer
            .await
            .expect("the writer ends when the server is gone");
    }
    let second = ServerProcess::start(&database, &["--token-secret", SECRET]).await;

    let seen = std::mem::take(&mut *seen.lock().expect("the record"));
    assert!(
        seen.created.len() >= ACKNOWLEDGED_BEFORE_KILL / 2,
        "{seen:?}"
    );
    for (user, id) in &seen.created {
        // The tokens of the first process: both sign with the same secret.
        let reply = client
            .get(format!("{}/api/v1/assignmentRequests/{id}", second.url))
            .bearer_auth(&tokens[user])
            .send()
            .await
            .expect("the restarted server answers");
        assert_eq!(reply.status(), 200, "request {id} of {user} is gone");
        let request: AssignmentRequest = reply.json().await.expect("a request");
        let actions: Vec<&str> = request.history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(request.stages.len(), 1, "{id}: {:?}", request.stages);
        assert_eq!(
            actions.first(),
            Some(&"Request submitted"),
            "{id}: {actions:?}"
        );
        if seen.canceled.contains(id) {
            assert_eq!(request.state, RequestState::Canceled, "{id}");
            assert_eq!(
                actions.last(),
                Some(&"Request canceled"),
                "{id}: {actions:?}"
            );
        }
    }
    second.kill().await;
}
