//! Fulfilment webhooks as operators see them: each event sent to a connector, with its
//! attempts and the receiver's last answer.

use serde::{Deserialize, Serialize};

/// One webhook (`access.granted` or `access.removed`) to one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// The `webhook-id` receivers deduplicate by.
    pub id: String,
    /// `access.granted` or `access.removed`.
    pub event_type: String,
    /// The request whose access it tells of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The resource and role, e.g. "CRM" and "User".
    pub resource: String,
    pub role: String,
    /// The connector's address.
    pub url: String,
    pub created_date_time: String,
    /// `pending` (to be tried, or tried again), `sent` (accepted with a 2xx) or `failed`
    /// (refused for good with a 4xx; sent again only when retried).
    pub state: String,
    /// How many times it was posted.
    pub attempts: u32,
    /// When it is tried next, while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_date_time: Option<String>,
    /// The HTTP status of the receiver's last answer; absent when none came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    /// What the receiver last said when it did not accept it, or why no answer came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}
