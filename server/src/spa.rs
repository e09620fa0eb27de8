//! Serving the built web app: files as they are, and `index.html` for every other path so
//! that deep links (`/package/42`) and hard refreshes open the app on that route.

use std::path::Path;

use axum::http::{HeaderValue, Response, header};
use tower::Layer as _;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

type CacheControl = fn(&Response<ServeFileSystemResponseBody>) -> Option<HeaderValue>;

/// The static-file service. `index.html` is never cached, so a new release is picked up at
/// once; the assets Trunk writes carry a content hash in their names.
pub fn service(dir: &Path) -> SetResponseHeader<ServeDir<ServeFile>, CacheControl> {
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .fallback(ServeFile::new(dir.join("index.html")));
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, cache_control as CacheControl)
        .layer(files)
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
