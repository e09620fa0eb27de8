//! JSON in and out, through the browser's own parser: `JSON.parse` builds the value and
//! serde-wasm-bindgen reads it into our types, so no JSON parser is compiled into the app.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// Read `text` as a `T`; the error says what did not fit. Fields `T` does not know are
/// passed over, as they are in the server's answers.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    from_value(parse(text)?)
}

/// Read `text` as a `T` whose top-level fields are `fields`, refusing any other: for files a
/// person writes, where an unknown field is a typo.
pub fn from_str_strict<T: DeserializeOwned>(text: &str, fields: &[&str]) -> Result<T, String> {
    let value = parse(text)?;
    if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for key in js_sys::Object::keys(object)
            .iter()
            .filter_map(|k| k.as_string())
        {
            if !fields.contains(&key.as_str()) {
                return Err(format!(
                    "unknown field `{key}`, expected one of `{}`",
                    fields.join("`, `")
                ));
            }
        }
    }
    from_value(value)
}

/// Write `value` as JSON text.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let js = value.serialize(&serializer).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&js)
        .map(String::from)
        .map_err(|_| "cannot write JSON".to_owned())
}

fn parse(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|_| "it is not JSON".to_owned())
}

fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}
