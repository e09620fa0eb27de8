//! What time it is, behind a handle that tests can move, and the one text form of a time.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};

/// The server's clock: the system's time plus an offset that only tests change.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: Arc<Mutex<TimeDelta>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, to the second (times are stored to the second).
    pub fn now(&self) -> DateTime<Utc> {
        let offset = self.offset.lock().map(|o| *o).unwrap_or_default();
        truncate_to_seconds(Utc::now() + offset)
    }

    /// Move this clock (and every clone of it) by `by`; for tests that need time to pass.
    pub fn advance(&self, by: TimeDelta) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }
}

/// The stored and wire form of a time: fixed-width RFC 3339 in UTC, `2026-11-27T16:00:00Z`,
/// so that the text order of two times is their time order.
pub fn format(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Read a time as a requestor may write it: RFC 3339 with any offset, or a bare date (taken as
/// midnight UTC). `None` when it is neither.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(truncate_to_seconds(time.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
}

fn truncate_to_seconds(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(time.timestamp(), 0).unwrap_or(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_fixed_width_in_utc() {
        let time = parse("2026-12-01T09:30:00.123+01:00").unwrap();
        assert_eq!(format(time), "2026-12-01T08:30:00Z");
    }

    #[test]
    fn a_bare_date_is_midnight_utc() {
        assert_eq!(format(parse("2026-12-01").unwrap()), "2026-12-01T00:00:00Z");
        assert!(parse("next tuesday").is_none());
    }

    #[test]
    fn an_advanced_clock_moves_all_its_clones() {
        let clock = Clock::system();
        let clone = clock.clone();
        let before = clone.now();
        clock.advance(TimeDelta::days(3));
        assert!(clone.now() - before >= TimeDelta::days(3));
    }
}
