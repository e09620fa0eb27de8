//! The catalog: listing, searching and paging packages, one package, its applicable policies.

use std::collections::HashSet;

use portal_api::{AccessPackage, Page};

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_list_shows_requestable_packages_by_name_and_never_hidden_ones() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let page: Page<AccessPackage> = adele.access_packages("limit=100").await.ok();

    let ids: Vec<&str> = page.value.iter().map(|p| p.id.as_str()).collect();
    assert!(ids.contains(&"sales-crm"));
    assert!(
        !ids.contains(&"project-falcon"),
        "hidden packages are never listed"
    );
    assert!(
        !ids.contains(&"general-ledger"),
        "adele may not request the ledger"
    );
    let names: Vec<&str> = page.value.iter().map(|p| p.display_name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "listed by name");
    assert!(page.value.len() >= 25);
}

#[tokio::test]
async fn a_package_is_listed_for_the_members_of_the_group_its_policy_names() {
    let app = spawn_app().await;
    let joni = app.sign_in("joni").await;

    let ids: Vec<String> = joni
        .all_access_packages(100)
        .await
        .into_iter()
        .map(|p| p.id)
        .collect();

    assert!(ids.contains(&"general-ledger".to_owned()));
}

#[tokio::test]
async fn search_finds_packages_by_name_description_or_resource_ignoring_case() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let by_name: Page<AccessPackage> = adele.access_packages("search=sales%20CRM").await.ok();
    let by_resource: Page<AccessPackage> = adele.access_packages("search=contoso%20crm").await.ok();
    let by_description: Page<AccessPackage> = adele.access_packages("search=FORECASTS").await.ok();
    let nothing: Page<AccessPackage> = adele.access_packages("search=zeppelin").await.ok();
    let wildcard: Page<AccessPackage> = adele.access_packages("search=%25").await.ok();
    let hidden: Page<AccessPackage> = adele.access_packages("search=falcon").await.ok();

    for page in [&by_name, &by_resource, &by_description] {
        assert_eq!(
            page.value.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["sales-crm"]
        );
    }
    assert!(nothing.value.is_empty());
    assert!(
        wildcard.value.is_empty(),
        "% is a character to find, not a wildcard"
    );
    assert!(
        hidden.value.is_empty(),
        "search never finds hidden packages"
    );
}

#[tokio::test]
async fn paging_walks_every_package_once_in_order() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let everything: Page<AccessPackage> = adele.access_packages("limit=100").await.ok();

    let paged = adele.all_access_packages(7).await;

    let ids: Vec<&str> = paged.iter().map(|p| p.id.as_str()).collect();
    let expected: Vec<&str> = everything.value.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, expected);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    let first: Page<AccessPackage> = adele.access_packages("").await.ok();
    assert_eq!(first.value.len(), 20, "20 per page unless asked");
}

#[tokio::test]
async fn a_bad_limit_or_cursor_says_what_to_fix() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let zero = adele.access_packages("limit=0").await.problem(422);
    let huge = adele.access_packages("limit=1000").await.problem(422);
    let cursor = adele.access_packages("cursor=made-up").await.problem(422);
    let word = adele.access_packages("limit=ten").await.problem(422);

    assert!(zero.field("limit").is_some() && huge.field("limit").is_some());
    assert!(cursor.field("cursor").is_some());
    assert!(word.detail.contains("limit"), "{word:?}");
}

#[tokio::test]
async fn a_package_opens_by_id_with_its_resource_roles() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let package: AccessPackage = adele.access_package("marketing-campaigns").await.ok();

    assert_eq!(package.catalog.display_name, "Sales and Marketing");
    let roles: Vec<(&str, &str)> = package
        .resource_roles
        .iter()
        .map(|r| (r.display_name.as_str(), r.resource.display_name.as_str()))
        .collect();
    assert_eq!(roles[0], ("Visitor", "Marketing campaigns"));
    assert_eq!(roles.len(), 3);
}

#[tokio::test]
async fn a_hidden_package_opens_from_its_link() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let package: AccessPackage = adele.access_package("project-falcon").await.ok();

    assert!(package.is_hidden);
    assert_eq!(
        adele.applicable_policy_ids("project-falcon").await,
        ["project-falcon-invited"]
    );
}

#[tokio::test]
async fn an_unknown_package_is_not_found() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    adele.access_package("no-such-package").await.problem(404);
    adele
        .applicable_policies("no-such-package")
        .await
        .problem(404);
}

#[tokio::test]
async fn both_policies_of_the_seed_package_apply_with_what_the_request_pane_needs() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let page: Page<portal_api::AssignmentPolicy> =
        adele.applicable_policies("sales-crm").await.ok();

    let [a, b] = page.value.as_slice() else {
        panic!("two policies: {:?}", page.value)
    };
    assert!(a.request_approval_settings.is_approval_required_for_add);
    assert_eq!(a.max_duration_days(), Some(60));
    assert!(!b.request_approval_settings.is_approval_required_for_add);
    assert_eq!(b.max_duration_days(), Some(2));
    assert_eq!(page.next_cursor, None);
}

#[tokio::test]
async fn a_package_the_caller_may_not_request_opens_with_no_applicable_policy() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let package = adele.access_package("general-ledger").await;

    assert_eq!(package.status, 200);
    assert!(
        adele
            .applicable_policy_ids("general-ledger")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_package_shows_the_callers_open_request_and_then_their_assignment() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    let pending: AccessPackage = adele.access_package("sales-crm").await.ok();
    let delivered = adele
        .request_access("company-wiki", "company-wiki-everyone")
        .await;
    let held: AccessPackage = adele.access_package("company-wiki").await.ok();
    let listed: Page<AccessPackage> = adele.access_packages("search=wiki").await.ok();

    assert_eq!(
        pending.open_request_id.as_deref(),
        Some(request.id.as_str())
    );
    assert!(held.assignment_id.is_some(), "{delivered:?}");
    assert_eq!(listed.value[0].assignment_id, held.assignment_id);
}

/// Beside the demo catalog: a policy of every kind of scope, alone and mixed, hidden or not.
const EVERY_SCOPE: &str = r#"
[[users]]
id = "scope-a"
displayName = "Scope A"
userPrincipalName = "scope-a@contoso.com"
[[users]]
id = "scope-b"
displayName = "Scope B"
userPrincipalName = "scope-b@contoso.com"
[[users]]
id = "scope-c"
displayName = "Scope C"
userPrincipalName = "scope-c@contoso.com"
[[groups]]
id = "scope-g"
displayName = "Scope group"
description = "A and C."
members = ["scope-a", "scope-c"]
[[catalogs]]
id = "scopes"
displayName = "Scopes"
description = "Every kind of scope."
[[packages]]
id = "scope-specific"
catalog = "scopes"
displayName = "Specific"
description = "B only."
resourceRoles = [{ role = "User", resource = "S", type = "application" }]
[[packages.policies]]
id = "scope-specific-b"
displayName = "B"
description = "B only."
allowedTargetScope = "specificUsers"
specificAllowedTargets = ["scope-b"]
expiration = { type = "noExpiration" }
[[packages]]
id = "scope-mixed"
catalog = "scopes"
displayName = "Mixed"
description = "B by name, or the group."
resourceRoles = [{ role = "User", resource = "M", type = "application" }]
[[packages.policies]]
id = "scope-mixed-b"
displayName = "B"
description = "B by name."
allowedTargetScope = "specificUsers"
specificAllowedTargets = ["scope-b"]
expiration = { type = "noExpiration" }
[[packages.policies]]
id = "scope-mixed-g"
displayName = "Group"
description = "The group."
allowedTargetScope = "groupMembers"
specificAllowedTargets = ["scope-g"]
expiration = { type = "noExpiration" }
[[packages]]
id = "scope-hidden"
catalog = "scopes"
displayName = "Hidden"
description = "Everyone, by link."
isHidden = true
resourceRoles = [{ role = "User", resource = "H", type = "application" }]
[[packages.policies]]
id = "scope-hidden-all"
displayName = "Everyone"
description = "Everyone."
expiration = { type = "noExpiration" }
"#;

/// Who may request under a policy is written twice: in Rust (`Scope::admits`, which the rules
/// use when a request is made) and in SQL (the catalog listing, which must not load every
/// policy to list a page). This holds the two to the same answer for every person and every
/// package of the demo catalog and of a catalog with every kind of scope.
#[tokio::test]
async fn the_listing_and_the_request_rules_agree_on_who_may_request_every_package() {
    use portal_server::store::{catalog, directory, policies};

    let app = spawn_app().await;
    let db = &app.state.db;
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("scopes.toml");
    std::fs::write(&file, EVERY_SCOPE).expect("the file is written");
    portal_server::import::import_file(db, &file)
        .await
        .expect("the catalog imports");
    let packages: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, is_hidden FROM access_packages ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .expect("the packages");
    let people: Vec<(String,)> = sqlx::query_as("SELECT id FROM users ORDER BY id")
        .fetch_all(&db.pool)
        .await
        .expect("the people");
    assert!(packages.len() > 20 && people.len() > 5);

    let mut disagreements = Vec::new();
    for (person,) in &people {
        let requestor = directory::requestor(db, person)
            .await
            .expect("a read")
            .expect("a person");
        let listed: HashSet<String> = catalog::requestable_packages(db, person, None, None, 1000)
            .await
            .expect("a listing")
            .into_iter()
            .map(|p| p.id)
            .collect();
        for (package, hidden) in &packages {
            let admitted = policies::of_package(db, package)
                .await
                .expect("its policies")
                .iter()
                .any(|record| record.scope.admits(&requestor));
            if listed.contains(package) != (admitted && *hidden == 0) {
                disagreements.push(format!(
                    "{person} × {package}: listed {}, admitted {admitted}",
                    listed.contains(package)
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
