//! Serving the web app beside the API: files with their types, index.html for every other
//! path (deep links, hard refreshes), JSON for unknown API paths, and the health check.

use std::path::PathBuf;

use crate::helpers::{TestApp, spawn_app_with};

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
