//! What the binary does: serve (the default) or import a catalog file.

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{Cli, Command};

/// Run the command the flags name.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config).await,
        Command::Import { file } => {
            let db = crate::store::Db::connect(&cli.config.database_url).await?;
            let summary = crate::import::import_file(&db, &file).await?;
            println!(
                "Imported {}: {} users, {} groups, {} catalogs, {} packages, {} policies.",
                file.display(),
                summary.users,
                summary.groups,
                summary.catalogs,
                summary.packages,
                summary.policies
            );
            Ok(())
        }
    }
}

async fn serve(config: crate::Config) -> anyhow::Result<()> {
    let addr = (config.address, config.port);
    let state = crate::state(config).await?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr:?}"))?;
    let local = listener.local_addr()?;
    tokio::spawn(run_due_changes(state.clone()));
    // The test harnesses read this line to learn the port when --port 0 was given.
    println!("Access Portal is serving on http://{local}");
    axum::serve(listener, crate::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

/// Once a minute: deliver approved requests whose chosen start has come, expire requests
/// nobody decided in time, and expire access whose end has passed.
async fn run_due_changes(state: crate::AppState) {
    use crate::store::requests;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        let db = &state.db;
        let results = [
            (
                "delivered scheduled requests",
                requests::deliver_scheduled(db, now).await,
            ),
            (
                "expired undecided requests",
                requests::expire_undecided(db, now).await,
            ),
            (
                "expired assignments",
                requests::expire_assignments(db, now).await,
            ),
        ];
        for (what, result) in results {
            match result {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "{what}"),
                Err(err) => tracing::warn!(error = %err, "cannot process {what}"),
            }
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
