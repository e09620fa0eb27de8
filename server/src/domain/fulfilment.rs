//! Fulfilment: the signed webhooks that tell the systems holding a resource that someone
//! now has access to it, or no longer has. What a connector must look like, the events in
//! words (Standard Webhooks payloads), what a receiver's answer means, and what the
//! requestor is shown. Composed when the change they tell of is written; nothing here sends.

use base64::Engine;
use chrono::TimeDelta;
use portal_api::FulfilmentState;
use serde_json::json;

/// The Standard Webhooks prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// What is wrong with a connector's `url` and `secret`, each as a sentence that says what to
/// write instead; empty when both are fit.
pub fn connector_problems(url: &str, secret: &str) -> Vec<String> {
    let mut problems = Vec::new();
    match reqwest::Url::parse(url) {
        Err(err) => problems.push(format!(
            "the connector url {url:?} is not an address ({err}); write e.g. \
             \"https://crm.contoso.com/hooks/access\""
        )),
        Ok(parsed) => {
            let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            match parsed.scheme() {
                "https" => {}
                "http" if loopback => {}
                _ => problems.push(format!(
                    "the connector url {url:?} must start with https:// (http:// only on \
                     loopback): the events name people and what they may use"
                )),
            }
        }
    }
    match secret.strip_prefix(SECRET_PREFIX) {
        None => problems.push(format!(
            "the connector secret must be in the Standard Webhooks form {SECRET_PREFIX}<base64>, \
             e.g. from `openssl rand -base64 32`; it starts with {:?}",
            secret.chars().take(6).collect::<String>()
        )),
        Some(encoded) => match base64::engine::general_purpose::STANDARD.decode(encoded) {
            Err(_) => problems.push(
                "the connector secret after whsec_ is not base64; make one with \
                 `openssl rand -base64 32`"
                    .to_owned(),
            ),
            Ok(key) if !(24..=64).contains(&key.len()) => problems.push(format!(
                "the connector secret holds {} bytes; Standard Webhooks asks for 24 to 64 \
                 (`openssl rand -base64 32` makes 32)",
                key.len()
            )),
            Ok(_) => {}
        },
    }
    problems
}

/// What an event tells: access given, or taken away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Granted,
    Removed,
}

impl EventType {
    /// The event's `type`, as receivers read it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "access.granted",
            Self::Removed => "access.removed",
        }
    }
}

/// Why access was taken away; the `reason` of an `access.removed` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Its end date passed.
    Expired,
    /// The user was deactivated or deleted in the directory (SCIM).
    Deactivated,
}

impl Removal {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Deactivated => "deactivated",
        }
    }
}

/// The person whose access changes, as receivers match them in their own directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub id: String,
    pub user_principal_name: String,
    pub mail: String,
    pub external_id: Option<String>,
}

/// An assignment whose access changes, with everything its events tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessFacts {
    pub assignment_id: String,
    pub request_id: Option<String>,
    pub holder: Holder,
    pub package_id: String,
    pub package_name: String,
    pub start: String,
    pub end: Option<String>,
}

/// One resource role of a package with the connector that grants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub resource: String,
    pub resource_type: String,
    pub role: String,
    pub url: String,
    pub secret: String,
}

/// One webhook, ready for the delivery outbox. Its body is fixed now, so that every attempt
/// sends the same bytes under the same `webhook-id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `webhook-id`: receivers drop a second delivery of the same id.
    pub id: String,
    pub event_type: EventType,
    pub target: Target,
    pub body: String,
}

/// The events that tell every connector of the package's roles that `facts` changed: one per
/// role that has a connector. Roles without one are "recorded only" and get none.
pub fn events(
    event_type: EventType,
    removal: Option<Removal>,
    facts: &AccessFacts,
    targets: &[Target],
    at: &str,
) -> Vec<Event> {
    targets
        .iter()
        .map(|target| {
            let mut data = json!({
                "requestId": facts.request_id,
                "assignmentId": facts.assignment_id,
                "user": {
                    "id": facts.holder.id,
                    "userPrincipalName": facts.holder.user_principal_name,
                    "mail": facts.holder.mail,
                    "externalId": facts.holder.external_id,
                },
                "accessPackage": { "id": facts.package_id, "displayName": facts.package_name },
                "resource": { "displayName": target.resource, "type": target.resource_type },
                "role": { "displayName": target.role },
                "schedule": { "startDateTime": facts.start, "endDateTime": facts.end },
            });
            if let Some(removal) = removal {
                data["reason"] = json!(removal.as_str());
            }
            let body = json!({
                "type": event_type.as_str(),
                "timestamp": at,
                "data": data,
            });
            Event {
                id: format!("msg_{}", uuid::Uuid::now_v7().simple()),
                event_type,
                target: target.clone(),
                body: body.to_string(),
            }
        })
        .collect()
}

/// What a receiver's answer means for a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: the receiver has it.
    Accepted,
    /// Another 4xx: sending it again cannot help; an operator must look.
    Refused,
    /// 408, 429, 5xx, no answer: try again later.
    TryLater,
}

/// The meaning of HTTP status `status` from a receiver.
pub fn answer(status: u16) -> Answer {
    match status {
        200..=299 => Answer::Accepted,
        408 | 429 => Answer::TryLater,
        400..=499 => Answer::Refused,
        _ => Answer::TryLater,
    }
}

/// How long to wait before attempt `attempts + 1` after `attempts` failed ones: 30 s,
/// doubling, at most an hour.
pub fn retry_delay(attempts: u32) -> TimeDelta {
    super::notifications::retry_delay(attempts)
}

/// How far the events of one change have come: `pending`, `sent` or `failed` per delivery.
pub fn state_of<'a>(deliveries: impl IntoIterator<Item = &'a str>) -> Option<FulfilmentState> {
    let (mut pending, mut sent, mut failed) = (0_u32, 0_u32, 0_u32);
    for state in deliveries {
        match state {
            "sent" => sent += 1,
            "failed" => failed += 1,
            _ => pending += 1,
        }
    }
    match (pending, sent, failed) {
        (0, 0, 0) => None,
        (1.., _, _) => Some(FulfilmentState::Delivering),
        (0, _, 0) => Some(FulfilmentState::Delivered),
        (0, 0, _) => Some(FulfilmentState::DeliveryFailed),
        (0, _, _) => Some(FulfilmentState::PartiallyDelivered),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn facts() -> AccessFacts {
        AccessFacts {
            assignment_id: "a1".into(),
            request_id: Some("r1".into()),
            holder: Holder {
                id: "adele".into(),
                user_principal_name: "adele@contoso.com".into(),
                mail: "adele@contoso.com".into(),
                external_id: None,
            },
            package_id: "sales-crm".into(),
            package_name: "Sales CRM".into(),
            start: "2026-12-01T00:00:00Z".into(),
            end: Some("2027-01-30T00:00:00Z".into()),
        }
    }

    fn target(resource: &str) -> Target {
        Target {
            resource: resource.into(),
            resource_type: "application".into(),
            role: "User".into(),
            url: "https://crm.contoso.com/hooks".into(),
            secret: SECRET.into(),
        }
    }

    #[test]
    fn a_connector_with_an_https_address_and_a_whsec_secret_is_fit() {
        assert_eq!(
            connector_problems("https://crm.contoso.com/hooks", SECRET),
            Vec::<String>::new()
        );
        assert!(connector_problems("http://127.0.0.1:9000/hooks", SECRET).is_empty());
    }

    #[test]
    fn a_plain_http_address_off_loopback_is_refused_with_what_to_write() {
        let problems = connector_problems("http://crm.contoso.com/hooks", SECRET);
        assert!(
            problems[0].contains("must start with https://"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_secret_not_in_the_whsec_form_or_too_short_says_how_to_make_one() {
        let plain = connector_problems("https://crm.contoso.com", "hunter2");
        assert!(plain[0].contains("whsec_<base64>"), "{plain:?}");
        let short = connector_problems("https://crm.contoso.com", "whsec_c2hvcnQ=");
        assert!(short[0].contains("holds 5 bytes"), "{short:?}");
        let garbled = connector_problems("https://crm.contoso.com", "whsec_not base64!");
        assert!(garbled[0].contains("not base64"), "{garbled:?}");
    }

    #[test]
    fn a_grant_makes_one_event_per_role_with_a_connector_naming_user_package_role_and_period() {
        let events = events(
            EventType::Granted,
            None,
            &facts(),
            &[target("CRM"), target("Sales")],
            "2026-12-01T00:00:00Z",
        );
        assert_eq!(events.len(), 2);
        assert_ne!(events[0].id, events[1].id);
        let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
        assert_eq!(body["type"], "access.granted");
        assert_eq!(
            body["data"]["user"]["userPrincipalName"],
            "adele@contoso.com"
        );
        assert_eq!(body["data"]["accessPackage"]["id"], "sales-crm");
        assert_eq!(body["data"]["resource"]["displayName"], "CRM");
        assert_eq!(body["data"]["role"]["displayName"], "User");
        assert_eq!(
            body["data"]["schedule"]["endDateTime"],
            "2027-01-30T00:00:00Z"
        );
        assert_eq!(body["data"]["requestId"], "r1");
        assert!(body["data"].get("reason").is_none());
    }

    #[test]
    fn a_removal_says_why() {
        let events = events(
            EventType::Removed,
            Some(Removal::Expired),
            &facts(),
            &[target("CRM")],
            "2026-12-01T00:00:00Z",
        );
        let body: serde_json::Value = serde_json::from_str(&events[0].body).unwrap();
        assert_eq!(body["type"], "access.removed");
        assert_eq!(body["data"]["reason"], "expired");
    }

    #[test]
    fn only_a_4xx_other_than_408_and_429_is_a_refusal() {
        assert_eq!(answer(204), Answer::Accepted);
        assert_eq!(answer(403), Answer::Refused);
        assert_eq!(answer(408), Answer::TryLater);
        assert_eq!(answer(429), Answer::TryLater);
        assert_eq!(answer(503), Answer::TryLater);
    }

    #[test]
    fn the_requestor_sees_delivering_until_every_connector_answered() {
        use FulfilmentState::*;
        assert_eq!(state_of([]), None);
        assert_eq!(state_of(["sent", "pending"]), Some(Delivering));
        assert_eq!(state_of(["sent", "sent"]), Some(Delivered));
        assert_eq!(state_of(["sent", "failed"]), Some(PartiallyDelivered));
        assert_eq!(state_of(["failed"]), Some(DeliveryFailed));
    }
}
