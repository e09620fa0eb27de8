//! `cargo xtask run | test | fuzz | bench`: the project's automation, so that two commands take a fresh
//! machine from `git clone` to a running portal and to a passing test suite.

mod app;
mod bench;
mod fuzz;
mod import_names;
mod postgres;
mod process;
mod run;
mod scim;
mod server;
mod sizes;
mod split;
mod test;
mod tools;
mod unused_exports;
mod wasm_sections;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [-- server flags]

commands:
  run     install what is missing, build the app and serve it with its API on
          http://127.0.0.1:8080 (a SQLite file under data/ and the demo data);
          flags after `--` go to portal-server, e.g. `cargo xtask run -- --port 9000`
  test    install what is missing and run every test: format, lints, unit and API tests
          (SQLite and PostgreSQL), and browser tests in headless Chromium
  fuzz    fuzz the API against its own OpenAPI document with schemathesis (a part of
          `test`, on its own)
  bench   measure the standing budgets: first-visit download size (gzip) per entry
          route, each page's chunks and the crates' share (`cargo xtask bench sizes`:
          that part alone), and every read the pages make and request creation on a
          synthetic tenant at full size (SQLite, and PostgreSQL when a cluster is
          installed); print one table, write it under target/bench/, and fail when a
          budget is over; flags after `--` go to `portal-server generate`, e.g.
          `cargo xtask bench -- --requests 100000`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((command, rest)) => (command.as_str(), rest),
        None => ("", &[][..]),
    };
    let rest: Vec<String> = rest.iter().filter(|a| *a != "--").cloned().collect();
    let result = match command {
        "run" => run::run(&rest),
        "test" => test::test(),
        "fuzz" => tools::ensure_schemathesis().and_then(|st| fuzz::fuzz(&st)),
        "bench" if rest.first().map(String::as_str) == Some("sizes") => bench::sizes(),
        "bench" => bench::bench(&rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the folder above xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Print a progress line that stands out from the tools' own output.
pub fn step(message: impl std::fmt::Display) {
    println!("\n==> {message}");
}
