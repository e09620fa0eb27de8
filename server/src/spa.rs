//! Serving the built web app: files as they are, and `index.html` for every other plain path
//! so that deep links (`/package/42`) and hard refreshes open the app on that route.
//!
//! Only plain paths get the app. Its start-up script makes the folder of the address the base
//! of everything it loads, so an address like `//evil.example/requests` must never answer it:
//! any path that is not segments of letters, digits, `-`, `.`, `_` and `~` (two slashes,
//! backslashes, percent-encoding, dot segments, a scheme) answers a plain not-found page.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::Layer as _;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

type CacheControl = fn(&Response<ServeFileSystemResponseBody>) -> Option<HeaderValue>;

/// The web app in `dir`. `index.html`, `config.json` and `embed.js` are revalidated on every
/// use, so a new release or configuration is picked up at once; the other files Trunk writes
/// carry a content hash in their names and are cached.
///
/// `config.json`'s `oidc` part is the server's own sign-in setting (`sign_in`), whatever the
/// file says, so that the app never sends people to a provider whose tokens the API refuses.
pub fn router(dir: &Path, sign_in: Option<Value>) -> Router {
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(dir.join("index.html")));
    let files =
        SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, cache_control as CacheControl)
            .layer(files);
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
        .fallback_service(files)
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

fn cache_control(response: &Response<ServeFileSystemResponseBody>) -> Option<HeaderValue> {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    Some(HeaderValue::from_static(if is_html {
        "no-cache"
    } else {
        "public, max-age=3600"
    }))
}

#[cfg(test)]
mod tests {
    use super::is_plain;

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
