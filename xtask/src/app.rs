//! Building the web app with Trunk, and measuring what a first visit downloads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::process::run;
use crate::tools::{tool_path, wasm_bindgen_version};
use crate::{root, step};

/// Build the app in release mode into dist/, offline, with the tools xtask installed.
pub fn build() -> anyhow::Result<()> {
    step("Building the web app (release, wasm-opt -Oz)");
    // Trunk runs cargo offline; fetch first so a fresh clone has every crate.
    run(Command::new("cargo")
        .args(["fetch", "--quiet"])
        .current_dir(root()))?;
    run(Command::new("trunk")
        .args(["build", "--release"])
        .current_dir(root())
        .env("PATH", tool_path())
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_TOOLS_WASM_BINDGEN", wasm_bindgen_version()?)
        .env("NO_COLOR", "true"))?;
    let dist = root().join("dist");
    // Static hosts that answer unknown paths with 404.html (GitHub Pages and the like) then
    // serve the app, which opens the route from the address.
    std::fs::copy(dist.join("index.html"), dist.join("404.html"))
        .context("cannot write dist/404.html")?;
    report_sizes(&dist)
}

/// One built file and what it weighs.
pub struct Asset {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
}

/// The files of a first visit: index.html and the js, wasm and css it names, with raw and gzip
/// sizes. Files a first visit does not load (404.html, embed.js, icons) are not counted.
pub fn first_visit_assets(dist: &Path) -> anyhow::Result<Vec<Asset>> {
    let index = std::fs::read_to_string(dist.join("index.html"))
        .with_context(|| format!("no index.html in {}", dist.display()))?;
    let mut assets = Vec::new();
    for path in files(dist)? {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let loaded = name == "index.html"
            || (index.contains(&name)
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "js" | "wasm" | "css")));
        if !loaded {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&bytes)?;
        assets.push(Asset {
            name,
            raw: bytes.len(),
            gzip: gz.finish()?.len(),
        });
    }
    assets.sort_by_key(|a| std::cmp::Reverse(a.gzip));
    Ok(assets)
}

fn report_sizes(dist: &Path) -> anyhow::Result<()> {
    let assets = first_visit_assets(dist)?;
    println!(
        "\n    {:<44} {:>10} {:>10}",
        "dist/ (first visit)", "raw", "gzip"
    );
    for a in &assets {
        println!("    {:<44} {:>10} {:>10}", a.name, kb(a.raw), kb(a.gzip));
    }
    let (raw, gzip) = assets
        .iter()
        .fold((0, 0), |(r, g), a| (r + a.raw, g + a.gzip));
    println!("    {:<44} {:>10} {:>10}", "total", kb(raw), kb(gzip));
    Ok(())
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(files(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}
