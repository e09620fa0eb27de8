//! What the server tells browsers and whom it answers: only its own host names (421
//! otherwise), and the security headers (one CSP, nosniff, referrer policy, HSTS, no-store).

use std::path::PathBuf;

use crate::helpers::{PUBLIC_URL, TestApp, send_raw, spawn_app, spawn_app_with};

async fn get_as(app: &TestApp, path: &str, host: &str) -> crate::helpers::Reply {
    send_raw(app, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n")).await
}

async fn headers_of(app: &TestApp, path: &str) -> reqwest::header::HeaderMap {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("an answer")
        .headers()
        .clone()
}

fn text(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn demo_sign_in_is_not_answered_for_a_host_the_server_does_not_serve() {
    let app = spawn_app().await;

    for path in ["/api/v1/auth/demo/users", "/", "/config.json"] {
        let reply = get_as(&app, path, "attacker.example").await;

        assert_eq!(reply.status, 421, "{path}: {}", reply.body);
        assert!(
            !reply.body.contains("contoso.com"),
            "{path}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("--public-url"),
            "says what to fix: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn the_public_host_and_loopback_names_are_served_on_any_port() {
    let app = spawn_app().await;
    let public_host = PUBLIC_URL.trim_start_matches("https://");

    for host in [
        public_host.to_owned(),
        format!("{public_host}:8443"),
        "localhost:8080".to_owned(),
        "127.0.0.1".to_owned(),
        "[::1]:8080".to_owned(),
    ] {
        let reply = get_as(&app, "/api/v1/auth/demo/users", &host).await;
        assert_eq!(reply.status, 200, "{host}: {}", reply.body);
    }
}

#[tokio::test]
async fn the_health_check_answers_a_load_balancer_probing_by_address() {
    let app = spawn_app().await;

    let reply = get_as(&app, "/healthz", "10.0.0.5:8080").await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, "ok");
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;

    for path in ["/", "/healthz", "/api/v1/auth/demo/users", "/api/nope"] {
        let headers = headers_of(&app, path).await;

        let policy = text(&headers, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "connect-src 'self'",
            "frame-ancestors 'self'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        let scripts = policy
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert!(
            !scripts.contains("unsafe-inline") && scripts.contains("'wasm-unsafe-eval'"),
            "{path}: {policy}"
        );
        assert_eq!(headers.get_all("content-security-policy").iter().count(), 1);
        assert_eq!(
            text(&headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(text(&headers, "referrer-policy"), "same-origin", "{path}");
        assert!(
            text(&headers, "strict-transport-security").starts_with("max-age="),
            "an https public URL turns on HSTS: {path}"
        );
    }
}

#[tokio::test]
async fn a_portal_on_plain_http_sends_no_hsts() {
    let app = spawn_app_with(|c| c.public_url = Some("http://portal.test:8080".to_owned())).await;

    let reply = app
        .client
        .get(format!("{}/api/v1/auth/demo/users", app.address))
        .send()
        .await
        .expect("an answer");

    assert_eq!(reply.status(), 200, "the answer itself went through");
    assert_eq!(text(reply.headers(), "x-content-type-options"), "nosniff");
    assert!(reply.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn api_answers_with_personal_data_are_never_stored() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    for (path, token) in [
        ("/api/v1/auth/demo/users", None),
        ("/api/v1/me", Some(adele.token())),
        ("/api/v1/assignmentRequests", Some(adele.token())),
    ] {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let reply = request.send().await.expect("an answer");
        assert_eq!(reply.status(), 200, "{path}");
        assert_eq!(reply.headers()["cache-control"], "no-store", "{path}");
    }
}

#[tokio::test]
async fn the_policy_allows_exactly_the_inline_scripts_of_the_served_index_html() {
    let files = tempfile::tempdir().expect("a folder");
    std::fs::write(
        files.path().join("index.html"),
        "<!DOCTYPE html><script>alert('Hello, world.');</script>\
         <script type=module>import('./app.js')</script><script src=x.js></script>",
    )
    .expect("a file");
    std::fs::write(
        files.path().join("config.json"),
        r#"{"apiBaseUrl":"https://api.contoso.com/api/v1","oidc":{"issuer":"https://login.contoso.com/tenant","clientId":"portal"}}"#,
    )
    .expect("a file");
    let static_dir = PathBuf::from(files.path());
    let app = spawn_app_with(move |c| c.static_dir = static_dir).await;

    let policy = text(
        &headers_of(&app, "/package/sales-crm").await,
        "content-security-policy",
    );

    let scripts = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap_or_default();
    // The first is the CSP specification's own example of a script hash.
    assert!(
        scripts.contains("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"),
        "{policy}"
    );
    assert_eq!(scripts.matches("'sha256-").count(), 2, "{policy}");
    assert!(
        policy.contains("connect-src 'self' https://api.contoso.com https://login.contoso.com"),
        "{policy}"
    );
}
