//! What the split app downloads, in tables: the first visit of each entry route (gzip and
//! brotli, as served), each page's chunks, and the crates' share of the main module and of the
//! request pane's chunks, from the function names the build keeps (target/split/named/).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

use crate::app::{Asset, asset, first_visit_assets, kb};
use crate::split::{chunk_map_of, named_parts};

/// What the email link, `/package/:id`, may download all in, gzip, in bytes (issue 11).
pub const DEEP_LINK_BUDGET: usize = 140 * 1024;
/// The standing goal for a first visit, gzip, in bytes.
pub const FIRST_VISIT_GOAL: usize = 120 * 1024;

/// The entry routes: what the address names, and the page whose chunks index.html preloads.
const ROUTES: [(&str, Option<&str>); 4] = [
    ("signed out (sign-in page)", Some("sign_in")),
    ("/ (catalog)", Some("catalog")),
    ("/package/:id (email link)", Some("package")),
    ("/requests", Some("requests")),
];

/// The three tables, one after the other; and what `/package/:id` downloads, gzip.
pub fn report(dist: &Path) -> anyhow::Result<(String, usize)> {
    let (routes, deep_link) = routes_table(dist)?;
    let tables = format!("{routes}\n{}\n{}", chunks_table(dist)?, crates_table(dist)?);
    Ok((tables, deep_link))
}

/// The first visit of each entry route, as a table; and what `/package/:id` downloads, gzip.
pub fn routes_table(dist: &Path) -> anyhow::Result<(String, usize)> {
    let mut table = String::new();
    writeln!(
        table,
        "| first visit, as served | files | raw | gzip | brotli |\n|---|--:|--:|--:|--:|"
    )?;
    let mut deep_link = 0;
    for (route, page) in ROUTES {
        let assets = first_visit_assets(dist, page)?;
        let (raw, gzip, brotli) = totals(&assets);
        if page == Some("package") {
            deep_link = gzip;
        }
        writeln!(
            table,
            "| {route} | {} | {} | {} | {} |",
            assets.len(),
            kb(raw),
            kb(gzip),
            kb(brotli)
        )?;
    }
    Ok((table, deep_link))
}

/// Every part of the build: the files every visit loads, then each page's chunks, its own and
/// those it shares with other pages.
pub fn chunks_table(dist: &Path) -> anyhow::Result<String> {
    let mut table = String::new();
    writeln!(table, "| part | raw | gzip | brotli |\n|---|--:|--:|--:|")?;
    for a in first_visit_assets(dist, None)? {
        writeln!(
            table,
            "| {} | {} | {} | {} |",
            a.name,
            kb(a.raw),
            kb(a.gzip),
            kb(a.brotli)
        )?;
    }
    let index = std::fs::read_to_string(dist.join("index.html"))?;
    let (_, pages) = chunk_map_of(&index)?;
    for (page, files) in &pages {
        let assets = files
            .iter()
            .map(|f| asset(dist, f.trim_start_matches("./")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let own: Vec<&Asset> = assets
            .iter()
            .filter(|a| a.name.starts_with(&format!("split_{page}_")))
            .collect();
        let (raw, gzip, brotli) = totals(&assets);
        let own_gzip: usize = own.iter().map(|a| a.gzip).sum();
        writeln!(
            table,
            "| `{page}`: its chunk {} gzip + {} shared chunks | {} | {} | {} |",
            kb(own_gzip),
            assets.len() - own.len(),
            kb(raw),
            kb(gzip),
            kb(brotli)
        )?;
    }
    Ok(table)
}

/// The crates' share of the code of the main module and of the request pane's chunks, by the
/// functions' (mangled) names, before wasm-opt. Only the largest are listed.
pub fn crates_table(dist: &Path) -> anyhow::Result<String> {
    let named = named_parts();
    let main = crate_sizes(&[named.join("portal.wasm")])?;
    let index = std::fs::read_to_string(dist.join("index.html"))?;
    let (_, pages) = chunk_map_of(&index)?;
    let package: Vec<_> = pages
        .get("package")
        .map(|files| {
            files
                .iter()
                .map(|f| {
                    // `./split_package_…-<hash>.wasm` was `split_package_….wasm` before hashing.
                    let name = f.trim_start_matches("./");
                    let stem = name.rsplit_once('-').map_or(name, |(stem, _)| stem);
                    named.join(format!("{stem}.wasm"))
                })
                .collect()
        })
        .unwrap_or_default();
    let package = crate_sizes(&package)?;
    let main_total: usize = main.values().sum();
    let package_total: usize = package.values().sum();
    let mut rows: Vec<(&String, usize)> = main.iter().map(|(k, v)| (k, *v)).collect();
    rows.sort_by_key(|(_, size)| std::cmp::Reverse(*size));
    let mut table = String::new();
    writeln!(
        table,
        "| crate (code before wasm-opt) | main module | share | request pane's chunks |\n|---|--:|--:|--:|"
    )?;
    let mut listed: Vec<&String> = Vec::new();
    for (name, size) in rows.iter().take(14) {
        listed.push(name);
        writeln!(
            table,
            "| {name} | {} | {:.0}% | {} |",
            kb(*size),
            100.0 * *size as f64 / main_total.max(1) as f64,
            kb(package.get(*name).copied().unwrap_or(0))
        )?;
    }
    let rest_main: usize = rows.iter().skip(14).map(|(_, size)| size).sum();
    let rest_package: usize = package
        .iter()
        .filter(|(name, _)| !listed.contains(name))
        .map(|(_, size)| size)
        .sum();
    writeln!(
        table,
        "| the rest | {} | {:.0}% | {} |\n| all code | {} | 100% | {} |",
        kb(rest_main),
        100.0 * rest_main as f64 / main_total.max(1) as f64,
        kb(rest_package),
        kb(main_total),
        kb(package_total)
    )?;
    Ok(table)
}

fn totals(assets: &[Asset]) -> (usize, usize, usize) {
    assets.iter().fold((0, 0, 0), |(r, g, b), a| {
        (r + a.raw, g + a.gzip, b + a.brotli)
    })
}

/// The bytes of code of each crate in `modules`, by the crate that names each function.
fn crate_sizes(modules: &[std::path::PathBuf]) -> anyhow::Result<BTreeMap<String, usize>> {
    let mut sizes = BTreeMap::new();
    for module in modules {
        let bytes =
            std::fs::read(module).with_context(|| format!("cannot read {}", module.display()))?;
        let mut imported = 0u32;
        let mut bodies = Vec::new();
        let mut names = BTreeMap::new();
        for payload in Parser::new(0).parse_all(&bytes) {
            match payload? {
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        if matches!(import?.ty, TypeRef::Func(_)) {
                            imported += 1;
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => bodies.push(body.as_bytes().len()),
                Payload::CustomSection(section) => {
                    if let KnownCustom::Name(reader) = section.as_known() {
                        for name in reader {
                            if let Name::Function(map) = name? {
                                for naming in map {
                                    let naming = naming?;
                                    names.insert(naming.index, naming.name.to_owned());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for (i, size) in bodies.into_iter().enumerate() {
            let name = names.get(&(imported + i as u32)).map(String::as_str);
            if let Some(krate) = crate_of(name.unwrap_or("")) {
                *sizes.entry(krate).or_default() += size;
            }
        }
    }
    Ok(sizes)
}

/// The crate a mangled Rust name belongs to: `_ZN4core3fmt5write17h…E` (legacy mangling) and
/// `_RNvNtCs…_4core3fmt5write` (v0, as the standard library is built) are `core`; a trait
/// method of a type (`<alloc::string::String as core::fmt::Display>::fmt`) counts for the
/// type's crate, of a generic type (`<T as …>`) for the trait's. wasm-bindgen's descriptors
/// (`__wbindgen_describe_…`) are not counted: wasm-bindgen removes them.
fn crate_of(name: &str) -> Option<String> {
    if name.starts_with("__wbindgen_describe") {
        return None;
    }
    if let Some(rest) = name.strip_prefix("_R") {
        return Some(v0_crate(rest).unwrap_or_else(|| "(unnamed)".to_owned()));
    }
    let Some(rest) = name.strip_prefix("_ZN") else {
        return Some("(not Rust: wasm-bindgen glue, main)".to_owned());
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let Some(first) = rest[..digits]
        .parse::<usize>()
        .ok()
        .and_then(|len| rest.get(digits..digits + len))
    else {
        return Some("(unnamed)".to_owned());
    };
    let first = first.trim_start_matches('_').trim_start_matches("$LT$");
    let (ty, trait_path) = first.split_once("$u20$as$u20$").unwrap_or((first, ""));
    let path = if ty.contains("..") || trait_path.is_empty() {
        ty
    } else {
        trait_path
    };
    let path = path
        .trim_start_matches("$RF$")
        .trim_start_matches("mut$u20$")
        .trim_start_matches("dyn$u20$");
    let krate = path.split("..").next().unwrap_or(path);
    Some(krate.split('$').next().unwrap_or(krate).to_owned())
}

/// The first crate root of a v0-mangled name: `C`, an optional `s<hash>_`, then the crate's
/// name with its length in front (`Csjqx8TIyZbP9_8dlmalloc`).
fn v0_crate(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    for (at, _) in name.match_indices('C') {
        let mut i = at + 1;
        if bytes.get(i) == Some(&b's') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'_') {
                continue;
            }
            i += 1;
        }
        let digits = name[i..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        let len: usize = name[i..i + digits].parse().ok()?;
        if let Some(krate) = name.get(i + digits..i + digits + len) {
            return Some(krate.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn a_function_counts_for_the_crate_its_name_starts_with() {
        let of = |name| crate_of(name).unwrap_or_default();
        assert_eq!(of("_ZN4core3fmt5write17h0123456789abcdefE"), "core");
        assert_eq!(
            of("_ZN60_$LT$alloc..string..String$u20$as$u20$core..fmt..Display$GT$3fmt17h0E"),
            "alloc"
        );
        assert_eq!(
            of("_ZN58_$LT$T$u20$as$u20$leptos..into_view..IntoView$GT$9into_view17h0E"),
            "leptos"
        );
        assert_eq!(of("_ZN6portal5pages7catalog17h0E"), "portal");
        assert_eq!(
            of("_RNvMs0_NtCsjqx8TIyZbP9_8dlmalloc8dlmallocINtB5_8DlmallocE6malloc"),
            "dlmalloc"
        );
        assert_eq!(of("_RNvNtCsgXGp5Oqx2Ny_4core3fmt5write"), "core");
        assert!(of("main").starts_with("(not Rust"));
        assert_eq!(crate_of("__wbindgen_describe___wbg_new_2244"), None);
    }
}
