//! Other origins: CORS for a portal hosted apart from its API, and who may frame the portal.

use crate::helpers::{spawn_app, spawn_app_with};

const INTRANET: &str = "http://intranet.test:8000";

#[tokio::test]
async fn a_configured_origin_may_call_the_api_from_a_browser() {
    let app = spawn_app_with(|c| c.cors_allowed_origins = vec![INTRANET.to_owned()]).await;

    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/assignmentRequests", app.address),
        )
        .header("Origin", INTRANET)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("a preflight answer");

    assert!(preflight.status().is_success(), "{}", preflight.status());
    let headers = preflight.headers();
    assert_eq!(headers["access-control-allow-origin"], INTRANET);
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
}

#[tokio::test]
async fn an_origin_not_configured_gets_no_cors_permission() {
    let app = spawn_app_with(|c| c.cors_allowed_origins = vec![INTRANET.to_owned()]).await;

    let reply = app
        .client
        .get(format!("{}/api/v1/auth/demo/users", app.address))
        .header("Origin", "http://elsewhere.test")
        .send()
        .await
        .expect("an answer");

    assert_eq!(reply.status(), 200, "the answer itself went through");
    assert!(reply.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn only_the_portal_itself_and_configured_pages_may_frame_it() {
    let framed = spawn_app_with(|c| c.frame_ancestors = vec![INTRANET.to_owned()]).await;
    let plain = spawn_app().await;

    for (app, expected) in [
        (&framed, format!("frame-ancestors 'self' {INTRANET}")),
        (&plain, "frame-ancestors 'self'".to_owned()),
    ] {
        let reply = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("an answer");
        let policy = reply.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        let frame_ancestors = policy
            .split("; ")
            .find(|d| d.starts_with("frame-ancestors"));
        assert_eq!(frame_ancestors, Some(expected.as_str()), "{policy}");
    }
}

#[test]
fn an_origin_with_a_path_is_refused_at_start_with_what_to_write() {
    use clap::Parser;
    let cli = portal_server::config::Cli::parse_from([
        "portal-server",
        "--cors-allowed-origins",
        "https://intranet.test/portal",
    ]);
    let err = portal_server::origins::check(&cli.config).expect_err("refused");
    assert!(err.to_string().contains("is not a web origin"), "{err}");
}
