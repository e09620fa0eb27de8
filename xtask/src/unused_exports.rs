//! Exports of the main module that nothing calls: wasm-streams' classes.
//!
//! Leptos depends on server_fn, and server_fn on wasm-streams for streaming server functions;
//! wasm-streams exports three classes to JavaScript (`IntoUnderlyingSource`, `…Sink`,
//! `…ByteSource`) that wrap a Rust stream for a JavaScript `ReadableStream`. A client-side
//! app like this one never makes one: no JavaScript constructs them, and no Rust hands one
//! over (wasm-bindgen's script would then wrap it, `IntoUnderlyingSource.__wrap`). Their
//! exports alone keep their code in the main module, some 4 KB that wasm-opt removes once the
//! exports are gone. The script keeps the classes, which nothing uses.

use anyhow::bail;
use wasmparser::Payload;

use crate::wasm_sections::{self, Encoded};

/// The start of the export names of wasm-streams' classes, as wasm-bindgen names them.
const STREAM_CLASSES: [&str; 2] = ["intounderlying", "__wbg_intounderlying"];

/// `wasm` without the exports of wasm-streams' classes. Refused when wasm-bindgen's `script`
/// shows that Rust hands such an object to JavaScript.
pub fn drop_stream_exports(wasm: &[u8], script: &str) -> anyhow::Result<Vec<u8>> {
    for class in [
        "IntoUnderlyingSource",
        "IntoUnderlyingSink",
        "IntoUnderlyingByteSource",
    ] {
        if script.contains(&format!("{class}.__wrap(")) {
            bail!("the app hands a {class} to JavaScript: its exports are needed");
        }
    }
    wasm_sections::rewrite(wasm, |payload| {
        let Payload::ExportSection(reader) = payload else {
            return Ok(None);
        };
        let mut section = wasm_encoder::ExportSection::new();
        for export in reader {
            let export = export?;
            if !STREAM_CLASSES.iter().any(|p| export.name.starts_with(p)) {
                section.export(export.name, export.kind.into(), export.index);
            }
        }
        Ok(Some(Encoded::of(&section)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::Parser;

    fn exports(wasm: &[u8]) -> Vec<String> {
        Parser::new(0)
            .parse_all(wasm)
            .filter_map(|p| match p.unwrap() {
                Payload::ExportSection(reader) => Some(
                    reader
                        .into_iter()
                        .map(|e| e.unwrap().name.to_owned())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn module() -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut types = wasm_encoder::TypeSection::new();
        types.ty().function([], []);
        module.section(&types);
        let mut functions = wasm_encoder::FunctionSection::new();
        functions.function(0);
        functions.function(0);
        module.section(&functions);
        let mut section = wasm_encoder::ExportSection::new();
        let func = wasm_encoder::ExportKind::Func;
        section.export("intounderlyingsource_pull", func, 0);
        section.export("__wbg_intounderlyingsink_free", func, 0);
        section.export("__wbindgen_start", func, 1);
        module.section(&section);
        let mut code = wasm_encoder::CodeSection::new();
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().end();
        code.function(&body);
        code.function(&body);
        module.section(&code);
        module.finish()
    }

    #[test]
    fn the_stream_classes_exports_go_and_the_others_stay() {
        let script = "export class IntoUnderlyingSource { pull(c) { wasm.intounderlyingsource_pull(this.__wbg_ptr, c); } }";
        let dropped = drop_stream_exports(&module(), script).unwrap();
        wasmparser::validate(&dropped).unwrap();
        assert_eq!(exports(&dropped), ["__wbindgen_start"]);
    }

    #[test]
    fn a_stream_object_handed_to_javascript_keeps_them() {
        let script =
            "const obj = IntoUnderlyingSource.__wrap(arg0); export class IntoUnderlyingSource {}";
        let err = drop_stream_exports(&module(), script).unwrap_err();
        assert!(err.to_string().contains("IntoUnderlyingSource"), "{err}");
    }
}
