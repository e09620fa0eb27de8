//! A portal-server started for a check (the benchmarks, the fuzzer): demo sign-in and the demo
//! catalog in a fresh SQLite file of its own, or a database prepared beforehand, on a free
//! port; stopped and cleaned up when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, bail};

use crate::root;

/// A running server and where it answers.
pub struct DemoServer {
    child: Child,
    dir: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl DemoServer {
    /// Start `binary` (a built portal-server) with the demo catalog in a database named after
    /// `purpose` in a temporary folder; its log goes to stderr, filtered by `log` (a `RUST_LOG`
    /// value). The rate limits are lifted: a tool sends more calls a minute than any person,
    /// and the limits have tests of their own. `extra` flags go to the server too.
    pub fn start(binary: &Path, purpose: &str, log: &str, extra: &[&str]) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(format!("portal-{purpose}-{}", std::process::id()));
        // A database left by an earlier run that was killed would not be fresh.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let database_url = format!("sqlite://{}", dir.join("portal.db").display());
        let flags = [
            "--seed",
            "server/demo/catalog.toml",
            "--writes-per-minute",
            "0",
            "--sign-ins-per-minute",
            "0",
        ];
        let flags: Vec<&str> = flags.iter().chain(extra).copied().collect();
        Self::start_on(binary, &database_url, &flags, dir, log)
    }

    /// Start `binary` with demo sign-in on the database at `database_url`, with `extra` flags;
    /// the folder `dir` is removed when the server is dropped.
    pub fn start_on(
        binary: &Path,
        database_url: &str,
        extra: &[&str],
        dir: PathBuf,
        log: &str,
    ) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .current_dir(root())
            .args(["--port", "0", "--demo", "--static-dir", "dist"])
            .args(extra)
            .arg("--database-url")
            .arg(database_url)
            .env("RUST_LOG", log)
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        // The server prints one line on stdout, the address it serves on; its log is on stderr.
        let served = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| Some(line.split("serving on ").nth(1)?.trim().to_owned()));
        let mut server = Self {
            child,
            dir,
            base: String::new(),
        };
        match served {
            Some(base) => {
                server.base = base;
                Ok(server)
            }
            None => bail!("portal-server stopped before serving; its log above says why"),
        }
    }

    /// A demo bearer token for the user who signs in as `upn`.
    pub fn demo_token(&self, upn: &str) -> anyhow::Result<String> {
        let body = format!(r#"{{"userPrincipalName":"{upn}"}}"#);
        let text = curl(None, &["-X", "POST", "-d", &body, &self.url("/auth/demo")])?;
        text.split("\"accessToken\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_owned)
            .with_context(|| format!("demo sign-in as {upn} gave no token: {text}"))
    }

    /// POST `body` (JSON) to the API path `path` as the holder of `token`; the answer's body.
    pub fn post(&self, token: &str, path: &str, body: &str) -> anyhow::Result<String> {
        curl(Some(token), &["-X", "POST", "-d", body, &self.url(path)])
    }

    /// The address of an API path, e.g. `/me`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn curl(token: Option<&str>, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new("curl");
    command.args(["-sS", "-H", "Content-Type: application/json"]);
    if let Some(token) = token {
        command
            .arg("-H")
            .arg(format!("Authorization: Bearer {token}"));
    }
    let out = command.args(args).output().context("cannot run curl")?;
    if !out.status.success() {
        bail!(
            "curl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
