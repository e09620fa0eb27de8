//! Access Portal's server: the REST API under `/api/v1` and the built web app, on one port.
//!
//! `app(state)` is the whole HTTP surface, so tests can run it on port 0 or call it directly;
//! `main.rs` only parses the configuration and hands it to `cli::run`.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod extract;
pub mod generate;
pub mod hashed_files;
pub mod headers;
pub mod hosts;
pub mod import;
pub mod limits;
pub mod mail;
pub mod oidc;
pub mod origins;
pub mod paging;
pub mod requesting;
pub mod routes;
pub mod scim;
pub mod spa;
pub mod state;
pub mod store;
pub mod sweep;
pub mod telemetry;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware::from_fn_with_state;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub use crate::config::Config;
pub use crate::state::AppState;
use crate::store::Db;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Open the database (migrating it) and make the state every handler shares.
pub async fn state(config: Config) -> anyhow::Result<AppState> {
    config.demo_allowed().map_err(anyhow::Error::msg)?;
    let oidc = config.oidc().map_err(anyhow::Error::msg)?;
    origins::check(&config)?;
    config.check_scim_token().map_err(anyhow::Error::msg)?;
    let db = Db::connect(&config.database_url).await?;
    if let Some(seed) = &config.seed {
        let summary = import::import_file(&db, seed).await?;
        tracing::info!(?summary, file = %seed.display(), "imported the seed catalog");
    }
    let mut tokens = match config.demo {
        true => auth::Tokens::new(config.token_secret.as_deref(), config.token_ttl_seconds),
        false => auth::Tokens::none(),
    };
    if let Some(settings) = oidc {
        tokens = tokens.with_provider(oidc::Provider::new(settings)?);
    }
    Ok(AppState {
        db,
        config: Arc::new(config),
        tokens: Arc::new(tokens),
        clock: domain::Clock::system(),
    })
}

/// The whole HTTP surface: `/api/v1/...`, `/healthz`, and the web app for every other path;
/// only for the configured host names, and with the security headers on every answer.
pub fn app(state: AppState) -> Router {
    let spa = spa::router(&state.config.static_dir, state.config.app_sign_in());
    let hosts = hosts::Hosts::new(&state.config);
    let security = headers::SecurityHeaders::new(&state.config);
    let limiters = Arc::new(limits::Limits::new(&state.config, state.tokens.clone()));
    let timeout = std::time::Duration::from_secs(state.config.request_timeout_seconds.max(1));
    // One set of places for every call that reaches the database; the health check and the
    // web app's files stay outside it, so they answer however busy the API is.
    let places = state
        .config
        .concurrent_requests
        .unwrap_or_else(|| state.db.pool.options().get_max_connections());
    let concurrency = limits::Concurrency::new(places as usize);
    // API answers carry personal data: no browser or proxy may keep a copy.
    let api =
        limits::bounded(routes::api(), &concurrency).layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let scim = limits::bounded(routes::scim::router(state.clone()), &concurrency);
    let routes = Router::new()
        .nest("/api/v1", api)
        .route(
            "/api/openapi.json",
            axum::routing::get(routes::openapi::document),
        )
        .nest("/scim/v2", scim)
        .route("/api", axum::routing::any(routes::api_not_found))
        .route("/api/{*rest}", axum::routing::any(routes::api_not_found))
        .merge(routes::operations())
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            limiters,
            limits::enforce,
        ));
    // Outside the limits, so that a request held up anywhere is cut off, and inside the
    // origin headers, so that browsers can read the 503 and the 429.
    limits::with_timeout(routes, timeout)
        .layer(origins::cors(&state.config))
        .layer(from_fn_with_state(hosts, hosts::only_served_hosts))
        .layer(from_fn_with_state(security, headers::add))
        .layer(CompressionLayer::new())
        // 5xx answers are logged as warnings: a busy 503 under load is expected, and a 500
        // logs its cause in full at error level where it happens.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .with_state(state)
}
