//! Dates: parsed, compared and computed with chrono (the request period, how long ago, whether
//! a time has come), and shown as people read them by the browser's `Intl`, in their locale.

use chrono::{DateTime, Days, Local, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

/// "Nov 27, 2026" (in the browser's locale) from an RFC 3339 time; the input unchanged when
/// it is not a date.
pub fn date(iso: &str) -> String {
    let Some(d) = js_date(iso) else {
        return iso.to_owned();
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"year".into(), &"numeric".into());
    let _ = Reflect::set(&options, &"month".into(), &"short".into());
    let _ = Reflect::set(&options, &"day".into(), &"numeric".into());
    d.to_locale_date_string("default", &options).into()
}

/// "Nov 27, 2026, 4:05 PM" from an RFC 3339 time.
pub fn date_time(iso: &str) -> String {
    match js_date(iso) {
        Some(d) => d.to_locale_string("default", &JsValue::UNDEFINED).into(),
        None => iso.to_owned(),
    }
}

/// Today in the user's time zone, as a date input writes it: `2026-11-27`.
pub fn today() -> String {
    Local::now().date_naive().to_string()
}

/// The date input value `days` after the date input value `from` (empty when `from` is not a
/// date).
pub fn add_days(from: &str, days: u32) -> String {
    input_date(from)
        .and_then(|d| d.checked_add_days(Days::new(days.into())))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// The RFC 3339 time of the start of a date input's day in the user's time zone.
pub fn start_of_day(value: &str) -> Option<String> {
    start_of_day_in(value, &Local)
}

/// How long ago an RFC 3339 time was, in the largest whole unit: "3 days", "5 hours",
/// "12 minutes", "less than a minute".
pub fn age(iso: &str) -> String {
    age_at(iso, Utc::now())
}

/// Whether an RFC 3339 time has come.
pub fn has_passed(iso: &str) -> bool {
    has_passed_at(iso, Utc::now())
}

/// A date input's value (`2026-12-01`) as a date: read as that day's start in RFC 3339, whose
/// parser the app has for the server's times anyway, rather than by chrono's general format
/// parser, which would be downloaded for this alone.
fn input_date(value: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(&format!("{value}T00:00:00Z"))
        .ok()
        .map(|at| at.date_naive())
}

fn start_of_day_in<Z: TimeZone>(value: &str, zone: &Z) -> Option<String> {
    let midnight = input_date(value)?.and_time(NaiveTime::MIN);
    // Where the clocks skip midnight, the day starts at the first moment it has.
    let start = zone.from_local_datetime(&midnight).earliest()?;
    Some(
        start
            .with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

fn age_at(iso: &str, now: DateTime<Utc>) -> String {
    let Ok(then) = DateTime::parse_from_rfc3339(iso) else {
        return String::new();
    };
    let minutes = (now - then.with_timezone(&Utc)).num_minutes().max(0);
    let (n, unit) = match minutes {
        0 => return "less than a minute".to_owned(),
        m if m < 60 => (m, "minute"),
        m if m < 60 * 24 => (m / 60, "hour"),
        m => (m / (60 * 24), "day"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn has_passed_at(iso: &str, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(iso).is_ok_and(|at| at <= now)
}

/// The browser's Date of an RFC 3339 time, for `Intl` to format.
fn js_date(iso: &str) -> Option<Date> {
    let at = DateTime::parse_from_rfc3339(iso).ok()?;
    Some(Date::new(&JsValue::from_f64(at.timestamp_millis() as f64)))
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    fn at(iso: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(iso)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_period_end_is_counted_in_days_from_its_start() {
        assert_eq!(add_days("2026-11-27", 30), "2026-12-27");
        assert_eq!(add_days("2026-02-20", 14), "2026-03-06");
        assert_eq!(add_days("", 30), "");
        assert_eq!(add_days("27/11/2026", 30), "");
        assert_eq!(add_days("2026-02-30", 1), "");
        assert_eq!(add_days("2026-11-27T12:00", 1), "");
    }

    #[test]
    fn a_day_starts_at_midnight_in_the_users_time_zone() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            start_of_day_in("2026-11-27", &berlin).as_deref(),
            Some("2026-11-26T23:00:00.000Z")
        );
        assert_eq!(
            start_of_day_in("2026-11-27", &Utc).as_deref(),
            Some("2026-11-27T00:00:00.000Z")
        );
        assert_eq!(start_of_day_in("2026-11", &Utc), None);
    }

    #[test]
    fn an_age_is_said_in_its_largest_whole_unit() {
        let now = at("2026-11-27T16:00:00Z");
        assert_eq!(age_at("2026-11-27T15:59:30Z", now), "less than a minute");
        assert_eq!(age_at("2026-11-27T15:48:00Z", now), "12 minutes");
        assert_eq!(age_at("2026-11-27T15:00:00Z", now), "1 hour");
        assert_eq!(age_at("2026-11-24T10:00:00Z", now), "3 days");
        // A clock a little ahead of the browser's is no negative age.
        assert_eq!(age_at("2026-11-27T16:05:00Z", now), "less than a minute");
        assert_eq!(age_at("yesterday", now), "");
    }

    #[test]
    fn the_extension_window_is_open_once_its_time_has_come() {
        let now = at("2026-11-27T16:00:00Z");
        assert!(has_passed_at("2026-11-27T16:00:00Z", now));
        assert!(has_passed_at("2026-11-27T17:00:00+02:00", now));
        assert!(!has_passed_at("2026-11-28T00:00:00Z", now));
        assert!(!has_passed_at("not a time", now));
    }
}
