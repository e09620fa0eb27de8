//! `cargo xtask test`: install what the tests need, then run every check and test, and end
//! with one summary line of the counts. Exits non-zero when anything failed.

use std::process::Command;

use crate::process::{run, run_captured};
use crate::tools::{ensure_build_tools, ensure_debian_packages, ensure_schemathesis, tool_path};
use crate::{app, fuzz, postgres, root, scim, step};

/// What one stage contributed to the summary.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            self.failures.push(name.to_owned());
        }
    }

    /// Add counts a stage worked out itself.
    fn counted(&mut self, name: &str, passed: usize, failed: usize) {
        self.passed += passed;
        self.failed += failed;
        if failed > 0 {
            self.failures.push(name.to_owned());
        }
    }

    /// Add the counts a test runner printed; a runner that failed without saying how many
    /// tests failed (it did not compile, say) counts as one failure.
    fn runner(&mut self, name: &str, ok: bool, output: &str) {
        let (passed, failed) = counts(output);
        self.passed += passed;
        self.failed += failed;
        if !ok && failed == 0 {
            self.failed += 1;
        }
        if !ok {
            self.failures.push(name.to_owned());
        }
    }
}

pub fn test() -> anyhow::Result<()> {
    step("Checking tools (installing what is missing)");
    ensure_build_tools()?;
    // nginx: the static-hosting tests serve the built app from a real one; curl: the fuzzer's
    // demo sign-in.
    ensure_debian_packages(&["chromium", "chromium-driver", "nginx", "curl"])?;

    let mut tally = Tally::default();
    let root = root();

    step("Format: cargo fmt --check");
    tally.check(
        "cargo fmt",
        run(Command::new("cargo").args(["fmt", "--all", "--check"])).is_ok(),
    );

    step("Lints: cargo clippy (native and wasm32), warnings are errors");
    tally.check(
        "clippy (native)",
        run(Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
        .is_ok(),
    );
    tally.check(
        "clippy (wasm32 app)",
        run(Command::new("cargo").args([
            "clippy",
            "-p",
            "portal",
            "--target",
            "wasm32-unknown-unknown",
            // The app as it ships: each page a lazily loaded chunk (src/pages/lazy.rs).
            "--features",
            "split",
            "--",
            "-D",
            "warnings",
        ]))
        .is_ok(),
    );

    step("Unit and API tests (SQLite)");
    let (ok, out) = run_captured(Command::new("cargo").args(["test", "--workspace"]))?;
    tally.runner("cargo test (SQLite)", ok, &out);

    step("API tests (PostgreSQL)");
    match postgres::ensure_running() {
        Ok(url) => {
            let (ok, out) = run_captured(
                Command::new("cargo")
                    .args(["test", "-p", "portal-server", "--test", "api"])
                    .env("PORTAL_TEST_POSTGRES_URL", url),
            )?;
            tally.runner("API tests (PostgreSQL)", ok, &out);
        }
        Err(err) => {
            eprintln!("    cannot start PostgreSQL: {err:#}");
            tally.check("PostgreSQL", false);
        }
    }

    step("API fuzzing: schemathesis against /api/openapi.json (SQLite, demo data)");
    let fuzzed = ensure_schemathesis().and_then(|schemathesis| fuzz::fuzz(&schemathesis));
    if let Err(err) = &fuzzed {
        eprintln!("    {err:#}");
    }
    tally.check("API fuzzing (schemathesis)", fuzzed.is_ok());

    step("SCIM conformance (scim2-tester against the debug server)");
    match scim::conformance() {
        Ok(outcome) => tally.counted("SCIM conformance", outcome.passed, outcome.failed),
        Err(err) => tally.check(&format!("SCIM conformance: {err:#}"), false),
    }

    step("Browser tests (Playwright, headless Chromium)");
    let built = app::build()
        .and_then(|()| run(Command::new("cargo").args(["build", "-p", "portal-server"])));
    match built {
        Ok(()) => {
            let (ok, out) = run_captured(
                Command::new("npx")
                    .args(["playwright", "test"])
                    .current_dir(&root)
                    .env("PATH", tool_path())
                    .env("PORTAL_SERVER_BIN", root.join("target/debug/portal-server"))
                    .env("PORTAL_DIST", root.join("dist")),
            )?;
            tally.runner("browser tests", ok, &out);
        }
        Err(err) => {
            eprintln!("    cannot build for the browser tests: {err:#}");
            tally.check("build for browser tests", false);
        }
    }

    println!();
    for failure in &tally.failures {
        println!("FAILED: {failure}");
    }
    println!("summary: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        anyhow::bail!("{} failed", tally.failed);
    }
    Ok(())
}

/// Passed and failed counts from cargo test's `test result:` lines and Playwright's closing
/// `N passed` / `N failed` lines.
fn counts(output: &str) -> (usize, usize) {
    let (mut passed, mut failed) = (0, 0);
    for line in output.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("test result: ") {
            passed += number_before(rest, " passed");
            failed += number_before(rest, " failed");
        } else if line.ends_with(')') && line.contains(" passed (") {
            passed += number_before(line, " passed");
        } else if let Some(n) = line
            .strip_suffix(" failed")
            .and_then(|n| n.parse::<usize>().ok())
        {
            failed += n;
        }
    }
    (passed, failed)
}

fn number_before(text: &str, word: &str) -> usize {
    text.find(word)
        .and_then(|end| text[..end].rsplit([' ', '.']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::counts;

    #[test]
    fn cargo_and_playwright_counts_are_added_up() {
        let output = "\
test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.1s
test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
  1 failed
  7 passed (12.3s)
";
        assert_eq!(counts(output), (22, 3));
    }
}
