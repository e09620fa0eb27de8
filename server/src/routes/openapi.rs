//! `GET /api/openapi.json`: the OpenAPI 3.1 description of `/api/v1`, generated from the
//! handlers' annotations and the wire types as the router adds them (`routes::documented`),
//! so it cannot drift from the code.

use std::sync::LazyLock;

use axum::Json;
use serde_json::{Value, json};
use utoipa::openapi::header::Header;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, ContentBuilder, Object, Ref, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

/// The API's description, apart from its operations, which the router adds.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Access Portal API",
        description = "Self-service access requests: access packages, assignment policies, \
                       requests, approvals and assignments, in the vocabulary of Microsoft \
                       Entra entitlement management. Every error is `application/problem+json`.",
    ),
    servers((url = "/api/v1")),
    components(schemas(portal_api::Problem, portal_api::FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Demo sign-in"),
        (name = "me", description = "The signed-in user"),
        (name = "accessPackages", description = "What can be requested"),
        (name = "assignmentRequests", description = "The caller's requests"),
        (name = "assignments", description = "The access the caller has, and extending it"),
        (name = "approvals", description = "Requests waiting for the caller's decision"),
        (name = "webhookDeliveries", description = "Fulfilment webhooks, for administrators"),
    )
)]
pub struct ApiDoc;

/// The document, as JSON, made once: the operations of the routes, the answers every
/// operation shares, and the links between operations.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let (_, mut openapi) = super::documented().split_for_parts();
    // These walk the operations, so they run once the router has added them.
    Limits.modify(&mut openapi);
    BodyRefusals.modify(&mut openapi);
    let mut document = serde_json::to_value(openapi).unwrap_or_default();
    add_links(&mut document);
    document
});

/// The document, as JSON.
pub async fn document() -> Json<Value> {
    Json(DOCUMENT.clone())
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The answers of the abuse limits, which no handler gives: 429 to a change (every POST) over
/// its rate limit, and 503 to any request that ran out of time; both say when to try again.
struct Limits;

impl Modify for Limits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    Content::new(Some(Ref::from_schema_name("Problem"))),
                )
                .header("Retry-After", Header::new(Object::with_type(Type::Integer)))
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            if let Some(post) = item.post.as_mut() {
                post.responses.responses.insert(
                    "429".to_owned(),
                    problem("Too many changes (or sign-ins) in a short time").into(),
                );
            }
            for operation in [item.get.as_mut(), item.post.as_mut()]
                .into_iter()
                .flatten()
            {
                operation.responses.responses.insert(
                    "503".to_owned(),
                    problem("The request took longer than the server allows").into(),
                );
            }
        }
    }
}

/// Every operation that reads a JSON body also refuses, before its handler runs, a body that is
/// not JSON (400), one over the size limit (413) and one of another media type (415); the
/// extractor answers these the same everywhere, so they are described here once.
struct BodyRefusals;

impl Modify for BodyRefusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let refusals = [
            ("400", "The body is not well-formed JSON"),
            ("413", "The body is over 64 KB"),
            (
                "415",
                "The body is not sent as `Content-Type: application/json`",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.post, &mut item.put, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                if operation.request_body.is_none() {
                    continue;
                }
                for (status, description) in refusals {
                    let problem = ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/problem+json",
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        )
                        .build();
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert(problem.into());
                }
            }
        }
    }
}

/// Which answer leads to which call: an id in one operation's answer that another operation
/// takes. Clients and API tools (the fuzzer's stateful phase among them) follow these to chain
/// calls instead of guessing ids.
#[rustfmt::skip]
const LINKS: &[(&str, &str, &str, &str, &str)] = &[
    // (operation, status, next operation, its parameter, where the value is in the answer)
    ("listAccessPackages", "200", "getAccessPackage", "id", "$response.body#/value/0/id"),
    ("listAccessPackages", "200", "listApplicablePolicies", "id", "$response.body#/value/0/id"),
    ("listAccessPackages", "200", "getDecisionTime", "id", "$response.body#/value/0/id"),
    ("createAssignmentRequest", "201", "getAssignmentRequest", "id", "$response.body#/id"),
    ("createAssignmentRequest", "201", "cancelAssignmentRequest", "id", "$response.body#/id"),
    ("listAssignmentRequests", "200", "getAssignmentRequest", "id", "$response.body#/value/0/id"),
    ("listAssignmentRequests", "200", "cancelAssignmentRequest", "id", "$response.body#/value/0/id"),
    ("listAssignments", "200", "extendAssignment", "id", "$response.body#/value/0/id"),
    ("extendAssignment", "201", "getAssignmentRequest", "id", "$response.body#/id"),
    ("listApprovals", "200", "decide", "requestId", "$response.body#/value/0/id"),
    ("listApprovals", "200", "getAssignmentRequest", "id", "$response.body#/value/0/id"),
];

/// Write `LINKS` into the document. They are added to the JSON rather than through utoipa,
/// whose `Link` (5.5) writes `operation_id` where OpenAPI says `operationId`, which no tool
/// reads.
fn add_links(document: &mut Value) {
    let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let operations = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut());
    for operation in operations {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for (_, status, next, parameter, value) in LINKS.iter().filter(|l| l.0 == id) {
            if let Some(response) = operation["responses"].get_mut(*status) {
                response["links"][*next] = json!({
                    "operationId": next,
                    "parameters": { *parameter: value },
                });
            }
        }
    }
}
