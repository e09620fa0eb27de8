//! Who a verified token speaks for: the claim that names the person in the directory, and what
//! else the token says about them (for a first sign-in, before any directory sync).

use serde_json::{Map, Value};

/// Which claims name the person and their groups.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The claim matched to the directory's `externalId`: `sub` (the default), `oid` for
    /// Entra ID, or `email` / `preferred_username` / `upn`.
    pub user_claim: String,
    /// The claim listing the person's groups (ids or external ids), where the provider sends one.
    pub groups_claim: String,
}

/// The person a token speaks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The value of the configured user claim: the person's `externalId` in the directory.
    pub key: String,
    /// The user claim names a sign-in name or mail, so a directory record without an
    /// `externalId` may be recognised by it.
    pub key_is_a_name: bool,
    pub display_name: String,
    pub mail: String,
    pub principal_name: String,
    pub groups: Vec<String>,
}

/// The person `claims` speak for, or why they name nobody.
pub fn identity(claims: &Map<String, Value>, settings: &Settings) -> Result<Identity, String> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let key = text(&settings.user_claim).ok_or_else(|| {
        format!(
            "has no `{}` claim to say who you are (the portal is set to read that claim)",
            settings.user_claim
        )
    })?;
    let principal_name = text("preferred_username")
        .or_else(|| text("upn"))
        .or_else(|| text("email"))
        .unwrap_or(key);
    let full_name = match (text("given_name"), text("family_name")) {
        (Some(given), Some(family)) => Some(format!("{given} {family}")),
        _ => None,
    };
    let groups = match claims.get(&settings.groups_claim) {
        Some(Value::Array(groups)) => groups
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    Ok(Identity {
        key: key.to_owned(),
        key_is_a_name: matches!(
            settings.user_claim.as_str(),
            "email" | "preferred_username" | "upn"
        ),
        display_name: text("name")
            .map(str::to_owned)
            .or(full_name)
            .unwrap_or_else(|| principal_name.to_owned()),
        mail: text("email").unwrap_or_default().to_owned(),
        principal_name: principal_name.to_owned(),
        groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(user_claim: &str) -> Settings {
        Settings {
            user_claim: user_claim.to_owned(),
            groups_claim: "groups".to_owned(),
        }
    }

    fn claims(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_configured_claim_names_the_person_and_the_others_describe_them() {
        let entra = claims(
            r#"{"sub":"pairwise-1","oid":"6e7b…","name":"Adele Vance",
                "preferred_username":"AdeleV@contoso.com","email":"adele@contoso.com",
                "groups":["sales","finance"]}"#,
        );
        let person = identity(&entra, &settings("oid")).unwrap();
        assert_eq!(person.key, "6e7b…");
        assert!(!person.key_is_a_name);
        assert_eq!(person.display_name, "Adele Vance");
        assert_eq!(person.principal_name, "AdeleV@contoso.com");
        assert_eq!(person.mail, "adele@contoso.com");
        assert_eq!(person.groups, ["sales", "finance"]);

        assert!(identity(&entra, &settings("email")).unwrap().key_is_a_name);
    }

    #[test]
    fn a_token_without_the_configured_claim_is_refused_with_its_name() {
        let err = identity(&claims(r#"{"sub":"1"}"#), &settings("oid")).unwrap_err();
        assert!(err.contains("`oid`"), "{err}");
    }

    #[test]
    fn a_sparse_token_still_gives_a_name_to_show() {
        let person = identity(
            &claims(r#"{"sub":"42","given_name":"Lee","family_name":"Gu"}"#),
            &settings("sub"),
        )
        .unwrap();
        assert_eq!(person.display_name, "Lee Gu");
        assert_eq!(person.principal_name, "42");
        assert_eq!(person.mail, "");
        assert!(person.groups.is_empty());
    }
}
