//! Fulfilment through signed webhooks: a real receiver (tests/webhook-receiver.mjs, which
//! checks every signature with the npm `standardwebhooks` library) gets `access.granted` and
//! `access.removed`, and the requestor sees how far delivery has come.

use std::process::Stdio;

use chrono::TimeDelta;
use portal_api::{
    AccessPackage, AssignmentRequest, ExtendAssignment, FulfilmentState, Resource, ResourceKind,
    ResourceRole,
};
use portal_server::webhooks::{Courier, Round};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{ADMIN, Session, TestApp, spawn_app, spawn_app_with};

/// A connector address for tests that never run the webhook worker.
const UNUSED_RECEIVER: &str = "http://127.0.0.1:9/hooks";

/// The connector's signing secret in these tests.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[tokio::test]
async fn a_grant_is_posted_signed_with_the_user_package_role_and_period() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;

    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;
    let before = fulfilment_of(&adele, &request).await;
    let round = courier().run_once(&app.state).await.unwrap();

    assert_eq!(before["state"], "delivering", "{before}");
    assert_eq!(
        round.sent, 1,
        "one role has a connector, the wiki is recorded only"
    );
    let received = receiver.received().await;
    assert_eq!(received["badSignatures"], 0);
    let event = &received["accepted"][0]["event"];
    assert_eq!(event["type"], "access.granted");
    let data = &event["data"];
    assert_eq!(data["requestId"], request.id.as_str());
    assert_eq!(data["user"]["id"], "adele");
    assert_eq!(data["user"]["userPrincipalName"], "adele@contoso.com");
    assert_eq!(data["user"]["mail"], "adele@contoso.com");
    assert_eq!(data["accessPackage"]["id"], "crm-hooks");
    assert_eq!(data["resource"]["displayName"], "CRM");
    assert_eq!(data["role"]["displayName"], "User");
    assert!(data["schedule"]["endDateTime"].is_string(), "{data}");
    let after = adele.request(&request.id).await.ok::<AssignmentRequest>();
    let fulfilment = after.fulfilment.expect("a fulfilment state");
    assert_eq!(fulfilment.state, FulfilmentState::Delivered);
    assert!(
        after
            .history
            .iter()
            .any(|e| e.action == "Grant delivered to CRM (User)"),
        "{:?}",
        after.history
    );
}

#[tokio::test]
async fn access_that_expires_is_removed_at_the_connector_once_the_end_passes() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;
    let courier = courier();
    courier.run_once(&app.state).await.unwrap();

    app.advance(TimeDelta::days(61));
    app.sweep().await;
    let round = courier.run_once(&app.state).await.unwrap();

    assert_eq!(round.sent, 1);
    let received = receiver.received().await;
    let removal = &received["accepted"][1]["event"];
    assert_eq!(removal["type"], "access.removed");
    assert_eq!(removal["data"]["reason"], "expired");
    assert_eq!(removal["data"]["requestId"], request.id.as_str());
    let fulfilment = fulfilment_of(&adele, &request).await;
    assert_eq!(fulfilment["change"], "removal");
    assert_eq!(fulfilment["state"], "delivered");
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_each_event_once_when_it_is_up_again() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    let app = app_with_connector(&url).await;
    let adele = app.sign_in("adele").await;
    adele.request_access("crm-hooks", "crm-hooks-now").await;
    let courier = courier();

    let down = courier.run_once(&app.state).await.unwrap();
    let receiver = Receiver::start(Mode::Accept, Some(port)).await;
    let too_soon = courier.run_once(&app.state).await.unwrap();
    app.advance(TimeDelta::minutes(1));
    let up = courier.run_once(&app.state).await.unwrap();
    let after = courier.run_once(&app.state).await.unwrap();

    assert_eq!(down.retried, 1, "{down:?}");
    assert_eq!(too_soon, Round::default(), "it waits for its back-off");
    assert_eq!(up.sent, 1, "{up:?}");
    assert_eq!(after, Round::default());
    let received = receiver.received().await;
    assert_eq!(received["accepted"].as_array().map(Vec::len), Some(1));
    assert_eq!(received["duplicates"], 0);
}

#[tokio::test]
async fn a_receiver_that_refuses_makes_the_request_show_delivery_failed_with_the_reason() {
    let receiver = Receiver::start(Mode::Refuse(403), None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;
    let courier = courier();

    let first = courier.run_once(&app.state).await.unwrap();
    app.advance(TimeDelta::hours(2));
    let later = courier.run_once(&app.state).await.unwrap();

    assert_eq!(first.failed, 1, "{first:?}");
    assert_eq!(later, Round::default(), "a refusal is not sent again");
    let request = adele.request(&request.id).await.ok::<AssignmentRequest>();
    let fulfilment = request.fulfilment.expect("a fulfilment state");
    assert_eq!(fulfilment.state, FulfilmentState::DeliveryFailed);
    assert_eq!(fulfilment.state.label(), "Delivery failed");
    assert!(
        fulfilment.failures[0]
            .contains("CRM (User): answered 403 Forbidden: unknown user adele@contoso.com"),
        "{:?}",
        fulfilment.failures
    );
    let failed = request
        .history
        .iter()
        .find(|e| e.action == "Grant failed at CRM (User)")
        .expect("the failure in the request's history");
    assert!(
        failed.detail.as_deref().unwrap_or_default().contains("403"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn one_connector_accepting_and_another_refusing_reads_partially_delivered() {
    let crm = Receiver::start(Mode::Accept, None).await;
    let groups = Receiver::start(Mode::Refuse(404), None).await;
    let app = spawn_app().await;
    let connector = |url: &str| format!("connector = {{ url = \"{url}\", secret = \"{SECRET}\" }}");
    let text = format!(
        r#"
        [[catalogs]]
        id = "fulfilment"
        displayName = "Fulfilment"

        [[packages]]
        id = "crm-hooks"
        catalog = "fulfilment"
        displayName = "CRM and its team"
        resourceRoles = [
            {{ role = "User", resource = "CRM", type = "application", {} }},
            {{ role = "Member", resource = "Sales team", type = "group", {} }},
        ]

        [[packages.policies]]
        id = "crm-hooks-now"
        displayName = "No approval"
        "#,
        connector(&crm.url),
        connector(&groups.url)
    );
    import(&app, &text).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;

    courier().run_once(&app.state).await.unwrap();

    let request = adele.request(&request.id).await.ok::<AssignmentRequest>();
    let fulfilment = request.fulfilment.expect("a fulfilment state");
    assert_eq!(fulfilment.state, FulfilmentState::PartiallyDelivered);
    assert_eq!(fulfilment.state.label(), "Partially delivered");
    assert_eq!(fulfilment.failures.len(), 1, "{:?}", fulfilment.failures);
    assert!(
        fulfilment.failures[0].starts_with("Sales team (Member): answered 404 Not Found"),
        "{:?}",
        fulfilment.failures
    );
}

#[tokio::test]
async fn an_extension_is_posted_as_a_grant_with_the_new_end_from_the_extension_request() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    adele.request_access("crm-hooks", "crm-hooks-now").await;
    let courier = courier();
    courier.run_once(&app.state).await.unwrap();
    let held = adele.assignment_of("crm-hooks").await;
    app.advance(TimeDelta::days(50));

    let reply = adele
        .extend(
            &held.id,
            &ExtendAssignment {
                justification: None,
                answers: vec![],
            },
        )
        .await;
    courier.run_once(&app.state).await.unwrap();

    assert_eq!(reply.status, 201, "{}", reply.body);
    let extension: AssignmentRequest = reply.json();
    let received = receiver.received().await;
    let first = &received["accepted"][0]["event"]["data"];
    let longer = &received["accepted"][1]["event"];
    assert_eq!(longer["type"], "access.granted");
    assert_eq!(longer["data"]["requestId"], extension.id.as_str());
    assert_eq!(longer["data"]["assignmentId"], held.id.as_str());
    assert!(
        longer["data"]["schedule"]["endDateTime"].as_str()
            > first["schedule"]["endDateTime"].as_str(),
        "{first} / {longer}"
    );
}

#[tokio::test]
async fn a_deactivated_user_s_access_is_removed_at_the_connector() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    adele.request_access("crm-hooks", "crm-hooks-now").await;
    let courier = courier();
    courier.run_once(&app.state).await.unwrap();

    let scim = crate::scim::Scim::new(&app);
    scim.patch(
        "/Users/adele",
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    )
    .await;
    courier.run_once(&app.state).await.unwrap();

    let received = receiver.received().await;
    let removal = &received["accepted"][1]["event"];
    assert_eq!(removal["type"], "access.removed");
    assert_eq!(removal["data"]["reason"], "deactivated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_instances_on_one_database_send_each_event_once() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = spawn_app().await;
    import(&app, &catalog(&receiver.url, 8, Connector::OfCatalog)).await;
    let second = portal_server::state(portal_server::Config {
        seed: None,
        ..crate::helpers::test_config(&app.state.config.database_url)
    })
    .await
    .expect("a second instance on the same database");
    let adele = app.sign_in("adele").await;
    adele.request_access("crm-hooks", "crm-hooks-now").await;
    let megan = app.sign_in("megan").await;
    megan.request_access("crm-hooks", "crm-hooks-now").await;

    let (one, two) = (courier(), courier());
    let (one, two) = tokio::join!(one.run_once(&app.state), two.run_once(&second));

    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(one.sent + two.sent, 16, "{one:?} {two:?}");
    let received = receiver.received().await;
    assert_eq!(received["accepted"].as_array().map(Vec::len), Some(16));
    assert_eq!(received["duplicates"], 0);
}

#[tokio::test]
async fn an_administrator_sees_a_refused_delivery_with_its_answer_and_sends_it_again() {
    let receiver = Receiver::start(Mode::Refuse(403), None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;
    courier().run_once(&app.state).await.unwrap();
    let admin = app.sign_in(ADMIN).await;

    let listed = deliveries(&app, &admin).await;
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let retried = app
        .raw(
            "POST",
            &format!("/api/v1/webhookDeliveries/{id}/retry"),
            Some(admin.token()),
            None,
        )
        .await;
    let again = deliveries(&app, &admin).await;
    let retried_twice = app
        .raw(
            "POST",
            &format!("/api/v1/webhookDeliveries/{id}/retry"),
            Some(admin.token()),
            None,
        )
        .await;

    assert_eq!(listed[0]["state"], "failed");
    assert_eq!(listed[0]["requestId"], request.id.as_str());
    assert_eq!(listed[0]["resource"], "CRM");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["lastStatus"], 403);
    assert!(
        listed[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("unknown user adele@contoso.com"),
        "{listed:?}"
    );
    assert_eq!(retried.status, 202, "{}", retried.body);
    assert_eq!(again[0]["state"], "pending");
    assert!(
        retried_twice
            .problem(404)
            .detail
            .contains("only a delivery in state failed"),
        "{}",
        retried_twice.body
    );
}

#[tokio::test]
async fn someone_who_is_no_administrator_is_refused_the_deliveries() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let reply = app
        .raw(
            "GET",
            "/api/v1/webhookDeliveries",
            Some(adele.token()),
            None,
        )
        .await;

    assert!(
        reply.problem(403).detail.contains("--admin"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn an_administrator_is_told_which_resources_are_recorded_only() {
    let app = app_with_connector(UNUSED_RECEIVER).await;
    let admin = app.sign_in(ADMIN).await;
    let request = admin.request_access("crm-hooks", "crm-hooks-now").await;

    let me = admin.me().await.ok::<Value>();
    let package = admin
        .access_package("crm-hooks")
        .await
        .ok::<AccessPackage>();
    let read = admin.request(&request.id).await.ok::<AssignmentRequest>();

    assert_eq!(me["isAdmin"], true, "{me}");
    let wiki = vec![ResourceRole {
        display_name: "Reader".to_owned(),
        resource: Resource {
            display_name: "Wiki".to_owned(),
            resource_type: ResourceKind::Site,
        },
    }];
    assert_eq!(
        package.recorded_only.as_ref(),
        Some(&wiki),
        "CRM has a connector"
    );
    assert_eq!(read.recorded_only.as_ref(), Some(&wiki));
}

#[tokio::test]
async fn a_requestor_is_not_told_which_resources_are_recorded_only() {
    let app = app_with_connector(UNUSED_RECEIVER).await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("crm-hooks", "crm-hooks-now").await;

    let me = adele.me().await.ok::<Value>();
    let package = adele.access_package("crm-hooks").await.ok::<Value>();
    let read = adele.request(&request.id).await.ok::<Value>();

    assert_eq!(me.get("isAdmin"), None, "{me}");
    assert_eq!(package.get("recordedOnly"), None, "{package}");
    assert_eq!(read.get("recordedOnly"), None, "{read}");
}

#[tokio::test]
async fn metrics_count_pending_sent_and_failed_webhooks() {
    let receiver = Receiver::start(Mode::Accept, None).await;
    let app = app_with_connector(&receiver.url).await;
    let adele = app.sign_in("adele").await;
    adele.request_access("crm-hooks", "crm-hooks-now").await;

    let before = app.raw("GET", "/metrics", None, None).await;
    courier().run_once(&app.state).await.unwrap();
    let after = app.raw("GET", "/metrics", None, None).await;

    assert!(
        before.body.contains("portal_webhooks_pending 1\n"),
        "{}",
        before.body
    );
    assert!(
        after.body.contains("portal_webhooks_pending 0\n"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("portal_webhooks_sent_total 1\n"),
        "{}",
        after.body
    );
    assert!(
        after.body.contains("portal_webhooks_failed_total 0\n"),
        "{}",
        after.body
    );
    assert!(
        after.content_type.starts_with("text/plain"),
        "{}",
        after.content_type
    );
}

/// How the test receiver answers valid events.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Accept,
    Refuse(u16),
}

/// tests/webhook-receiver.mjs, run by Node for one test and stopped with it.
struct Receiver {
    url: String,
    _child: Child,
}

impl Receiver {
    async fn start(mode: Mode, port: Option<u16>) -> Self {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut command = Command::new("node");
        command
            .current_dir(&root)
            .arg("tests/webhook-receiver.mjs")
            .args(["--secret", SECRET, "--port", &port.unwrap_or(0).to_string()])
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        if let Mode::Refuse(status) = mode {
            command.args(["--refuse", &status.to_string()]);
        }
        let mut child = command
            .spawn()
            .expect("node runs tests/webhook-receiver.mjs (npm install first)");
        let stdout = child.stdout.take().expect("the receiver's output");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .expect("the receiver's first line")
            .expect("the receiver starts");
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected receiver output: {first}"))
            .to_owned();
        Self {
            url: format!("{base}/hooks"),
            _child: child,
        }
    }

    /// What the receiver accepted, and how many duplicates and bad signatures it saw.
    async fn received(&self) -> Value {
        let url = self.url.replace("/hooks", "/received");
        reqwest::get(url)
            .await
            .expect("the receiver answers")
            .json()
            .await
            .expect("JSON")
    }
}

/// A catalog with one package, "crm-hooks", delivered at once for 60 days: `roles` roles of
/// the CRM with a connector at `url` (their own, or with `Connector::OfCatalog` the catalog's),
/// and a role of a wiki page with none ("recorded only").
fn catalog(url: &str, roles: usize, connector: Connector) -> String {
    let own = format!("connector = {{ url = \"{url}\", secret = \"{SECRET}\" }}");
    let (of_catalog, of_role) = match connector {
        Connector::OfCatalog => (own.as_str(), ""),
        Connector::OfRole => ("", own.as_str()),
    };
    let mut resource_roles: Vec<String> = (0..roles)
        .map(|n| {
            let role = if n == 0 {
                "User".to_owned()
            } else {
                format!("Role {n}")
            };
            format!(
                "{{ role = \"{role}\", resource = \"CRM\", type = \"application\", {of_role} }}"
            )
        })
        .collect();
    if connector == Connector::OfRole {
        resource_roles
            .push("{ role = \"Reader\", resource = \"Wiki\", type = \"site\" }".to_owned());
    }
    format!(
        r#"
        [[catalogs]]
        id = "fulfilment"
        displayName = "Fulfilment"
        {of_catalog}

        [[packages]]
        id = "crm-hooks"
        catalog = "fulfilment"
        displayName = "CRM with a connector"
        resourceRoles = [{}]

        [[packages.policies]]
        id = "crm-hooks-now"
        displayName = "60 days, no approval"
        allowExtension = true
        expiration = {{ type = "afterDuration", durationDays = 60 }}
        "#,
        resource_roles.join(", ")
    )
}

/// Where the test catalog names the connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connector {
    OfCatalog,
    OfRole,
}

async fn app_with_connector(url: &str) -> TestApp {
    let app = spawn_app_with(|_| {}).await;
    import(&app, &catalog(url, 1, Connector::OfRole)).await;
    app
}

async fn import(app: &TestApp, text: &str) {
    let file = portal_server::import::parse(text).expect("a valid catalog file");
    portal_server::import::apply(&app.state.db, &file)
        .await
        .expect("the catalog is imported");
}

fn courier() -> Courier {
    Courier::new().expect("a webhook worker")
}

async fn deliveries(app: &TestApp, admin: &Session) -> Vec<Value> {
    let reply = app
        .raw(
            "GET",
            "/api/v1/webhookDeliveries",
            Some(admin.token()),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json::<Value>()["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn fulfilment_of(session: &Session, request: &AssignmentRequest) -> Value {
    session.request(&request.id).await.json::<Value>()["fulfilment"].clone()
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}
