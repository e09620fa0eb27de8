//! `cargo xtask bench`: the standing budgets, measured. What a first visit downloads (html,
//! js, wasm, css, gzip) against 120 KB, and how fast the API answers reads against 10 ms,
//! each read endpoint loaded by wrk over loopback for a few seconds with one connection; and
//! how long an identity provider takes to provision 10 000 users and 500 groups, against a
//! minute.

use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;
use crate::server::DemoServer;
use crate::tools::{ensure_build_tools, ensure_debian_packages};
use crate::{app, root, step};

/// What a first visit may download, gzip, in bytes.
const FIRST_VISIT_BUDGET: usize = 120 * 1024;
/// The slowest an API read may answer at the 99th percentile, in milliseconds.
const READ_BUDGET_MS: f64 = 10.0;

pub fn bench() -> anyhow::Result<()> {
    step("Checking tools (installing what is missing)");
    ensure_build_tools()?;
    ensure_debian_packages(&["wrk", "curl"])?;
    app::build()?;
    let mut over = Vec::new();

    step("Budget: what a first visit downloads");
    let assets = app::first_visit_assets(&root().join("dist"))?;
    let gzip: usize = assets.iter().map(|a| a.gzip).sum();
    let verdict = if gzip <= FIRST_VISIT_BUDGET {
        "within"
    } else {
        "OVER"
    };
    println!(
        "    first visit: {:.1} KB gzip, budget {} KB: {verdict}",
        gzip as f64 / 1024.0,
        FIRST_VISIT_BUDGET / 1024
    );
    if gzip > FIRST_VISIT_BUDGET {
        over.push(format!("first visit {:.1} KB gzip", gzip as f64 / 1024.0));
    }

    step("Budget: API reads (release build, SQLite, demo data)");
    run(Command::new("cargo").args(["build", "--release", "--quiet", "-p", "portal-server"]))?;
    let server = DemoServer::start(
        &root().join("target/release/portal-server"),
        "bench",
        "warn",
    )?;
    let result = measure_reads(&server);
    drop(server);
    for (endpoint, p99) in result? {
        let verdict = if p99 <= READ_BUDGET_MS {
            "within"
        } else {
            "OVER"
        };
        println!("    GET {endpoint:<48} p99 {p99:>6.2} ms: {verdict}");
        if p99 > READ_BUDGET_MS {
            over.push(format!("GET {endpoint} p99 {p99:.2} ms"));
        }
    }

    if !crate::scim::bulk_provisioning()? {
        over.push("SCIM provisioning of 10 000 users and 500 groups".to_owned());
    }

    println!();
    if over.is_empty() {
        println!("bench: every budget holds");
        Ok(())
    } else {
        bail!("over budget: {}", over.join("; "))
    }
}

fn measure_reads(server: &DemoServer) -> anyhow::Result<Vec<(String, f64)>> {
    let base = &server.base;
    let token = server.demo_token("adele@contoso.com")?;
    // A request to read, so that the request endpoints have something to show.
    server.post(
        &token,
        "/assignmentRequests",
        r#"{"accessPackageId":"company-wiki","assignmentPolicyId":"company-wiki-everyone"}"#,
    )?;
    let endpoints = [
        "/api/v1/me",
        "/api/v1/accessPackages",
        "/api/v1/accessPackages?search=sales",
        "/api/v1/accessPackages/sales-crm",
        "/api/v1/accessPackages/sales-crm/applicablePolicies",
        "/api/v1/assignmentRequests",
        "/api/v1/assignments",
        "/api/v1/approvals",
    ];
    let mut results = Vec::new();
    for endpoint in endpoints {
        let output = Command::new("wrk")
            .args(["-t1", "-c1", "-d3s", "--latency", "-H"])
            .arg(format!("Authorization: Bearer {token}"))
            .arg(format!("{base}{endpoint}"))
            .output()
            .context("cannot run wrk")?;
        let text = String::from_utf8_lossy(&output.stdout);
        if text.contains("Non-2xx") {
            bail!("GET {endpoint} answered errors under load:\n{text}");
        }
        results.push((endpoint.to_owned(), percentile_ms(&text, "99%")?));
    }
    Ok(results)
}

/// A latency percentile from wrk's `--latency` table, in milliseconds.
fn percentile_ms(wrk: &str, label: &str) -> anyhow::Result<f64> {
    let line = wrk
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(label))
        .with_context(|| format!("wrk printed no {label} latency:\n{wrk}"))?;
    let value = line.split_whitespace().nth(1).unwrap_or_default();
    let (number, unit) = value.split_at(
        value
            .find(|c: char| c.is_alphabetic())
            .unwrap_or(value.len()),
    );
    let number: f64 = number
        .parse()
        .with_context(|| format!("cannot read {value:?}"))?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        _ => bail!("unknown unit in {value:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::percentile_ms;

    #[test]
    fn wrk_latencies_are_read_in_milliseconds() {
        let wrk = "  Latency Distribution\n     50%  412.00us\n     99%    1.20ms\n";
        assert_eq!(percentile_ms(wrk, "50%").unwrap(), 0.412);
        assert_eq!(percentile_ms(wrk, "99%").unwrap(), 1.2);
    }
}
