//! Serving the built web app: files as they are, and `index.html` for every other plain path
//! so that deep links (`/package/42`) and hard refreshes open the app on that route.
//!
//! Files whose names carry Trunk's content hash (`portal-<16 hex>.js`, `…_bg.wasm`, `.css`)
//! never change under that name, so browsers keep them for a year without asking again; the
//! pages and the files that change on deploy (`index.html`, `404.html`, `config.json`,
//! `embed.js`) are revalidated on every use. The `.gz` and `.br` copies that `cargo xtask`
//! writes beside the files are sent to browsers that accept them, so nothing is compressed
//! per request; hashed files are answered from memory (hashed_files.rs).
//!
//! Only plain paths get the app. Its start-up script makes the folder of the address the base
//! of everything it loads, so an address like `//evil.example/requests` must never answer it:
//! any path that is not segments of letters, digits, `-`, `.`, `_` and `~` (two slashes,
//! backslashes, percent-encoding, dot segments, a scheme) answers a plain not-found page.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};

use crate::hashed_files::HashedFiles;

/// What browsers may do with a file whose name carries its content hash: keep it for a year
/// and never revalidate it, since other content gets another name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// What browsers may do with the other files (the icon without a hash, say): use them for an
/// hour.
const SHORT_LIVED: &str = "public, max-age=3600";

/// The web app in `dir`. `index.html`, `config.json` and `embed.js` are revalidated on every
/// use, so a new release or configuration is picked up at once; the other files Trunk writes
/// carry a content hash in their names and are cached for good.
///
/// `config.json`'s `oidc` part is the server's own sign-in setting (`sign_in`), whatever the
/// file says, so that the app never sends people to a provider whose tokens the API refuses.
pub fn router(dir: &Path, sign_in: Option<Value>) -> Router {
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(index);
    let files = Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(
            HashedFiles::new(dir),
            crate::hashed_files::serve,
        ))
        .layer(middleware::from_fn(cache_headers));
    let config = dir.join("config.json");
    let embed = dir.join("embed.js");
    Router::new()
        .route(
            "/config.json",
            get(move |headers: HeaderMap| runtime_config(config, sign_in, headers)),
        )
        .route(
            "/embed.js",
            get(move |headers: HeaderMap| revalidated(embed, "text/javascript", headers)),
        )
        .merge(files)
        .layer(middleware::from_fn(plain_paths_only))
}

/// Whether `path` (as sent, still percent-encoded) is a plain path: `/`, or segments of
/// unreserved characters, none of them `.` or `..`, with at most a final `/`.
pub fn is_plain(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    segments.iter().enumerate().all(|(i, segment)| {
        if segment.is_empty() {
            return i == last;
        }
        *segment != "."
            && *segment != ".."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    })
}

/// The page for addresses that are not plain paths: no scripts, and a link to the portal.
const NOT_FOUND_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en\"><meta charset=\"utf-8\">\
<title>Page not found</title><h1>Page not found</h1>\
<p>This address is not a page of the portal. <a href=\"/\">Open the portal</a>.</p></html>\n";

async fn plain_paths_only(request: Request, next: Next) -> axum::response::Response {
    if is_plain(request.uri().path()) {
        return next.run(request).await;
    }
    (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        NOT_FOUND_PAGE,
    )
        .into_response()
}

/// A small file that must never be used stale: answered with `no-cache` and an ETag of its
/// content, and `304 Not Modified` while the browser's copy is still the current one.
async fn revalidated(
    path: PathBuf,
    content_type: &'static str,
    request: HeaderMap,
) -> axum::response::Response {
    match read(&path).await {
        Ok(body) => answer(body, content_type, &request),
        Err(response) => response,
    }
}

/// `config.json` with the server's sign-in setting in its `oidc` member.
async fn runtime_config(
    path: PathBuf,
    sign_in: Option<Value>,
    request: HeaderMap,
) -> axum::response::Response {
    let file = match read(&path).await {
        Ok(body) => body,
        // A server with a sign-in setting needs no file to say it.
        Err(_) if sign_in.is_some() => b"{}".to_vec(),
        Err(response) => return response,
    };
    let Ok(Value::Object(mut config)) = serde_json::from_slice::<Value>(&file) else {
        tracing::error!(file = %path.display(), "the web app's config.json is not a JSON object");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The web app's config.json is not a JSON object; fix the file in --static-dir.",
        )
            .into_response();
    };
    let body = match sign_in {
        Some(oidc) => {
            config.insert("oidc".to_owned(), oidc);
            serde_json::to_vec_pretty(&config).unwrap_or_default()
        }
        None if config.remove("oidc").is_some() => {
            tracing::warn!(
                "config.json names an OpenID Provider but the server has none (--oidc-issuer); \
                 the app is served without it"
            );
            serde_json::to_vec_pretty(&config).unwrap_or_default()
        }
        // Nothing to change: the file as it is.
        None => file,
    };
    answer(body, "application/json", &request)
}

/// The bytes of a web app file, or the answer to give when it cannot be read.
async fn read(path: &Path) -> Result<Vec<u8>, axum::response::Response> {
    match tokio::fs::read(path).await {
        Ok(body) => Ok(body),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            Err((
                StatusCode::NOT_FOUND,
                format!("There is no {name} in the web app's folder (--static-dir)."),
            )
                .into_response())
        }
        Err(err) => {
            tracing::error!(file = %path.display(), error = %err, "cannot read a web app file");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// `body` answered with `no-cache` and an ETag of its content, and `304 Not Modified` while
/// the browser's copy is still the current one.
fn answer(
    body: Vec<u8>,
    content_type: &'static str,
    request: &HeaderMap,
) -> axum::response::Response {
    let digest = Sha256::digest(&body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    // Weak: the compression layer may send other bytes for the same content.
    let etag = format!("W/\"{hex}\"");
    let headers = [
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::ETAG, etag.clone()),
    ];
    if matches_etag(request, &etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (
        headers,
        [(header::CONTENT_TYPE, content_type.to_owned())],
        body,
    )
        .into_response()
}

/// Whether `If-None-Match` names `etag` (compared weakly, as RFC 9110 asks for GET) or `*`.
fn matches_etag(request: &HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

/// Whether the last segment of `path` is a name Trunk gave a content hash:
/// `name-<16 hex digits>.ext`, or `name-<hash>_bg.wasm`.
pub fn is_hashed(path: &str) -> bool {
    static HASHED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"-[0-9a-f]{16}(?:_bg)?\.[A-Za-z0-9]+$").expect("a valid pattern")
    });
    HASHED.is_match(path.rsplit('/').next().unwrap_or_default())
}

/// Middleware over the files: how long browsers may keep each, and that the answer depends on
/// `Accept-Encoding` (a `.gz` or `.br` copy, or the file itself).
async fn cache_headers(request: Request, next: Next) -> axum::response::Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return response;
    }
    let headers = response.headers_mut();
    // The fallback answers index.html for a hashed name that is gone (an old release's
    // script, say): that page must stay fresh whatever its address.
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A 304 carries no Content-Type: unless the name is hashed it may be the page, which
    // must not be given a lifetime by its revalidation.
    let revalidated = status == StatusCode::NOT_MODIFIED;
    let cache = match (is_html, hashed) {
        (true, _) => "no-cache",
        (false, true) => IMMUTABLE,
        (false, false) if revalidated => "no-cache",
        (false, false) => SHORT_LIVED,
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    let varies = headers
        .get_all(header::VARY)
        .iter()
        .any(|v| v.as_bytes().eq_ignore_ascii_case(b"accept-encoding"));
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{is_hashed, is_plain};

    #[test]
    fn names_with_trunks_content_hash_are_told_from_the_others() {
        for path in [
            "/portal-346fbf2235da9e69.js",
            "/portal-346fbf2235da9e69_bg.wasm",
            "/access/portal-967e9c523a8c7ac6.css",
            "/favicon-209595c44d1c949a.svg",
        ] {
            assert!(is_hashed(path), "{path}");
        }
        for path in [
            "/index.html",
            "/404.html",
            "/embed.js",
            "/config.json",
            "/portal.js",
            "/package/sales-crm",
            "/portal-346fbf2235da9e6.js",
        ] {
            assert!(!is_hashed(path), "{path}");
        }
    }

    #[test]
    fn app_addresses_are_plain_paths() {
        for path in [
            "/",
            "/package/sales-crm",
            "/requests/0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
            "/access/",
            "/portal-1a2b_bg.wasm",
            "/~team/x.y",
        ] {
            assert!(is_plain(path), "{path}");
        }
    }

    #[test]
    fn addresses_that_could_name_another_base_are_not_plain() {
        for path in [
            "//evil.example/requests",
            "/\\evil.example/requests",
            "/%2f%2fevil.example/requests",
            "/%2F%2Fevil.example/requests",
            "/%2e%2e/requests",
            "/../requests",
            "/./requests",
            "/https:/evil.example/requests",
            "/package//x",
            "package/x",
            "",
        ] {
            assert!(!is_plain(path), "{path}");
        }
    }
}
