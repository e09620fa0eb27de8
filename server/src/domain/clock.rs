//! What time it is, behind a handle that tests can move, and the one text form of a time.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, Utc};

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
/// midnight UTC). `None` when it is neither, or when it falls outside the years 0001 to 9999
/// once in UTC (`9999-12-31T23:59:59-23:59` is in the year 10000), which the fixed-width
/// form cannot hold.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    read(text).ok()
}

/// Why a text is not a time the portal can keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTime {
    /// Neither RFC 3339 nor a bare date.
    NotATime,
    /// A time, but before 0001-01-01 or after 9999-12-31 in UTC.
    OutOfRange,
}

/// `parse`, saying why a text is not a time.
pub fn read(text: &str) -> Result<DateTime<Utc>, BadTime> {
    let text = text.trim();
    let time = match DateTime::parse_from_rfc3339(text) {
        Ok(time) => truncate_to_seconds(time.with_timezone(&Utc)),
        Err(_) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|time| time.and_utc())
            .ok_or(BadTime::NotATime)?,
    };
    if (1..=9999).contains(&time.year()) {
        Ok(time)
    } else {
        Err(BadTime::OutOfRange)
    }
}

/// A time the portal wrote itself, read back. One that does not read is a fault to surface,
/// never something to replace with "now": a grant must not silently start today.
pub fn stored(text: &str) -> anyhow::Result<DateTime<Utc>> {
    parse(text).ok_or_else(|| anyhow::anyhow!("the stored time {text:?} is not an RFC 3339 time"))
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
    fn a_time_that_leaves_the_years_0001_to_9999_in_utc_is_refused() {
        assert_eq!(read("9999-12-31T23:59:59-23:59"), Err(BadTime::OutOfRange));
        assert_eq!(read("0001-01-01T00:00:00+01:00"), Err(BadTime::OutOfRange));
        assert_eq!(read("tomorrow"), Err(BadTime::NotATime));
        assert_eq!(
            read("9999-12-31T23:59:59Z").map(format).as_deref(),
            Ok("9999-12-31T23:59:59Z")
        );
    }

    #[test]
    fn a_stored_time_that_does_not_read_is_an_error_not_now() {
        assert!(stored("+10000-01-01T23:58:59Z").is_err());
        assert_eq!(
            format(stored("2026-12-01T00:00:00Z").unwrap()),
            "2026-12-01T00:00:00Z"
        );
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
