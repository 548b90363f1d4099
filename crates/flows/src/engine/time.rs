//! Instants as the session writes them (RFC 3339, microseconds, UTC) and simple arithmetic on
//! them; the current instant always comes from the caller's environment.

use chrono::{DateTime, Duration, SecondsFormat, Utc};

pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.with_timezone(&Utc))
}

pub fn after_minutes(t: DateTime<Utc>, minutes: u32) -> String {
    iso(t + Duration::minutes(i64::from(minutes)))
}

pub fn after_seconds(t: DateTime<Utc>, seconds: u32) -> String {
    iso(t + Duration::seconds(i64::from(seconds)))
}
