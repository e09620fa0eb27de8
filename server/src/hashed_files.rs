//! The web app's files whose names carry their content hash (`portal-<hash>.css`, the wasm
//! chunks), answered from memory. Such a name never names other bytes, so a copy read once
//! — with the `.br` and `.gz` copies beside it — is never stale, and answering it costs what
//! a plain answer of the server costs instead of a file open and reads on the blocking pool
//! per request. Files are read on their first request, so a deploy's new files are served
//! as soon as they are there; a name that is not on disk is left to the file server (which
//! answers the app's page for it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The hashed files of one folder read so far, by request path.
#[derive(Clone)]
pub struct HashedFiles {
    dir: PathBuf,
    read: Arc<RwLock<HashMap<String, Arc<File>>>>,
}

/// One file as read, with its precompressed copies when there are any.
struct File {
    content_type: HeaderValue,
    /// When the file was written, to the second, for `Last-Modified` / `If-Modified-Since`.
    modified: Option<SystemTime>,
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl HashedFiles {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            read: Arc::default(),
        }
    }

    /// The file at `path` (a plain path, see `spa::is_plain`), read now if it was not yet;
    /// `None` when there is no such file.
    async fn get(&self, path: &str) -> Option<Arc<File>> {
        if let Some(file) = self.read.read().ok()?.get(path) {
            return Some(file.clone());
        }
        let on_disk = self.dir.join(path.trim_start_matches('/'));
        let plain = tokio::fs::read(&on_disk).await.ok()?;
        let copy = |suffix: &str| {
            let mut name = on_disk.clone().into_os_string();
            name.push(suffix);
            async move { tokio::fs::read(name).await.ok().map(Bytes::from) }
        };
        let content_type = mime_guess::from_path(&on_disk).first_or_octet_stream();
        let modified = tokio::fs::metadata(&on_disk)
            .await
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| httpdate::parse_http_date(&httpdate::fmt_http_date(at)).ok());
        let file = Arc::new(File {
            content_type: HeaderValue::from_str(content_type.as_ref()).ok()?,
            modified,
            plain: Bytes::from(plain),
            brotli: copy(".br").await,
            gzip: copy(".gz").await,
        });
        self.read
            .write()
            .ok()?
            .insert(path.to_owned(), file.clone());
        Some(file)
    }
}

/// Middleware in front of the file server: a hashed name that is on disk is answered from
/// memory, in the best encoding the request accepts; anything else goes on to `next`.
pub async fn serve(State(files): State<HashedFiles>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let reads = request.method() == Method::GET || request.method() == Method::HEAD;
    if !reads || !crate::spa::is_hashed(path) {
        return next.run(request).await;
    }
    let Some(file) = files.get(path).await else {
        return next.run(request).await;
    };
    if let Some(modified) = file.modified {
        let since = request
            .headers()
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        if since.is_some_and(|since| modified <= since) {
            return StatusCode::NOT_MODIFIED.into_response();
        }
    }
    let accepts = |coding| accepts(request.headers(), coding);
    let (body, encoding) = match (&file.brotli, &file.gzip) {
        (Some(brotli), _) if accepts("br") => (brotli.clone(), Some("br")),
        (_, Some(gzip)) if accepts("gzip") => (gzip.clone(), Some("gzip")),
        _ => (file.plain.clone(), None),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, file.content_type.clone());
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    let modified = file.modified.map(httpdate::fmt_http_date);
    if let Some(value) = modified.and_then(|at| HeaderValue::from_str(&at).ok()) {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}

/// Whether `Accept-Encoding` accepts `coding` with a weight above zero: its own weight if it
/// is named, else that of `*`.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let (mut named, mut any) = (None, None);
    let items = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for item in items {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
        if name.eq_ignore_ascii_case(coding) {
            named = weight;
        } else if name == "*" {
            any = weight;
        }
    }
    named.or(any).is_some_and(|q| q > 0.0)
}

#[cfg(test)]
mod tests {
    use super::accepts;
    use axum::http::{HeaderMap, HeaderValue, header};

    fn asking(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn a_coding_is_accepted_when_named_or_starred_with_a_weight_above_zero() {
        assert!(accepts(&asking("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&asking("GZIP;q=0.5"), "gzip"));
        assert!(accepts(&asking("*"), "br"));
        assert!(!accepts(&asking("gzip"), "br"));
        assert!(!accepts(&asking("br;q=0, gzip"), "br"));
        assert!(!accepts(&asking("br; q=0.0"), "br"));
        assert!(!accepts(&asking("*, br;q=0"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }
}
