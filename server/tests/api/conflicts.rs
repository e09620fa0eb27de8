//! What a person is told when the database refuses a write as a duplicate: each unique index
//! is known by its name on both databases, and answers with its own sentence.

use portal_server::store::unique::Unique;

use crate::helpers::spawn_app;

/// Write `sql` directly, as a racing writer would have just before: the database's answer.
async fn write(app: &crate::helpers::TestApp, sql: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sql)
        .execute(&app.state.db.pool)
        .await
        .map(|_| ())
}

/// A delivered assignment of Sales CRM to Adele, by `request_id`, under policy A.
fn sales_crm_for_adele(id: &str, request_id: &str) -> String {
    format!(
        "INSERT INTO assignments (id, user_id, package_id, policy_id, request_id, state, \
             start_at, end_at, created_at) \
         VALUES ('{id}', 'adele', 'sales-crm', 'sales-crm-a', '{request_id}', 'delivered', \
             '2026-01-01T00:00:00Z', NULL, '2026-01-01T00:00:00Z')"
    )
}

#[tokio::test]
async fn approving_for_someone_who_already_has_the_package_names_them_and_the_package() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let megan = app.sign_in("megan").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    write(&app, &sales_crm_for_adele("held", &request.id))
        .await
        .expect("the assignment written first");

    let problem = megan
        .decide(
            &request.id,
            portal_api::DecisionKind::Approve,
            Some("Fine by me"),
        )
        .await
        .problem(409);

    assert!(
        problem
            .detail
            .starts_with("Adele Vance already has access to Sales CRM;"),
        "{problem:?}"
    );
}

#[tokio::test]
async fn every_unique_index_is_known_by_its_name_on_this_database() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let request = adele.request_access("sales-crm", "sales-crm-a").await;
    let user = |id: &str, name: &str, external: &str| {
        format!(
            "INSERT INTO users (id, display_name, mail, user_principal_name, external_id) \
             VALUES ('{id}', 'Someone', 'someone@contoso.com', '{name}', '{external}')"
        )
    };
    let group = |id: &str| {
        format!(
            "INSERT INTO groups (id, display_name, description, external_id) \
             VALUES ('{id}', 'A group', '', 'same-group')"
        )
    };
    write(&app, &user("first", "first@contoso.com", "same-user"))
        .await
        .expect("a first user");
    write(&app, &group("first-group"))
        .await
        .expect("a first group");
    write(&app, &sales_crm_for_adele("first-assignment", &request.id))
        .await
        .expect("a first assignment");
    let second_open_request = format!(
        "INSERT INTO assignment_requests (id, request_type, state, requestor_id, package_id, \
             policy_id, created_at, version) \
         VALUES ('again', 'userAdd', 'pendingApproval', 'adele', 'sales-crm', 'sales-crm-a', \
             '{}', 1)",
        request.created_date_time
    );
    let cases = [
        (Unique::OpenRequest, second_open_request),
        (
            Unique::Assignment,
            sales_crm_for_adele("second-assignment", &request.id),
        ),
        (
            Unique::UserName,
            user("second", "adele@contoso.com", "other-user"),
        ),
        (
            Unique::UserExternalId,
            user("third", "third@contoso.com", "same-user"),
        ),
        (Unique::GroupExternalId, group("second-group")),
    ];

    for (expected, sql) in cases {
        let refused = write(&app, &sql).await.expect_err("a duplicate");
        assert_eq!(Unique::of(&refused), Some(expected), "{refused}");
    }
}
