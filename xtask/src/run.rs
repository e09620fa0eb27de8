//! `cargo xtask run`: install what is missing, build, and serve the portal with demo data.

use std::process::Command;

use crate::process::run as run_cmd;
use crate::{app, root, step, tools};

/// Build everything, then become the server (Ctrl-C stops it cleanly).
pub fn run(server_args: &[String]) -> anyhow::Result<()> {
    step("[1/4] Checking tools");
    tools::ensure_build_tools()?;
    step("[2/4] Building the web app");
    app::build()?;
    step("[3/4] Building the server");
    run_cmd(Command::new("cargo").args(["build", "--release", "--quiet", "-p", "portal-server"]))?;
    step("[4/4] Starting the server (Ctrl-C stops it)");
    let root = root();
    let mut server = Command::new(root.join("target/release/portal-server"));
    server
        .current_dir(&root)
        .args([
            "--demo",
            "--static-dir",
            "dist",
            "--seed",
            "server/demo/catalog.toml",
        ])
        .args(["--database-url", "sqlite://data/portal.db"])
        .args(server_args);
    exec(server)
}

/// Replace this process with the server, so that Ctrl-C reaches the server alone and it
/// shuts down gracefully.
#[cfg(unix)]
fn exec(mut cmd: Command) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    Err(anyhow::Error::new(cmd.exec()).context("cannot start the server"))
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> anyhow::Result<()> {
    run_cmd(&mut cmd)
}
