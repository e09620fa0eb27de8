//! The webhook worker: takes due fulfilment events from the delivery outbox, signs them as
//! Standard Webhooks says and posts them to their connectors, and marks each by the answer:
//! 2xx accepted, a 4xx other than 408/429 refused for good, anything else tried again later,
//! longer and longer. Several server instances may run it on one database: each event is
//! claimed by one.

use std::time::Duration;

use chrono::TimeDelta;
use standardwebhooks::Webhook;

use crate::domain::fulfilment::{self, Answer};
use crate::state::AppState;
use crate::store::webhooks::{self, Attempt, Claimed};

/// How long a worker holds the events it claimed; longer than any one post can take, so
/// that only a worker that died loses its claim.
pub const LEASE: TimeDelta = TimeDelta::minutes(5);

/// How many events a worker claims at a time.
const BATCH: u32 = 50;

/// How long one post may take, answer included.
const TIMEOUT: Duration = Duration::from_secs(15);

/// How much of a refusing receiver's answer is kept, for the requestor and the operator.
const ANSWER_CHARS: usize = 200;

/// Sends the delivery outbox's events; one per server instance.
pub struct Courier {
    client: reqwest::Client,
    /// This worker's name in the leases it takes.
    owner: String,
}

/// What one round of sending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Failed this time; tried again later.
    pub retried: usize,
    /// Refused for good by their receiver.
    pub failed: usize,
}

impl Courier {
    /// A worker with its own HTTP client.
    pub fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A connector is one address; a redirect elsewhere would carry the event there.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("AccessPortal-Webhooks/1")
            .build()?;
        Ok(Self {
            client,
            owner: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// Send every event that is due now, then return. Tests call this instead of waiting for
    /// the worker's next round.
    pub async fn run_once(&self, state: &AppState) -> anyhow::Result<Round> {
        let mut round = Round::default();
        loop {
            let now = state.clock.now();
            let claimed = webhooks::claim(&state.db, &self.owner, now, now + LEASE, BATCH).await?;
            let full = claimed.len() == BATCH as usize;
            for event in claimed {
                let attempt = self.post(&event, state).await;
                match &attempt {
                    Attempt::Accepted(_) => round.sent += 1,
                    Attempt::Failed { retry_at: None, .. } => {
                        tracing::error!(id = %event.id, url = %event.url, ?attempt,
                            "a connector refused a webhook; it is not sent again unless an \
                             operator retries it");
                        round.failed += 1;
                    }
                    Attempt::Failed { .. } => {
                        tracing::warn!(id = %event.id, url = %event.url, ?attempt,
                            "cannot deliver a webhook yet; it is tried again later");
                        round.retried += 1;
                    }
                }
                webhooks::mark(
                    &state.db,
                    &event.id,
                    &self.owner,
                    &attempt,
                    state.clock.now(),
                )
                .await?;
            }
            if !full {
                return Ok(round);
            }
        }
    }

    /// Send due events every `interval`, for as long as the server runs.
    pub async fn run(self, state: AppState, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.run_once(&state).await {
                Ok(round) if round == Round::default() => {}
                Ok(round) => tracing::info!(?round, "webhooks processed"),
                Err(err) => tracing::warn!(error = %err, "cannot read the webhook outbox"),
            }
        }
    }

    /// One attempt at `event`, and what it means.
    async fn post(&self, event: &Claimed, state: &AppState) -> Attempt {
        let attempts = u32::try_from(event.attempts).unwrap_or(u32::MAX);
        let retry_at = state.clock.now() + fulfilment::retry_delay(attempts + 1);
        let later = |status: Option<u16>, error: String| Attempt::Failed {
            status,
            error,
            retry_at: Some(retry_at),
        };
        // The signature's timestamp is the real time of sending, whatever the portal's clock
        // says: receivers refuse one more than five minutes off their own clock.
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match Webhook::new(&event.secret)
            .and_then(|hook| hook.sign(&event.id, timestamp, event.body.as_bytes()))
        {
            Ok(signature) => signature,
            Err(err) => {
                return Attempt::Failed {
                    status: None,
                    error: format!(
                        "cannot sign with the connector's secret ({err}); fix it in the catalog file"
                    ),
                    retry_at: None,
                };
            }
        };
        let sent = self
            .client
            .post(&event.url)
            .header("content-type", "application/json")
            .header("webhook-id", &event.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(event.body.clone())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(err) => return later(None, format!("no answer: {}", without_url(&err))),
        };
        let status = response.status();
        let said: String = response
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(ANSWER_CHARS)
            .collect();
        let answered = match said.trim() {
            "" => format!("answered {status}"),
            said => format!("answered {status}: {said}"),
        };
        match fulfilment::answer(status.as_u16()) {
            Answer::Accepted => Attempt::Accepted(status.as_u16()),
            Answer::Refused => Attempt::Failed {
                status: Some(status.as_u16()),
                error: answered,
                retry_at: None,
            },
            Answer::TryLater => later(Some(status.as_u16()), answered),
        }
    }
}

/// A connection error in words, without the connector's address (which the operator sees
/// beside it anyway).
fn without_url(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({cause})")
    }
}
