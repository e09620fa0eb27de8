//! `cargo xtask run`: install what is missing, build, and serve the portal with demo data
//! (and demo sign-in, unless the flags name an OpenID Provider).

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
    server.current_dir(&root);
    // The server refuses demo sign-in beside an OpenID Provider.
    if !names_oidc_issuer(server_args, std::env::var_os("PORTAL_OIDC_ISSUER")) {
        server.arg("--demo");
    }
    server
        .args(["--static-dir", "dist", "--seed", "server/demo/catalog.toml"])
        .args(["--database-url", "sqlite://data/portal.db"])
        .args(server_args);
    exec(server)
}

/// Whether the flags passed through (`--oidc-issuer URL` or `--oidc-issuer=URL`) or the
/// environment (`PORTAL_OIDC_ISSUER`) configure OpenID Connect sign-in.
fn names_oidc_issuer(server_args: &[String], env_issuer: Option<std::ffi::OsString>) -> bool {
    let in_flags = server_args
        .iter()
        .any(|arg| arg == "--oidc-issuer" || arg.starts_with("--oidc-issuer="));
    in_flags || env_issuer.is_some_and(|v| !v.is_empty())
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

#[cfg(test)]
mod tests {
    use super::names_oidc_issuer;

    fn flags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_issuer_among_the_flags_in_either_spelling_turns_demo_sign_in_off() {
        let apart = flags(&["--oidc-issuer", "http://127.0.0.1:9090"]);
        let joined = flags(&["--port", "9000", "--oidc-issuer=http://127.0.0.1:9090"]);
        assert!(names_oidc_issuer(&apart, None));
        assert!(names_oidc_issuer(&joined, None));
    }

    #[test]
    fn an_issuer_in_the_environment_turns_demo_sign_in_off() {
        assert!(names_oidc_issuer(&[], Some("http://127.0.0.1:9090".into())));
    }

    #[test]
    fn other_flags_keep_demo_sign_in() {
        let other = flags(&["--port", "9000", "--oidc-client-id", "x"]);
        assert!(!names_oidc_issuer(&other, None));
        assert!(!names_oidc_issuer(&[], Some("".into())));
    }
}
