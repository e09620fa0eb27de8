//! SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, as the big identity providers
//! send it: operation names in any case (Entra's `"Replace"`), paths with value filters
//! (`members[value eq "…"]`), paths into the Enterprise User extension by its URN, and
//! operations without a path whose value is an object of paths.
//!
//! The patched JSON is then read like a PUT body, so both paths share one set of rules.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::filter::{self, Filter};
use super::schema::{ENTERPRISE_USER, canonical_name, is_core_schema};

/// The body of a PATCH request.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchRequest {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<Operation>,
}

/// One operation.
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    pub op: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub value: Option<Value>,
}

/// Why a PATCH cannot be applied, with the SCIM error type it answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// `invalidPath`: the path cannot be read.
    #[error("{0}")]
    InvalidPath(String),
    /// `noTarget`: the path's filter selects nothing, or a remove has no path.
    #[error("{0}")]
    NoTarget(String),
    /// `invalidValue`: the value does not fit the operation.
    #[error("{0}")]
    InvalidValue(String),
    /// `invalidSyntax`: an operation that is not add, replace or remove.
    #[error("{0}")]
    InvalidSyntax(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Add,
    Replace,
    Remove,
}

/// A path, split: the attribute (in the extension object when `extension` names one), an
/// optional filter on its values, and an optional sub-attribute.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    extension: Option<&'static str>,
    attr: String,
    filter: Option<Filter>,
    sub: Option<String>,
}

/// Apply every operation of `patch` to `resource`, in order.
pub fn apply(resource: &mut Value, patch: &PatchRequest) -> Result<(), PatchError> {
    for operation in &patch.operations {
        apply_one(resource, operation)?;
    }
    Ok(())
}

fn apply_one(resource: &mut Value, operation: &Operation) -> Result<(), PatchError> {
    let kind = match operation.op.to_ascii_lowercase().as_str() {
        "add" => Kind::Add,
        "replace" => Kind::Replace,
        "remove" => Kind::Remove,
        other => {
            return Err(PatchError::InvalidSyntax(format!(
                "{other:?} is not a PATCH operation: use add, replace or remove"
            )));
        }
    };
    match operation.path.as_deref().map(str::trim) {
        Some(path) if !path.is_empty() => {
            let path = parse_path(path)?;
            apply_at(resource, kind, &path, operation.value.as_ref())
        }
        _ => {
            if kind == Kind::Remove {
                return Err(PatchError::NoTarget(
                    "a remove operation needs a path that names what to remove".to_owned(),
                ));
            }
            // Without a path the value is an object whose keys are themselves paths (Entra
            // sends `{"name.givenName": "…"}` and extension URNs this way).
            let Some(Value::Object(fields)) = &operation.value else {
                return Err(PatchError::InvalidValue(
                    "an operation without a path needs an object as its value".to_owned(),
                ));
            };
            for (key, value) in fields {
                if key.eq_ignore_ascii_case(ENTERPRISE_USER) {
                    let Value::Object(inner) = value else {
                        return Err(PatchError::InvalidValue(format!(
                            "{ENTERPRISE_USER} takes an object"
                        )));
                    };
                    for (attr, value) in inner {
                        let path = parse_path(&format!("{ENTERPRISE_USER}:{attr}"))?;
                        apply_at(resource, kind, &path, Some(value))?;
                    }
                    continue;
                }
                let path = parse_path(key)?;
                apply_at(resource, kind, &path, Some(value))?;
            }
            Ok(())
        }
    }
}

fn parse_path(text: &str) -> Result<Path, PatchError> {
    let mut rest = text;
    let mut extension = None;
    if rest.len() > 4 && rest[..4].eq_ignore_ascii_case("urn:") {
        if let Some(tail) = strip_prefix_ignore_case(rest, ENTERPRISE_USER) {
            extension = Some(ENTERPRISE_USER);
            rest = tail.strip_prefix(':').unwrap_or(tail);
        } else if let Some((urn, attr)) = rest.rsplit_once(':')
            && is_core_schema(urn)
        {
            rest = attr;
        } else {
            return Err(PatchError::InvalidPath(format!(
                "{text:?} names a schema this service does not have"
            )));
        }
    }
    let (head, filter, sub) = match rest.find('[') {
        Some(open) => {
            let close = rest.rfind(']').ok_or_else(|| {
                PatchError::InvalidPath(format!("the \"[\" in the path {text:?} is not closed"))
            })?;
            let inner = &rest[open + 1..close];
            let filter = filter::parse_value_filter(inner)
                .map_err(|e| PatchError::InvalidPath(format!("in the path {text:?}: {e}")))?;
            let after = &rest[close + 1..];
            let sub = match after.strip_prefix('.') {
                Some(sub) if !sub.is_empty() => Some(sub.to_owned()),
                None if after.is_empty() => None,
                _ => {
                    return Err(PatchError::InvalidPath(format!(
                        "{text:?} has something after \"]\" that is not \".attribute\""
                    )));
                }
            };
            (&rest[..open], Some(filter), sub)
        }
        None => match rest.split_once('.') {
            Some((head, sub)) => (head, None, Some(sub.to_owned())),
            None => (rest, None, None),
        },
    };
    if head.is_empty() && extension.is_none() {
        return Err(PatchError::InvalidPath(format!(
            "{text:?} names no attribute"
        )));
    }
    Ok(Path {
        extension,
        attr: canonical_name(head),
        filter,
        sub: sub.map(|s| canonical_name(&s)),
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn apply_at(
    resource: &mut Value,
    kind: Kind,
    path: &Path,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    let root = object(resource)?;
    if path.attr.is_empty() && kind == Kind::Remove {
        if let Some(urn) = path.extension {
            root.remove(urn);
        }
        return Ok(());
    }
    let container = match path.extension {
        Some(urn) => {
            let ext = root
                .entry(urn.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            object(ext)?
        }
        None => root,
    };
    if path.attr.is_empty() {
        // The extension itself, e.g. `add` with path = the extension's URN.
        let Some(Value::Object(fields)) = value else {
            return Err(PatchError::InvalidValue(
                "the extension takes an object".to_owned(),
            ));
        };
        for (key, value) in fields {
            set(container, kind, &canonical_name(key), None, Some(value))?;
        }
        return Ok(());
    }
    match &path.filter {
        None => set(container, kind, &path.attr, path.sub.as_deref(), value),
        Some(filter) => apply_filtered(container, kind, path, filter, value),
    }
}

/// An operation on `attr` (or `attr.sub`) of `container`, with no value filter.
fn set(
    container: &mut Map<String, Value>,
    kind: Kind,
    attr: &str,
    sub: Option<&str>,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    let key = existing_key(container, attr);
    if let Some(sub) = sub {
        let parent = container
            .entry(key)
            .or_insert_with(|| Value::Object(Map::new()));
        return match parent {
            Value::Object(inner) => set(inner, kind, sub, None, value),
            // `emails.value` on a list: applies to every element (RFC 7644 §3.5.2.3).
            Value::Array(items) => {
                for item in items.iter_mut() {
                    set(object(item)?, kind, sub, None, value)?;
                }
                Ok(())
            }
            _ => Err(PatchError::InvalidPath(format!(
                "{attr} has no sub-attributes"
            ))),
        };
    }
    match kind {
        Kind::Remove => {
            match (container.get_mut(&key), value) {
                // Remove with a value on a list (Okta and Entra remove members this way):
                // only the listed values go.
                (Some(Value::Array(items)), Some(Value::Array(gone))) => {
                    items.retain(|item| !gone.iter().any(|g| same_value(item, g)));
                }
                _ => {
                    container.remove(&key);
                }
            }
            Ok(())
        }
        Kind::Add | Kind::Replace => {
            let value = value.ok_or_else(|| {
                PatchError::InvalidValue(format!("the operation on {attr} needs a value"))
            })?;
            match (kind, container.get_mut(&key), value) {
                // Add to a list appends, leaving out values it already has.
                (Kind::Add, Some(Value::Array(items)), new) => {
                    let new = match new {
                        Value::Array(new) => new.clone(),
                        one => vec![one.clone()],
                    };
                    for item in new {
                        if !items.iter().any(|have| same_value(have, &item)) {
                            items.push(item);
                        }
                    }
                }
                // Add or replace of a complex value merges into it.
                (_, Some(Value::Object(have)), Value::Object(new)) if kind == Kind::Add => {
                    for (k, v) in new {
                        have.insert(canonical_name(k), v.clone());
                    }
                }
                _ => {
                    container.insert(key, value.clone());
                }
            }
            Ok(())
        }
    }
}

fn apply_filtered(
    container: &mut Map<String, Value>,
    kind: Kind,
    path: &Path,
    filter: &Filter,
    value: Option<&Value>,
) -> Result<(), PatchError> {
    let key = existing_key(container, &path.attr);
    let items = match container.get_mut(&key) {
        Some(Value::Array(items)) => items,
        _ if kind == Kind::Remove => return Ok(()),
        _ => {
            container.insert(key.clone(), Value::Array(Vec::new()));
            match container.get_mut(&key) {
                Some(Value::Array(items)) => items,
                _ => unreachable!("just inserted a list"),
            }
        }
    };
    let hits: Vec<usize> = (0..items.len())
        .filter(|&i| filter::matches(filter, &items[i]))
        .collect();
    match (kind, &path.sub) {
        (Kind::Remove, None) => {
            let mut index = 0;
            items.retain(|_| {
                let keep = !hits.contains(&index);
                index += 1;
                keep
            });
            Ok(())
        }
        (_, Some(sub)) if !hits.is_empty() => {
            for i in hits {
                set(object(&mut items[i])?, kind, sub, None, value)?;
            }
            Ok(())
        }
        (Kind::Remove, Some(_)) => Ok(()),
        // `emails[type eq "work"].value` with no work email yet: Entra expects one to be
        // made, holding what the filter said.
        (_, Some(sub)) => {
            let mut item = seed_from_filter(filter);
            set(&mut item, Kind::Replace, sub, None, value)?;
            items.push(Value::Object(item));
            Ok(())
        }
        (_, None) if hits.is_empty() => Err(PatchError::NoTarget(format!(
            "no value of {} matches the filter in the path",
            path.attr
        ))),
        (_, None) => {
            let Some(Value::Object(new)) = value else {
                return Err(PatchError::InvalidValue(format!(
                    "replacing a value of {} needs an object",
                    path.attr
                )));
            };
            for i in hits {
                let item = object(&mut items[i])?;
                for (k, v) in new {
                    item.insert(canonical_name(k), v.clone());
                }
            }
            Ok(())
        }
    }
}

fn seed_from_filter(filter: &Filter) -> Map<String, Value> {
    let mut item = Map::new();
    if let Some(equalities) = filter.equalities() {
        for (attr, value) in equalities {
            item.insert(canonical_name(attr), value.clone());
        }
    }
    item
}

fn object(value: &mut Value) -> Result<&mut Map<String, Value>, PatchError> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(PatchError::InvalidPath(
            "the path goes into a value that is not an object".to_owned(),
        )),
    }
}

/// The key as the resource spells it, when it has one that differs only in case.
fn existing_key(container: &Map<String, Value>, attr: &str) -> String {
    container
        .keys()
        .find(|k| k.eq_ignore_ascii_case(attr))
        .cloned()
        .unwrap_or_else(|| attr.to_owned())
}

/// Two values of a multi-valued attribute are the same when their `value`s are (members are
/// told apart by id), or when they are equal.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.get("value"), b.get("value")) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn patch(resource: Value, operations: Value) -> Result<Value, PatchError> {
        let mut resource = resource;
        let request: PatchRequest = serde_json::from_value(json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        }))
        .unwrap();
        apply(&mut resource, &request)?;
        Ok(resource)
    }

    #[test]
    fn entra_capitalised_replace_of_active_with_a_string_boolean_is_applied() {
        let out = patch(
            json!({"userName": "a", "active": true}),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
        )
        .unwrap();
        assert_eq!(
            out["active"],
            json!("False"),
            "read as false by the user rules"
        );
    }

    #[test]
    fn a_replace_without_path_sets_each_key_as_a_path() {
        let out = patch(
            json!({"userName": "a", "name": {"givenName": "A"}}),
            json!([{"op": "replace", "value": {"displayName": "B", "name.familyName": "F",
                "ACTIVE": false}}]),
        )
        .unwrap();
        assert_eq!(out["displayName"], "B");
        assert_eq!(out["name"], json!({"givenName": "A", "familyName": "F"}));
        assert_eq!(out["active"], false);
    }

    #[test]
    fn the_manager_is_set_through_the_enterprise_extension_urn() {
        let path = format!("{ENTERPRISE_USER}:manager");
        let out = patch(
            json!({"userName": "a"}),
            json!([{"op": "Add", "path": path, "value": "m-1"}]),
        )
        .unwrap();
        assert_eq!(out[ENTERPRISE_USER]["manager"], "m-1");
        let out = patch(out, json!([{"op": "Remove", "path": path}])).unwrap();
        assert_eq!(out[ENTERPRISE_USER].get("manager"), None);
    }

    #[test]
    fn members_are_added_and_removed_by_value_filter() {
        let out = patch(
            json!({"displayName": "g", "members": [{"value": "u1"}]}),
            json!([
                {"op": "add", "path": "members", "value": [{"value": "u2"}, {"value": "u1"}]},
                {"op": "remove", "path": "members[value eq \"u1\"]"},
            ]),
        )
        .unwrap();
        assert_eq!(out["members"], json!([{"value": "u2"}]));
    }

    #[test]
    fn members_are_removed_by_a_value_list_without_filter() {
        let out = patch(
            json!({"members": [{"value": "u1"}, {"value": "u2"}]}),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u2"}]}]),
        )
        .unwrap();
        assert_eq!(out["members"], json!([{"value": "u1"}]));
    }

    #[test]
    fn a_filtered_sub_attribute_replace_makes_the_value_when_missing() {
        let out = patch(
            json!({"emails": [{"type": "home", "value": "h@x"}]}),
            json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w@x"}]),
        )
        .unwrap();
        assert_eq!(
            out["emails"],
            json!([{"type": "home", "value": "h@x"}, {"type": "work", "value": "w@x"}])
        );
    }

    #[test]
    fn a_core_schema_urn_prefix_is_accepted_on_a_path() {
        let out = patch(
            json!({"userName": "a"}),
            json!([{"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName",
                "value": "b"}]),
        )
        .unwrap();
        assert_eq!(out["userName"], "b");
    }

    #[test]
    fn bad_operations_name_the_problem() {
        let err = patch(json!({}), json!([{"op": "move", "path": "a"}])).unwrap_err();
        assert!(matches!(err, PatchError::InvalidSyntax(_)), "{err:?}");
        let err = patch(json!({}), json!([{"op": "remove"}])).unwrap_err();
        assert!(matches!(err, PatchError::NoTarget(_)), "{err:?}");
        let err = patch(
            json!({}),
            json!([{"op": "add", "path": "members[value eq"}]),
        )
        .unwrap_err();
        assert!(matches!(err, PatchError::InvalidPath(_)), "{err:?}");
        let err = patch(
            json!({"members": []}),
            json!([{"op": "replace", "path": "members[value eq \"x\"]", "value": {}}]),
        )
        .unwrap_err();
        assert!(matches!(err, PatchError::NoTarget(_)), "{err:?}");
    }
}
