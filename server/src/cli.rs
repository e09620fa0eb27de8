//! What the binary does: serve (the default), import a catalog file, or generate a synthetic
//! tenant.

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
        Command::Generate {
            users,
            groups,
            packages,
            requests,
            random_seed,
        } => {
            let db = crate::store::Db::connect(&cli.config.database_url).await?;
            let size = crate::generate::Size {
                users,
                groups,
                packages,
                requests,
                seed: random_seed,
            };
            let started = std::time::Instant::now();
            let summary = crate::generate::generate(&db, size, chrono::Utc::now()).await?;
            println!(
                "Generated {} users, {} groups, {} packages, {} policies, {} requests, {} \
                 assignments and {} audit entries in {:.1} s.",
                summary.users,
                summary.groups,
                summary.packages,
                summary.policies,
                summary.requests,
                summary.assignments,
                summary.audit_entries,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

async fn serve(mut config: crate::Config) -> anyhow::Result<()> {
    let addr = (config.address, config.port);
    let postman = crate::mail::Postman::new(&config)?;
    if config.smtp_host.is_none() {
        tracing::info!("no SMTP server configured: emails are written to this log");
    }
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr:?}"))?;
    let local = listener.local_addr()?;
    // With --port 0 the port is known only now; links in emails must use it.
    config.port = local.port();
    let state = crate::state(config).await?;
    let every = |seconds: u64| std::time::Duration::from_secs(seconds.max(1));
    tokio::spawn(crate::sweep::run(
        state.clone(),
        every(state.config.sweep_interval_seconds),
    ));
    tokio::spawn(postman.run(state.clone(), every(state.config.mail_interval_seconds)));
    // Fulfilment webhooks go out as often as emails do.
    let courier = crate::webhooks::Courier::new()?;
    tokio::spawn(courier.run(state.clone(), every(state.config.mail_interval_seconds)));
    // The test harnesses read this line to learn the port when --port 0 was given.
    println!("Access Portal is serving on http://{local}");
    // The peer's address feeds the limits per address (sign-in).
    let app = crate::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
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
