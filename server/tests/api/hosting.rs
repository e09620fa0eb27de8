//! Serving the web app beside the API: files with their types, index.html for every other
//! plain path (deep links, hard refreshes) and a not-found page for the rest, config.json and
//! embed.js revalidated, JSON for unknown API paths, and the health check.

use std::path::PathBuf;

use crate::helpers::{TestApp, send_raw, spawn_app_with};

const INDEX: &str = "<!DOCTYPE html><title>Access Portal</title>";

/// A server whose static folder holds a small built app.
async fn app_with_files() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, body) in [
        ("index.html", INDEX.as_bytes()),
        ("portal-1a2b.js", b"export default 1;".as_slice()),
        ("portal-1a2b_bg.wasm", b"\0asm\x01\0\0\0".as_slice()),
        ("portal-1a2b.css", b".shell{}".as_slice()),
        ("config.json", br#"{"apiBaseUrl":"/api/v1"}"#.as_slice()),
    ] {
        std::fs::write(dir.path().join(name), body).expect("a file");
    }
    let static_dir = PathBuf::from(dir.path());
    let app = spawn_app_with(move |c| c.static_dir = static_dir).await;
    (app, dir)
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("an answer")
}

#[tokio::test]
async fn deep_links_and_app_routes_answer_the_app_itself() {
    let (app, _files) = app_with_files().await;
    for path in [
        "/",
        "/package/sales-crm",
        "/requests/42",
        "/access",
        "/approvals/7",
        "/no/such/page",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status(), 200, "{path}");
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(reply.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(reply.text().await.unwrap_or_default(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn the_app_files_are_served_with_their_content_types() {
    let (app, _files) = app_with_files().await;
    for (path, kind) in [
        ("/portal-1a2b.js", "text/javascript"),
        ("/portal-1a2b_bg.wasm", "application/wasm"),
        ("/portal-1a2b.css", "text/css"),
        ("/config.json", "application/json"),
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status(), 200, "{path}");
        assert!(
            reply.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with(kind),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unknown_api_path_answers_a_json_404_not_the_app() {
    let (app, _files) = app_with_files().await;
    for path in ["/api/v1/nope", "/api/nope", "/api"] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status(), 404, "{path}");
        assert_eq!(
            reply.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
        let problem: portal_api::Problem = reply.json().await.expect("a problem body");
        assert!(
            problem.detail.contains("no API endpoint"),
            "{path}: {problem:?}"
        );
    }
}

#[tokio::test]
async fn the_health_check_answers_when_the_database_does() {
    let (app, _files) = app_with_files().await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.text().await.unwrap_or_default(), "ok");
}

#[tokio::test]
async fn an_address_that_is_not_a_plain_path_answers_not_found_never_the_app() {
    let (app, _files) = app_with_files().await;
    // Sent as written: browsers and HTTP clients would tidy some of these up first.
    for path in [
        "//evil.example/requests",
        "/\\evil.example/requests",
        "/%2f%2fevil.example/requests",
        "/%2e%2e/requests",
        "/https:/evil.example/requests",
        "/package//sales-crm",
    ] {
        let reply = send_raw(&app, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n")).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            reply.body.contains("Page not found"),
            "{path}: {}",
            reply.body
        );
        assert!(!reply.body.contains(INDEX), "{path} answered the app");
        assert!(!reply.body.contains("<script"), "{path}: {}", reply.body);
    }
}

#[tokio::test]
async fn config_json_and_embed_js_are_revalidated_so_a_change_reaches_users_at_once() {
    let (app, files) = app_with_files().await;
    std::fs::write(files.path().join("embed.js"), "/* embed */").expect("a file");
    for name in ["config.json", "embed.js"] {
        let path = format!("/{name}");
        let first = get(&app, &path).await;
        assert_eq!(first.status(), 200, "{name}");
        assert_eq!(first.headers()["cache-control"], "no-cache", "{name}");
        let etag = first.headers()["etag"].clone();

        let unchanged = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", etag.clone())
            .send()
            .await
            .expect("an answer");
        assert_eq!(unchanged.status(), 304, "{name}");

        std::fs::write(files.path().join(name), "{\"changed\":true}").expect("a file");
        let changed = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", etag)
            .send()
            .await
            .expect("an answer");
        assert_eq!(changed.status(), 200, "{name}");
        assert_eq!(
            changed.text().await.unwrap_or_default(),
            "{\"changed\":true}",
            "{name}"
        );
    }
}
