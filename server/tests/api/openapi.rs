//! The OpenAPI document describes every endpoint, body and error.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_openapi_document_is_3_1_and_covers_every_endpoint_with_its_errors() {
    let app = spawn_app().await;

    let reply = app.raw("GET", "/api/openapi.json", None, None).await;

    let doc: Value = reply.ok();
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let endpoints = [
        ("get", "/me"),
        ("get", "/auth/demo/users"),
        ("post", "/auth/demo"),
        ("get", "/accessPackages"),
        ("get", "/accessPackages/{id}"),
        ("get", "/accessPackages/{id}/applicablePolicies"),
        ("get", "/accessPackages/{id}/decisionTime"),
        ("post", "/assignmentRequests"),
        ("get", "/assignmentRequests"),
        ("get", "/assignmentRequests/{id}"),
        ("post", "/assignmentRequests/{id}/cancel"),
        ("get", "/assignments"),
        ("post", "/assignments/{id}/extend"),
        ("get", "/approvals"),
        ("post", "/approvals/{requestId}/decision"),
    ];
    for (method, path) in endpoints {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is described");
        let responses = operation["responses"].as_object().expect("responses");
        let problems = responses
            .iter()
            .filter(|(status, _)| !status.starts_with('2'))
            .filter(|(_, r)| r["content"]["application/problem+json"].is_object())
            .count();
        assert!(
            problems >= 1,
            "{method} {path} describes its errors as problems"
        );
    }
    let create = &doc["paths"]["/assignmentRequests"]["post"]["responses"];
    for status in ["201", "401", "403", "404", "409", "413", "422"] {
        assert!(
            create[status].is_object(),
            "POST /assignmentRequests documents {status}"
        );
    }
    for (method, path) in endpoints {
        let responses = &doc["paths"][path][method]["responses"];
        assert!(
            responses["503"]["headers"]["Retry-After"].is_object(),
            "{method} {path} documents the timeout"
        );
        if method == "post" {
            assert!(
                responses["429"]["content"]["application/problem+json"].is_object(),
                "{method} {path} documents the rate limit"
            );
        }
    }
    let extend = &doc["paths"]["/assignments/{id}/extend"]["post"]["responses"];
    for status in ["201", "401", "403", "404", "409", "422"] {
        assert!(
            extend[status].is_object(),
            "POST /assignments/{{id}}/extend documents {status}"
        );
    }
    for schema in ["Problem", "ExtendAssignment", "DecisionTime", "Assignment"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }
    let assignment = &doc["components"]["schemas"]["Assignment"]["properties"];
    assert!(assignment["extendableFrom"].is_object());
    assert!(assignment["extensionRequestId"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn every_operation_has_its_own_id_and_every_link_leads_to_one() {
    let app = spawn_app().await;

    let doc: Value = app.raw("GET", "/api/openapi.json", None, None).await.ok();

    let operations: Vec<&Value> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("operations").values())
        .collect();
    let mut ids: Vec<&str> = operations
        .iter()
        .map(|o| o["operationId"].as_str().expect("an operationId"))
        .collect();
    ids.sort_unstable();
    let count = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds repeat: {ids:?}");
    let targets: Vec<&str> = operations
        .iter()
        .flat_map(|o| o["responses"].as_object().expect("responses").values())
        .filter_map(|r| r["links"].as_object())
        .flat_map(|links| links.values())
        .map(|link| link["operationId"].as_str().expect("a target"))
        .collect();
    assert!(targets.contains(&"cancelAssignmentRequest"), "{targets:?}");
    for target in targets {
        assert!(
            ids.contains(&target),
            "a link leads to {target}, no operation"
        );
    }
}
