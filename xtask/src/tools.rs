//! Installing what the build and the tests need, only where it is missing or at the wrong
//! version. Everything comes from crates.io, npm, Debian's packages or rustup (the Rust
//! toolchains): no step downloads a prebuilt binary from anywhere else.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::{first_line, run};
use crate::{root, step};

/// The Trunk release that builds with this machine's rustc (0.22 needs a newer one).
const TRUNK_VERSION: &str = "0.21.14";
/// The wasm-opt that Trunk.toml pins; npm's binaryen package carries it.
const WASM_OPT_VERSION: &str = "version_132";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The toolchain the split build of the web app is compiled with (xtask/src/split.rs): a
/// nightly, for the standard library built with the app and aborting at once on a panic.
/// Pinned, so that a build today is the build of tomorrow.
pub const WASM_TOOLCHAIN: &str = "nightly-2026-10-30";
/// The schemathesis release the API is fuzzed with; its checks change between releases.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// What building the web app needs: the wasm target, Trunk, wasm-bindgen and wasm-opt.
pub fn ensure_build_tools() -> anyhow::Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_toolchain()?;
    ensure_trunk()?;
    ensure_wasm_bindgen()?;
    ensure_npm_packages()
}

/// Debian packages, installed together with one `apt-get update` when any is missing.
pub fn ensure_debian_packages(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !debian_installed(p))
        .collect();
    if missing.is_empty() {
        println!("    Debian packages present: {}", packages.join(", "));
        return Ok(());
    }
    step(format!(
        "Installing Debian packages: {} (a minute or two)",
        missing.join(", ")
    ));
    run(Command::new("apt-get").args(["update", "-q"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The exact wasm-bindgen version in Cargo.lock: the CLI must match the library to the patch.
pub fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(root().join("Cargo.lock")).context("cannot read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

/// PATH with the project's tools first: npm's wasm-opt must win over Debian's broken one.
pub fn tool_path() -> std::ffi::OsString {
    let mut paths = vec![root().join("node_modules/.bin"), cargo_bin()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap_or_default()
}

/// The schemathesis command, installed from PyPI into a virtual environment under target/
/// when it is missing or at another version.
pub fn ensure_schemathesis() -> anyhow::Result<PathBuf> {
    let venv = root().join("target/schemathesis-venv");
    let schemathesis = venv.join("bin/schemathesis");
    let wanted = format!("schemathesis, version {SCHEMATHESIS_VERSION}");
    if first_line(&schemathesis.to_string_lossy(), &["--version"]).as_deref()
        == Some(wanted.as_str())
    {
        println!("    {wanted} present");
        return Ok(schemathesis);
    }
    step(format!(
        "Installing schemathesis {SCHEMATHESIS_VERSION} from PyPI into target/schemathesis-venv (a minute, once)"
    ));
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))
        .context("fuzzing the API needs Python 3 with its venv module (Debian: python3-venv)")?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))?;
    Ok(schemathesis)
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == WASM_TARGET)
    {
        println!("    Rust target {WASM_TARGET} present");
        return Ok(());
    }
    step(format!("Adding the Rust target {WASM_TARGET}"));
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The split build's toolchain with the standard library's source and the wasm32 target.
fn ensure_wasm_toolchain() -> anyhow::Result<()> {
    let sysroot = first_line(
        "rustup",
        &["run", WASM_TOOLCHAIN, "rustc", "--print", "sysroot"],
    );
    if let Some(sysroot) = sysroot.map(PathBuf::from)
        && sysroot.join("lib/rustlib/src/rust/library/std").is_dir()
        && sysroot.join("lib/rustlib").join(WASM_TARGET).is_dir()
    {
        println!("    Rust {WASM_TOOLCHAIN} with rust-src and {WASM_TARGET} present");
        return Ok(());
    }
    step(format!(
        "Installing Rust {WASM_TOOLCHAIN} with rust-src and {WASM_TARGET} (about 2 minutes, once)"
    ));
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        WASM_TOOLCHAIN,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
        "--target",
        WASM_TARGET,
    ]))
}

fn ensure_trunk() -> anyhow::Result<()> {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if first_line(&cargo_bin_tool("trunk"), &["--version"]).as_deref() == Some(wanted.as_str()) {
        println!("    {wanted} present");
        return Ok(());
    }
    step(format!(
        "Installing Trunk {TRUNK_VERSION} from crates.io (about 12 minutes on 2 cores, once)"
    ));
    run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let version = wasm_bindgen_version()?;
    let wanted = format!("wasm-bindgen {version}");
    if first_line(&cargo_bin_tool("wasm-bindgen"), &["--version"]).as_deref()
        == Some(wanted.as_str())
    {
        println!("    {wanted} present");
        return Ok(());
    }
    step(format!(
        "Installing the wasm-bindgen CLI {version} from crates.io (about 3 minutes, once)"
    ));
    // Without --locked: the CLI's own lockfile pins a crate version the registry does not serve.
    run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--force",
    ]))
}

fn ensure_npm_packages() -> anyhow::Result<()> {
    let root = root();
    let installed = root.join("node_modules/.package-lock.json");
    let fresh = match (
        modified(&installed),
        modified(&root.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if !fresh {
        step(
            "Installing npm packages from package-lock.json (Playwright, axe, binaryen's wasm-opt, esbuild)",
        );
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root))?;
    }
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    let version = first_line(&wasm_opt.to_string_lossy(), &["--version"]).unwrap_or_default();
    if !version.contains(WASM_OPT_VERSION) {
        bail!(
            "node_modules/.bin/wasm-opt reports {version:?}, expected {WASM_OPT_VERSION}; run `npm ci`"
        );
    }
    println!("    npm packages present (wasm-opt {WASM_OPT_VERSION})");
    Ok(())
}

fn debian_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn modified(path: &std::path::Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

fn cargo_bin_tool(name: &str) -> String {
    cargo_bin().join(name).to_string_lossy().into_owned()
}
