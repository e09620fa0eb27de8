//! Access packages: the ones the caller may request, one by id, and its applicable policies.

use std::collections::HashMap;

use axum::extract::State;
use portal_api::{AccessPackage, AssignmentPolicy, DecisionTime, Page};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::ApiResult;
use crate::extract::{Json, Path, Query};
use crate::paging;
use crate::routes::problems::{Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::store::requests::decision_times::{self, Kept};
use crate::store::{catalog, policies, requests, webhooks};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(one))
        .routes(routes!(applicable_policies))
        .routes(routes!(decision_time))
}

/// The query of `GET /accessPackages`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words to find in the name, the description or the resources' names; case is ignored.
    search: Option<String>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// The `nextCursor` of the previous page.
    cursor: Option<String>,
}

/// The packages the caller may request under at least one policy, by name; hidden packages
/// are never listed.
#[utoipa::path(get, operation_id = "listAccessPackages", path = "/accessPackages", tag = "accessPackages", params(ListQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of requestable packages", body = Page<AccessPackage>),
        Unauthorized, Invalid,
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Page<AccessPackage>>> {
    let window = paging::Window::new(query.limit, query.cursor.as_deref())?;
    let found = catalog::requestable_packages(
        &state.db,
        &me,
        query.search.as_deref(),
        window.after.as_ref(),
        window.fetch(),
    )
    .await?;
    let (open, held) = requests::holdings(&state.db, &me).await?;
    let found = found
        .into_iter()
        .map(|p| with_holdings(p, &open, &held))
        .collect();
    Ok(Json(
        window.page(found, |p| (p.display_name.clone(), p.id.clone())),
    ))
}

/// One package, hidden or not, with its resource roles and the caller's open request or
/// assignment for it; for administrators, also the roles that are recorded only.
#[utoipa::path(get, operation_id = "getAccessPackage", path = "/accessPackages/{id}", tag = "accessPackages", security(("bearer" = [])),
    params(("id" = String, Path, description = "The package's id")),
    responses(
        (status = 200, description = "The package", body = AccessPackage),
        Unauthorized, NotFound,
    ))]
pub async fn one(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AccessPackage>> {
    let mut package = super::find_package(&state, &id).await?;
    let (open, held) = requests::holdings(&state.db, &me).await?;
    // Only administrators learn which resources no system is told of; requestors see the
    // package as it is promised to them.
    if super::is_admin(&state, &me).await? {
        package.recorded_only = Some(webhooks::recorded_only(&state.db, &package.id).await?);
    }
    Ok(Json(with_holdings(package, &open, &held)))
}

/// The policies of a package the caller may request under, with all the request pane needs;
/// empty when there are none.
#[utoipa::path(get, operation_id = "listApplicablePolicies", path = "/accessPackages/{id}/applicablePolicies", tag = "accessPackages", security(("bearer" = [])),
    params(("id" = String, Path, description = "The package's id")),
    responses(
        (status = 200, description = "The applicable policies (one page)", body = Page<AssignmentPolicy>),
        Unauthorized, NotFound,
    ))]
pub async fn applicable_policies(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<AssignmentPolicy>>> {
    let policies = policies::of_package(&state.db, &id).await?;
    if policies.is_empty() {
        // No policy: say 404 if there is no such package either.
        super::find_package(&state, &id).await?;
    }
    let requestor = super::requestor(&state, &me).await?;
    let policies = policies
        .into_iter()
        .filter(|record| record.scope.admits(&requestor))
        .map(|record| record.policy)
        .collect();
    Ok(Json(Page::last(policies)))
}

/// The expected time to a decision for this package: the median and 90th percentile of how
/// long its latest approved or denied requests waited (200 at most), from submission to the
/// last decision. Only `sampleSize` when fewer than 5 were decided.
#[utoipa::path(get, operation_id = "getDecisionTime", path = "/accessPackages/{id}/decisionTime", tag = "accessPackages", security(("bearer" = [])),
    params(("id" = String, Path, description = "The package's id")),
    responses(
        (status = 200, description = "The decision time, or only the sample size when there is too little history", body = DecisionTime),
        Unauthorized, NotFound,
    ))]
pub async fn decision_time(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DecisionTime>> {
    let time = match decision_times::decision_time(&state.db, &id).await? {
        Kept::Figure(time) => time,
        Kept::NotYet => decision_times::fill(&state.db, &id).await?,
        Kept::NoSuchPackage => return Err(super::no_such_package(&id)),
    };
    Ok(Json(time))
}

fn with_holdings(
    mut package: AccessPackage,
    open: &HashMap<String, String>,
    held: &HashMap<String, String>,
) -> AccessPackage {
    package.open_request_id = open.get(&package.id).cloned();
    package.assignment_id = held.get(&package.id).cloned();
    package
}
