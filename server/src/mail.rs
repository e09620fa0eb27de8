//! The mail worker: takes due messages from the outbox, sends them through SMTP (or, without
//! an SMTP server, writes them to the log) and marks them sent; a failed send is retried
//! later. Several server instances may run it on one database: each message is claimed by one.

use std::time::Duration;

use anyhow::Context;
use chrono::TimeDelta;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{Config, SmtpTls};
use crate::domain::notifications::retry_delay;
use crate::state::AppState;
use crate::store::outbox::{self, Claimed};

/// How long a worker holds the messages it claimed; longer than any one send can take, so
/// that only a worker that died loses its claim.
pub const LEASE: TimeDelta = TimeDelta::minutes(5);

/// How many messages a worker claims at a time.
const BATCH: u32 = 50;

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends the outbox's messages; one per server instance.
pub struct Postman {
    mailer: Mailer,
    /// This worker's name in the leases it takes.
    owner: String,
}

/// What one round of sending did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Failed this time; tried again later.
    pub retried: usize,
    /// Failed for good (the address is not one, or the server refuses it for good).
    pub failed: usize,
}

enum Mailer {
    Smtp {
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// No SMTP server configured: the log is the mailbox.
    Log,
}

enum SendError {
    /// Trying again cannot help.
    Permanent(String),
    /// Trying again later may.
    Transient(String),
}

impl Postman {
    /// A worker for the SMTP server in `config`, or for the log when there is none.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let mailer = match &config.smtp_host {
            None => Mailer::Log,
            Some(host) => Mailer::Smtp {
                transport: Box::new(transport(config, host)?),
                from: config.smtp_from.parse().with_context(|| {
                    format!(
                        "--smtp-from {:?} is not a mail address, e.g. Access Portal \
                         <access@contoso.com>",
                        config.smtp_from
                    )
                })?,
            },
        };
        Ok(Self {
            mailer,
            owner: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// Send every message that is due now, then return. Tests call this instead of waiting
    /// for the worker's next round.
    pub async fn run_once(&self, state: &AppState) -> anyhow::Result<Round> {
        let mut round = Round::default();
        loop {
            let now = state.clock.now();
            let claimed = outbox::claim(&state.db, &self.owner, now, now + LEASE, BATCH).await?;
            let full = claimed.len() == BATCH as usize;
            for message in claimed {
                match self.mailer.send(&message).await {
                    Ok(()) => {
                        outbox::mark_sent(&state.db, &message.id, &self.owner, state.clock.now())
                            .await?;
                        round.sent += 1;
                    }
                    Err(SendError::Transient(error)) => {
                        let attempts = message.attempts + 1;
                        let retry_at = state.clock.now() + retry_delay(attempts);
                        tracing::warn!(id = %message.id, attempts, %error, %retry_at,
                            "cannot send an email yet; it stays in the outbox");
                        outbox::mark_failed(
                            &state.db,
                            &message.id,
                            &self.owner,
                            &error,
                            Some(retry_at),
                        )
                        .await?;
                        round.retried += 1;
                    }
                    Err(SendError::Permanent(error)) => {
                        tracing::error!(id = %message.id, to = %message.recipient_mail, %error,
                            "an email cannot be sent, ever; it stays in the outbox as failed");
                        outbox::mark_failed(&state.db, &message.id, &self.owner, &error, None)
                            .await?;
                        round.failed += 1;
                    }
                }
            }
            if !full {
                return Ok(round);
            }
        }
    }

    /// Send due messages every `interval`, for as long as the server runs.
    pub async fn run(self, state: AppState, interval: Duration) {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.run_once(&state).await {
                Ok(Round {
                    sent: 0,
                    retried: 0,
                    failed: 0,
                }) => {}
                Ok(round) => tracing::info!(?round, "emails processed"),
                Err(err) => tracing::warn!(error = %err, "cannot read the outbox"),
            }
        }
    }
}

impl Mailer {
    async fn send(&self, message: &Claimed) -> Result<(), SendError> {
        match self {
            Self::Log => {
                tracing::info!(
                    to = %format!("{} <{}>", message.recipient_name, message.recipient_mail),
                    subject = %message.subject,
                    body = %message.body,
                    "email (no SMTP server configured, so it is shown here instead)"
                );
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let email = compose(message, from)?;
                transport.send(email).await.map(|_| ()).map_err(|err| {
                    if err.is_permanent() {
                        SendError::Permanent(err.to_string())
                    } else {
                        SendError::Transient(err.to_string())
                    }
                })
            }
        }
    }
}

/// The email for one outbox message. Its Message-ID comes from the outbox id, so a receiver
/// can tell a repeat (after a crash between sending and marking) from a new message.
fn compose(message: &Claimed, from: &Mailbox) -> Result<Message, SendError> {
    let address: Address = message.recipient_mail.parse().map_err(|err| {
        SendError::Permanent(format!(
            "{:?} is not a mail address: {err}",
            message.recipient_mail
        ))
    })?;
    let to = Mailbox::new(Some(message.recipient_name.clone()), address);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}@{}>", message.id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN)
        .body(message.body.clone())
        .map_err(|err| SendError::Permanent(err.to_string()))
}

fn transport(config: &Config, host: &str) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let builder = match config.smtp_tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .with_context(|| format!("cannot use STARTTLS with {host}"))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .with_context(|| format!("cannot use TLS with {host}"))?,
    };
    let mut builder = builder
        .port(config.smtp_port.unwrap_or(config.smtp_tls.default_port()))
        .timeout(Some(SMTP_TIMEOUT));
    match (&config.smtp_username, &config.smtp_password) {
        (Some(user), Some(password)) => {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        (None, None) => {}
        _ => anyhow::bail!("give both --smtp-username and --smtp-password, or neither"),
    }
    Ok(builder.build())
}
