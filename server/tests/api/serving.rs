//! The binary as an operator starts it: the address it serves on is the address its emails
//! link to, unless `--public-url` says otherwise.

use portal_api::Token;
use serde_json::json;

use crate::helpers::FreshDatabase;
use crate::process::ServerProcess;
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn without_a_public_url_email_links_use_the_port_actually_served() {
    let database = FreshDatabase::create().await;
    let sink = SmtpSink::start().await;
    let sink_port = sink.port.to_string();
    let server = ServerProcess::start(
        &database,
        &[
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &sink_port,
            "--smtp-tls",
            "none",
            "--mail-interval-seconds",
            "1",
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let token: Token = client
        .post(format!("{}/api/v1/auth/demo", server.url))
        .json(&json!({ "userPrincipalName": "adele@contoso.com" }))
        .send()
        .await
        .expect("sign-in answers")
        .json()
        .await
        .expect("a token");

    let created = client
        .post(format!("{}/api/v1/assignmentRequests", server.url))
        .bearer_auth(&token.access_token)
        .json(&json!({ "accessPackageId": "sales-crm", "assignmentPolicyId": "sales-crm-a" }))
        .send()
        .await
        .expect("the request is answered");
    assert_eq!(created.status(), 201);
    let mail = wait_for_mail(&sink, "megan@contoso.com").await;

    assert!(
        mail.contains(&format!("{}/approvals/", server.url)),
        "the approval email links to {}: {mail}",
        server.url
    );
    server.kill().await;
}

/// The first message to `address`, as soon as the mail worker has sent it.
async fn wait_for_mail(sink: &SmtpSink, address: &str) -> String {
    for _ in 0..200 {
        if let Some(mail) = sink.received_by(address).first() {
            return mail.body();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no email reached {address}");
}
