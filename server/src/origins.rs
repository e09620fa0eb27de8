//! Which other web origins may use the portal: call the API from their pages (CORS) and show
//! the portal in a frame (CSP `frame-ancestors`, sent by `headers`). Both lists come from the
//! configuration.

use axum::http::{HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;

/// Refuse origins that a browser would never send, and wildcards, naming the entry to fix.
pub fn check(config: &Config) -> anyhow::Result<()> {
    for (flag, origins) in [
        ("--cors-allowed-origins", &config.cors_allowed_origins),
        ("--frame-ancestors", &config.frame_ancestors),
    ] {
        for origin in origins {
            if origin.contains('*') {
                anyhow::bail!(
                    "{flag}: {origin:?} is a wildcard; list each origin in full, e.g. \
                     https://intranet.example.com,https://wiki.example.com"
                );
            }
            if !is_origin(origin) {
                anyhow::bail!(
                    "{flag}: {origin:?} is not a web origin; write scheme://host[:port] only, \
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

/// `http` or `https`, `://`, a host name, IPv4 address or bracketed IPv6 address, and an
/// optional port; a trailing `/` is forgiven.
fn is_origin(text: &str) -> bool {
    let text = text.strip_suffix('/').unwrap_or(text);
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => (host, Some(port)),
        _ => (rest, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host.split('.').all(|label| {
                    !label.is_empty()
                        && label.len() <= 63
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        }
    };
    matches!(scheme, "http" | "https") && host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{check, is_origin};
    use crate::config::Config;

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

    #[test]
    fn hosts_and_ports_must_be_real_ones() {
        assert!(is_origin("https://[::1]:8443"));
        assert!(is_origin("https://intra-net.example.com:443"));
        assert!(!is_origin("https://intranet.example.com:http"));
        assert!(!is_origin("https://intranet.example.com:70000"));
        assert!(!is_origin("https://intranet..example.com"));
        assert!(!is_origin("https://user@intranet.example.com"));
        assert!(!is_origin("https://intranet.example.com?x=1"));
        assert!(!is_origin("null"));
    }

    #[test]
    fn a_wildcard_origin_is_refused_naming_the_flag_and_the_entry() {
        for (flag, entry) in [
            ("--cors-allowed-origins", "https://*.example.com"),
            ("--frame-ancestors", "*"),
        ] {
            let list = format!("https://intranet.example.com,{entry}");
            let config = config(&[flag, &list]);
            let message = check(&config).unwrap_err().to_string();
            assert!(message.starts_with(flag), "{message}");
            assert!(message.contains(&format!("{entry:?}")), "{message}");
            assert!(message.contains("wildcard"), "{message}");
        }
    }

    #[test]
    fn an_entry_with_a_path_is_refused_naming_it() {
        let config = config(&["--frame-ancestors", "https://intranet.example.com/portal"]);
        let message = check(&config).unwrap_err().to_string();
        assert!(
            message.contains("\"https://intranet.example.com/portal\" is not a web origin"),
            "{message}"
        );
    }

    fn config(args: &[&str]) -> Config {
        let args = std::iter::once("portal-server").chain(args.iter().copied());
        crate::config::Cli::parse_from(args).config
    }
}
