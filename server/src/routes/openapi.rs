//! `GET /api/openapi.json`: the OpenAPI 3.1 description of `/api/v1`, generated from the
//! handlers' annotations and the wire types, so it cannot drift from the code.

use axum::Json;
use utoipa::openapi::header::Header;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Object, Ref, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use super::{approvals, assignments, auth, me, packages, requests};

/// The API's description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Access Portal API",
        description = "Self-service access requests: access packages, assignment policies, \
                       requests, approvals and assignments, in the vocabulary of Microsoft \
                       Entra entitlement management. Every error is `application/problem+json`.",
    ),
    servers((url = "/api/v1")),
    paths(
        auth::demo_users,
        auth::demo_sign_in,
        me::me,
        packages::list,
        packages::one,
        packages::applicable_policies,
        packages::decision_time,
        requests::create,
        requests::list,
        requests::one,
        requests::cancel,
        assignments::list,
        assignments::extend,
        approvals::list,
        approvals::decide,
    ),
    components(schemas(portal_api::Problem, portal_api::FieldError)),
    modifiers(&BearerAuth, &Limits),
    tags(
        (name = "auth", description = "Demo sign-in"),
        (name = "me", description = "The signed-in user"),
        (name = "accessPackages", description = "What can be requested"),
        (name = "assignmentRequests", description = "The caller's requests"),
        (name = "assignments", description = "The access the caller has, and extending it"),
        (name = "approvals", description = "Requests waiting for the caller's decision"),
    )
)]
pub struct ApiDoc;

/// The document, as JSON.
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
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
