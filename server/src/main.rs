//! The `portal-server` binary: parse the configuration, then serve or import.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    portal_server::telemetry::init();
    portal_server::cli::run(portal_server::config::Cli::parse()).await
}
