//! SCIM provisioning, checked and measured: the scim2-tester conformance check (a stage of
//! `cargo xtask test`) and provisioning 10 000 users and 500 groups (a step of
//! `cargo xtask bench`). Both run the real server with a SCIM token and a fresh SQLite file.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::process::{run, run_captured};
use crate::{root, step};

/// The checker and what it runs on, pinned exactly (PyPI).
const PYTHON_PACKAGES: &[&str] = &[
    "scim2-cli==0.6.0",
    "scim2-tester==0.5.2",
    "scim2-client==0.13.2",
    "scim2-models==0.12.3",
];

/// The token the checked server is started with (never a real one: the server lives for the
/// check only).
const TOKEN: &str = "xtask-scim-check-token-0123456789abcdef";

/// How many users and groups the bulk step provisions, over how many connections.
const BULK_USERS: usize = 10_000;
const BULK_GROUPS: usize = 500;
const BULK_CONNECTIONS: usize = 8;
/// The budget for the bulk step.
const BULK_BUDGET: Duration = Duration::from_secs(60);

/// What the checker reported: checks that passed, failed, and were skipped (features the
/// server does not declare, which count as neither).
pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Run scim2-tester against the debug server; installs the checker in a venv under target/
/// when it is missing.
pub fn conformance() -> anyhow::Result<Outcome> {
    let scim2 = ensure_checker()?;
    run(Command::new("cargo").args(["build", "--quiet", "-p", "portal-server"]))?;
    let dir = root().join("target/scim-check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (mut server, base) = start_server(&root().join("target/debug/portal-server"), &dir)?;
    let result = run_captured(
        Command::new(&scim2)
            .arg("--url")
            .arg(format!("{base}/scim/v2"))
            .arg("test")
            .env("SCIM_CLI_HEADERS", format!("Authorization: Bearer {TOKEN}")),
    );
    let _ = server.kill();
    let _ = server.wait();
    let (_, output) = result?;
    let outcome = outcome(&output);
    if outcome.passed == 0 && outcome.failed == 0 {
        bail!("scim2 reported no checks:\n{output}");
    }
    println!(
        "    scim2-tester: {} passed, {} failed, {} skipped (not declared)",
        outcome.passed, outcome.failed, outcome.skipped
    );
    Ok(outcome)
}

/// Provision 10 000 users and 500 groups (20 members each) through the release server over
/// 8 connections, and print the time against the one-minute budget; `Ok(false)` when over.
pub fn bulk_provisioning() -> anyhow::Result<bool> {
    step("Budget: provisioning 10 000 users and 500 groups over SCIM (release build)");
    let dir = std::env::temp_dir().join(format!("portal-scim-bulk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("users"))?;
    let (mut server, base) = start_server(&root().join("target/release/portal-server"), &dir)?;
    let result = provision(&base, &dir);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let elapsed = result?;
    let verdict = if elapsed <= BULK_BUDGET {
        "within"
    } else {
        "OVER"
    };
    println!(
        "    {BULK_USERS} users + {BULK_GROUPS} groups: {:.1} s, budget {} s: {verdict}",
        elapsed.as_secs_f64(),
        BULK_BUDGET.as_secs()
    );
    Ok(elapsed <= BULK_BUDGET)
}

fn provision(base: &str, dir: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let users: Vec<(String, PathBuf)> = (0..BULK_USERS)
        .map(|n| {
            let body = format!(
                r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user{n}@bulk.example.com","externalId":"bulk-{n}","name":{{"givenName":"User","familyName":"{n}"}},"displayName":"User {n}","emails":[{{"value":"user{n}@bulk.example.com","type":"work","primary":true}}],"active":true}}"#
            );
            (body, dir.join(format!("users/{n}.json")))
        })
        .collect();
    curl_parallel(base, "/Users", &users, dir)?;
    let mut ids = Vec::with_capacity(BULK_USERS);
    for (_, file) in &users {
        let text = std::fs::read_to_string(file)?;
        let id = text
            .split("\"id\":\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .with_context(|| format!("a user was not created: {text}"))?;
        ids.push(id.to_owned());
    }
    let per_group = BULK_USERS / BULK_GROUPS;
    let groups: Vec<(String, PathBuf)> = ids
        .chunks(per_group)
        .enumerate()
        .map(|(n, members)| {
            let members: Vec<String> = members
                .iter()
                .map(|id| format!(r#"{{"value":"{id}"}}"#))
                .collect();
            let body = format!(
                r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Group {n}","externalId":"bulk-group-{n}","members":[{}]}}"#,
                members.join(",")
            );
            (body, dir.join(format!("users/group-{n}.json")))
        })
        .collect();
    curl_parallel(base, "/Groups", &groups, dir)?;
    Ok(started.elapsed())
}

/// POST each body to `path`, the response of each into its file, over `BULK_CONNECTIONS`
/// curl processes that each send their share one after the other on one kept-alive
/// connection (curl 7.88's own `--parallel` fails some transfers before they start); a
/// request without a created resource in its file is sent again, twice at most.
fn curl_parallel(
    base: &str,
    path: &str,
    requests: &[(String, PathBuf)],
    dir: &Path,
) -> anyhow::Result<()> {
    let mut pending: Vec<&(String, PathBuf)> = requests.iter().collect();
    for _attempt in 0..3 {
        let share = pending.len().div_ceil(BULK_CONNECTIONS).max(1);
        let mut curls = Vec::new();
        for (n, part) in pending.chunks(share).enumerate() {
            let config = dir.join(format!("curl-{n}.config"));
            write_config(&config, base, path, part)?;
            let curl = Command::new("curl")
                .args(["-s", "-K"])
                .arg(&config)
                .stdout(Stdio::null())
                .spawn()
                .context("cannot run curl")?;
            curls.push(curl);
        }
        for mut curl in curls {
            curl.wait()?;
        }
        pending.retain(|(_, file)| !created(file));
        if pending.is_empty() {
            return Ok(());
        }
    }
    bail!(
        "{} of {} POST {path} did not create a resource",
        pending.len(),
        requests.len()
    )
}

fn created(file: &Path) -> bool {
    std::fs::read_to_string(file).is_ok_and(|text| text.contains("\"id\""))
}

fn write_config(
    config: &Path,
    base: &str,
    path: &str,
    requests: &[&(String, PathBuf)],
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(config)?);
    for (n, (body, file)) in requests.iter().enumerate() {
        // `next` separates transfers; one after the last would start an empty one.
        if n > 0 {
            writeln!(out, "next")?;
        }
        writeln!(out, "url = \"{base}/scim/v2{path}\"")?;
        writeln!(out, "header = \"Content-Type: application/scim+json\"")?;
        writeln!(out, "header = \"Authorization: Bearer {TOKEN}\"")?;
        writeln!(
            out,
            "data = \"{}\"",
            body.replace('\\', "\\\\").replace('"', "\\\"")
        )?;
        writeln!(out, "output = \"{}\"", file.display())?;
    }
    out.flush()?;
    Ok(())
}

fn outcome(output: &str) -> Outcome {
    let mut outcome = Outcome {
        passed: 0,
        failed: 0,
        skipped: 0,
    };
    for line in output.lines() {
        match line.split_whitespace().next() {
            Some("SUCCESS") => outcome.passed += 1,
            Some("SKIPPED") => outcome.skipped += 1,
            Some("ERROR" | "CRITICAL") => outcome.failed += 1,
            _ => {}
        }
    }
    outcome
}

/// The `scim2` command of a venv under target/, made when missing or not at the pins.
fn ensure_checker() -> anyhow::Result<PathBuf> {
    let venv = root().join("target/scim-venv");
    let scim2 = venv.join("bin/scim2");
    let pip = venv.join("bin/pip");
    let installed = Command::new(&pip)
        .arg("freeze")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase())
        .unwrap_or_default();
    if scim2.exists() && PYTHON_PACKAGES.iter().all(|p| installed.contains(p)) {
        println!("    scim2-tester present: {}", PYTHON_PACKAGES.join(", "));
        return Ok(scim2);
    }
    step("Installing the SCIM checker (scim2-cli, scim2-tester) in target/scim-venv");
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&pip)
        .args(["install", "--quiet"])
        .args(PYTHON_PACKAGES))?;
    Ok(scim2)
}

/// Start `binary` on a free port with the SCIM token (through the environment, not the
/// command line) and a fresh SQLite file in `dir`; its base URL once it serves.
fn start_server(binary: &Path, dir: &Path) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(binary)
        .current_dir(root())
        .args(["--port", "0", "--static-dir", "dist"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.join("portal.db").display()))
        .env("PORTAL_SCIM_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if let Some(url) = line.split("serving on ").nth(1) {
            return Ok((child, url.trim().to_owned()));
        }
    }
    bail!("portal-server stopped before serving")
}

#[cfg(test)]
mod tests {
    use super::outcome;

    #[test]
    fn the_checkers_lines_are_counted_by_status() {
        let out = "Performing a SCIM compliance check on http://x/ ...\nSUCCESS a\n  detail\n\
                   ERROR b\nSKIPPED c\nCRITICAL d\nSUCCESS e\n";
        let counted = outcome(out);
        assert_eq!((counted.passed, counted.failed, counted.skipped), (2, 2, 1));
    }
}
