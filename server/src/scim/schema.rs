//! The SCIM resources as the portal keeps them: reading a User or Group from a request's JSON
//! (leniently, as providers send it: booleans as strings, the manager as a bare id) and
//! writing them back, plus the discovery documents (ServiceProviderConfig, ResourceTypes,
//! Schemas) that declare exactly what this service supports.

use serde_json::{Value, json};

/// The core User schema.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema.
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The Enterprise User extension (only `manager` is kept).
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// A list response.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// An error response.
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Attribute names as this service spells them; SCIM names are case-insensitive, so a name
/// from a client is looked up here.
const NAMES: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "userName",
    "name",
    "givenName",
    "familyName",
    "formatted",
    "displayName",
    "emails",
    "value",
    "type",
    "primary",
    "display",
    "title",
    "active",
    "manager",
    "members",
    "meta",
];

/// `name` as this service spells it (`USERNAME` → `userName`); unknown names unchanged.
pub fn canonical_name(name: &str) -> String {
    NAMES
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_owned(), |known| (*known).to_owned())
}

/// Whether `urn` is one of the core schemas (a path may be prefixed with it).
pub fn is_core_schema(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(USER) || urn.eq_ignore_ascii_case(GROUP)
}

/// A user as a request describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub user_name: String,
    /// `displayName` as sent.
    pub given_display_name: Option<String>,
    /// `emails` as sent (JSON), when sent.
    pub emails: Option<String>,
    pub external_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub display_name: String,
    pub mail: String,
    pub title: Option<String>,
    pub active: bool,
    pub manager_id: Option<String>,
}

/// A group as a request describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInput {
    pub display_name: String,
    pub external_id: Option<String>,
    /// User ids.
    pub members: Vec<String>,
}

/// Why a resource cannot be read: the message for `invalidValue`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

/// Read a User from `json`.
pub fn user_input(json: &Value) -> Result<UserInput, InvalidValue> {
    let user_name = text(json, "userName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| InvalidValue("userName is required and may not be empty".to_owned()))?;
    let name = field(json, "name");
    let given_name = name.map(|n| text(n, "givenName")).transpose()?.flatten();
    let family_name = name.map(|n| text(n, "familyName")).transpose()?.flatten();
    let formatted = name.map(|n| text(n, "formatted")).transpose()?.flatten();
    let given_display_name = text(json, "displayName")?;
    let display_name = given_display_name
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or(formatted)
        .or_else(|| match (&given_name, &family_name) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        })
        .unwrap_or_else(|| user_name.clone());
    let mail = primary_email(json)?.unwrap_or_else(|| user_name.clone());
    let active = match field(json, "active") {
        None | Some(Value::Null) => true,
        Some(value) => boolean(value)
            .ok_or_else(|| InvalidValue(format!("active must be true or false, not {value}")))?,
    };
    let manager_id = match field(json, ENTERPRISE_USER).and_then(|e| field(e, "manager")) {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(object @ Value::Object(_)) => text(object, "value")?,
        Some(other) => {
            return Err(InvalidValue(format!(
                "manager must be an object with a value, not {other}"
            )));
        }
    }
    .filter(|id| !id.is_empty());
    let emails = match field(json, "emails") {
        Some(list @ Value::Array(items)) if !items.is_empty() => Some(list.to_string()),
        _ => None,
    };
    Ok(UserInput {
        given_display_name,
        emails,
        external_id: text(json, "externalId")?,
        title: text(json, "title")?,
        user_name,
        given_name,
        family_name,
        display_name,
        mail,
        active,
        manager_id,
    })
}

/// Read a Group from `json`.
pub fn group_input(json: &Value) -> Result<GroupInput, InvalidValue> {
    let display_name = text(json, "displayName")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| InvalidValue("displayName is required and may not be empty".to_owned()))?;
    let mut members = Vec::new();
    match field(json, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let id = text(item, "value")?.ok_or_else(|| {
                    InvalidValue("each member needs a value: the user's id".to_owned())
                })?;
                if !members.contains(&id) {
                    members.push(id);
                }
            }
        }
        Some(other) => return Err(InvalidValue(format!("members must be a list, not {other}"))),
    }
    Ok(GroupInput {
        display_name,
        external_id: text(json, "externalId")?,
        members,
    })
}

/// A stored user, as SCIM shows them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub user_principal_name: String,
    pub external_id: Option<String>,
    pub display_name: String,
    pub scim_display_name: Option<String>,
    pub scim_emails: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub mail: String,
    pub job_title: Option<String>,
    pub active: i64,
    pub manager_id: Option<String>,
    pub provisioned: i64,
}

/// A stored group, as SCIM shows it.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    pub id: String,
    pub external_id: Option<String>,
    pub display_name: String,
    /// User ids.
    pub members: Vec<String>,
}

/// The JSON of a user, with `base` the service's root (`…/scim/v2`).
pub fn user_json(user: &UserRecord, base: &str) -> Value {
    let mut json = json!({
        "schemas": [USER],
        "id": user.id,
        "userName": user.user_principal_name,
        "active": user.active != 0,
        "meta": {
            "resourceType": "User",
            "location": format!("{base}/Users/{}", user.id),
        },
    });
    // A user from the catalog file has no SCIM attributes of their own: show the portal's.
    let from_scim = user.provisioned != 0;
    match (&user.scim_display_name, from_scim) {
        (Some(name), _) => json["displayName"] = json!(name),
        (None, false) => json["displayName"] = json!(user.display_name),
        (None, true) => {}
    }
    match (&user.scim_emails, from_scim) {
        (Some(emails), _) => {
            if let Ok(emails) = serde_json::from_str::<Value>(emails) {
                json["emails"] = emails;
            }
        }
        (None, false) => {
            json["emails"] = json!([{"value": user.mail, "type": "work", "primary": true}]);
        }
        (None, true) => {}
    }
    let mut name = serde_json::Map::new();
    if let Some(given) = &user.given_name {
        name.insert("givenName".into(), json!(given));
    }
    if let Some(family) = &user.family_name {
        name.insert("familyName".into(), json!(family));
    }
    if !name.is_empty() {
        json["name"] = Value::Object(name);
    }
    if let Some(external_id) = &user.external_id {
        json["externalId"] = json!(external_id);
    }
    if let Some(title) = &user.job_title {
        json["title"] = json!(title);
    }
    // The extension appears only when it holds something: a removed manager leaves no
    // empty object behind.
    if let Some(manager) = &user.manager_id {
        json[ENTERPRISE_USER] = json!({"manager": {
            "value": manager,
            "$ref": format!("{base}/Users/{manager}"),
        }});
        json["schemas"] = json!([USER, ENTERPRISE_USER]);
    }
    json
}

/// The JSON of a group.
pub fn group_json(group: &GroupRecord, base: &str) -> Value {
    let members: Vec<Value> = group
        .members
        .iter()
        .map(|id| json!({"value": id, "$ref": format!("{base}/Users/{id}"), "type": "User"}))
        .collect();
    let mut json = json!({
        "schemas": [GROUP],
        "id": group.id,
        "displayName": group.display_name,
        "members": members,
        "meta": {
            "resourceType": "Group",
            "location": format!("{base}/Groups/{}", group.id),
        },
    });
    if let Some(external_id) = &group.external_id {
        json["externalId"] = json!(external_id);
    }
    json
}

/// `resource` with only the `attributes` asked for (when any; `id`, `schemas` and `meta`
/// always stay) and without the `excluded` ones (RFC 7644 §3.9). Names may be `attr`,
/// `attr.sub`, or prefixed with their schema's URN.
pub fn project(resource: &mut Value, attributes: &[String], excluded: &[String]) {
    let Value::Object(all) = resource else {
        return;
    };
    if !attributes.is_empty() {
        let mut kept = serde_json::Map::new();
        for key in ["schemas", "id", "meta"] {
            if let Some(value) = all.get(key) {
                kept.insert(key.to_owned(), value.clone());
            }
        }
        for name in attributes {
            let (container, attr, sub) = split_attribute(name);
            let source = match container {
                Some(urn) => all.get(urn).and_then(Value::as_object),
                None => Some(&*all),
            };
            let Some((key, value)) =
                source.and_then(|s| s.iter().find(|(k, _)| k.eq_ignore_ascii_case(&attr)))
            else {
                continue;
            };
            let value = match (&sub, value) {
                (Some(sub), Value::Object(inner)) => {
                    let Some((sub_key, sub_value)) =
                        inner.iter().find(|(k, _)| k.eq_ignore_ascii_case(sub))
                    else {
                        continue;
                    };
                    json!({ sub_key.clone(): sub_value.clone() })
                }
                _ => value.clone(),
            };
            let target = match container {
                Some(urn) => kept
                    .entry(urn.to_owned())
                    .or_insert_with(|| json!({}))
                    .as_object_mut(),
                None => Some(&mut kept),
            };
            if let Some(target) = target {
                merge(target, key, value);
            }
        }
        *all = kept;
    }
    for name in excluded {
        let (container, attr, sub) = split_attribute(name);
        let target = match container {
            Some(urn) => all.get_mut(urn).and_then(Value::as_object_mut),
            None => Some(&mut *all),
        };
        let Some(target) = target else { continue };
        let Some(key) = target
            .keys()
            .find(|k| k.eq_ignore_ascii_case(&attr))
            .cloned()
        else {
            continue;
        };
        match (sub, target.get_mut(&key)) {
            (Some(sub), Some(Value::Object(inner))) => {
                inner.retain(|k, _| !k.eq_ignore_ascii_case(&sub));
            }
            (None, _) if !matches!(key.as_str(), "id" | "schemas") => {
                target.remove(&key);
            }
            _ => {}
        }
    }
}

fn merge(target: &mut serde_json::Map<String, Value>, key: &str, value: Value) {
    match (target.get_mut(key), value) {
        (Some(Value::Object(have)), Value::Object(new)) => have.extend(new),
        (_, value) => {
            target.insert(key.to_owned(), value);
        }
    }
}

/// `urn:…:enterprise:2.0:User:manager.value` → (the extension, `manager`, `value`).
fn split_attribute(name: &str) -> (Option<&'static str>, String, Option<String>) {
    let name = name.trim();
    let (container, rest) = if name.len() > ENTERPRISE_USER.len()
        && name[..ENTERPRISE_USER.len()].eq_ignore_ascii_case(ENTERPRISE_USER)
    {
        (
            Some(ENTERPRISE_USER),
            name[ENTERPRISE_USER.len()..].trim_start_matches(':'),
        )
    } else if name.eq_ignore_ascii_case(ENTERPRISE_USER) {
        return (None, ENTERPRISE_USER.to_owned(), None);
    } else {
        let rest = [USER, GROUP]
            .iter()
            .find_map(|urn| {
                let head = name.get(..urn.len())?;
                head.eq_ignore_ascii_case(urn)
                    .then(|| name[urn.len()..].trim_start_matches(':'))
            })
            .unwrap_or(name);
        (None, rest)
    };
    match rest.split_once('.') {
        Some((attr, sub)) => (container, attr.to_owned(), Some(sub.to_owned())),
        None => (container, rest.to_owned(), None),
    }
}

/// What this service supports: PATCH and filters; no bulk, sort, ETags or password changes.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": super::MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The secret token set with --scim-token, sent as \
                `Authorization: Bearer <token>`.",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

/// The two resource types.
pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "A person who may request access",
            "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": false}],
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User")},
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "A group that policies may be scoped to",
            "schema": GROUP,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group")},
        }),
    ]
}

/// The schemas, with only the attributes this service keeps.
pub fn schemas(base: &str) -> Vec<Value> {
    let string = |name: &str, required: bool, uniqueness: &str, case_exact: bool| {
        json!({"name": name, "type": "string", "multiValued": false, "required": required,
            "caseExact": case_exact, "mutability": "readWrite", "returned": "default",
            "uniqueness": uniqueness})
    };
    let sub = |name: &str| string(name, false, "none", false);
    let user_attributes = vec![
        string("userName", true, "server", false),
        json!({"name": "name", "type": "complex", "multiValued": false, "required": false,
            "mutability": "readWrite", "returned": "default", "uniqueness": "none",
            "subAttributes": [sub("givenName"), sub("familyName")]}),
        string("displayName", false, "none", false),
        json!({"name": "emails", "type": "complex", "multiValued": true, "required": false,
            "mutability": "readWrite", "returned": "default", "uniqueness": "none",
            "subAttributes": [sub("value"), sub("type"),
                {"name": "primary", "type": "boolean", "multiValued": false, "required": false,
                 "mutability": "readWrite", "returned": "default"}]}),
        string("title", false, "none", false),
        // Always kept: a user without it is active, so it cannot be removed.
        json!({"name": "active", "type": "boolean", "multiValued": false, "required": true,
            "mutability": "readWrite", "returned": "default"}),
    ];
    let group_attributes = vec![
        string("displayName", true, "none", false),
        json!({"name": "members", "type": "complex", "multiValued": true, "required": false,
            "mutability": "readWrite", "returned": "default",
            "subAttributes": [
                {"name": "value", "type": "string", "multiValued": false, "required": false,
                 "caseExact": true, "mutability": "immutable", "returned": "default",
                 "uniqueness": "none"},
                {"name": "$ref", "type": "reference", "referenceTypes": ["User"],
                 "multiValued": false, "required": false, "caseExact": true,
                 "mutability": "immutable", "returned": "default", "uniqueness": "none"},
                {"name": "type", "type": "string", "multiValued": false, "required": false,
                 "caseExact": false, "canonicalValues": ["User"], "mutability": "immutable",
                 "returned": "default", "uniqueness": "none"}]}),
    ];
    let enterprise_attributes = vec![json!({
        "name": "manager", "type": "complex", "multiValued": false, "required": false,
        "mutability": "readWrite", "returned": "default",
        "subAttributes": [
            {"name": "value", "type": "string", "multiValued": false, "required": false,
             "caseExact": true, "mutability": "readWrite", "returned": "default",
             "uniqueness": "none"},
            {"name": "$ref", "type": "reference", "referenceTypes": ["User"],
             "multiValued": false, "required": false, "caseExact": true,
             "mutability": "readWrite", "returned": "default", "uniqueness": "none"}]})];
    let schema = |id: &str, name: &str, attributes: Vec<Value>| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": id, "name": name, "description": name, "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")}})
    };
    vec![
        schema(USER, "User", user_attributes),
        schema(GROUP, "Group", group_attributes),
        schema(ENTERPRISE_USER, "EnterpriseUser", enterprise_attributes),
    ]
}

fn field<'a>(json: &'a Value, name: &str) -> Option<&'a Value> {
    json.as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn text(json: &Value, name: &str) -> Result<Option<String>, InvalidValue> {
    match field(json, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(InvalidValue(format!(
            "{name} must be a string, not {other}"
        ))),
    }
}

/// A SCIM boolean, also as the strings Entra sends (`"False"`, `"true"`).
fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn primary_email(json: &Value) -> Result<Option<String>, InvalidValue> {
    let Some(Value::Array(emails)) = field(json, "emails") else {
        return Ok(None);
    };
    let primary = emails
        .iter()
        .find(|e| field(e, "primary").and_then(boolean) == Some(true))
        .or_else(|| emails.first());
    match primary {
        Some(email) => text(email, "value"),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_reads_with_string_booleans_and_a_bare_manager_id() {
        let user = user_input(&json!({
            "UserName": "a@contoso.com",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "home@x", "type": "home"},
                       {"value": "ada@contoso.com", "primary": "True"}],
            "active": "False",
            ENTERPRISE_USER: {"manager": "m-1"},
        }))
        .unwrap();
        assert_eq!(user.display_name, "Ada Lovelace");
        assert_eq!(user.mail, "ada@contoso.com");
        assert!(!user.active);
        assert_eq!(user.manager_id.as_deref(), Some("m-1"));
    }

    #[test]
    fn a_user_without_user_name_is_refused_by_name() {
        let err = user_input(&json!({"displayName": "x"})).unwrap_err();
        assert!(err.0.contains("userName"), "{err}");
        let err = user_input(&json!({"userName": "x", "active": "maybe"})).unwrap_err();
        assert!(err.0.contains("active"), "{err}");
    }

    #[test]
    fn attributes_and_excluded_attributes_shape_a_resource() {
        let resource = json!({"schemas": [USER], "id": "1", "userName": "a",
            "name": {"givenName": "A", "familyName": "B"}, "title": "t",
            ENTERPRISE_USER: {"manager": {"value": "m"}}});
        let mut only = resource.clone();
        project(
            &mut only,
            &[
                "name.givenName".into(),
                format!("{ENTERPRISE_USER}:manager"),
            ],
            &[],
        );
        assert_eq!(
            only,
            json!({"schemas": [USER], "id": "1", "name": {"givenName": "A"},
            ENTERPRISE_USER: {"manager": {"value": "m"}}})
        );
        let mut without = resource;
        project(
            &mut without,
            &[],
            &["title".into(), "name.familyName".into(), "id".into()],
        );
        assert_eq!(without["name"], json!({"givenName": "A"}));
        assert_eq!(without.get("title"), None);
        assert_eq!(without["id"], "1", "id is always returned");
    }

    #[test]
    fn a_group_reads_its_members_once_each() {
        let group = group_input(&json!({"displayName": "Sales",
            "members": [{"value": "u1"}, {"value": "u2"}, {"value": "u1"}]}))
        .unwrap();
        assert_eq!(group.members, vec!["u1".to_owned(), "u2".to_owned()]);
    }
}
