//! Dates as people read them, and the date arithmetic of the request form, done by the
//! browser's own Date so no date crate weighs on the download.

use js_sys::{Date, Object, Reflect};
use wasm_bindgen::JsValue;

/// "Nov 27, 2026" (in the browser's locale) from an RFC 3339 time; the input unchanged when
/// it is not a date.
pub fn date(iso: &str) -> String {
    let d = Date::new(&JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return iso.to_owned();
    }
    let options = Object::new();
    let _ = Reflect::set(&options, &"year".into(), &"numeric".into());
    let _ = Reflect::set(&options, &"month".into(), &"short".into());
    let _ = Reflect::set(&options, &"day".into(), &"numeric".into());
    d.to_locale_date_string("default", &options).into()
}

/// "Nov 27, 2026, 4:05 PM" from an RFC 3339 time.
pub fn date_time(iso: &str) -> String {
    let d = Date::new(&JsValue::from_str(iso));
    if d.get_time().is_nan() {
        return iso.to_owned();
    }
    d.to_locale_string("default", &JsValue::UNDEFINED).into()
}

/// Today in the user's time zone, as a date input writes it: `2026-11-27`.
pub fn today() -> String {
    input_value(&Date::new_0())
}

/// The date input value `days` after the date input value `from` (empty when `from` is not a
/// date).
pub fn add_days(from: &str, days: u32) -> String {
    match local_midnight(from) {
        Some(d) => {
            d.set_date(d.get_date() + days);
            input_value(&d)
        }
        None => String::new(),
    }
}

/// The RFC 3339 time of the start of a date input's day in the user's time zone.
pub fn start_of_day(value: &str) -> Option<String> {
    local_midnight(value).map(|d| String::from(d.to_iso_string()))
}

fn local_midnight(value: &str) -> Option<Date> {
    if value.len() != 10 {
        return None;
    }
    // Without a zone, the browser reads a date-time as local time.
    let d = Date::new(&JsValue::from_str(&format!("{value}T00:00:00")));
    (!d.get_time().is_nan()).then_some(d)
}

fn input_value(d: &Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

/// How long ago an RFC 3339 time was, in the largest whole unit: "3 days", "5 hours",
/// "12 minutes", "less than a minute".
pub fn age(iso: &str) -> String {
    let then = Date::new(&JsValue::from_str(iso)).get_time();
    if then.is_nan() {
        return String::new();
    }
    let minutes = ((Date::now() - then) / 60_000.0).max(0.0) as u64;
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

/// Whether an RFC 3339 time has come.
pub fn has_passed(iso: &str) -> bool {
    let at = Date::new(&JsValue::from_str(iso)).get_time();
    !at.is_nan() && at <= Date::now()
}
