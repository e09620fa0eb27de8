//! JSON in and out through the browser's own parser: `JSON.parse` builds the value and the
//! wire types read it field by field (`portal_api::codec`), so neither a JSON parser nor
//! serde's derived code is compiled into the app.

use portal_api::codec::{Build, Decode, Encode, Value};
use wasm_bindgen::{JsCast, JsValue};

/// A value `JSON.parse` made, or one being built for `JSON.stringify`.
pub struct Js(JsValue);

impl Value for Js {
    fn member(&self, key: &str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        let value = js_sys::Reflect::get(&self.0, &JsValue::from_str(key)).ok()?;
        (!value.is_null() && !value.is_undefined()).then_some(Js(value))
    }
    fn string(&self) -> Option<String> {
        self.0.as_string()
    }
    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }
    fn boolean(&self) -> Option<bool> {
        self.0.as_bool()
    }
    fn items(&self) -> Option<Vec<Self>> {
        js_sys::Array::is_array(&self.0).then(|| {
            self.0
                .unchecked_ref::<js_sys::Array>()
                .iter()
                .map(Js)
                .collect()
        })
    }
    fn keys(&self) -> Option<Vec<String>> {
        let object = self
            .0
            .dyn_ref::<js_sys::Object>()
            .filter(|_| !js_sys::Array::is_array(&self.0))?;
        Some(
            js_sys::Object::keys(object)
                .iter()
                .filter_map(|k| k.as_string())
                .collect(),
        )
    }
}

impl Build for Js {
    fn object(members: Vec<(&'static str, Self)>) -> Self {
        let object = js_sys::Object::new();
        for (key, value) in members {
            let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value.0);
        }
        Js(object.into())
    }
    fn string(value: &str) -> Self {
        Js(JsValue::from_str(value))
    }
    fn array(items: Vec<Self>) -> Self {
        Js(items
            .into_iter()
            .map(|item| item.0)
            .collect::<js_sys::Array>()
            .into())
    }
}

/// Read `text` as a `T`; the error says what did not fit. Fields `T` does not know are
/// passed over, as they are in the server's answers.
pub fn from_str<T: Decode>(text: &str) -> Result<T, String> {
    T::decode(&parse(text)?)
}

/// Write `value` as JSON text.
pub fn to_string<T: Encode>(value: &T) -> String {
    js_sys::JSON::stringify(&value.encode::<Js>().0)
        .map(String::from)
        .unwrap_or_default()
}

fn parse(text: &str) -> Result<Js, String> {
    js_sys::JSON::parse(text)
        .map(Js)
        .map_err(|_| "it is not JSON".to_owned())
}
