//! Which host names the server answers for: the public URL's and loopback's, nothing else.
//!
//! A web page that rebinds its own DNS name to 127.0.0.1 can make the browser send requests
//! to a portal running on the developer's machine; the browser treats them as same-origin with
//! that page, so it could sign in (demo sign-in) and read the answers. Such requests still carry
//! the page's own name in `Host`, so answering only known names closes the hole.

use axum::extract::{Request, State};
use axum::http::uri::Authority;
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use portal_api::Problem;

use crate::config::Config;
use crate::error::problem_response;

/// The host names that are always the server itself.
const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Paths answered whatever the `Host`: load balancers probe `/healthz` by IP address, and it
/// tells nothing but "ok".
const ANY_HOST: [&str; 1] = ["/healthz"];

/// The host names this configuration serves, lowercase; any port is accepted with them.
#[derive(Debug, Clone)]
pub struct Hosts {
    names: Vec<String>,
    public_url: String,
}

impl Hosts {
    pub fn new(config: &Config) -> Self {
        let public_url = config.public_url();
        let mut names: Vec<String> = LOOPBACK.iter().map(|&name| name.to_owned()).collect();
        if let Some(host) = public_url.parse::<Uri>().ok().as_ref().and_then(Uri::host) {
            names.push(normalise(host));
        }
        Self { names, public_url }
    }

    /// Whether a request naming `authority` (`Host` header or absolute URI) is for this server.
    pub fn serves(&self, authority: &str) -> bool {
        // A user name before the host is never sent by a browser; refuse it rather than guess.
        !authority.contains('@')
            && authority
                .parse::<Authority>()
                .is_ok_and(|a| self.names.contains(&normalise(a.host())))
    }
}

/// Answer 421 Misdirected Request to a request for any other host.
pub async fn only_served_hosts(
    State(hosts): State<Hosts>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_owned)
        });
    let served = authority.as_deref().is_some_and(|a| hosts.serves(a));
    if served || ANY_HOST.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let named = authority.unwrap_or_else(|| "no host".to_owned());
    problem_response(Problem {
        status: StatusCode::MISDIRECTED_REQUEST.as_u16(),
        title: "Misdirected request".to_owned(),
        detail: format!(
            "This server answers for {} and loopback (localhost, 127.0.0.1, [::1]), not for \
             {named:?}. Open the portal at that address, or start the server with --public-url \
             set to the address people use.",
            hosts.public_url
        ),
        errors: vec![],
    })
}

/// Host names compare without case and without a final dot (`Example.com.` is `example.com`).
fn normalise(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn hosts(public_url: &str) -> Hosts {
        let cli = crate::config::Cli::parse_from(["portal-server", "--public-url", public_url]);
        Hosts::new(&cli.config)
    }

    #[test]
    fn the_public_host_and_loopback_are_served_on_any_port() {
        let hosts = hosts("https://Access.Contoso.com");
        for served in [
            "access.contoso.com",
            "ACCESS.contoso.com:8443",
            "access.contoso.com.",
            "localhost:8080",
            "127.0.0.1",
            "[::1]:8080",
        ] {
            assert!(hosts.serves(served), "{served}");
        }
    }

    #[test]
    fn other_hosts_are_not_served() {
        let hosts = hosts("https://access.contoso.com");
        for other in [
            "attacker.example",
            "access.contoso.com.attacker.example",
            "10.0.0.5:8080",
            "",
            "user@access.contoso.com",
        ] {
            assert!(!hosts.serves(other), "{other}");
        }
    }
}
