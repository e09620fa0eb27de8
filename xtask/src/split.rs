//! The split build of the web app: each page in its own wasm chunk, fetched when its route is
//! first shown, and the chunk of the route in the address preloaded by index.html.
//!
//! Trunk (0.21) does not run the split step, so it builds only index.html and the CSS here (the
//! rust link skipped) and this module does the rest, as cargo-leptos `--split` does:
//!
//! 1. cargo builds the app with the `split` feature (Leptos's `#[lazy]` on each page) and
//!    `-Clink-args=--emit-relocs`, which keeps what the splitter needs to move code, on a
//!    pinned nightly that builds the standard library with it (see `cargo_build`);
//! 2. wasm_split_cli_support (vendored with one option of ours, see vendor/README.md) splits
//!    the module into the main module, with the code the request pane shares with other
//!    pages, one chunk per page (and one for the round trips to the provider) and one chunk
//!    of what only the other pages share, and writes the loader (`__wasm_split-….js`) that
//!    fetches a chunk next to itself (`new URL(chunk, import.meta.url)`), so chunks load under any base
//!    path and from the portal's origin inside the script embed;
//! 3. wasm-bindgen binds the main module only (`--keep-lld-exports`: the chunks call into it),
//!    and the exports of wasm-streams' classes, which nothing calls, are dropped
//!    (xtask/src/unused_exports.rs);
//! 4. wasm-opt shrinks every part, with the flags index.html gives Trunk, and the main
//!    module's imports from its JavaScript get short names (xtask/src/import_names.rs);
//! 5. esbuild minifies the two scripts (the app's JavaScript and the loader);
//! 6. every file gets the content hash in its name, and index.html the names of the app's files
//!    and the map of each page's chunks, from which its start-up script preloads the app and the
//!    address's page once it has set the base.
//!
//! A deploy that replaces the files leaves a tab on the old build without its chunks: the app
//! then reloads once onto the new build (src/pages/lazy.rs, `reload_after_a_failure`).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::import_names;
use crate::process::run;
use crate::root;
use crate::tools::{WASM_TOOLCHAIN, tool_path};
use crate::unused_exports;

/// Stands for the hash of the main module, its JavaScript and the loader until it is known: they
/// name each other, so the three share one hash of their content. As long as a hash, so that
/// replacing it inside the wasm keeps every length the same.
const PLACEHOLDER: &str = "________________";

/// The map of each page's chunks, in index.html: `{"package": ["./package_…-<hash>.wasm", …]}`.
pub const CHUNK_MAP_ID: &str = "portal-chunks";

/// Build the app split into dist/, which Trunk has just filled with index.html and the CSS.
pub fn build(dist: &Path) -> anyhow::Result<()> {
    let index_source =
        std::fs::read_to_string(root().join("index.html")).context("cannot read index.html")?;
    let wasm = cargo_build()?;
    let work = root().join("target/split");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).with_context(|| format!("cannot create {}", work.display()))?;

    println!("    splitting {}", wasm.display());
    let input = std::fs::read(&wasm).with_context(|| format!("cannot read {}", wasm.display()))?;
    let main_split = work.join("portal_split.wasm");
    let main_module = format!("./portal-{PLACEHOLDER}.js");
    let loader_name = format!("__wasm_split-{PLACEHOLDER}.js");
    let link_name = format!("./{loader_name}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &work;
        options.main_out_path = &main_split;
        options.main_module = &main_module;
        options.link_name = &link_name;
        // What the email link's page shares with other pages is in the main module, so that
        // link is the main module and one chunk; what only other pages share is one chunk.
        options.shared_code = wasm_split_cli_support::SharedCode::MainFor("package");
        options
    })
    .map_err(|e| anyhow::anyhow!("{e:?}"))
    .context("wasm-split could not split the app")?;

    run(Command::new("wasm-bindgen")
        .env("PATH", tool_path())
        .args([
            "--target",
            "web",
            "--keep-lld-exports",
            "--no-demangle",
            "--no-typescript",
            "--out-name",
            "portal",
            "--out-dir",
        ])
        .arg(&work)
        .arg(&main_split))?;
    if work.join("snippets").exists() {
        bail!("wasm-bindgen wrote snippets/, which the split build does not copy yet");
    }

    // wasm-opt drops the function names: keep a named copy of each part for `bench sizes`.
    let named = work.join("named");
    std::fs::create_dir_all(&named)?;
    std::fs::copy(&main_split, named.join("portal.wasm"))?;
    for chunk in &split.split_modules {
        std::fs::copy(chunk, named.join(format!("{}.wasm", file_stem(chunk)?)))?;
    }

    // What nothing calls out of the main module, before wasm-opt removes its code.
    let main_wasm = work.join("portal_bg.wasm");
    let bound = std::fs::read(&main_wasm)?;
    let script = std::fs::read_to_string(work.join("portal.js"))?;
    std::fs::write(
        &main_wasm,
        unused_exports::drop_stream_exports(&bound, &script)?,
    )?;

    let wasm_opt = wasm_opt_args(&index_source)?;
    println!(
        "    wasm-opt {} on the main module and {} chunks",
        wasm_opt.join(" "),
        split.split_modules.len()
    );
    for part in std::iter::once(&main_wasm).chain(&split.split_modules) {
        // Quiet unless it fails: it warns about every part's name section, which it drops.
        let output = Command::new(root().join("node_modules/.bin/wasm-opt"))
            .args(&wasm_opt)
            .arg(part)
            .arg("-o")
            .arg(part)
            .output()
            .context("cannot run node_modules/.bin/wasm-opt; run `npm ci`")?;
        if !output.status.success() {
            bail!(
                "wasm-opt failed on {}:\n{}",
                part.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }

    // The chunks name nothing: each gets the hash of its own content.
    let mut loader = std::fs::read_to_string(work.join(&loader_name))?;
    let mut hashed = BTreeMap::new();
    for chunk in &split.split_modules {
        let stem = file_stem(chunk)?;
        let bytes = std::fs::read(chunk)?;
        let name = format!("{stem}-{}.wasm", hash(&[&bytes]));
        loader = loader.replace(&format!("\"./{stem}.wasm\""), &format!("\"./{name}\""));
        std::fs::write(dist.join(&name), bytes)?;
        hashed.insert(stem, name);
    }

    // What the main module imports from its JavaScript, under short names in both.
    let (module, renamed) = import_names::shorten(&std::fs::read(&main_wasm)?, "./portal_bg.js")?;
    if renamed.is_empty() {
        bail!("the main module imports nothing from ./portal_bg.js: has wasm-bindgen renamed it?");
    }
    let script = import_names::rename_in_script(
        &std::fs::read_to_string(work.join("portal.js"))?,
        &renamed,
    )?;

    // Both scripts minified, as a first visit downloads them.
    let (script, loader) = (minify(&script)?, minify(&loader)?);

    // The main module, its JavaScript and the loader import each other: one hash of all three.
    let build = hash(&[loader.as_bytes(), script.as_bytes(), &module]);
    let loader = loader.replace(PLACEHOLDER, &build);
    let script = replace_once(
        &script.replace(PLACEHOLDER, &build),
        "portal_bg.wasm",
        &format!("portal-{build}_bg.wasm"),
    )?;
    let module = replace_bytes(&module, PLACEHOLDER.as_bytes(), build.as_bytes());
    let script_name = format!("portal-{build}.js");
    let module_name = format!("portal-{build}_bg.wasm");
    let loader_name = loader_name.replace(PLACEHOLDER, &build);
    std::fs::write(dist.join(&script_name), script)?;
    std::fs::write(dist.join(&module_name), module)?;
    std::fs::write(dist.join(&loader_name), loader)?;

    let chunks = chunk_map(&split.prefetch_map, &hashed)?;
    let index_path = dist.join("index.html");
    let index = std::fs::read_to_string(&index_path)?;
    let index = start_tags(&index, &script_name, &loader_name, &module_name, &chunks)?;
    std::fs::write(&index_path, index)?;
    Ok(())
}

/// `script` minified by esbuild (npm): names, spaces and comments shortened, as a module.
fn minify(script: &str) -> anyhow::Result<String> {
    let mut esbuild = Command::new(root().join("node_modules/.bin/esbuild"))
        .args([
            "--minify",
            "--format=esm",
            "--loader=js",
            "--log-level=error",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run node_modules/.bin/esbuild; run `npm ci`")?;
    let mut stdin = esbuild.stdin.take().context("esbuild's input")?;
    let input = script.to_owned();
    // Written from a thread of its own, so that neither side waits for the other.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = esbuild.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("writing to esbuild failed"))??;
    if !output.status.success() {
        bail!(
            "esbuild could not minify a script:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("esbuild wrote no UTF-8")
}

/// `text` with its one `from` replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> anyhow::Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("expected `{from}` once in wasm-bindgen's script, found it {n} times"),
    }
}

/// index.html without its chunk map, and the map: each page's chunk files (`./name.wasm`). A
/// page without a map (a build that is not split) has no chunks.
pub fn chunk_map_of(index: &str) -> anyhow::Result<(String, BTreeMap<String, Vec<String>>)> {
    let open = format!("<script type=application/json id={CHUNK_MAP_ID}>");
    let Some(start) = index.find(&open) else {
        return Ok((index.to_owned(), BTreeMap::new()));
    };
    let body = start + open.len();
    let end = body
        + index[body..]
            .find("</script>")
            .context("index.html's chunk map is not closed")?;
    let map = serde_json::from_str(&index[body..end]).context("index.html's chunk map")?;
    let rest = format!("{}{}", &index[..start], &index[end..]);
    Ok((rest, map))
}

/// The named copies of the split build's parts (before wasm-opt), in target/split/named/: the
/// main module as `portal.wasm`, the chunks as the splitter named them.
pub fn named_parts() -> PathBuf {
    root().join("target/split/named")
}

/// Build the app for the splitter: the `split` feature, and relocations kept in the output.
/// `cargo rustc` puts the link argument on the app alone, so the crates it uses stay built.
///
/// With the pinned nightly ([`WASM_TOOLCHAIN`]) the standard library is built with the app
/// (`-Zbuild-std`), so that only what the app calls is in it, and a panic aborts at once
/// (`-Cpanic=immediate-abort`): no panic messages, locations or `Debug` output are formatted,
/// and none of that code is downloaded; its `optimize_for_size` feature picks its smaller
/// implementations (of sorting, formatting) where it has two. The app reloads after such an abort itself
/// (src/pages/lazy.rs). RUSTFLAGS replaces .cargo/config.toml's flags for the target, so its
/// `--cfg erase_components` is repeated; with `--target` they reach neither build scripts nor
/// proc macros.
fn cargo_build() -> anyhow::Result<PathBuf> {
    run(Command::new("cargo")
        .env("RUSTUP_TOOLCHAIN", WASM_TOOLCHAIN)
        .env(
            "RUSTFLAGS",
            "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort \
             -Zlocation-detail=none -Zfmt-debug=none",
        )
        .args([
            "rustc",
            "--quiet",
            "-p",
            "portal",
            "--bin",
            "portal",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
            "--features",
            "split",
            "-Zbuild-std=std,panic_abort",
            "-Zbuild-std-features=optimize_for_size",
            "--",
            "-Clink-args=--emit-relocs",
        ])
        .current_dir(root()))?;
    Ok(root().join("target/wasm32-unknown-unknown/wasm-release/portal.wasm"))
}

/// wasm-opt's arguments from index.html's rust link (`data-wasm-opt="z"` and
/// `data-wasm-opt-params`), so that Trunk's unsplit build and this one shrink alike.
fn wasm_opt_args(index: &str) -> anyhow::Result<Vec<String>> {
    let level =
        attribute(index, "data-wasm-opt").context("index.html's rust link has no data-wasm-opt")?;
    let mut args = vec![format!("-O{level}")];
    if let Some(params) = attribute(index, "data-wasm-opt-params") {
        args.extend(params.split_whitespace().map(str::to_owned));
    }
    Ok(args)
}

/// Each page's chunk files, by the page's name: the splitter names a page's module after its
/// `#[lazy(name)]` with a hash of where it stands (`package_1234…`); the page name is what
/// index.html's start-up script knows a route by.
fn chunk_map(
    prefetch: &std::collections::HashMap<String, Vec<String>>,
    hashed: &BTreeMap<String, String>,
) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let mut pages = BTreeMap::new();
    for (split, stems) in prefetch {
        let page = split
            .rsplit_once('_')
            .map_or(split.as_str(), |(page, _)| page)
            .to_owned();
        let mut files = Vec::new();
        for stem in stems {
            let name = hashed
                .get(stem)
                .with_context(|| format!("the splitter names a chunk {stem} it did not write"))?;
            files.push(format!("./{name}"));
        }
        if pages.insert(page.clone(), files).is_some() {
            bail!("two #[lazy] functions are named {page}: give each page its own name");
        }
    }
    Ok(pages)
}

/// The files of the app itself, in index.html: `{"css": "./portal-….css", "cssIntegrity": …,
/// "script": "./portal-….js", "loader": "./__wasm_split-….js", "module": "./portal-…_bg.wasm"}`.
pub const START_ID: &str = "portal-start";

/// index.html with what starts the split app. Before the start-up script: the map of each
/// page's chunks and the names of the app's own files (#portal-start), from which the script
/// creates the stylesheet and preload tags once it has set the base (a browser fetches the
/// files of tags as soon as it reads them, so a tag in the page would be fetched from the deep
/// link's folder, `/package/portal-….js`, first); Trunk's stylesheet tag moves there too. At the
/// end of the head, the script that starts the app (its imports are resolved when it runs).
/// `public/embed.js` reads #portal-start too.
fn start_tags(
    index: &str,
    script: &str,
    loader: &str,
    module: &str,
    chunks: &BTreeMap<String, Vec<String>>,
) -> anyhow::Result<String> {
    let (index, stylesheet) = take_stylesheet(index)?;
    let files = serde_json::json!({
        "css": stylesheet.href,
        "cssIntegrity": stylesheet.integrity,
        "script": format!("./{script}"),
        "loader": format!("./{loader}"),
        "module": format!("./{module}"),
    });
    let data = format!(
        "<script type=application/json id={CHUNK_MAP_ID}>{}</script>\
         <script type=application/json id={START_ID}>{files}</script>",
        serde_json::to_string(chunks)?
    );
    let start = format!(
        "<script type=module>import init from './{script}';\
         init({{ module_or_path: './{module}' }});</script>"
    );
    let first_script = index
        .find("<script")
        .context("index.html has no start-up script")?;
    let head_end = index.find("</head>").context("index.html has no </head>")?;
    Ok(format!(
        "{}{data}{}{start}{}",
        &index[..first_script],
        &index[first_script..head_end],
        &index[head_end..]
    ))
}

/// Trunk's stylesheet tag, as written in its index.html.
#[derive(Debug, PartialEq)]
struct Stylesheet {
    href: String,
    integrity: Option<String>,
}

/// index.html without Trunk's `<link … rel=stylesheet>`, and that tag's address and integrity.
fn take_stylesheet(index: &str) -> anyhow::Result<(String, Stylesheet)> {
    let mut from = 0;
    while let Some(found) = index[from..].find("<link") {
        let start = from + found;
        let end = start
            + index[start..]
                .find('>')
                .context("index.html has a <link> tag that is not closed")?
            + 1;
        let tag = &index[start..end];
        if attribute(tag, "rel").as_deref() == Some("stylesheet") {
            let href = attribute(tag, "href").context("the stylesheet tag has no href")?;
            let stylesheet = Stylesheet {
                href,
                integrity: attribute(tag, "integrity"),
            };
            return Ok((format!("{}{}", &index[..start], &index[end..]), stylesheet));
        }
        from = end;
    }
    bail!("index.html has no stylesheet tag: Trunk writes one for style/portal.css")
}

/// The value of the first attribute `name` in `html` (one tag, or a page), quoted or not (as
/// Trunk's minifier leaves it).
fn attribute(html: &str, name: &str) -> Option<String> {
    let mut rest = html;
    loop {
        let at = rest.find(&format!("{name}="))?;
        let before = rest[..at].chars().last();
        let value = &rest[at + name.len() + 1..];
        rest = value;
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let (quote, value) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
            _ => (None, value),
        };
        let end = match quote {
            Some(q) => value.find(q)?,
            None => value
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(value.len()),
        };
        return Some(value[..end].to_owned());
    }
}

/// The first 16 hex digits of the SHA-256 of `parts`, as Trunk's file hashes are long.
fn hash(parts: &[&[u8]]) -> String {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part);
    }
    digest.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn replace_bytes(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = haystack.to_vec();
    let mut at = 0;
    while let Some(found) = out[at..].windows(from.len()).position(|w| w == from) {
        out[at + found..at + found + from.len()].copy_from_slice(to);
        at += found + from.len();
    }
    out
}

fn file_stem(path: &Path) -> anyhow::Result<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no file name", path.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::{attribute, chunk_map, chunk_map_of, replace_bytes, start_tags};

    #[test]
    fn each_page_lists_its_chunks_under_its_own_name_with_their_hashed_files() {
        let prefetch = HashMap::from([(
            "package_11165882460519725966".to_owned(),
            vec![
                "chunk_9".to_owned(),
                "split_package_11165882460519725966".to_owned(),
            ],
        )]);
        let hashed = BTreeMap::from([
            (
                "chunk_9".to_owned(),
                "chunk_9-0611648cf77e07a2.wasm".to_owned(),
            ),
            (
                "split_package_11165882460519725966".to_owned(),
                "split_package_11165882460519725966-af1ee21836385bdb.wasm".to_owned(),
            ),
        ]);

        let pages = chunk_map(&prefetch, &hashed).unwrap();

        assert_eq!(
            pages["package"],
            [
                "./chunk_9-0611648cf77e07a2.wasm",
                "./split_package_11165882460519725966-af1ee21836385bdb.wasm"
            ]
        );
    }

    #[test]
    fn the_app_files_are_named_before_the_start_up_script_and_no_tag_loads_them() {
        let index = "<!doctype html><html><meta charset=utf-8><script>start()</script>\
                     <title>Access Portal</title><link href=./portal-2.css \
                     integrity=sha384-abc rel=stylesheet><link href=./favicon-3.svg rel=icon>\
                     </head><body></body></html>";
        let chunks = BTreeMap::from([("catalog".to_owned(), vec!["./c-1.wasm".to_owned()])]);

        let html = start_tags(
            index,
            "portal-1.js",
            "__wasm_split-1.js",
            "portal-1_bg.wasm",
            &chunks,
        )
        .unwrap();

        let map = html.find("id=portal-chunks").unwrap();
        let files = html.find("id=portal-start").unwrap();
        let startup = html.find("<script>start()").unwrap();
        let app = html.find("import init from './portal-1.js'").unwrap();
        assert!(map < startup && files < startup && startup < app);
        assert!(app < html.find("</head>").unwrap());
        assert!(html.contains(
            r#"{"css":"./portal-2.css","cssIntegrity":"sha384-abc","loader":"./__wasm_split-1.js","module":"./portal-1_bg.wasm","script":"./portal-1.js"}"#
        ), "{html}");
        assert!(!html.contains("rel=stylesheet") && !html.contains("rel=modulepreload"));
        assert!(html.contains("<link href=./favicon-3.svg rel=icon>"));
        let (rest, read) = chunk_map_of(&html).unwrap();
        assert_eq!(read, chunks);
        assert!(!rest.contains("c-1.wasm"));
    }

    #[test]
    fn attributes_are_read_quoted_or_not_and_only_whole_names_count() {
        let tag = r#"<link data-rel=x href="./a b.css" rel='stylesheet' integrity=sha-1>"#;

        assert_eq!(attribute(tag, "href").as_deref(), Some("./a b.css"));
        assert_eq!(attribute(tag, "rel").as_deref(), Some("stylesheet"));
        assert_eq!(attribute(tag, "integrity").as_deref(), Some("sha-1"));
        assert_eq!(attribute(tag, "crossorigin"), None);
    }

    #[test]
    fn the_placeholder_is_replaced_wherever_it_stands_and_nothing_else_moves() {
        let module = b"\0asm..import ./__wasm_split-________________.js..".to_vec();

        let out = replace_bytes(&module, b"________________", b"0123456789abcdef");

        assert_eq!(out.len(), module.len());
        assert_eq!(
            out,
            b"\0asm..import ./__wasm_split-0123456789abcdef.js..".to_vec()
        );
    }
}
