//! Demo sign-in, `GET /me`, and the bearer token every other endpoint asks for.

use portal_api::{Token, User};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_demo_sign_in_page_lists_the_directorys_users() {
    let app = spawn_app().await;

    let users: Vec<User> = app.demo_users().await.ok();

    let names: Vec<&str> = users.iter().map(|u| u.display_name.as_str()).collect();
    assert!(names.contains(&"Adele Vance"), "{names:?}");
    assert!(users.len() >= 6);
}

#[tokio::test]
async fn signing_in_as_a_demo_user_gives_a_short_lived_bearer_token() {
    let app = spawn_app().await;

    let token: Token = app.demo_sign_in("Adele@Contoso.com").await.ok();

    assert_eq!(token.token_type, "Bearer");
    assert!(token.expires_in > 0 && token.expires_in <= 8 * 3600);
}

#[tokio::test]
async fn me_is_the_signed_in_user_with_their_manager() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;

    let me: User = adele.me().await.ok();

    assert_eq!(me.display_name, "Adele Vance");
    assert_eq!(
        me.manager.map(|m| m.display_name).as_deref(),
        Some("Megan Bowen")
    );
}

#[tokio::test]
async fn signing_in_as_someone_unknown_is_refused_with_what_to_do() {
    let app = spawn_app().await;

    let problem = app.demo_sign_in("nobody@contoso.com").await.problem(422);

    assert!(problem.field("userPrincipalName").is_some(), "{problem:?}");
}

#[tokio::test]
async fn demo_sign_in_is_not_found_when_demo_mode_is_off() {
    let app = spawn_app_with(|config| config.demo = false).await;

    app.demo_users().await.problem(404);
    app.demo_sign_in("adele@contoso.com").await.problem(404);
}

#[tokio::test]
async fn every_endpoint_but_sign_in_answers_401_without_a_valid_token() {
    let app = spawn_app().await;
    let calls = [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/accessPackages"),
        ("GET", "/api/v1/accessPackages/sales-crm"),
        ("GET", "/api/v1/accessPackages/sales-crm/applicablePolicies"),
        ("POST", "/api/v1/assignmentRequests"),
        ("GET", "/api/v1/assignmentRequests"),
        ("GET", "/api/v1/assignmentRequests/x"),
        ("POST", "/api/v1/assignmentRequests/x/cancel"),
        ("GET", "/api/v1/assignments"),
        ("GET", "/api/v1/approvals"),
        ("POST", "/api/v1/approvals/x/decision"),
    ];

    for (method, path) in calls {
        let body = (method == "POST").then(|| "{}".to_owned());
        let missing = app.raw(method, path, None, body.clone()).await;
        assert_eq!(
            missing.status, 401,
            "{method} {path} without a token: {}",
            missing.body
        );
        let forged = app.raw(method, path, Some("not.a.token"), body).await;
        let problem = forged.problem(401);
        assert!(
            problem.detail.contains("sign in again"),
            "{method} {path}: {problem:?}"
        );
    }
}

#[tokio::test]
async fn a_token_signed_by_another_server_is_refused() {
    let app = spawn_app().await;
    let other = spawn_app_with(|config| {
        config.token_secret = Some("another secret, also 32 bytes long".into())
    })
    .await;
    let stranger = other.sign_in("adele").await;

    let reply = app
        .raw("GET", "/api/v1/me", Some(stranger.token()), None)
        .await;

    reply.problem(401);
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404_not_the_web_app() {
    let app = spawn_app().await;

    let problem = app
        .raw("GET", "/api/v1/nothing-here", None, None)
        .await
        .problem(404);

    assert!(problem.detail.contains("/api/openapi.json"), "{problem:?}");
}
