//! What makes a catalog file valid: every reference names something the file declares, ids
//! are unique and fit for links, and each policy's settings fit together. Plain functions over
//! the parsed file, each problem a sentence naming the item.

use std::collections::HashSet;

use portal_api::Expiration;

use crate::domain::clock;
use crate::domain::fulfilment::connector_problems;

use super::format::{CatalogFile, PolicyEntry, REQUESTOR_MANAGER};

/// Everything wrong with `file`, each as a sentence naming the item.
pub(super) fn problems(file: &CatalogFile) -> Vec<String> {
    let mut problems = Vec::new();
    let users: HashSet<&str> = file.users.iter().map(|u| u.id.as_str()).collect();
    let groups: HashSet<&str> = file.groups.iter().map(|g| g.id.as_str()).collect();
    let catalogs: HashSet<&str> = file.catalogs.iter().map(|c| c.id.as_str()).collect();
    let ids: [(&str, Vec<&String>); 5] = [
        ("user", file.users.iter().map(|u| &u.id).collect()),
        ("group", file.groups.iter().map(|g| &g.id).collect()),
        ("catalog", file.catalogs.iter().map(|c| &c.id).collect()),
        ("package", file.packages.iter().map(|p| &p.id).collect()),
        (
            "policy",
            file.packages
                .iter()
                .flat_map(|p| &p.policies)
                .map(|p| &p.id)
                .collect(),
        ),
    ];
    for (kind, ids) in &ids {
        duplicates(kind, ids.iter().copied(), &mut problems);
        fit_for_links(kind, ids.iter().copied(), &mut problems);
    }
    for catalog in &file.catalogs {
        if let Some(connector) = &catalog.connector {
            for problem in connector_problems(&connector.url, &connector.secret) {
                problems.push(format!("catalog {}: {problem}", catalog.id));
            }
        }
        for owner in catalog
            .owners
            .iter()
            .filter(|o| !users.contains(o.as_str()))
        {
            problems.push(format!(
                "catalog {}: the owner {owner} is not a user of the file",
                catalog.id
            ));
        }
    }
    duplicates(
        "user principal name",
        file.users.iter().map(|u| &u.user_principal_name),
        &mut problems,
    );
    for user in &file.users {
        if let Some(manager) = user.manager.as_deref().filter(|m| !users.contains(m)) {
            problems.push(format!(
                "user {}: the manager {manager} is not a user of the file",
                user.id
            ));
        }
    }
    for group in &file.groups {
        for member in group.members.iter().filter(|m| !users.contains(m.as_str())) {
            problems.push(format!(
                "group {}: the member {member} is not a user of the file",
                group.id
            ));
        }
    }
    for package in &file.packages {
        if !catalogs.contains(package.catalog.as_str()) {
            problems.push(format!(
                "package {}: the catalog {} is not in the file",
                package.id, package.catalog
            ));
        }
        for role in &package.resource_roles {
            if let Some(connector) = &role.connector {
                for problem in connector_problems(&connector.url, &connector.secret) {
                    problems.push(format!(
                        "package {}, role {} of {}: {problem}",
                        package.id, role.role, role.resource
                    ));
                }
            }
        }
        for policy in &package.policies {
            let at = format!("policy {} of package {}", policy.id, package.id);
            check_policy(policy, &at, &users, &groups, &mut problems);
        }
    }
    problems
}

/// What is wrong with one policy, `at` naming where it is in the file.
fn check_policy(
    policy: &PolicyEntry,
    at: &str,
    users: &HashSet<&str>,
    groups: &HashSet<&str>,
    problems: &mut Vec<String>,
) {
    let targets = match policy.allowed_target_scope.as_str() {
        "allUsers" => None,
        "specificUsers" => Some(("user", users)),
        "groupMembers" => Some(("group", groups)),
        other => {
            problems.push(format!(
                    "{at}: allowedTargetScope {other:?} is none of allUsers, specificUsers, groupMembers"
                ));
            None
        }
    };
    if let Some((kind, known)) = targets {
        for target in policy
            .specific_allowed_targets
            .iter()
            .filter(|t| !known.contains(t.as_str()))
        {
            problems.push(format!("{at}: the {kind} {target} is not in the file"));
        }
    }
    match (policy.is_approval_required_for_add, policy.stages.len()) {
        (true, 1..=3) | (false, 0) => {}
        (true, n) => problems.push(format!("{at}: approval needs 1 to 3 stages, not {n}")),
        (false, _) => problems.push(format!(
            "{at}: stages are given but isApprovalRequiredForAdd is false"
        )),
    }
    for (number, stage) in (1..).zip(&policy.stages) {
        if stage.primary_approvers.is_empty() {
            problems.push(format!("{at}: stage {number} has no approver"));
        }
        for approver in stage
            .fallback_approvers
            .iter()
            .filter(|a| !users.contains(a.as_str()))
        {
            problems.push(format!(
                "{at}: the fallback approver {approver} of stage {number} is not a user of the file"
            ));
        }
        for approver in &stage.primary_approvers {
            if approver != REQUESTOR_MANAGER && !users.contains(approver.as_str()) {
                problems.push(format!(
                    "{at}: the approver {approver} of stage {number} is not a user of the file"
                ));
            }
        }
    }
    match &policy.expiration {
        Expiration::AfterDuration { duration_days: 0 } => {
            problems.push(format!("{at}: an expiration after 0 days grants nothing"));
        }
        Expiration::AfterDateTime { end_date_time } if clock::parse(end_date_time).is_none() => {
            problems.push(format!(
                "{at}: the expiration date {end_date_time:?} is not RFC 3339"
            ));
        }
        _ => {}
    }
    duplicates(
        &format!("question of {at}"),
        policy.questions.iter().map(|q| &q.id),
        problems,
    );
    for question in &policy.questions {
        match question.kind.as_str() {
            "text" => {
                if let Some(pattern) = &question.regex_pattern
                    && let Err(err) = regex::Regex::new(pattern)
                {
                    problems.push(format!(
                        "{at}: question {}: the pattern does not compile: {err}",
                        question.id
                    ));
                }
            }
            "multipleChoice" if question.choices.is_empty() => {
                problems.push(format!("{at}: question {} offers no choices", question.id));
            }
            "multipleChoice" => {}
            other => problems.push(format!(
                "{at}: question {}: type {other:?} is neither text nor multipleChoice",
                question.id
            )),
        }
    }
}

fn duplicates<'a>(kind: &str, ids: impl Iterator<Item = &'a String>, problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(format!("the {kind} id {id} is declared twice"));
        }
    }
}

/// Ids appear in the portal's links (`/package/<id>`) and in the emails that carry them, so
/// each must be fit for an address as it is.
fn fit_for_links<'a>(
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
    problems: &mut Vec<String>,
) {
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    for id in ids.filter(|id| id.is_empty() || !id.chars().all(fits)) {
        problems.push(format!(
            "the {kind} id \"{id}\" may only have letters, digits, '-', '_' and '.'"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::import::parse;

    #[test]
    fn the_demo_catalog_is_a_valid_catalog_file() {
        let text = include_str!("../../demo/catalog.toml");
        let file = parse(text).unwrap();
        assert!(file.users.len() >= 6);
        assert!(file.packages.len() >= 25);
    }

    #[test]
    fn an_id_unfit_for_a_link_is_refused() {
        let text = r#"
            [[catalogs]]
            id = "sales"
            displayName = "Sales"

            [[packages]]
            id = "sales crm/eu"
            catalog = "sales"
            displayName = "Sales CRM"
            description = "Pipeline"
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("the package id \"sales crm/eu\" may only have letters, digits"),
            "{err}"
        );
    }

    #[test]
    fn a_reference_to_an_undeclared_user_is_named() {
        let text = r#"
            [[users]]
            id = "adele"
            displayName = "Adele Vance"
            userPrincipalName = "adele@contoso.com"
            manager = "nobody"
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("user adele: the manager nobody"), "{err}");
    }

    #[test]
    fn an_owner_or_fallback_approver_who_is_not_a_user_is_named() {
        let text = r#"
            [[catalogs]]
            id = "general"
            displayName = "General"
            owners = ["ghost"]

            [[packages]]
            id = "wiki"
            catalog = "general"
            displayName = "Wiki"

            [[packages.policies]]
            id = "wiki-manager"
            displayName = "Manager approves"
            isApprovalRequiredForAdd = true
            stages = [{ primaryApprovers = ["requestorManager"], fallbackApprovers = ["phantom"] }]
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("the owner ghost is not a user"), "{err}");
        assert!(
            err.contains("the fallback approver phantom of stage 1"),
            "{err}"
        );
    }

    #[test]
    fn approval_without_stages_is_refused() {
        let text = r#"
            [[catalogs]]
            id = "c"
            displayName = "C"
            [[packages]]
            id = "p"
            catalog = "c"
            displayName = "P"
            [[packages.policies]]
            id = "a"
            displayName = "A"
            isApprovalRequiredForAdd = true
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(err.contains("approval needs 1 to 3 stages"), "{err}");
    }

    #[test]
    fn a_connector_without_a_whsec_secret_or_https_address_is_named_with_what_to_fix() {
        let text = r#"
            [[catalogs]]
            id = "sales"
            displayName = "Sales"
            connector = { url = "http://crm.contoso.com/hooks", secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }

            [[packages]]
            id = "sales-crm"
            catalog = "sales"
            displayName = "Sales CRM"
            resourceRoles = [{ role = "User", resource = "CRM", type = "application", connector = { url = "https://crm.contoso.com/hooks", secret = "hunter2" } }]
        "#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("catalog sales: the connector url \"http://crm.contoso.com/hooks\" must start with https://"),
            "{err}"
        );
        assert!(
            err.contains("package sales-crm, role User of CRM: the connector secret must be in the Standard Webhooks form"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let err = parse("[[users]]\nid = \"a\"\ncolour = \"red\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
    }
}
