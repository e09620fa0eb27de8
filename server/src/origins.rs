//! Which other web origins may use the portal: call the API from their pages (CORS) and show
//! the portal in a frame (CSP `frame-ancestors`, sent by `headers`). Both lists come from the
//! configuration.

use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;

/// Refuse origins that a browser would never send, naming the one to fix.
pub fn check(config: &Config) -> anyhow::Result<()> {
    for (flag, origins) in [
        ("--cors-allowed-origins", &config.cors_allowed_origins),
        ("--frame-ancestors", &config.frame_ancestors),
    ] {
        for origin in origins {
            if !is_origin(origin) {
                anyhow::bail!(
                    "{flag}: {origin:?} is not a web origin; write scheme, host and port only, \
                     e.g. https://intranet.example.com or http://127.0.0.1:8000"
                );
            }
        }
    }
    Ok(())
}

/// CORS for the configured origins: bearer-token calls, no cookies.
pub fn cors(config: &Config) -> CorsLayer {
    let origins: Vec<HeaderValue> = config
        .cors_allowed_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::LOCATION])
        .max_age(std::time::Duration::from_secs(3600))
}

fn is_origin(text: &str) -> bool {
    let text = text.trim_end_matches('/');
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' ', '@'])
        && HeaderValue::from_str(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert!(is_origin("https://intranet.example.com"));
        assert!(is_origin("http://127.0.0.1:8000"));
        assert!(is_origin("http://127.0.0.1:8000/"));
        assert!(!is_origin("intranet.example.com"));
        assert!(!is_origin("https://intranet.example.com/portal"));
        assert!(!is_origin("ftp://files"));
        assert!(!is_origin("https://"));
    }
}
