//! The expected time to a decision for a package, from its past requests.

use chrono::TimeDelta;
use portal_api::{DecisionKind, DecisionTime};

use crate::helpers::spawn_app;

/// Five requestors and their managers, who approve Sales CRM under policy A.
const REPORTS: [(&str, &str); 5] = [
    ("adele", "megan"),
    ("diego", "megan"),
    ("lynne", "megan"),
    ("nestor", "megan"),
    ("alex", "patti"),
];

#[tokio::test]
async fn the_decision_time_is_the_median_and_ninetieth_percentile_of_past_waits() {
    let app = spawn_app().await;
    let mut requests = Vec::new();
    for (user, manager) in REPORTS {
        let session = app.sign_in(user).await;
        let request = session.request_access("sales-crm", "sales-crm-a").await;
        requests.push((request, app.sign_in(manager).await));
    }
    // Decided after 1, 2, 3, 4 and 5 hours; one of them denied, which counts too.
    for (i, (request, manager)) in requests.iter().enumerate() {
        app.advance(TimeDelta::hours(1));
        let decision = if i == 2 {
            DecisionKind::Deny
        } else {
            DecisionKind::Approve
        };
        let reply = manager.decide(&request.id, decision, Some("Decided")).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    let time: DecisionTime = requests[0].1.decision_time("sales-crm").await.ok();

    assert_eq!(time.sample_size, 5);
    let median = time.median_hours.expect("enough history");
    let p90 = time.p90_hours.expect("enough history");
    assert!((median - 3.0).abs() < 0.1, "{time:?}");
    assert!((p90 - 5.0).abs() < 0.1, "{time:?}");
}

#[tokio::test]
async fn the_decision_time_read_before_a_decision_follows_it() {
    let app = spawn_app().await;
    for (user, manager) in REPORTS {
        let session = app.sign_in(user).await;
        let request = session.request_access("sales-crm", "sales-crm-a").await;
        app.advance(TimeDelta::hours(2));
        app.sign_in(manager).await.approve(&request.id).await;
    }
    let patti = app.sign_in("patti").await;
    let before: DecisionTime = patti.decision_time("sales-crm").await.ok();
    assert_eq!((before.sample_size, before.p90_hours), (5, Some(2.0)));
    assert_eq!(
        patti.decision_time("sales-crm").await.ok::<DecisionTime>(),
        before,
        "read again, the same figure"
    );

    // A sixth request waits 20 hours: the figure read before it is not kept past it.
    let joni = app.sign_in("joni").await;
    let request = joni.request_access("sales-crm", "sales-crm-a").await;
    app.advance(TimeDelta::hours(20));
    patti.approve(&request.id).await;
    let after: DecisionTime = patti.decision_time("sales-crm").await.ok();

    assert_eq!(after.sample_size, 6, "{after:?}");
    assert_eq!(after.p90_hours, Some(20.0), "{after:?}");
    assert_eq!(after.median_hours, Some(2.0), "{after:?}");
}

#[tokio::test]
async fn with_fewer_than_five_decided_requests_there_is_no_decision_time() {
    let app = spawn_app().await;
    for (user, manager) in &REPORTS[..4] {
        let session = app.sign_in(user).await;
        let request = session.request_access("sales-crm", "sales-crm-a").await;
        app.sign_in(manager).await.approve(&request.id).await;
    }
    let adele = app.sign_in("adele").await;
    adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;

    let crm: DecisionTime = adele.decision_time("sales-crm").await.ok();
    let wiki: DecisionTime = adele.decision_time("company-wiki").await.ok();

    assert_eq!(
        (crm.sample_size, crm.median_hours, crm.p90_hours),
        (4, None, None)
    );
    assert_eq!(wiki.sample_size, 0, "no approval, no decision to wait for");
}

#[tokio::test]
async fn the_decision_time_of_an_unknown_package_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    adele.decision_time("no-such-package").await.problem(404);
}
