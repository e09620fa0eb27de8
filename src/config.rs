//! The runtime configuration: `config.json` next to `index.html`, read once at start, so one
//! build serves every environment; and the base path the app is hosted under, so links and
//! navigation stay inside it.

use std::cell::OnceCell;

use serde::Deserialize;

use crate::json;

/// What `config.json` may say. Every field has a default that suits the server-hosted portal;
/// any other field is refused as a typo.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "an object")]
pub struct RuntimeConfig {
    /// Where the API is: absolute (`https://api.example.com/api/v1`) or relative to the page
    /// (`/api/v1`, the default).
    #[serde(default = "default_api_base_url")]
    pub api_base_url: String,
    /// The portal's address as people reach it; the package links shown for sharing start
    /// with it. Default: where the page was loaded from.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The name in the header and the tab title.
    #[serde(default = "default_product_name")]
    pub product_name: String,
    /// An image shown before the name in the header.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// The OpenID Connect issuer and client, for sign-in where demo sign-in is off.
    #[serde(default)]
    pub oidc: Option<Oidc>,
}

/// An OpenID Connect provider.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, expecting = "an object")]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    /// The scopes to ask for, space-separated.
    pub scopes: Option<String>,
    /// The resource (audience) to name when asking for a token.
    pub resource: Option<String>,
    /// The provider's name on the sign-in screen ("Contoso"); by default the issuer's host.
    pub provider_name: Option<String>,
}

impl RuntimeConfig {
    /// Read the text of `config.json`. The error names the field that is wrong and where:
    /// "`oidc`: unknown field `clientID`, expected `issuer` or `clientId`".
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value = json::parse(text)?;
        check_names(&value)?;
        serde_path_to_error::deserialize(json::deserializer(value)).map_err(|e| {
            let mut path: Vec<String> = e.path().iter().map(ToString::to_string).collect();
            let message = json::message(e.into_inner());
            // The message names an unknown field itself; its path is the object it is in.
            if message.starts_with("unknown field") {
                path.pop();
            }
            match path.as_slice() {
                [] => message,
                _ => format!("`{}`: {message}", path.join(".")),
            }
        })
    }

    /// What the app starts with: a valid file read at once, without noting where each value
    /// came from; an invalid one read again by [`Self::from_json`] for the error, whose code
    /// is fetched only then (a chunk of its own in the split build).
    pub async fn read(text: String) -> Result<Self, String> {
        match Self::read_valid(&text) {
            Some(config) => Ok(config),
            None => explain(text).await,
        }
    }

    /// The configuration of a valid file; `None` for any other.
    fn read_valid(text: &str) -> Option<Self> {
        let value = json::parse(text).ok()?;
        check_names(&value).ok()?;
        Self::deserialize(json::deserializer(value)).ok()
    }
}

/// The error [`RuntimeConfig::from_json`] finds in `text`.
#[cfg_attr(feature = "split", leptos::lazy(config_error))]
async fn explain(text: String) -> Result<RuntimeConfig, String> {
    RuntimeConfig::from_json(&text)
}

/// Refuse what serde would accept but a person did not mean: settings as an array, and a
/// setting's name that is not one (a typo).
fn check_names(value: &json::Value) -> Result<(), String> {
    // serde also reads a struct from an array, field by field in order; in a file that a
    // person writes every setting is named.
    if json::is_array(value) {
        return Err("expected an object of named settings, not an array".to_owned());
    }
    json::refuse_unknown_fields::<RuntimeConfig>(value)?;
    if let Some(oidc) = json::field(value, "oidc") {
        if json::is_array(&oidc) {
            return Err("`oidc`: expected an object of named settings, not an array".to_owned());
        }
        json::refuse_unknown_fields::<Oidc>(&oidc).map_err(|e| format!("`oidc`: {e}"))?;
    }
    Ok(())
}

fn default_api_base_url() -> String {
    portal_api::API_PREFIX.to_owned()
}

fn default_product_name() -> String {
    "Access Portal".to_owned()
}

/// The configuration and base path in force, set once by `load`.
struct Loaded {
    config: RuntimeConfig,
    /// The path the app is hosted under, without a trailing slash: "" or "/access".
    base: String,
    /// `api_base_url` made absolute.
    api: String,
    /// Shown in another page's frame (`?embed=1`): no header, navigation as tabs.
    framed: bool,
    /// Mounted into another page by `embed.js`: routes live in the address's fragment.
    embedded: bool,
    /// The address of the folder the app's files are in, ending with a slash.
    folder: String,
}

thread_local! {
    static LOADED: OnceCell<Loaded> = const { OnceCell::new() };
}

/// Read `config.json` from beside `index.html`. The error says what is wrong, in words for
/// whoever deploys the portal.
pub async fn load() -> Result<RuntimeConfig, String> {
    // Embedded, the page is someone else's: the app's files are where embed.js came from.
    let embedded = crate::embed::portal_folder().is_some();
    let base_uri = files_base();
    let url = resolve("config.json", &base_uri)?;
    let text = match crate::api::fetch_text(&url).await {
        Ok((200, text)) => text,
        Ok((status, _)) => {
            return Err(format!(
                "The portal's configuration file {url} could not be loaded (HTTP {status}). \
                 Put a config.json next to index.html; see the README."
            ));
        }
        Err(_) => {
            return Err(format!(
                "The portal's configuration file {url} could not be reached."
            ));
        }
    };
    let config = RuntimeConfig::read(text)
        .await
        .map_err(|e| format!("The portal's configuration file {url} is not valid: {e}."))?;
    let api = resolve(&config.api_base_url, &base_uri)?
        .trim_end_matches('/')
        .to_owned();
    let base = web_sys::Url::new(&base_uri)
        .map(|u| u.pathname().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    let folder = resolve(".", &base_uri)?;
    LOADED.with(|l| {
        let _ = l.set(Loaded {
            config: config.clone(),
            base,
            api,
            framed: embedded || framed_now(),
            embedded,
            folder,
        });
    });
    Ok(config)
}

/// The base of every API call.
pub fn api_base() -> String {
    LOADED
        .with(|l| l.get().map(|l| l.api.clone()))
        .unwrap_or_else(|| portal_api::API_PREFIX.to_owned())
}

/// The address of the folder the app's files are in, ending with a slash
/// (`https://portal.contoso.com/access/`); before config.json is read, found as `load` finds
/// it.
pub fn app_folder() -> String {
    LOADED
        .with(|l| l.get().map(|l| l.folder.clone()))
        .unwrap_or_else(|| resolve(".", &files_base()).unwrap_or_default())
}

/// The address the app's files are named from: where embed.js came from when the app is
/// embedded, else the page's base.
fn files_base() -> String {
    crate::embed::portal_folder().unwrap_or_else(document_base)
}

/// The base path the app is hosted under ("" at the root, "/access" under /access/).
pub fn base_path() -> String {
    LOADED
        .with(|l| l.get().map(|l| l.base.clone()))
        .unwrap_or_default()
}

/// Whether the app is mounted into another page, with its routes in the address's fragment.
pub fn embedded() -> bool {
    LOADED.with(|l| l.get().is_some_and(|l| l.embedded))
}

/// An app path ("/package/42") as a link inside the hosted app: "/access/package/42", or
/// "#/package/42" when embedded.
pub fn to(path: &str) -> String {
    if embedded() {
        format!("#{path}")
    } else {
        format!("{}{path}", base_path())
    }
}

/// The address of an app path as people outside the app reach it, for sharing.
pub fn public_link(path: &str) -> String {
    let public = LOADED.with(|l| l.get().and_then(|l| l.config.public_url.clone()));
    match public {
        Some(url) => format!("{}{path}", url.trim_end_matches('/')),
        None => {
            let folder = LOADED
                .with(|l| l.get().map(|l| l.folder.clone()))
                .unwrap_or_default();
            format!("{}{path}", folder.trim_end_matches('/'))
        }
    }
}

/// Whether the portal is shown chrome-less in another page's frame: asked for with `?embed=1`
/// on the address the frame opens, and remembered for the tab, so a reload inside the frame
/// keeps the layout.
pub fn framed() -> bool {
    LOADED.with(|l| l.get().is_some_and(|l| l.framed))
}

fn framed_now() -> bool {
    const KEY: &str = "access-portal.embed";
    let Some(window) = web_sys::window() else {
        return false;
    };
    let storage = window.session_storage().ok().flatten();
    let asked = window
        .location()
        .search()
        .is_ok_and(|q| q.trim_start_matches('?').split('&').any(|p| p == "embed=1"));
    if asked && let Some(storage) = &storage {
        let _ = storage.set_item(KEY, "1");
    }
    asked || storage.is_some_and(|s| s.get_item(KEY).ok().flatten().is_some())
}

fn document_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default()
}

fn resolve(url: &str, base: &str) -> Result<String, String> {
    web_sys::Url::new_with_base(url, base)
        .map(|u| u.href())
        .map_err(|_| format!("`{url}` is not a valid address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_json_gives_the_server_hosted_defaults() {
        let config = RuntimeConfig::from_json("{}").unwrap();
        assert_eq!(config.api_base_url, "/api/v1");
        assert_eq!(config.product_name, "Access Portal");
        assert_eq!(config.public_url, None);
        assert_eq!(config.oidc, None);
    }

    #[test]
    fn every_field_of_config_json_is_read() {
        let config = RuntimeConfig::from_json(
            r#"{"apiBaseUrl": "https://api.example.com/api/v1", "publicUrl": "https://portal.example.com/",
                "productName": "My Access", "logoUrl": "logo.svg",
                "oidc": {"issuer": "https://login.example.com", "clientId": "portal",
                         "scopes": "openid profile", "resource": "api://portal",
                         "providerName": "Contoso"}}"#,
        )
        .unwrap();
        assert_eq!(config.api_base_url, "https://api.example.com/api/v1");
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://portal.example.com/")
        );
        assert_eq!(config.product_name, "My Access");
        assert_eq!(config.logo_url.as_deref(), Some("logo.svg"));
        assert_eq!(
            config.oidc,
            Some(Oidc {
                issuer: "https://login.example.com".into(),
                client_id: "portal".into(),
                scopes: Some("openid profile".into()),
                resource: Some("api://portal".into()),
                provider_name: Some("Contoso".into()),
            })
        );
    }

    #[test]
    fn a_misspelt_field_is_refused_by_name() {
        let err = RuntimeConfig::from_json(r#"{"apiBaseUrl": "/api/v1", "apiBaseUrll": "typo"}"#)
            .unwrap_err();
        assert!(err.starts_with("unknown field `apiBaseUrll`"), "{err}");
    }

    #[test]
    fn a_misspelt_field_inside_oidc_is_refused_with_its_path() {
        let err = RuntimeConfig::from_json(
            r#"{"oidc": {"issuer": "https://login.example.com", "clientID": "portal"}}"#,
        )
        .unwrap_err();
        assert!(err.starts_with("`oidc`: unknown field `clientID`"), "{err}");
    }

    #[test]
    fn a_setting_of_the_wrong_type_is_refused_with_its_name() {
        let err = RuntimeConfig::from_json(r#"{"productName": 7}"#).unwrap_err();
        assert!(err.starts_with("`productName`: invalid type"), "{err}");
    }

    #[test]
    fn the_start_reads_a_valid_file_as_from_json_does_and_leaves_every_invalid_one_to_it() {
        let valid = r#"{"productName": "My Access", "oidc": {"issuer": "https://login.example.com", "clientId": "portal"}}"#;
        assert_eq!(
            RuntimeConfig::read_valid(valid),
            Some(RuntimeConfig::from_json(valid).unwrap())
        );
        for invalid in [
            "{",
            r#"["apiBaseUrl"]"#,
            r#"{"apiBaseUrll": "typo"}"#,
            r#"{"oidc": {"issuer": "https://login.example.com", "clientID": "portal"}}"#,
            r#"{"oidc": ["https://login.example.com", "portal"]}"#,
            r#"{"productName": 7}"#,
        ] {
            assert_eq!(RuntimeConfig::read_valid(invalid), None, "{invalid}");
            assert!(RuntimeConfig::from_json(invalid).is_err(), "{invalid}");
        }
    }

    #[test]
    fn a_config_json_that_is_not_an_object_says_an_object_is_expected() {
        for text in [
            r#"["apiBaseUrl"]"#,
            r#""/api/v1""#,
            r#"{"oidc": ["https://login.example.com", "portal"]}"#,
        ] {
            let err = RuntimeConfig::from_json(text).unwrap_err();
            assert!(err.contains("expected an object"), "{text}: {err}");
        }
    }
}
