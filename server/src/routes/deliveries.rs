//! Fulfilment webhooks, for administrators: the recent deliveries with their attempts and
//! last answer, and a retry of one a connector refused (once its cause is fixed); and the
//! Prometheus counters of sent, failed and pending deliveries on `/metrics`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use portal_api::{Page, WebhookDelivery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::routes::problems::{Forbidden, NotFound, Unauthorized};
use crate::state::AppState;
use crate::store::webhooks::{self, Delivery};

/// How many recent deliveries the listing shows.
const RECENT: u32 = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(retry))
}

/// `/metrics`, outside `/api/v1`, as Prometheus scrapes it.
pub fn metrics_router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The latest fulfilment webhooks, newest first: each with its connector, state, attempts
/// and the receiver's last answer. Only for administrators (`--admin`, `--admin-group`).
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/webhookDeliveries", tag = "webhookDeliveries", security(("bearer" = [])),
    responses(
        (status = 200, description = "The latest 200 deliveries", body = Page<WebhookDelivery>),
        Unauthorized, Forbidden,
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    admin(&state, &me).await?;
    let deliveries = webhooks::recent(&state.db, RECENT).await?;
    Ok(Json(Page::last(deliveries.into_iter().map(wire).collect())))
}

/// Send a delivery that its connector refused again, from now on (after the cause was fixed
/// at the receiver or in the catalog). Refused with 404 when no failed delivery has this id.
#[utoipa::path(post, operation_id = "retryWebhookDelivery", path = "/webhookDeliveries/{id}/retry", tag = "webhookDeliveries", security(("bearer" = [])),
    params(("id" = String, Path, description = "The delivery's `webhook-id`")),
    responses(
        (status = 202, description = "It is pending again; the worker sends it on its next round"),
        Unauthorized, Forbidden, NotFound,
    ))]
pub async fn retry(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    admin(&state, &me).await?;
    if webhooks::retry(&state.db, &id, state.clock.now()).await? {
        tracing::info!(%id, by = %me, "a failed webhook is sent again");
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiError::NotFound(format!(
            "There is no failed delivery with id {id:?}; only a delivery in state failed can be \
             retried (see GET /api/v1/webhookDeliveries)."
        )))
    }
}

/// Counters of the delivery outbox in the Prometheus text format.
async fn metrics(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let counts = webhooks::counts(&state.db).await?;
    let body = format!(
        "# HELP portal_webhooks_sent_total Fulfilment webhooks a connector accepted.\n\
         # TYPE portal_webhooks_sent_total counter\n\
         portal_webhooks_sent_total {}\n\
         # HELP portal_webhooks_failed_total Fulfilment webhooks a connector refused for good.\n\
         # TYPE portal_webhooks_failed_total counter\n\
         portal_webhooks_failed_total {}\n\
         # HELP portal_webhooks_pending Fulfilment webhooks waiting to be sent or sent again.\n\
         # TYPE portal_webhooks_pending gauge\n\
         portal_webhooks_pending {}\n",
        counts.sent, counts.failed, counts.pending
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

/// Refuse anyone who is not an administrator, by the configured user ids or group.
async fn admin(state: &AppState, user_id: &str) -> Result<(), ApiError> {
    if super::is_admin(state, user_id).await? {
        return Ok(());
    }
    Err(ApiError::Forbidden(
        "Only the portal's administrators see fulfilment webhooks; the server names them with \
         --admin or --admin-group."
            .to_owned(),
    ))
}

fn wire(row: Delivery) -> WebhookDelivery {
    WebhookDelivery {
        id: row.id,
        event_type: row.event_type,
        request_id: row.request_id,
        resource: row.resource_name,
        role: row.role_name,
        url: row.url,
        created_date_time: row.created_at,
        next_attempt_date_time: (row.state == "pending").then_some(row.next_attempt_at),
        state: row.state,
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        last_status: row.last_status.and_then(|s| u16::try_from(s).ok()),
        last_error: row.last_error,
    }
}
