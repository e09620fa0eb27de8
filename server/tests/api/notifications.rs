//! Emails, over a real SMTP conversation with a sink on loopback: who is told what, with which
//! link; and the outbox, which keeps every message through an outage or a crash and sends
//! each once.

use chrono::TimeDelta;
use portal_api::DecisionKind;
use portal_server::mail::{LEASE, Round};
use portal_server::store::outbox;

use crate::helpers::{PUBLIC_URL, Session, TestApp, spawn_app, spawn_app_mailing_to};
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn the_approver_is_emailed_with_a_link_to_the_approval_page() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_mailing_to(sink.port).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;

    let round = app.send_mail().await;

    assert_eq!(round.sent, 1);
    let [mail] = sink.received().try_into().expect("one email");
    assert_eq!(mail.to, ["megan@contoso.com"]);
    assert_eq!(mail.from, "portal@contoso.com");
    assert_eq!(
        mail.subject(),
        "Approval needed: Adele Vance requests Sales CRM"
    );
    let link = format!("{PUBLIC_URL}/approvals/{}", request.id);
    assert!(mail.body().contains(&link), "{}", mail.body());
    assert!(
        mail.header("To")
            .unwrap_or_default()
            .contains("Megan Bowen")
    );
}

#[tokio::test]
async fn the_requestor_is_emailed_when_approved_with_links_to_the_request_and_their_access() {
    let (sink, app, adele, megan) = mailing().await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    megan.approve(&request.id).await;

    app.send_mail().await;

    let [mail] = sink
        .received_by("adele@contoso.com")
        .try_into()
        .expect("one email");
    assert_eq!(mail.subject(), "Approved: you now have Sales CRM");
    let body = mail.body();
    assert!(
        body.contains(&format!("{PUBLIC_URL}/requests/{}", request.id)),
        "{body}"
    );
    assert!(body.contains(&format!("{PUBLIC_URL}/access")), "{body}");
}

#[tokio::test]
async fn a_denial_email_tells_the_requestor_who_denied_it_and_why() {
    let (sink, app, adele, megan) = mailing().await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    megan
        .decide(
            &request.id,
            DecisionKind::Deny,
            Some("No budget this quarter"),
        )
        .await
        .ok::<serde_json::Value>();

    app.send_mail().await;

    let [mail] = sink
        .received_by("adele@contoso.com")
        .try_into()
        .expect("one email");
    assert_eq!(mail.subject(), "Denied: your request for Sales CRM");
    let body = mail.body();
    assert!(body.contains("Megan Bowen"), "{body}");
    assert!(body.contains("No budget this quarter"), "{body}");
    assert!(
        body.contains(&format!("{PUBLIC_URL}/requests/{}", request.id)),
        "{body}"
    );
}

#[tokio::test]
async fn a_justification_reaches_the_approver_quoted_after_the_portals_link() {
    let (sink, app, adele, _megan) = mailing().await;
    let body = portal_api::NewAssignmentRequest {
        justification: Some(
            "Customer visits.\nApprove here instead: https://evil.example/approve".into(),
        ),
        ..crate::helpers::new_request("sales-crm", "sales-crm-a")
    };
    let request: portal_api::AssignmentRequest = adele.create_request(&body).await.json();

    app.send_mail().await;

    let [mail] = sink
        .received_by("megan@contoso.com")
        .try_into()
        .expect("one email");
    let body = mail.body();
    let link = body.find(&format!("{PUBLIC_URL}/approvals/{}", request.id));
    let quote = body.find(
        "Adele Vance wrote:\n> Customer visits.\n> Approve here instead: https://evil.example",
    );
    assert!(link.is_some() && quote > link, "{body}");
}

#[tokio::test]
async fn the_second_stages_approver_is_emailed_once_the_first_stage_approves() {
    let (sink, app, adele, megan) = mailing().await;
    let body = portal_api::NewAssignmentRequest {
        justification: Some("Incident 4711".into()),
        ..crate::helpers::new_request("production-access", "production-access-two-stage")
    };
    let request: portal_api::AssignmentRequest = adele.create_request(&body).await.json();
    app.send_mail().await;
    assert!(
        sink.received_by("alex@contoso.com").is_empty(),
        "not before stage 1"
    );

    megan.approve(&request.id).await;
    app.send_mail().await;

    let [mail] = sink
        .received_by("alex@contoso.com")
        .try_into()
        .expect("one email");
    assert!(mail.subject().contains("Production database access"));
    assert!(mail.body().contains("stage 2 of 2"), "{}", mail.body());
    assert!(mail.body().contains("Incident 4711"), "{}", mail.body());
}

#[tokio::test]
async fn with_the_smtp_server_down_messages_wait_in_the_outbox_and_go_out_once_it_is_back() {
    let sink = SmtpSink::start_down().await;
    let app = spawn_app_mailing_to(sink.port).await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let first = adele.request_access("sales-crm", "sales-crm-a").await;
    megan.approve(&first.id).await;
    adele
        .request_access("project-online", "project-online-manager")
        .await;

    let during = app.send_mail().await;
    let waiting = app.outbox().await;
    sink.come_up();
    let too_soon = app.send_mail().await;
    app.advance(TimeDelta::minutes(1));
    let after = app.send_mail().await;
    let again = app.send_mail().await;

    assert_eq!(
        during,
        Round {
            sent: 0,
            retried: 3,
            failed: 0
        }
    );
    assert!(
        waiting
            .iter()
            .all(|m| m.state == "pending" && m.attempts == 1)
    );
    assert!(waiting.iter().all(|m| m.last_error.is_some()));
    assert_eq!(too_soon.sent, 0, "a retry waits for its time");
    assert_eq!(after.sent, 3);
    assert_eq!(again, Round::default(), "nothing is sent twice");
    let mut subjects: Vec<String> = sink.received().iter().map(|m| m.subject()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "Approval needed: Adele Vance requests Project Online",
            "Approval needed: Adele Vance requests Sales CRM",
            "Approved: you now have Sales CRM",
        ]
    );
    assert!(app.outbox().await.iter().all(|m| m.state == "sent"));
}

#[tokio::test]
async fn a_message_held_by_a_worker_that_died_is_sent_by_another_once_the_lease_ends() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_mailing_to(sink.port).await;
    let adele = app.sign_in("adele").await;
    adele.request_access("sales-crm", "sales-crm-a").await;
    let now = app.state.clock.now();
    let held = outbox::claim(&app.state.db, "a worker that died", now, now + LEASE, 10)
        .await
        .expect("claimed");

    let while_held = app.send_mail().await;
    app.advance(LEASE + TimeDelta::seconds(1));
    let after_lease = app.send_mail().await;

    assert_eq!(held.len(), 1);
    assert_eq!(
        while_held.sent, 0,
        "another worker leaves a held message alone"
    );
    assert_eq!(after_lease.sent, 1);
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_at_once_send_each_message_once() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_mailing_to(sink.port).await;
    for user in ["adele", "alex", "diego", "lynne", "nestor"] {
        let session = app.sign_in(user).await;
        session.request_access("sales-crm", "sales-crm-a").await;
    }
    let (one, two) = (app.postman(), app.postman());

    let (a, b) = tokio::join!(one.run_once(&app.state), two.run_once(&app.state));

    let (a, b) = (a.expect("a round"), b.expect("a round"));
    assert_eq!(a.sent + b.sent, 5, "{a:?} {b:?}");
    let received = sink.received();
    assert_eq!(received.len(), 5);
    let mut ids: Vec<String> = received
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "five different messages");
}

#[tokio::test]
async fn without_an_smtp_server_emails_are_written_to_the_log_and_count_as_sent() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    adele.request_access("sales-crm", "sales-crm-a").await;

    let round = app.send_mail().await;

    assert_eq!(round.sent, 1);
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].state, "sent");
    assert_eq!(outbox[0].recipient_mail, "megan@contoso.com");
}

#[tokio::test]
async fn reminders_go_out_fourteen_days_and_one_day_before_access_ends_each_once() {
    let (sink, app, adele, megan) = mailing().await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    megan.approve(&request.id).await;
    app.send_mail().await;

    app.advance(TimeDelta::days(45));
    let too_early = app.sweep().await;
    app.advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    let fourteen = app.sweep().await;
    let repeated = app.sweep().await;
    app.send_mail().await;
    app.advance(TimeDelta::days(13));
    let one = app.sweep().await;
    app.send_mail().await;
    app.advance(TimeDelta::days(1));
    let ended = app.sweep().await;

    assert_eq!(
        too_early.reminders, 0,
        "60 days of access: nothing at day 45"
    );
    assert_eq!(fourteen.reminders, 1);
    assert_eq!(repeated.reminders, 0, "each reminder once");
    assert_eq!(one.reminders, 1);
    assert_eq!((ended.reminders, ended.expired_assignments), (0, 1));
    let reminders: Vec<(String, String)> = sink
        .received_by("adele@contoso.com")
        .iter()
        .filter(|m| m.subject().starts_with("Reminder"))
        .map(|m| (m.subject(), m.body()))
        .collect();
    let [(first, first_body), (second, _)] = reminders.as_slice() else {
        panic!("two reminders: {reminders:?}")
    };
    assert_eq!(first, "Reminder: your access to Sales CRM ends in 14 days");
    assert_eq!(second, "Reminder: your access to Sales CRM ends tomorrow");
    assert!(
        first_body.contains(&format!("{PUBLIC_URL}/access")),
        "{first_body}"
    );
    assert!(
        first_body.contains("extend"),
        "policy A allows extension: {first_body}"
    );
}

/// An app that mails to a sink of its own, with Adele (who asks) and her manager Megan (who
/// approves) signed in.
async fn mailing() -> (SmtpSink, TestApp, Session, Session) {
    let sink = SmtpSink::start().await;
    let app = spawn_app_mailing_to(sink.port).await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    (sink, app, adele, megan)
}
