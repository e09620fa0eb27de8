//! The time sweep: the changes that come due with time rather than with a click. Each is a
//! conditional update, so several server instances may sweep at once and each change still
//! happens once, with one audit entry and one email. A row that cannot be processed is logged
//! and skipped: it never stops the changes due to everyone else.

use std::time::Duration;

use crate::state::AppState;
use crate::store::requests;

/// What one sweep changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Scheduled requests whose start came: delivered.
    pub delivered: usize,
    /// Pending requests nobody decided in time: expired.
    pub expired_requests: usize,
    /// Access whose end passed: expired.
    pub expired_assignments: usize,
    /// Reminders written (14 days and 1 day before access ends).
    pub reminders: usize,
    /// Due rows that could not be processed (each logged); they are tried again next time.
    pub failed: usize,
}

/// Make every change that is due at the state's clock's now. Every step runs even when an
/// earlier one fails; the first failure to read the due rows is returned after all have run.
pub async fn run_once(state: &AppState) -> anyhow::Result<Swept> {
    let now = state.clock.now();
    let (db, links) = (&state.db, state.links());
    let delivered = requests::deliver_scheduled(db, now, &links).await;
    let expired_requests = requests::expire_undecided(db, now, &links).await;
    let expired_assignments = requests::expire_assignments(db, now).await;
    let reminders = requests::remind_expiring(db, now, &links).await;
    let (delivered, expired_requests, expired_assignments, reminders) = (
        delivered?,
        expired_requests?,
        expired_assignments?,
        reminders?,
    );
    Ok(Swept {
        delivered: delivered.done,
        expired_requests: expired_requests.done,
        expired_assignments: expired_assignments.done,
        reminders: reminders.done,
        failed: delivered.failed
            + expired_requests.failed
            + expired_assignments.failed
            + reminders.failed,
    })
}

/// Sweep every `interval`, for as long as the server runs.
pub async fn run(state: AppState, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_once(&state).await {
            Ok(swept) if swept == Swept::default() => {}
            Ok(swept) => tracing::info!(?swept, "time sweep"),
            Err(err) => tracing::warn!(error = %err, "the time sweep failed; it runs again later"),
        }
    }
}
