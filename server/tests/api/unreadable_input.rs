//! Input that no endpoint can use (what the fuzzer in `cargo xtask test` sends): a NUL
//! character in text, an id that is not valid text, a body that is not JSON. Each is refused
//! with a problem that says what to fix and a status the OpenAPI document lists, on SQLite
//! and on PostgreSQL alike (which cannot store or even compare text holding a NUL).

use portal_api::{AssignmentRequest, Page};
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn text_holding_a_nul_character_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let token = Some(adele.token());
    let body = r#"{"accessPackageId":"company-wiki","assignmentPolicyId":"company-wiki-everyone",
                   "justification":"Needed\u0000now"}"#;

    let create = app
        .raw(
            "POST",
            "/api/v1/assignmentRequests",
            token,
            Some(body.into()),
        )
        .await;
    let sign_in = app
        .raw(
            "POST",
            "/api/v1/auth/demo",
            None,
            Some(r#"{"userPrincipalName":"adele\u0000@contoso.com"}"#.into()),
        )
        .await;
    let search = app
        .raw("GET", "/api/v1/accessPackages?search=wiki%00", token, None)
        .await;
    // A cursor the server never gave out, naming an id that holds a NUL.
    let cursor = app
        .raw(
            "GET",
            "/api/v1/assignmentRequests?cursor=610000",
            token,
            None,
        )
        .await;

    assert!(create.problem(422).detail.contains("NUL"), "{create:?}");
    assert!(sign_in.problem(422).detail.contains("NUL"), "{sign_in:?}");
    assert!(search.problem(422).detail.contains("NUL"), "{search:?}");
    cursor.problem(422);
    let mine: Page<AssignmentRequest> = adele.requests("").await.ok();
    assert!(mine.value.is_empty(), "{mine:?}");
}

#[tokio::test]
async fn an_id_that_is_not_valid_text_is_a_problem_404_on_every_endpoint_with_an_id() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let token = Some(adele.token());
    let decision = Some(r#"{"decision":"approve"}"#.to_owned());
    let extend = Some("{}".to_owned());

    for id in ["%00", "a%00b", "%FF", "%C3%28"] {
        let calls = [
            ("GET", format!("/accessPackages/{id}"), None),
            (
                "GET",
                format!("/accessPackages/{id}/applicablePolicies"),
                None,
            ),
            ("GET", format!("/accessPackages/{id}/decisionTime"), None),
            ("GET", format!("/assignmentRequests/{id}"), None),
            ("POST", format!("/assignmentRequests/{id}/cancel"), None),
            ("POST", format!("/assignments/{id}/extend"), extend.clone()),
            (
                "POST",
                format!("/approvals/{id}/decision"),
                decision.clone(),
            ),
        ];
        for (method, path, body) in calls {
            let reply = app
                .raw(method, &format!("/api/v1{path}"), token, body)
                .await;

            assert_eq!(reply.status, 404, "{method} {path}: {reply:?}");
            reply.problem(404);
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_the_problem_the_document_lists_for_it() {
    let app = spawn_app().await;
    let adele = app.sign_in("adele").await;
    let document: Value = app.raw("GET", "/api/openapi.json", None, None).await.json();
    let no_content_type = app
        .client
        .post(format!("{}/api/v1/assignmentRequests", app.address))
        .bearer_auth(adele.token())
        .body("{}")
        .send()
        .await
        .expect("an answer");

    let broken = app
        .raw(
            "POST",
            "/api/v1/approvals/some-id/decision",
            Some(adele.token()),
            Some("{\"decision\":".into()),
        )
        .await;

    broken.problem(400);
    assert_eq!(no_content_type.status().as_u16(), 415);
    for (path, operation) in [
        ("/auth/demo", "post"),
        ("/assignmentRequests", "post"),
        ("/assignments/{id}/extend", "post"),
        ("/approvals/{requestId}/decision", "post"),
    ] {
        let responses = &document["paths"][path][operation]["responses"];
        for status in ["400", "413", "415", "422"] {
            assert!(
                responses[status]["content"]["application/problem+json"].is_object(),
                "{operation} {path} lists {status}: {responses}"
            );
        }
    }
}

#[tokio::test]
async fn the_document_says_a_page_holds_1_to_100_items_as_the_server_checks() {
    let app = spawn_app().await;
    let document: Value = app.raw("GET", "/api/openapi.json", None, None).await.json();

    for path in ["/accessPackages", "/assignmentRequests", "/approvals"] {
        let limit = document["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "limit")
            .cloned()
            .expect("a limit parameter");

        assert_eq!(limit["schema"]["minimum"], 1, "{path}: {limit}");
        assert_eq!(limit["schema"]["maximum"], 100, "{path}: {limit}");
    }
}
