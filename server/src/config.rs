//! The server's configuration: one typed struct, from flags and environment variables.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::oidc::flags::OidcFlags;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Access Portal's server: the REST API under /api/v1 and the built web app.
#[derive(Debug, Parser)]
#[command(name = "portal-server", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

/// What to do; serving is the default.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the web app (the default).
    Serve,
    /// Create or update users, groups, catalogs, packages and policies from a TOML file.
    /// Running it twice with the same file changes nothing.
    Import {
        /// The catalog file to apply.
        file: PathBuf,
    },
    /// Write a synthetic tenant of the given size into the database, in bulk, for measuring
    /// the portal at scale (`cargo xtask bench`). Use a fresh database: the people, packages
    /// and requests it writes are made up.
    Generate {
        /// How many people, each with a manager.
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        /// How many groups.
        #[arg(long, default_value_t = 500)]
        groups: usize,
        /// How many access packages, each with one or two policies.
        #[arg(long, default_value_t = 10_000)]
        packages: usize,
        /// How many finished requests, spread over the last two years.
        #[arg(long, default_value_t = 1_000_000)]
        requests: usize,
        /// The same seed writes the same tenant.
        #[arg(long = "random-seed", default_value_t = 15)]
        random_seed: u64,
    },
}

/// Everything the server needs to run. Every field is a flag and an environment variable.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// The address to listen on. Demo sign-in is refused on a non-loopback address unless
    /// --allow-demo-on-network is given.
    #[arg(
        long,
        env = "PORTAL_ADDRESS",
        default_value = "127.0.0.1",
        global = true
    )]
    pub address: IpAddr,

    /// The port to listen on; 0 picks a free one (the chosen address is printed).
    #[arg(long, env = "PORTAL_PORT", default_value_t = 8080, global = true)]
    pub port: u16,

    /// Where the data lives: `sqlite://path/to/file.db` (created on first start) or
    /// `postgres://user:password@host/database`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/portal.db",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,

    /// The folder with the built web app (index.html and its assets); paths that are neither
    /// API calls nor files there are answered with its index.html, so deep links work.
    #[arg(long, env = "PORTAL_STATIC_DIR", default_value = "dist", global = true)]
    pub static_dir: PathBuf,

    /// Turn on demo sign-in: anyone may act as any user of the directory. For trying the
    /// portal out, never for real data.
    #[arg(long, env = "PORTAL_DEMO", global = true)]
    pub demo: bool,

    /// Allow demo sign-in although the server listens on a non-loopback address.
    #[arg(long, env = "PORTAL_ALLOW_DEMO_ON_NETWORK", global = true)]
    pub allow_demo_on_network: bool,

    /// A catalog file (TOML) imported at start, e.g. the demo data. Importing is idempotent,
    /// so it is safe on every start.
    #[arg(long, env = "PORTAL_SEED", global = true)]
    pub seed: Option<PathBuf>,

    /// The secret that signs bearer tokens (HS256). Give every instance the same one; without
    /// it a random secret is made at start, and tokens end with the process.
    #[arg(
        long,
        env = "PORTAL_TOKEN_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub token_secret: Option<String>,

    /// Sign-in with the company's OpenID Provider.
    #[command(flatten)]
    pub sign_in: OidcFlags,

    /// How long a bearer token is accepted, in seconds.
    #[arg(long, env = "PORTAL_TOKEN_TTL", default_value_t = 8 * 3600, global = true)]
    pub token_ttl_seconds: u64,

    /// The portal's address as people reach it (`https://access.contoso.com`); links in emails
    /// start with it. Without it, links use the address and port the server actually serves on.
    #[arg(long, env = "PORTAL_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Web origins (`https://intranet.example.com`) whose pages may call the API from a
    /// browser, for a portal hosted on another origin than the API; comma-separated. A portal
    /// served by this server needs none.
    #[arg(
        long,
        env = "PORTAL_CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,

    /// Web origins whose pages may show the portal in a frame (CSP `frame-ancestors`),
    /// comma-separated; the portal's own origin always may.
    #[arg(
        long,
        env = "PORTAL_FRAME_ANCESTORS",
        value_delimiter = ',',
        global = true
    )]
    pub frame_ancestors: Vec<String>,

    /// How many changes (POST calls under /api/v1) one signed-in user may make per minute,
    /// in a burst or spread out; over it the server answers 429 with `Retry-After`. Calls
    /// without a valid token count against their address. 0 sets no limit.
    #[arg(
        long,
        env = "PORTAL_WRITES_PER_MINUTE",
        default_value_t = 60,
        global = true
    )]
    pub writes_per_minute: u32,

    /// How many sign-in attempts one client address may make per minute; over it the server
    /// answers 429 with `Retry-After`. 0 sets no limit.
    #[arg(
        long,
        env = "PORTAL_SIGN_INS_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub sign_ins_per_minute: u32,

    /// The server sits behind a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`; the limits per address then use the last address there. Without
    /// it that header is ignored, since any client can write it.
    #[arg(long, env = "PORTAL_BEHIND_PROXY", global = true)]
    pub behind_proxy: bool,

    /// How long any request may take, in seconds; a slower one is answered 503 Service
    /// Unavailable with `Retry-After`.
    #[arg(
        long,
        env = "PORTAL_REQUEST_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_seconds: u64,

    /// How many API calls (under /api/v1 and /scim/v2) may be at work at once; by default as
    /// many as the database pool has connections (8 on SQLite, 16 on PostgreSQL). A call over
    /// the bound waits a moment for a place, then is answered 503 Service Unavailable with
    /// `Retry-After`, so one slow endpoint cannot queue every other call behind it for
    /// seconds. The health check and the web app's files are not bounded. 0 sets no bound.
    #[arg(long, env = "PORTAL_CONCURRENT_REQUESTS", global = true)]
    pub concurrent_requests: Option<u32>,

    /// How many approval emails one requestor's requests may cause per hour. Over it, their
    /// requests are still taken and wait under the approvers' Approvals, but no email goes
    /// out for them until the hour has passed; the server logs each one held back.
    #[arg(
        long,
        env = "PORTAL_APPROVAL_EMAILS_PER_HOUR",
        default_value_t = 20,
        global = true
    )]
    pub approval_emails_per_hour: u32,

    /// The SMTP server that sends the portal's emails. Without one (demo mode), each email is
    /// written to the server's log instead and counts as sent.
    #[arg(long, env = "PORTAL_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,

    /// The SMTP server's port; by default 25 with --smtp-tls none, 587 with starttls, 465
    /// with tls.
    #[arg(long, env = "PORTAL_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,

    /// How the connection to the SMTP server is secured: `none` (plain text, for a relay on
    /// the same machine), `starttls` (upgrade after connecting) or `tls` (from the start).
    #[arg(
        long,
        env = "PORTAL_SMTP_TLS",
        value_enum,
        default_value_t = SmtpTls::Starttls,
        global = true
    )]
    pub smtp_tls: SmtpTls,

    /// The sender of every email, as `Name <address>` or a bare address.
    #[arg(
        long,
        env = "PORTAL_SMTP_FROM",
        default_value = "Access Portal <access-portal@localhost>",
        global = true
    )]
    pub smtp_from: String,

    /// The user name to sign in to the SMTP server with; give --smtp-password too.
    #[arg(long, env = "PORTAL_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,

    /// The password to sign in to the SMTP server with.
    #[arg(
        long,
        env = "PORTAL_SMTP_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub smtp_password: Option<String>,

    /// How often the mail worker looks for emails to send, in seconds. Failed sends are
    /// retried later, from 30 seconds up to an hour apart.
    #[arg(long, env = "PORTAL_MAIL_INTERVAL", default_value_t = 5, global = true)]
    pub mail_interval_seconds: u64,

    /// How often the time sweep runs, in seconds: it delivers scheduled requests, expires
    /// undecided requests and ended access, and writes expiry reminders.
    #[arg(
        long,
        env = "PORTAL_SWEEP_INTERVAL",
        default_value_t = 60,
        global = true
    )]
    pub sweep_interval_seconds: u64,

    /// The secret token an identity provider's provisioning client (Entra ID, Okta, …) sends
    /// as `Authorization: Bearer <token>` to /scim/v2; at least 32 characters. Without it the
    /// SCIM endpoints answer 404.
    #[arg(long, env = "PORTAL_SCIM_TOKEN", hide_env_values = true, global = true)]
    pub scim_token: Option<String>,

    /// User ids of the portal's administrators, who see the fulfilment webhooks and retry
    /// failed ones (`--admin alex --admin lynne`, or PORTAL_ADMINS=alex,lynne).
    #[arg(
        long = "admin",
        env = "PORTAL_ADMINS",
        value_delimiter = ',',
        global = true
    )]
    pub admins: Vec<String>,

    /// The id of a group whose members are administrators too, besides `--admin`.
    #[arg(long, env = "PORTAL_ADMIN_GROUP", global = true)]
    pub admin_group: Option<String>,
}

/// The shortest SCIM token accepted, in bytes.
pub const MIN_SCIM_TOKEN_BYTES: usize = 32;

/// The shortest secret that may sign demo tokens.
pub const MIN_TOKEN_SECRET_BYTES: usize = 32;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or a trusted network.
    None,
    /// Connect in plain text, then upgrade with STARTTLS (refusing a server that cannot).
    Starttls,
    /// TLS from the first byte ("SMTPS").
    Tls,
}

impl SmtpTls {
    /// The usual port for this kind of connection.
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::Starttls => 587,
            Self::Tls => 465,
        }
    }
}

impl Config {
    /// The portal's address as people reach it: `--public-url`, or else the address and port
    /// it serves on (`localhost` for a server listening on every address).
    pub fn public_url(&self) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = match self.address {
            address if address.is_unspecified() => "localhost".to_owned(),
            IpAddr::V6(address) => format!("[{address}]"),
            IpAddr::V4(address) => address.to_string(),
        };
        format!("http://{host}:{}", self.port)
    }

    /// Refuse a SCIM token too short to resist guessing.
    pub fn check_scim_token(&self) -> Result<(), String> {
        match &self.scim_token {
            Some(token) if token.len() < MIN_SCIM_TOKEN_BYTES => Err(format!(
                "the SCIM token (--scim-token / PORTAL_SCIM_TOKEN) is {} bytes long; use at \
                 least {MIN_SCIM_TOKEN_BYTES}, e.g. the output of `openssl rand -hex 32`",
                token.len()
            )),
            _ => Ok(()),
        }
    }

    /// The OpenID Provider whose tokens the API accepts, or what to fix. Demo sign-in beside
    /// it would let anyone act as anyone in a real deployment, so the two are refused together;
    /// a token secret too short to resist guessing is refused too.
    pub fn oidc(&self) -> Result<Option<crate::oidc::Settings>, String> {
        if let Some(secret) = &self.token_secret
            && secret.len() < MIN_TOKEN_SECRET_BYTES
        {
            return Err(format!(
                "the token secret (--token-secret / PORTAL_TOKEN_SECRET) is {} bytes long; \
                 use at least {MIN_TOKEN_SECRET_BYTES}, e.g. the output of `openssl rand -hex 32`",
                secret.len()
            ));
        }
        let settings = self.sign_in.settings()?;
        if settings.is_some() && self.demo {
            return Err(
                "--demo and --oidc-issuer are set together: demo sign-in lets anyone act as \
                 anyone, so it is never offered beside real sign-in; remove --demo"
                    .to_owned(),
            );
        }
        Ok(settings)
    }

    /// The `oidc` member of the served `config.json`.
    pub fn app_sign_in(&self) -> Option<serde_json::Value> {
        self.sign_in.for_app()
    }

    /// Whether demo sign-in may be offered on the configured address.
    pub fn demo_allowed(&self) -> Result<bool, String> {
        if !self.demo {
            return Ok(false);
        }
        if self.address.is_loopback() || self.allow_demo_on_network {
            return Ok(true);
        }
        Err(format!(
            "demo sign-in lets anyone act as anyone, so it is refused on {}: listen on 127.0.0.1, \
             or pass --allow-demo-on-network if this network is yours alone",
            self.address
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        Cli::parse_from(std::iter::once("portal-server").chain(args.iter().copied())).config
    }

    #[test]
    fn the_defaults_run_locally() {
        let config = parse(&[]);
        assert_eq!(config.address.to_string(), "127.0.0.1");
        assert_eq!(config.port, 8080);
        assert_eq!(config.database_url, "sqlite://data/portal.db");
        assert_eq!(
            config.smtp_host, None,
            "no SMTP server: emails go to the log"
        );
    }

    #[test]
    fn without_a_public_url_links_use_the_address_and_port_served() {
        assert_eq!(
            parse(&["--port", "18090"]).public_url(),
            "http://127.0.0.1:18090"
        );
        assert_eq!(
            parse(&["--address", "::1", "--port", "9000"]).public_url(),
            "http://[::1]:9000"
        );
        assert_eq!(
            parse(&["--address", "0.0.0.0"]).public_url(),
            "http://localhost:8080"
        );
        assert_eq!(
            parse(&["--public-url", "https://access.contoso.com"]).public_url(),
            "https://access.contoso.com"
        );
    }

    #[test]
    fn smtp_over_plain_text_on_loopback_can_be_configured() {
        let config = parse(&[
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            "2525",
            "--smtp-tls",
            "none",
        ]);
        assert_eq!(config.smtp_host.as_deref(), Some("127.0.0.1"));
        assert_eq!(config.smtp_port, Some(2525));
        assert_eq!(config.smtp_tls, SmtpTls::None);
        assert_eq!(SmtpTls::Starttls.default_port(), 587);
    }

    #[test]
    fn administrators_are_named_by_user_id_or_by_group() {
        let config = parse(&["--admin", "alex,lynne", "--admin-group", "it-admins"]);
        assert_eq!(config.admins, ["alex", "lynne"]);
        assert_eq!(config.admin_group.as_deref(), Some("it-admins"));
        assert!(parse(&[]).admins.is_empty());
    }

    #[test]
    fn a_short_scim_token_is_refused_with_how_to_make_one() {
        let err = parse(&["--scim-token", "short"])
            .check_scim_token()
            .unwrap_err();
        assert!(err.contains("at least 32"), "{err}");
        let long = "x".repeat(32);
        assert_eq!(parse(&["--scim-token", &long]).check_scim_token(), Ok(()));
        assert_eq!(parse(&[]).check_scim_token(), Ok(()));
    }

    #[test]
    fn demo_sign_in_is_refused_on_a_network_address_unless_allowed() {
        assert!(
            parse(&["--demo", "--address", "0.0.0.0"])
                .demo_allowed()
                .is_err()
        );
        assert_eq!(
            parse(&["--demo", "--address", "0.0.0.0", "--allow-demo-on-network"]).demo_allowed(),
            Ok(true)
        );
        assert_eq!(parse(&["--demo"]).demo_allowed(), Ok(true));
        assert_eq!(parse(&["--address", "0.0.0.0"]).demo_allowed(), Ok(false));
    }
}
