//! `cargo xtask bench`: the standing budgets, measured. What a first visit downloads (html,
//! js, wasm, css, gzip) per entry route, each page's chunks and the crates' share (sizes.rs),
//! with the email link `/package/:id` against 140 KB; and, on a synthetic tenant at the size of a real
//! company (`portal-server generate`) in SQLite and, when a cluster is there, PostgreSQL,
//! every read the pages make and request creation, each loaded by wrk with 64 connections
//! for a few seconds, beside the floor of HTTP itself (`/healthz` and a static file). One
//! table, printed and written to target/bench/<date>.md and .json. Last, how long an identity
//! provider takes to provision 10 000 users and 500 groups through SCIM, against a minute.
//! On SQLite, a browser part (bench/browser.mjs, headless Chromium): a cold deep link to the
//! request pane, a cold first catalog page, and a keystroke in search to the list updated,
//! each the median of several runs, in a table of its own.
//!
//! Flags after `--` go to `portal-server generate`, e.g. `cargo xtask bench -- --requests
//! 100000` for a smaller tenant.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;
use crate::server::DemoServer;
use crate::tools::{ensure_build_tools, ensure_debian_packages};
use crate::{app, root, sizes, step};

/// The fewest answers per second a read may give at 64 connections.
const READ_BUDGET_PER_SECOND: f64 = 5_000.0;
/// The slowest a read may answer at the 99th percentile, in milliseconds.
const READ_BUDGET_P99_MS: f64 = 10.0;
/// The slowest a request creation may answer at the 99th percentile, in milliseconds.
const CREATE_BUDGET_P99_MS: f64 = 20.0;
/// How many connections wrk keeps open, and for how long it loads each endpoint.
const CONNECTIONS: &str = "64";
const DURATION: &str = "5s";
/// The people `portal-server generate` writes for benchmarks (see server/src/generate.rs).
const MANAGER: &str = "bench-manager";
const REQUESTOR: &str = "bench-requestor";
const LOAD_USERS: usize = 64;
/// A generated package with history, asking the requestor's manager.
const PACKAGE: &str = "p00001";
/// How many times the browser part measures each wait; it reports the median.
const BROWSER_RUNS: usize = 7;
/// The longest a cold deep link may take to show the request pane, in milliseconds.
const DEEP_LINK_BUDGET_MS: f64 = 300.0;
/// The longest the catalog may take to show the list for a keystroke in search, in ms.
const SEARCH_BUDGET_MS: f64 = 50.0;
/// The word the browser part types into the catalog's search.
const SEARCH_WORD: &str = "sales";

/// `cargo xtask bench sizes`: the download part alone (the app built, then its tables), in
/// the time an incremental build of the app takes.
pub fn sizes() -> anyhow::Result<()> {
    step("Checking tools (installing what is missing)");
    ensure_build_tools()?;
    app::build()?;
    step("What a first visit downloads");
    let (tables, deep_link) = sizes::report(&root().join("dist"))?;
    println!("\n{tables}");
    println!(
        "    /package/:id: {} gzip as served, budget {} KB (standing goal {} KB)",
        app::kb(deep_link),
        sizes::DEEP_LINK_BUDGET / 1024,
        sizes::FIRST_VISIT_GOAL / 1024
    );
    Ok(())
}

pub fn bench(generate_flags: &[String]) -> anyhow::Result<()> {
    step("Checking tools (installing what is missing)");
    ensure_build_tools()?;
    ensure_debian_packages(&["wrk", "curl", "chromium"])?;
    app::build()?;
    let mut over = Vec::new();

    step("Budget: what a first visit downloads");
    let (size_tables, deep_link) = sizes::report(&root().join("dist"))?;
    println!("\n{size_tables}");
    let verdict = if deep_link <= sizes::DEEP_LINK_BUDGET {
        "within"
    } else {
        "OVER"
    };
    println!(
        "    /package/:id: {} gzip as served, budget {} KB: {verdict} (standing goal {} KB)",
        app::kb(deep_link),
        sizes::DEEP_LINK_BUDGET / 1024,
        sizes::FIRST_VISIT_GOAL / 1024
    );
    if deep_link > sizes::DEEP_LINK_BUDGET {
        over.push(format!(
            "first visit of /package/:id {} gzip",
            app::kb(deep_link)
        ));
    }

    step("Building the release server");
    run(Command::new("cargo").args(["build", "--release", "--quiet", "-p", "portal-server"]))?;
    let binary = root().join("target/release/portal-server");

    let mut runs = Vec::new();
    step("API at scale: SQLite");
    let dir = std::env::temp_dir().join(format!("portal-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let sqlite_url = format!("sqlite://{}", dir.join("portal.db").display());
    runs.push(measure_database(
        &binary,
        "SQLite",
        &sqlite_url,
        dir,
        generate_flags,
        Browser::Measure,
    ));
    match postgres_database()? {
        Some((url, drop_database)) => {
            step("API at scale: PostgreSQL");
            let pg_dir =
                std::env::temp_dir().join(format!("portal-bench-pg-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&pg_dir);
            runs.push(measure_database(
                &binary,
                "PostgreSQL",
                &url,
                pg_dir,
                generate_flags,
                Browser::Skip,
            ));
            drop_database();
        }
        None => println!("    no PostgreSQL cluster on this machine: PostgreSQL not measured"),
    }

    let table = format!("{size_tables}\n{}", render(&runs));
    println!("\n{table}");
    for run in &runs {
        match &run.rows {
            Ok(rows) => over.extend(
                rows.iter()
                    .filter(|r| r.verdict() == Some(false))
                    .map(|r| format!("{} {}", run.database, r.endpoint)),
            ),
            Err(err) => over.push(format!("{}: not measured ({err:#})", run.database)),
        }
        match &run.browser {
            Some(Ok(waits)) => over.extend(
                waits
                    .iter()
                    .filter(|w| w.within() == Some(false))
                    .map(|w| format!("{} browser: {}", run.database, w.what)),
            ),
            Some(Err(err)) => over.push(format!(
                "{} browser part: not measured ({err:#})",
                run.database
            )),
            None => {}
        }
    }
    write_report(&table, &runs)?;

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

/// One database's measurements, or why there are none.
struct Run {
    database: &'static str,
    generated: String,
    rows: anyhow::Result<Vec<Row>>,
    /// The browser part, when it was run on this database.
    browser: Option<anyhow::Result<Vec<Wait>>>,
}

/// Whether a database's run includes the browser part.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Browser {
    Measure,
    Skip,
}

/// One wait a person has in the browser, over several runs.
struct Wait {
    what: String,
    median_ms: f64,
    runs_ms: Vec<f64>,
    budget_ms: Option<f64>,
}

impl Wait {
    /// Within budget (`Some(true)`), over (`Some(false)`), or no budget.
    fn within(&self) -> Option<bool> {
        self.budget_ms.map(|budget| self.median_ms <= budget)
    }
}

/// One endpoint under load.
struct Row {
    endpoint: String,
    kind: Kind,
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Answers other than 2xx, and wrk's socket errors (timeouts included).
    errors: u64,
    /// Answers per second of `/healthz` on the same server.
    floor: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Floor,
    Read,
    Create,
}

impl Row {
    /// Within budget (`Some(true)`), over (`Some(false)`), or no budget (the floor).
    fn verdict(&self) -> Option<bool> {
        match self.kind {
            Kind::Floor => None,
            Kind::Read => Some(
                self.errors == 0
                    && self.per_second >= READ_BUDGET_PER_SECOND
                    && self.p99_ms <= READ_BUDGET_P99_MS,
            ),
            Kind::Create => Some(self.errors == 0 && self.p99_ms <= CREATE_BUDGET_P99_MS),
        }
    }
}

fn measure_database(
    binary: &Path,
    database: &'static str,
    url: &str,
    dir: std::path::PathBuf,
    generate_flags: &[String],
    browser: Browser,
) -> Run {
    let generated = (|| -> anyhow::Result<String> {
        let output = Command::new(binary)
            .current_dir(root())
            .arg("generate")
            .args(generate_flags)
            .arg("--database-url")
            .arg(url)
            .env("RUST_LOG", "error")
            .output()
            .context("cannot run portal-server generate")?;
        if !output.status.success() {
            bail!(
                "portal-server generate failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    })();
    let generated = match generated {
        Ok(line) => {
            println!("    {line}");
            line
        }
        Err(err) => {
            return Run {
                database,
                generated: String::new(),
                rows: Err(err),
                browser: None,
            };
        }
    };
    // The bench loads writes from 64 people at once: the limits per person and per address
    // would answer 429 instead of measuring.
    let limits = ["--writes-per-minute", "0", "--sign-ins-per-minute", "0"];
    let (rows, browser) = match DemoServer::start_on(binary, url, &limits, dir, "error") {
        // The browser first, on a server no load has run against yet.
        Ok(server) => {
            let waits = (browser == Browser::Measure).then(|| browser_part(&server));
            (measure(&server), waits)
        }
        Err(err) => (Err(err), None),
    };
    Run {
        database,
        generated,
        rows,
        browser,
    }
}

/// bench/browser.mjs against `server`, signed in as the generated requestor.
fn browser_part(server: &DemoServer) -> anyhow::Result<Vec<Wait>> {
    println!(
        "    browser: cold deep link, cold catalog, search keystroke; median of {BROWSER_RUNS}"
    );
    let token = server.demo_token(&format!("{REQUESTOR}@contoso.com"))?;
    let output = Command::new("node")
        .arg("bench/browser.mjs")
        .current_dir(root())
        .env("PORTAL_BENCH_URL", &server.base)
        .env("PORTAL_BENCH_TOKEN", &token)
        .env("PORTAL_BENCH_PACKAGE", PACKAGE)
        .env("PORTAL_BENCH_SEARCH", SEARCH_WORD)
        .env("PORTAL_BENCH_RUNS", BROWSER_RUNS.to_string())
        .output()
        .context("cannot run node bench/browser.mjs")?;
    if !output.status.success() {
        bail!(
            "bench/browser.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "bench/browser.mjs printed no JSON: {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })?;
    let waits = [
        (
            "deepLink",
            format!("cold deep link `/package/{PACKAGE}` → request pane shown"),
            Some(DEEP_LINK_BUDGET_MS),
        ),
        (
            "catalog",
            "cold `/` → first catalog page shown".to_owned(),
            None,
        ),
        (
            "search",
            format!("keystroke in search (\"{SEARCH_WORD}\") → list updated"),
            Some(SEARCH_BUDGET_MS),
        ),
    ];
    let waits = waits
        .into_iter()
        .map(|(key, what, budget_ms)| {
            let median_ms = json
                .pointer(&format!("/{key}/medianMs"))
                .and_then(serde_json::Value::as_f64)
                .with_context(|| format!("bench/browser.mjs gave no {key} median: {json}"))?;
            let runs_ms = json
                .pointer(&format!("/{key}/runsMs"))
                .and_then(serde_json::Value::as_array)
                .map(|runs| runs.iter().filter_map(serde_json::Value::as_f64).collect())
                .unwrap_or_default();
            Ok(Wait {
                what,
                median_ms,
                runs_ms,
                budget_ms,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    for wait in &waits {
        println!("    {:<58} median {:>8.0} ms", wait.what, wait.median_ms);
    }
    Ok(waits)
}

fn measure(server: &DemoServer) -> anyhow::Result<Vec<Row>> {
    let requestor = server.demo_token(&format!("{REQUESTOR}@contoso.com"))?;
    let manager = server.demo_token(&format!("{MANAGER}@contoso.com"))?;
    let floor_rows = [
        (
            "GET /healthz".to_owned(),
            format!("{}/healthz", server.base),
        ),
        (
            format!("GET /{}", static_file()?),
            format!("{}/{}", server.base, static_file()?),
        ),
    ];
    let mut rows = Vec::new();
    let mut floor = 0.0;
    for (endpoint, url) in floor_rows {
        let row = load(&endpoint, Kind::Floor, &url, None, None, floor)?;
        if floor == 0.0 {
            floor = row.per_second;
        }
        rows.push(row);
    }
    let reads = [
        ("/me".to_owned(), &requestor),
        ("/accessPackages".to_owned(), &requestor),
        ("/accessPackages?search=sales".to_owned(), &requestor),
        (
            "/accessPackages?search=no-such-package".to_owned(),
            &requestor,
        ),
        (format!("/accessPackages/{PACKAGE}"), &requestor),
        (
            format!("/accessPackages/{PACKAGE}/applicablePolicies"),
            &requestor,
        ),
        (
            format!("/accessPackages/{PACKAGE}/decisionTime"),
            &requestor,
        ),
        ("/assignmentRequests".to_owned(), &requestor),
        (format!("/assignmentRequests/{REQUESTOR}-1"), &requestor),
        ("/assignments".to_owned(), &requestor),
        ("/approvals".to_owned(), &manager),
    ];
    for (path, token) in reads {
        let endpoint = format!("GET {path}");
        let url = server.url(&path);
        rows.push(load(&endpoint, Kind::Read, &url, Some(token), None, floor)?);
    }
    let tokens = (1..=LOAD_USERS)
        .map(|n| server.demo_token(&format!("bench-load-{n:02}@contoso.com")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let script = std::env::temp_dir().join(format!("portal-bench-{}.lua", std::process::id()));
    std::fs::write(&script, create_script(&tokens))
        .with_context(|| format!("cannot write {}", script.display()))?;
    let create = load(
        "POST /assignmentRequests",
        Kind::Create,
        &server.url("/assignmentRequests"),
        None,
        Some(&script),
        floor,
    );
    let _ = std::fs::remove_file(&script);
    rows.push(create?);
    Ok(rows)
}

/// A hashed file of the built app, as a browser fetches it.
fn static_file() -> anyhow::Result<String> {
    let dist = root().join("dist");
    let mut names: Vec<String> = std::fs::read_dir(&dist)
        .with_context(|| format!("cannot read {}", dist.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".css"))
        .collect();
    names.sort();
    names
        .into_iter()
        .next()
        .with_context(|| format!("no .css file in {}: build the app first", dist.display()))
}

/// A wrk script that creates requests as the 64 load people in turn, each for the next
/// package, so that no two ask for the same package (which would be answered 409).
fn create_script(tokens: &[String]) -> String {
    let quoted: Vec<String> = tokens.iter().map(|t| format!("\"{t}\"")).collect();
    format!(
        r#"local tokens = {{ {} }}
local threads = 0
local counter = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function request()
  local n = counter * 2 + id
  counter = counter + 1
  local token = tokens[n % #tokens + 1]
  local package = string.format("p%05d", math.floor(n / #tokens))
  local body = '{{"accessPackageId":"' .. package .. '","assignmentPolicyId":"' .. package .. '-a"}}'
  local headers = {{}}
  headers["Authorization"] = "Bearer " .. token
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, body)
end
"#,
        quoted.join(", ")
    )
}

/// Load `url` with wrk for [`DURATION`] and read what it measured.
fn load(
    endpoint: &str,
    kind: Kind,
    url: &str,
    token: Option<&str>,
    script: Option<&Path>,
    floor: f64,
) -> anyhow::Result<Row> {
    let mut command = Command::new("wrk");
    command.args(["-t2", "-c", CONNECTIONS, "-d", DURATION, "--latency"]);
    if let Some(token) = token {
        command
            .arg("-H")
            .arg(format!("Authorization: Bearer {token}"));
    }
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let per_second = number_after(&text, "Requests/sec:")?;
    let errors = count_after(&text, "Non-2xx or 3xx responses:") + socket_errors(&text);
    let row = Row {
        endpoint: endpoint.to_owned(),
        kind,
        per_second,
        p50_ms: percentile_ms(&text, "50%")?,
        p99_ms: percentile_ms(&text, "99%")?,
        errors,
        floor: if floor == 0.0 { per_second } else { floor },
    };
    println!(
        "    {endpoint:<50} {:>9.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms{}",
        row.per_second,
        row.p50_ms,
        row.p99_ms,
        if errors > 0 {
            format!("  {errors} errors")
        } else {
            String::new()
        }
    );
    Ok(row)
}

/// The table, in Markdown: one section per database.
fn render(runs: &[Run]) -> String {
    let mut out = String::new();
    for run in runs {
        let _ = writeln!(out, "**{}** — {}\n", run.database, run.generated);
        match &run.rows {
            Err(err) => {
                let _ = writeln!(out, "not measured: {err:#}\n");
            }
            Ok(rows) => {
                out.push_str("| endpoint | req/s | p50 | p99 | × floor | budget |\n");
                out.push_str("|---|---:|---:|---:|---:|---|\n");
                for row in rows {
                    let verdict = match row.verdict() {
                        None => "floor".to_owned(),
                        Some(true) => "within".to_owned(),
                        Some(false) if row.errors > 0 => format!("OVER ({} errors)", row.errors),
                        Some(false) => "OVER".to_owned(),
                    };
                    let _ = writeln!(
                        out,
                        "| `{}` | {:.0} | {:.2} ms | {:.2} ms | {:.2} | {verdict} |",
                        row.endpoint,
                        row.per_second,
                        row.p50_ms,
                        row.p99_ms,
                        row.per_second / row.floor.max(f64::MIN_POSITIVE)
                    );
                }
                out.push('\n');
            }
        }
        match &run.browser {
            None => {}
            Some(Err(err)) => {
                let _ = writeln!(out, "browser part not measured: {err:#}\n");
            }
            Some(Ok(waits)) => {
                let _ = writeln!(
                    out,
                    "| browser (headless Chromium, median of {BROWSER_RUNS}) | median | runs | budget |"
                );
                out.push_str("|---|---:|---|---|\n");
                for wait in waits {
                    let runs: Vec<String> =
                        wait.runs_ms.iter().map(|ms| format!("{ms:.0}")).collect();
                    let verdict = match (wait.budget_ms, wait.within()) {
                        (Some(budget), Some(true)) => format!("≤ {budget} ms: within"),
                        (Some(budget), _) => format!("≤ {budget} ms: OVER"),
                        (None, _) => "—".to_owned(),
                    };
                    let _ = writeln!(
                        out,
                        "| {} | {:.0} ms | {} | {verdict} |",
                        wait.what,
                        wait.median_ms,
                        runs.join(", ")
                    );
                }
                out.push('\n');
            }
        }
    }
    let _ = writeln!(
        out,
        "Budgets: reads ≥ {READ_BUDGET_PER_SECOND:.0} req/s and p99 ≤ {READ_BUDGET_P99_MS} ms, \
         create p99 ≤ {CREATE_BUDGET_P99_MS} ms, at {CONNECTIONS} connections ({DURATION} each, \
         wrk -t2); × floor is req/s over `/healthz`'s on the same server. Browser: a cold deep \
         link shows the request pane within {DEEP_LINK_BUDGET_MS} ms, a keystroke in search \
         updates the list within {SEARCH_BUDGET_MS} ms (medians; a new browser context, so an \
         empty cache, for every visit; times taken in the page, to the frame after the change)."
    );
    out
}

/// Keep the table under target/bench/, dated, as Markdown and as JSON.
fn write_report(table: &str, runs: &[Run]) -> anyhow::Result<()> {
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let now = chrono::Utc::now();
    let stamp = now.format("%Y-%m-%dT%H%M%SZ");
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let heading = format!(
        "# cargo xtask bench, {} ({cores} cores)\n\n",
        now.format("%Y-%m-%d %H:%M UTC")
    );
    let markdown = dir.join(format!("{stamp}.md"));
    std::fs::write(&markdown, format!("{heading}{table}"))
        .with_context(|| format!("cannot write {}", markdown.display()))?;
    let json = serde_json::json!({
        "date": now.to_rfc3339(),
        "cores": cores,
        "runs": runs.iter().map(|run| serde_json::json!({
            "database": run.database,
            "generated": run.generated,
            "error": run.rows.as_ref().err().map(|e| format!("{e:#}")),
            "rows": run.rows.as_ref().map(|rows| rows.iter().map(|r| serde_json::json!({
                "endpoint": r.endpoint,
                "requestsPerSecond": r.per_second,
                "p50Ms": r.p50_ms,
                "p99Ms": r.p99_ms,
                "errors": r.errors,
                "ratioToFloor": r.per_second / r.floor.max(f64::MIN_POSITIVE),
                "withinBudget": r.verdict(),
            })).collect::<Vec<_>>()).unwrap_or_default(),
            "browser": run.browser.as_ref().map(|waits| match waits {
                Ok(waits) => serde_json::json!(waits.iter().map(|w| serde_json::json!({
                    "wait": w.what,
                    "medianMs": w.median_ms,
                    "runsMs": w.runs_ms,
                    "budgetMs": w.budget_ms,
                    "withinBudget": w.within(),
                })).collect::<Vec<_>>()),
                Err(err) => serde_json::json!({ "error": format!("{err:#}") }),
            }),
        })).collect::<Vec<_>>(),
    });
    let json_path = dir.join(format!("{stamp}.json"));
    std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    println!("    written to {} and .json", markdown.display());
    Ok(())
}

/// A fresh database on the local PostgreSQL cluster, when there is one, and how to drop it.
fn postgres_database() -> anyhow::Result<Option<(String, impl FnOnce())>> {
    let has_cluster = Command::new("pg_lsclusters")
        .arg("--no-header")
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !has_cluster {
        return Ok(None);
    }
    let server_url = crate::postgres::ensure_running()?;
    let name = format!("portal_bench_{}", std::process::id());
    let admin_url = server_url.clone();
    let psql = move |sql: String| {
        Command::new("psql")
            .arg(&admin_url)
            .args(["-qc", &sql])
            .status()
    };
    let _ = psql(format!("DROP DATABASE IF EXISTS {name}"));
    let created = psql(format!("CREATE DATABASE {name}")).context("cannot run psql")?;
    if !created.success() {
        bail!("cannot create the PostgreSQL database {name}");
    }
    let url = match server_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => bail!("cannot read the PostgreSQL URL"),
    };
    let drop_database = move || {
        let _ = psql(format!("DROP DATABASE IF EXISTS {name}"));
    };
    Ok(Some((url, drop_database)))
}

/// The number after `label` in wrk's output.
fn number_after(wrk: &str, label: &str) -> anyhow::Result<f64> {
    wrk.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
        .with_context(|| format!("wrk printed no {label:?}:\n{wrk}"))
}

/// The count after `label`, 0 when wrk did not print it.
fn count_after(wrk: &str, label: &str) -> u64 {
    wrk.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0)
}

/// wrk's `Socket errors: connect 0, read 0, write 0, timeout 12`, summed.
fn socket_errors(wrk: &str) -> u64 {
    wrk.lines()
        .find_map(|line| line.trim().strip_prefix("Socket errors:"))
        .map_or(0, |rest| {
            rest.split(',')
                .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum()
        })
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
        "m" => number * 60_000.0,
        _ => bail!("unknown unit in {value:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::{percentile_ms, socket_errors};

    #[test]
    fn wrk_latencies_are_read_in_milliseconds() {
        let wrk = "  Latency Distribution\n     50%  412.00us\n     99%    1.20ms\n";
        assert_eq!(percentile_ms(wrk, "50%").unwrap(), 0.412);
        assert_eq!(percentile_ms(wrk, "99%").unwrap(), 1.2);
    }

    #[test]
    fn wrk_socket_errors_are_summed() {
        let wrk = "  Socket errors: connect 0, read 2, write 0, timeout 12\n";
        assert_eq!(socket_errors(wrk), 14);
    }
}
