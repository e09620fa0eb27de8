//! Catalog as code: importing the same file again changes nothing.

use portal_api::{AccessPackage, AssignmentRequest, Page, RequestState};

use crate::helpers::{demo_catalog, spawn_app};

#[tokio::test]
async fn importing_the_demo_catalog_again_changes_nothing() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    let before: Page<AccessPackage> = adele.access_packages("limit=100").await.ok();
    let policies_before = adele.applicable_policies("travel-expenses").await.body;

    let summary = portal_server::import::import_file(&app.state.db, &demo_catalog()).await;

    assert!(summary.is_ok(), "{summary:?}");
    let after: Page<AccessPackage> = adele.access_packages("limit=100").await.ok();
    assert_eq!(after, before);
    assert_eq!(
        adele.applicable_policies("travel-expenses").await.body,
        policies_before
    );
    let kept: AssignmentRequest = adele.request(&request.id).await.ok();
    assert_eq!(kept.state, RequestState::PendingApproval);
}

#[tokio::test]
async fn a_catalog_file_with_a_broken_reference_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("broken.toml");
    let text = "[[catalogs]]\nid = \"x\"\ndisplayName = \"X\"\n\n[[packages]]\nid = \"new\"\ncatalog = \"nowhere\"\ndisplayName = \"New\"\n";
    std::fs::write(&file, text).expect("written");

    let result = portal_server::import::import_file(&app.state.db, &file).await;

    let message = format!("{:#}", result.expect_err("refused"));
    assert!(
        message.contains("package new: the catalog nowhere"),
        "{message}"
    );
    adele.access_package("new").await.problem(404);
}
