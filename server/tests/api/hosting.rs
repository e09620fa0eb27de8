//! Serving the web app beside the API: files with their types, index.html for every other
//! plain path (deep links, hard refreshes) and a not-found page for the rest, config.json and
//! embed.js revalidated, hashed files cached for good, precompressed copies to browsers that
//! take them, JSON for unknown API paths, and the health check.

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

/// Trunk's names for a release: the content hash makes each name's content final.
const HASHED_JS: &str = "portal-346fbf2235da9e69.js";
const HASHED_WASM: &str = "portal-346fbf2235da9e69_bg.wasm";
const HASHED_CSS: &str = "portal-967e9c523a8c7ac6.css";

/// A server whose static folder holds a release as `cargo xtask` leaves it: hashed files, and
/// beside the js, wasm, css and html their `.gz` and `.br` copies (here marked by their
/// content, so a test can tell which one was sent).
async fn app_with_release() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            "config.json".to_owned(),
            br#"{"apiBaseUrl":"/api/v1"}"#.to_vec(),
        ),
        ("embed.js".to_owned(), b"/* embed */".to_vec()),
    ];
    for (name, body) in [
        ("index.html", INDEX.as_bytes()),
        ("404.html", INDEX.as_bytes()),
        (HASHED_JS, b"export default 1;".as_slice()),
        (HASHED_WASM, b"\0asm\x01\0\0\0".as_slice()),
        (HASHED_CSS, b".shell{}".as_slice()),
    ] {
        files.push((name.to_owned(), body.to_vec()));
        files.push((format!("{name}.gz"), format!("gzip of {name}").into_bytes()));
        files.push((
            format!("{name}.br"),
            format!("brotli of {name}").into_bytes(),
        ));
    }
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).expect("a file");
    }
    let static_dir = PathBuf::from(dir.path());
    let app = spawn_app_with(move |c| c.static_dir = static_dir).await;
    (app, dir)
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("an answer")
}

fn header(reply: &reqwest::Response, name: &str) -> String {
    reply
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn hashed_files_are_kept_for_a_year_and_pages_that_change_on_deploy_are_revalidated() {
    let (app, _files) = app_with_release().await;

    for name in [HASHED_JS, HASHED_WASM, HASHED_CSS] {
        let reply = get(&app, &format!("/{name}")).await;
        assert_eq!(reply.status(), 200, "{name}");
        assert_eq!(
            header(&reply, "cache-control"),
            "public, max-age=31536000, immutable",
            "{name}"
        );
    }
    for path in [
        "/",
        "/index.html",
        "/404.html",
        "/package/sales-crm",
        "/config.json",
        "/embed.js",
        // An earlier release's script, gone: the app's page answers, and must stay fresh.
        "/portal-0123456789abcdef.js",
    ] {
        let reply = get(&app, path).await;
        assert_eq!(reply.status(), 200, "{path}");
        assert_eq!(header(&reply, "cache-control"), "no-cache", "{path}");
    }
}

#[tokio::test]
async fn a_browser_that_takes_brotli_or_gzip_gets_the_precompressed_copy_with_the_files_type() {
    let (app, _files) = app_with_release().await;

    for (name, kind) in [
        (HASHED_JS, "text/javascript"),
        (HASHED_WASM, "application/wasm"),
        (HASHED_CSS, "text/css"),
        ("index.html", "text/html"),
    ] {
        let path = format!("/{name}");
        let brotli = get_with(&app, &path, &[("accept-encoding", "gzip, deflate, br")]).await;
        let gzip = get_with(&app, &path, &[("accept-encoding", "gzip")]).await;
        let plain = get_with(&app, &path, &[("accept-encoding", "identity")]).await;

        for (reply, encoding) in [(&brotli, "br"), (&gzip, "gzip"), (&plain, "")] {
            assert_eq!(reply.status(), 200, "{name} {encoding}");
            assert_eq!(header(reply, "content-encoding"), encoding, "{name}");
            assert!(
                header(reply, "content-type").starts_with(kind),
                "{name} {encoding}: {}",
                header(reply, "content-type")
            );
            assert!(
                header(reply, "vary")
                    .to_ascii_lowercase()
                    .contains("accept-encoding"),
                "{name} {encoding}: a cache must keep one copy per encoding"
            );
        }
        assert_eq!(
            brotli.bytes().await.expect("a body").as_ref(),
            format!("brotli of {name}").as_bytes()
        );
        assert_eq!(
            gzip.bytes().await.expect("a body").as_ref(),
            format!("gzip of {name}").as_bytes()
        );
        assert!(
            !plain.bytes().await.expect("a body").starts_with(b"gzip of"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_hashed_file_once_answered_outlives_a_deploy_that_removes_it_and_a_new_one_is_served() {
    let (app, files) = app_with_release().await;
    let old = format!("/{HASHED_CSS}");
    let first = get_with(&app, &old, &[("accept-encoding", "br")]).await;
    assert_eq!(
        first.bytes().await.expect("a body").as_ref(),
        format!("brotli of {HASHED_CSS}").as_bytes()
    );

    // A deploy: the old stylesheet goes, a new one comes.
    for suffix in ["", ".gz", ".br"] {
        std::fs::remove_file(files.path().join(format!("{HASHED_CSS}{suffix}"))).expect("removed");
    }
    let new = "portal-00112233445566ff.css";
    std::fs::write(files.path().join(new), b".new{}").expect("a file");

    // A tab still on the old release gets its stylesheet, in every encoding it takes.
    let brotli = get_with(&app, &old, &[("accept-encoding", "br")]).await;
    let gzip = get_with(&app, &old, &[("accept-encoding", "gzip")]).await;
    let plain = get(&app, &old).await;
    assert_eq!(
        brotli.bytes().await.expect("a body").as_ref(),
        format!("brotli of {HASHED_CSS}").as_bytes()
    );
    assert_eq!(
        gzip.bytes().await.expect("a body").as_ref(),
        format!("gzip of {HASHED_CSS}").as_bytes()
    );
    assert_eq!(plain.bytes().await.expect("a body").as_ref(), b".shell{}");
    // A new tab gets the new one, with no precompressed copy to send.
    let fresh = get_with(&app, &format!("/{new}"), &[("accept-encoding", "br, gzip")]).await;
    assert_eq!(fresh.status(), 200);
    assert_eq!(header(&fresh, "content-encoding"), "");
    assert!(header(&fresh, "content-type").starts_with("text/css"));
    assert_eq!(
        header(&fresh, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(fresh.bytes().await.expect("a body").as_ref(), b".new{}");
}

#[tokio::test]
async fn a_browser_with_the_current_copy_is_told_it_has_not_changed() {
    let (app, _files) = app_with_release().await;
    let path = format!("/{HASHED_CSS}");
    let first = get(&app, &path).await;
    let last_modified = header(&first, "last-modified");

    let again = get_with(&app, &path, &[("if-modified-since", &last_modified)]).await;

    assert!(!last_modified.is_empty(), "files carry Last-Modified");
    assert_eq!(again.status(), 304);
    assert_eq!(
        header(&again, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn the_page_revalidated_stays_revalidated() {
    let (app, _files) = app_with_release().await;
    for path in ["/", "/index.html"] {
        let first = get(&app, path).await;
        let last_modified = header(&first, "last-modified");

        let again = get_with(&app, path, &[("if-modified-since", &last_modified)]).await;

        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "cache-control"), "no-cache", "{path}");
    }
}
