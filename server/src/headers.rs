//! The security headers on every answer: one Content-Security-Policy, `nosniff`, the referrer
//! policy and, for a portal reached over https, HSTS.
//!
//! The policy allows scripts from the portal's own origin, the wasm module, and exactly the
//! inline scripts of the `index.html` being served (by their sha256, read from the file at
//! start, since Trunk writes one of them and minifies both): an injected inline script does not
//! run. `base-uri 'self'` stops a `<base>` that points anywhere else, and the app may only
//! connect to its own origin and the origins its `config.json` names (the API, the OpenID
//! Provider). Replacing the web app or those fields of `config.json` needs a restart.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The headers added to every answer (unless a handler set its own).
#[derive(Debug, Clone)]
pub struct SecurityHeaders(Arc<HeaderMap>);

impl SecurityHeaders {
    /// The headers for this configuration and the web app in its `--static-dir`.
    pub fn new(config: &Config) -> Self {
        let policy = content_security_policy(config, &config.static_dir);
        let mut headers = HeaderMap::new();
        match HeaderValue::from_str(&policy) {
            Ok(value) => {
                headers.insert(header::CONTENT_SECURITY_POLICY, value);
            }
            // Only reachable with an origin `origins::check` refused at start.
            Err(_) => tracing::error!(%policy, "the content security policy is not a header"),
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
        if config.public_url().starts_with("https://") {
            headers.insert(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            );
        }
        Self(Arc::new(headers))
    }
}

/// Add the security headers to an answer.
pub async fn add(State(headers): State<SecurityHeaders>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    for (name, value) in headers.0.iter() {
        response
            .headers_mut()
            .entry(name)
            .or_insert_with(|| value.clone());
    }
    response
}

/// The one Content-Security-Policy of the portal.
pub fn content_security_policy(config: &Config, static_dir: &Path) -> String {
    let mut script = vec![
        "'self'".to_owned(),
        // The app is a WebAssembly module; this allows compiling it, not `eval`.
        "'wasm-unsafe-eval'".to_owned(),
    ];
    script.extend(inline_script_hashes(static_dir));
    let app = AppOrigins::read(static_dir);
    let mut connect = vec!["'self'".to_owned()];
    // The served config.json's `oidc` is the server's own sign-in setting (spa.rs), whatever
    // the file on disk says: the app talks to that provider.
    let issuer = config
        .app_sign_in()
        .and_then(|oidc| oidc.get("issuer")?.as_str().and_then(origin))
        .or(app.issuer);
    connect.extend(app.api.into_iter().chain(issuer));
    let mut img = vec!["'self'".to_owned()];
    img.extend(app.logo);
    let mut frame_ancestors = vec!["'self'".to_owned()];
    frame_ancestors.extend(
        config
            .frame_ancestors
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned()),
    );
    [
        ("default-src", vec!["'self'".to_owned()]),
        ("script-src", script),
        ("style-src", vec!["'self'".to_owned()]),
        ("img-src", img),
        ("connect-src", connect),
        ("object-src", vec!["'none'".to_owned()]),
        ("base-uri", vec!["'self'".to_owned()]),
        ("form-action", vec!["'self'".to_owned()]),
        ("frame-ancestors", frame_ancestors),
    ]
    .iter()
    .map(|(directive, sources)| {
        let mut sources = sources.clone();
        sources.dedup();
        format!("{directive} {}", sources.join(" "))
    })
    .collect::<Vec<_>>()
    .join("; ")
}

/// `'sha256-…'` for each inline `<script>` of `index.html`, in order; none without the file.
fn inline_script_hashes(static_dir: &Path) -> Vec<String> {
    let path = static_dir.join("index.html");
    let html = match std::fs::read_to_string(&path) {
        Ok(html) => html,
        Err(err) => {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(file = %path.display(), error = %err, "cannot read the web app's index.html: its inline scripts will not run");
            }
            return vec![];
        }
    };
    inline_scripts(&html)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect()
}

/// The text of each `<script>` element without a `src`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    static SCRIPT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?is)<script\b([^>]*)>(.*?)</script\s*>").expect("a valid pattern")
    });
    static SRC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)(^|\s)src\s*=").expect("a valid pattern")
    });
    SCRIPT.captures_iter(html).filter_map(|c| {
        let attributes = c.get(1).map_or("", |m| m.as_str());
        (!SRC.is_match(attributes)).then(|| c.get(2).map_or("", |m| m.as_str()))
    })
}

/// The other origins the app's `config.json` sends the browser to.
#[derive(Debug, Default)]
struct AppOrigins {
    api: Option<String>,
    issuer: Option<String>,
    logo: Option<String>,
}

impl AppOrigins {
    fn read(static_dir: &Path) -> Self {
        let path = static_dir.join("config.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Self::default();
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            // The app itself names the problem to the user; the policy stays at 'self'.
            tracing::warn!(file = %path.display(), "config.json is not JSON");
            return Self::default();
        };
        let origin_of = |pointer: &str| {
            json.pointer(pointer)
                .and_then(serde_json::Value::as_str)
                .and_then(origin)
        };
        Self {
            api: origin_of("/apiBaseUrl"),
            issuer: origin_of("/oidc/issuer"),
            logo: origin_of("/logoUrl"),
        }
    }
}

/// `scheme://host:port` of an absolute http(s) URL; `None` for a relative one.
fn origin(url: &str) -> Option<String> {
    let uri = url.parse::<Uri>().ok()?;
    let scheme = uri.scheme_str()?;
    let authority = uri.authority()?;
    matches!(scheme, "http" | "https").then(|| format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_scripts_with_a_source_are_not() {
        let html = r#"<head><script>one()</script><SCRIPT type="module">two()</SCRIPT >
            <script src="app.js"></script><script defer src=x.js></script></head>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["one()", "two()"]);
    }

    #[test]
    fn an_inline_script_hash_is_the_one_browsers_compute() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::write(
            dir.path().join("index.html"),
            "<script>alert('Hello, world.');</script>",
        )
        .expect("a file");
        // The example of the CSP Level 3 specification.
        assert_eq!(
            inline_script_hashes(dir.path()),
            ["'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"]
        );
    }

    #[test]
    fn only_absolute_addresses_have_an_origin() {
        assert_eq!(
            origin("https://api.contoso.com/api/v1").as_deref(),
            Some("https://api.contoso.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:9000/x").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin("/api/v1"), None);
        assert_eq!(origin("api/v1"), None);
        assert_eq!(origin("javascript:alert(1)"), None);
    }

    #[test]
    fn the_app_may_connect_to_the_provider_the_server_signs_in_with() {
        use clap::Parser;
        let dir = tempfile::tempdir().expect("a folder");
        let config = crate::config::Cli::try_parse_from([
            "portal-server",
            "--oidc-issuer",
            "https://login.contoso.com/tenant/v2.0",
            "--oidc-client-id",
            "portal",
        ])
        .expect("valid flags")
        .config;
        let policy = content_security_policy(&config, dir.path());
        let connect = policy
            .split("; ")
            .find(|d| d.starts_with("connect-src"))
            .expect("a connect-src");
        assert_eq!(connect, "connect-src 'self' https://login.contoso.com");
    }
}
