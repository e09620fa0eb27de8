//! A wasm module written back with some of its sections replaced and the rest as they were.

use anyhow::Context;
use wasm_encoder::{Encode, RawSection, Section};
use wasmparser::{Parser, Payload};

/// One section, encoded.
pub struct Encoded {
    id: u8,
    bytes: Vec<u8>,
}

impl Encoded {
    pub fn of(section: &impl Section) -> Self {
        let mut bytes = Vec::new();
        section.encode(&mut bytes);
        Self {
            id: section.id(),
            bytes,
        }
    }
}

impl Encode for Encoded {
    fn encode(&self, sink: &mut Vec<u8>) {
        sink.extend_from_slice(&self.bytes);
    }
}

impl Section for Encoded {
    fn id(&self) -> u8 {
        self.id
    }
}

/// `wasm` with each section that `replace` gives a replacement for replaced by it.
pub fn rewrite(
    wasm: &[u8],
    mut replace: impl FnMut(Payload<'_>) -> anyhow::Result<Option<Encoded>>,
) -> anyhow::Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.context("the main module cannot be read")?;
        let as_it_is = payload.as_section();
        match replace(payload)? {
            Some(section) => {
                out.section(&section);
            }
            None => {
                if let Some((id, range)) = as_it_is {
                    out.section(&RawSection {
                        id,
                        data: &wasm[range.start as usize..range.end as usize],
                    });
                }
            }
        }
    }
    Ok(out.finish())
}
