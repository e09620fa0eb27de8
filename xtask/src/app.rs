//! Building the web app (Trunk for index.html and the CSS, split.rs for the app split by page),
//! writing the gzip and brotli copies the server sends to browsers that accept them, and
//! measuring what a first visit downloads.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::process::run;
use crate::tools::{tool_path, wasm_bindgen_version};
use crate::{root, step};

/// Build the app in release mode into dist/, offline, with the tools xtask installed: Trunk
/// writes index.html and the CSS, and the split build (split.rs) the app, a chunk per page.
pub fn build() -> anyhow::Result<()> {
    step("Building the web app (release, split by page, wasm-opt -Oz)");
    // Trunk runs cargo offline; fetch first so a fresh clone has every crate.
    run(Command::new("cargo")
        .args(["fetch", "--quiet"])
        .current_dir(root()))?;
    // Trunk builds from a copy of index.html whose rust link it skips: the app is built and
    // split below. `trunk serve` keeps building index.html itself, unsplit.
    let index =
        std::fs::read_to_string(root().join("index.html")).context("cannot read index.html")?;
    let skipped = index.replacen(
        "<link data-trunk rel=\"rust\"",
        "<link data-trunk rel=\"rust\" data-trunk-skip",
        1,
    );
    if skipped == index {
        bail!("index.html has no <link data-trunk rel=\"rust\">");
    }
    let copy = root().join(SPLIT_INDEX);
    std::fs::write(&copy, skipped).with_context(|| format!("cannot write {}", copy.display()))?;
    let trunk = run(Command::new("trunk")
        .args(["build", SPLIT_INDEX, "--release"])
        .current_dir(root())
        .env("PATH", tool_path())
        .env("TRUNK_OFFLINE", "true")
        .env("TRUNK_TOOLS_WASM_BINDGEN", wasm_bindgen_version()?)
        .env("NO_COLOR", "true"));
    let _ = std::fs::remove_file(&copy);
    trunk?;
    let dist = root().join("dist");
    crate::split::build(&dist)?;
    // Static hosts that answer unknown paths with 404.html (GitHub Pages and the like) then
    // serve the app, which opens the route from the address.
    std::fs::copy(dist.join("index.html"), dist.join("404.html"))
        .context("cannot write dist/404.html")?;
    precompress(&dist)?;
    report_sizes(&dist)
}

/// The copy of index.html that Trunk builds from in `build` (git ignores it).
const SPLIT_INDEX: &str = "index.split.html";

/// The kinds of file worth compressing ahead: the rest (icons, config.json) are small or
/// compressed already.
const PRECOMPRESSED: [&str; 4] = ["js", "wasm", "css", "html"];

/// Write `NAME.gz` and `NAME.br` beside each js, wasm, css and html file of `dist`, at the best
/// compression: the server (and nginx's `gzip_static`) send them as they are, so the time spent
/// here is spent once per build rather than once per download.
pub fn precompress(dist: &Path) -> anyhow::Result<()> {
    for path in files(dist)? {
        let kind = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !PRECOMPRESSED.contains(&kind) {
            continue;
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let with_suffix = |suffix: &str| {
            let mut name = path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        let gz = with_suffix(".gz");
        std::fs::write(&gz, gzip(&bytes)?)
            .with_context(|| format!("cannot write {}", gz.display()))?;
        let br = with_suffix(".br");
        std::fs::write(&br, brotli(&bytes)?)
            .with_context(|| format!("cannot write {}", br.display()))?;
    }
    Ok(())
}

fn gzip(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut out,
    )?;
    Ok(out)
}

fn brotli(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    // Quality 11 (the best) with a 4 MB window: slow to write, as fast as any to read.
    let params = ::brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    ::brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// One built file and what it weighs: as it is, and as sent to a browser that takes gzip or
/// brotli (the `.gz` and `.br` copies beside it, which the server sends as they are).
pub struct Asset {
    pub name: String,
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// The files a first visit downloads: index.html, the CSS, the app's JavaScript, main module
/// and chunk loader, and, for a page (`Some("package")`), the chunks index.html preloads for it;
/// with raw, gzip and brotli sizes. Files a first visit does not load (404.html, embed.js, icons,
/// other pages' chunks) are not counted. The compressed sizes are those of the copies
/// `precompress` wrote, the bytes actually served; a file without them is compressed here the
/// same way.
pub fn first_visit_assets(dist: &Path, page: Option<&str>) -> anyhow::Result<Vec<Asset>> {
    let index = std::fs::read_to_string(dist.join("index.html"))
        .with_context(|| format!("no index.html in {}", dist.display()))?;
    let (tags, chunks) = crate::split::chunk_map_of(&index)?;
    let mut names = vec!["index.html".to_owned()];
    for path in files(dist)? {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let code = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "js" | "wasm" | "css"));
        if code && tags.contains(&name) {
            names.push(name);
        }
    }
    if let Some(page) = page {
        let files = chunks
            .get(page)
            .with_context(|| format!("index.html lists no chunks for the page {page}"))?;
        names.extend(files.iter().map(|f| f.trim_start_matches("./").to_owned()));
    }
    let mut assets = names
        .iter()
        .map(|name| asset(dist, name))
        .collect::<anyhow::Result<Vec<_>>>()?;
    assets.sort_by_key(|a| std::cmp::Reverse(a.gzip));
    Ok(assets)
}

/// One file of `dist` and what it weighs as served.
pub fn asset(dist: &Path, name: &str) -> anyhow::Result<Asset> {
    let bytes = std::fs::read(dist.join(name))
        .with_context(|| format!("no {name} in {}", dist.display()))?;
    let served = |suffix: &str| {
        std::fs::metadata(dist.join(format!("{name}{suffix}")))
            .ok()
            .map(|m| m.len() as usize)
    };
    let gzip = match served(".gz") {
        Some(size) => size,
        None => gzip(&bytes)?.len(),
    };
    let brotli = match served(".br") {
        Some(size) => size,
        None => brotli(&bytes)?.len(),
    };
    Ok(Asset {
        name: name.to_owned(),
        raw: bytes.len(),
        gzip,
        brotli,
    })
}

fn report_sizes(dist: &Path) -> anyhow::Result<()> {
    println!("\n{}", crate::sizes::routes_table(dist)?.0);
    Ok(())
}

pub fn kb(bytes: usize) -> String {
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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::precompress;

    #[test]
    fn the_compressed_copies_hold_the_files_and_only_code_and_pages_get_them() {
        let dist = std::env::temp_dir().join(format!("portal-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dist).unwrap();
        let script = "export function start() { return 'Access Portal'; }\n".repeat(50);
        std::fs::write(dist.join("portal-346fbf2235da9e69.js"), &script).unwrap();
        std::fs::write(dist.join("config.json"), "{}").unwrap();

        precompress(&dist).unwrap();

        let gz = std::fs::read(dist.join("portal-346fbf2235da9e69.js.gz")).unwrap();
        let mut from_gzip = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut from_gzip)
            .unwrap();
        let br = std::fs::read(dist.join("portal-346fbf2235da9e69.js.br")).unwrap();
        let mut from_brotli = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut from_brotli)
            .unwrap();
        let json_copies = ["config.json.gz", "config.json.br"].map(|n| dist.join(n).exists());
        std::fs::remove_dir_all(&dist).unwrap();
        assert_eq!(from_gzip, script);
        assert_eq!(from_brotli, script);
        assert!(br.len() < script.len() && gz.len() < script.len());
        assert_eq!(json_copies, [false, false]);
    }
}
