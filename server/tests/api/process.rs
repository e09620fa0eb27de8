//! The real `portal-server` binary as a child process, for what only a process shows: the
//! address it actually serves on, and what survives when it is killed.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{FreshDatabase, demo_catalog};

/// A running `portal-server` with demo sign-in and the demo catalog.
pub struct ServerProcess {
    child: Child,
    /// Where it serves, as it printed it: `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ServerProcess {
    /// Start the binary on a free port with `database`, plus `args`.
    pub async fn start(database: &FreshDatabase, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portal-server"))
            .args(["--port", "0", "--demo", "--database-url", &database.url])
            .arg("--seed")
            .arg(demo_catalog())
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("portal-server starts");
        let stdout = child.stdout.take().expect("its standard output");
        let mut lines = BufReader::new(stdout).lines();
        while let Some(line) = lines.next_line().await.expect("its output reads") {
            if let Some(url) = line.split("serving on ").nth(1) {
                let url = url.trim().to_owned();
                // Keep reading its output, so the child never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                return Self { child, url };
            }
        }
        panic!("portal-server stopped before it served");
    }

    /// Kill it at once (SIGKILL): no shutdown, no flushing, as a crash or the OOM killer would.
    pub async fn kill(mut self) {
        self.child.start_kill().expect("the signal is sent");
        self.child.wait().await.expect("it ends");
    }
}
