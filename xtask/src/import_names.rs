//! Short names for what the main module imports from its JavaScript.
//!
//! wasm-bindgen names each import after the function and a hash of it
//! (`__wbg_createElement_8c9e4c3ba26c1f7b`), once in the module's import section and once in
//! the script's import object; some 230 of them are 11 KB of names that compress badly (the
//! hashes are random), downloaded twice. Renamed to `a`, `b`, … `ab`, … in both places, as a
//! JavaScript minifier would rename them, the email link downloads about 7 KB gzip less. The
//! script is checked to name each import exactly once, as a key of its import object, so a
//! wasm-bindgen that wrote its script otherwise fails the build rather than the app.

use anyhow::bail;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::Payload;

use crate::wasm_sections::{self, Encoded};

/// Each renaming of an import: its name before, and after.
pub type Renamed = Vec<(String, String)>;

/// `wasm` with the imports from `module` renamed, and each renaming in the order of the
/// import section.
pub fn shorten(wasm: &[u8], module: &str) -> anyhow::Result<(Vec<u8>, Renamed)> {
    let mut renamed = Vec::new();
    let wasm = wasm_sections::rewrite(wasm, |payload| {
        let Payload::ImportSection(reader) = payload else {
            return Ok(None);
        };
        let mut section = wasm_encoder::ImportSection::new();
        for import in reader.into_imports() {
            let import = import?;
            let ty = RoundtripReencoder.entity_type(import.ty)?;
            if import.module == module {
                let name = short_name(renamed.len());
                section.import(import.module, &name, ty);
                renamed.push((import.name.to_owned(), name));
            } else {
                section.import(import.module, import.name, ty);
            }
        }
        Ok(Some(Encoded::of(&section)))
    })?;
    Ok((wasm, renamed))
}

/// wasm-bindgen's `script` with the keys of its import object renamed as `renamed` says.
pub fn rename_in_script(script: &str, renamed: &[(String, String)]) -> anyhow::Result<String> {
    let mut script = script.to_owned();
    for (old, new) in renamed {
        let key = format!("{old}:");
        if script.matches(old.as_str()).count() != 1 || !script.contains(&key) {
            bail!("wasm-bindgen's script does not name the import {old} once, as a key");
        }
        script = script.replacen(&key, &format!("{new}:"), 1);
    }
    Ok(script)
}

/// `a`…`z`, `A`…`Z`, then `aa`, `ab`, …: the shortest names first.
fn short_name(mut index: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[index % LETTERS.len()]);
        index /= LETTERS.len();
        if index == 0 {
            break;
        }
        index -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("letters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::Parser;

    #[test]
    fn names_are_the_shortest_first_and_never_repeat() {
        let names: Vec<String> = (0..52 * 53 + 1).map(short_name).collect();
        assert_eq!(names[0], "a");
        assert_eq!(names[51], "Z");
        assert_eq!(names[52], "aa");
        assert_eq!(names[52 + 52 * 52], "aaa");
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn the_imports_of_one_module_are_renamed_in_the_module_and_the_script() {
        let wasm = module_with_imports();
        let (shortened, renamed) = shorten(&wasm, "./portal_bg.js").unwrap();
        assert_eq!(
            renamed,
            [
                ("__wbg_log_0123456789abcdef".to_owned(), "a".to_owned()),
                ("__wbg_now_fedcba9876543210".to_owned(), "b".to_owned()),
            ]
        );
        let imports: Vec<(String, String)> = Parser::new(0)
            .parse_all(&shortened)
            .filter_map(|p| match p.unwrap() {
                Payload::ImportSection(reader) => Some(
                    reader
                        .into_imports()
                        .map(|i| i.unwrap())
                        .map(|i| (i.module.to_owned(), i.name.to_owned()))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(
            imports,
            [
                ("./portal_bg.js".to_owned(), "a".to_owned()),
                ("./loader.js".to_owned(), "memory_stub".to_owned()),
                ("./portal_bg.js".to_owned(), "b".to_owned()),
            ]
        );
        wasmparser::validate(&shortened).unwrap();

        let script = "const import0 = {\n    __proto__: null,\n    __wbg_log_0123456789abcdef: function(a) {},\n    __wbg_now_fedcba9876543210: function() {},\n};";
        let script = rename_in_script(script, &renamed).unwrap();
        assert!(script.contains("    a: function(a) {}"), "{script}");
        assert!(script.contains("    b: function() {}"), "{script}");
        assert!(!script.contains("__wbg_"), "{script}");
    }

    #[test]
    fn a_script_that_names_an_import_twice_is_refused() {
        let renamed = [("__wbg_log_0123456789abcdef".to_owned(), "a".to_owned())];
        let script = "__wbg_log_0123456789abcdef: function() {}, other: __wbg_log_0123456789abcdef";
        let err = rename_in_script(script, &renamed).unwrap_err();
        assert!(
            err.to_string().contains("__wbg_log_0123456789abcdef"),
            "{err}"
        );
    }

    /// A module with two imports from the script and one from elsewhere, and a function that
    /// calls them.
    fn module_with_imports() -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut imports = wasm_encoder::ImportSection::new();
        let func = wasm_encoder::EntityType::Function(0);
        imports.import("./portal_bg.js", "__wbg_log_0123456789abcdef", func);
        imports.import("./loader.js", "memory_stub", func);
        imports.import("./portal_bg.js", "__wbg_now_fedcba9876543210", func);
        module.section(&imports);
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        module.section(&functions);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().call(0).call(1).call(2).end();
        code.function(&body);
        module.section(&code);
        module.finish()
    }
}
