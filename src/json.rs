//! JSON in and out of the app, through the wire types' serde derives. In the browser the text
//! is the browser's own business (`JSON.parse`, `JSON.stringify`) and serde-wasm-bindgen walks
//! the values they make, so the app carries no JSON parser; on the host, where the app's unit
//! tests run, serde_json does the same job through the same derives.

use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{DeserializeOwned, Error as _};

pub use host::{Value, deserializer, field, is_array, keys, message, parse};

/// Read `text` as a `T`; the error says what was wrong.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    T::deserialize(deserializer(parse(text)?)).map_err(message)
}

/// JSON text, read where and when it is needed: a page reads at once the little it must
/// ([`Later::read_as`]) and leaves reading it whole ([`Later::read`]) to the code that needs
/// all of it, which may be in a chunk of its own. Plain text, so it goes anywhere a `String` can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Later<T> {
    text: String,
    of: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Later<T> {
    pub fn new(text: String) -> Self {
        Self {
            text,
            of: PhantomData,
        }
    }

    /// The text read as a `T`.
    pub fn read(&self) -> Result<T, String> {
        from_str(&self.text)
    }

    /// The text read as a `U`: a part of a `T`, under the same names.
    pub fn read_as<U: DeserializeOwned>(&self) -> Result<U, String> {
        from_str(&self.text)
    }
}

/// `value` as JSON text.
pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
    host::to_string(value)
}

/// Refuse a member of the object `value` that the struct `T` does not have, as serde's
/// `deny_unknown_fields` does: serde-wasm-bindgen reads a struct's own fields from an object
/// and never sees any other.
pub fn refuse_unknown_fields<T: DeserializeOwned>(value: &Value) -> Result<(), String> {
    let fields = fields_of::<T>();
    match keys(value)
        .into_iter()
        .find(|key| !fields.contains(&key.as_str()))
    {
        Some(key) => Err(serde::de::value::Error::unknown_field(&key, fields).to_string()),
        None => Ok(()),
    }
}

/// The names of the fields the struct `T`'s derive reads, which it hands to the deserializer.
fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for &mut Fields {
        type Error = serde::de::value::Error;
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(serde::de::Error::custom("only the fields were asked for"))
        }
        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields = Fields(&[]);
    let _ = T::deserialize(&mut fields);
    fields.0
}

#[cfg(target_arch = "wasm32")]
mod host {
    use serde::Serialize;
    use wasm_bindgen::{JsCast, JsValue};

    pub type Value = JsValue;

    pub fn parse(text: &str) -> Result<Value, String> {
        js_sys::JSON::parse(text).map_err(|e| {
            js_sys::Error::from(e)
                .message()
                .as_string()
                .unwrap_or_else(|| "not JSON".to_owned())
        })
    }

    pub fn deserializer(value: Value) -> serde_wasm_bindgen::Deserializer {
        serde_wasm_bindgen::Deserializer::from(value)
    }

    /// What a reading error says (the JavaScript error's message, without "Error: ").
    pub fn message(error: serde_wasm_bindgen::Error) -> String {
        js_sys::Error::from(JsValue::from(error)).message().into()
    }

    pub fn is_array(value: &Value) -> bool {
        js_sys::Array::is_array(value)
    }

    /// The member `name` of an object, if it has one.
    pub fn field(value: &Value, name: &str) -> Option<Value> {
        js_sys::Reflect::get(value, &JsValue::from_str(name))
            .ok()
            .filter(|v| !v.is_undefined())
    }

    /// The names of an object's members.
    pub fn keys(value: &Value) -> Vec<String> {
        match value.dyn_ref::<js_sys::Object>() {
            Some(object) => js_sys::Object::keys(object)
                .iter()
                .filter_map(|key| key.as_string())
                .collect(),
            None => Vec::new(),
        }
    }

    pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
        // As JSON has it: absent options as null, maps as objects.
        let value = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .ok()?;
        js_sys::JSON::stringify(&value).ok()?.as_string()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod host {
    use serde::Serialize;

    pub type Value = serde_json::Value;

    pub fn parse(text: &str) -> Result<Value, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn deserializer(value: Value) -> Value {
        value
    }

    /// What a reading error says.
    pub fn message(error: serde_json::Error) -> String {
        error.to_string()
    }

    pub fn is_array(value: &Value) -> bool {
        value.is_array()
    }

    /// The member `name` of an object, if it has one.
    pub fn field(value: &Value, name: &str) -> Option<Value> {
        value.get(name).cloned()
    }

    /// The names of an object's members.
    pub fn keys(value: &Value) -> Vec<String> {
        value
            .as_object()
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
        serde_json::to_string(value).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Settings {
        api_base_url: String,
        logo_url: Option<String>,
    }

    #[test]
    fn the_fields_of_a_struct_are_the_names_its_derive_reads() {
        assert_eq!(fields_of::<Settings>(), ["apiBaseUrl", "logoUrl"]);
    }

    #[test]
    fn a_member_the_struct_does_not_have_is_refused_by_name_with_the_ones_it_has() {
        let value = parse(r#"{"apiBaseUrl": "/api/v1", "logoURL": "logo.svg"}"#).unwrap();
        assert_eq!(
            refuse_unknown_fields::<Settings>(&value).unwrap_err(),
            "unknown field `logoURL`, expected `apiBaseUrl` or `logoUrl`"
        );
        let value = parse(r#"{"apiBaseUrl": "/api/v1", "logoUrl": "logo.svg"}"#).unwrap();
        assert_eq!(refuse_unknown_fields::<Settings>(&value), Ok(()));
    }
}
