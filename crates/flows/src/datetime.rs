//! Dates, times of day and zoned datetimes of the format, and how people's text becomes one:
//! ISO forms first, then day/month/year in the environment's order, then a time of day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::env::{DateOrder, Env};
use crate::regexes;

/// Where a datetime is shown: a named zone (DST-aware) or a bare offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Named(Tz),
    /// Seconds east of UTC; the zone has no name (like an offset parsed from text).
    Fixed(i32),
}

/// An instant together with the zone it is shown in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XDateTime {
    utc: NaiveDateTime,
    zone: Zone,
}

/// A time of day with nanosecond precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct TimeOfDay {
    nanos: u64,
}

const NANOS_PER_SEC: u64 = 1_000_000_000;

impl TimeOfDay {
    pub fn new(hour: u32, minute: u32, second: u32, nano: u32) -> Option<Self> {
        if hour > 23 || minute > 59 || second > 59 || nano >= 1_000_000_000 {
            return None;
        }
        let secs = u64::from(hour) * 3600 + u64::from(minute) * 60 + u64::from(second);
        Some(Self { nanos: secs * NANOS_PER_SEC + u64::from(nano) })
    }

    pub fn from_naive(t: NaiveTime) -> Self {
        let secs = u64::from(t.num_seconds_from_midnight());
        // A leap second shows as nanos ≥ 1e9 in chrono; fold it into the last second.
        let nano = u64::from(t.nanosecond().min(999_999_999));
        Self { nanos: secs * NANOS_PER_SEC + nano }
    }

    pub fn hour(&self) -> u32 {
        u32::try_from(self.nanos / NANOS_PER_SEC / 3600).unwrap_or(0)
    }
    pub fn minute(&self) -> u32 {
        u32::try_from(self.nanos / NANOS_PER_SEC / 60 % 60).unwrap_or(0)
    }
    pub fn second(&self) -> u32 {
        u32::try_from(self.nanos / NANOS_PER_SEC % 60).unwrap_or(0)
    }
    pub fn nano(&self) -> u32 {
        u32::try_from(self.nanos % NANOS_PER_SEC).unwrap_or(0)
    }

    pub fn to_naive(&self) -> NaiveTime {
        NaiveTime::from_hms_nano_opt(self.hour(), self.minute(), self.second(), self.nano()).unwrap_or(NaiveTime::MIN)
    }

    /// `hh:mm:ss.ffffff`, the format's canonical text for a time.
    pub fn to_text(&self) -> String {
        format!("{:02}:{:02}:{:02}.{:06}", self.hour(), self.minute(), self.second(), self.nano() / 1000)
    }
}

impl Zone {
    /// Seconds east of UTC at the given instant.
    pub fn offset_at(&self, utc: &NaiveDateTime) -> i32 {
        match self {
            Zone::Named(tz) => tz.offset_from_utc_datetime(utc).fix().local_minus_utc(),
            Zone::Fixed(s) => *s,
        }
    }

    /// The zone's name as the format reports it (`tz()`): empty for a bare offset.
    pub fn name(&self) -> String {
        match self {
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(_) => String::new(),
        }
    }
}

impl XDateTime {
    pub fn from_utc(utc: NaiveDateTime, zone: Zone) -> Self {
        Self { utc, zone }
    }

    pub fn from_instant(dt: DateTime<Utc>, zone: Zone) -> Self {
        Self { utc: dt.naive_utc(), zone }
    }

    /// The instant for a wall-clock time in a zone; a time skipped by a DST change moves
    /// forward an hour, as people expect.
    pub fn from_local(local: NaiveDateTime, zone: Zone) -> Option<Self> {
        match zone {
            Zone::Fixed(off) => Some(Self { utc: local - Duration::seconds(i64::from(off)), zone }),
            Zone::Named(tz) => {
                let resolved = tz
                    .from_local_datetime(&local)
                    .earliest()
                    .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())?;
                Some(Self { utc: resolved.naive_utc(), zone })
            }
        }
    }

    pub fn instant(&self) -> NaiveDateTime {
        self.utc
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    pub fn offset_seconds(&self) -> i32 {
        self.zone.offset_at(&self.utc)
    }

    /// Wall-clock time in the datetime's own zone.
    pub fn local(&self) -> NaiveDateTime {
        self.utc + Duration::seconds(i64::from(self.offset_seconds()))
    }

    pub fn in_zone(&self, zone: Zone) -> Self {
        Self { utc: self.utc, zone }
    }

    pub fn date(&self) -> NaiveDate {
        self.local().date()
    }

    pub fn time(&self) -> TimeOfDay {
        TimeOfDay::from_naive(self.local().time())
    }

    /// RFC 3339 with microseconds, `Z` for a zero offset: the format's canonical text.
    pub fn to_iso(&self) -> String {
        let l = self.local();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}{}",
            l.year(),
            l.month(),
            l.day(),
            l.hour(),
            l.minute(),
            l.second(),
            l.nanosecond().min(999_999_999) / 1000,
            offset_text(self.offset_seconds(), true, true)
        )
    }

    /// Unix time in nanoseconds.
    pub fn unix_nanos(&self) -> i128 {
        let dt = self.utc.and_utc();
        i128::from(dt.timestamp()) * 1_000_000_000 + i128::from(dt.timestamp_subsec_nanos())
    }
}

/// `Z` or `+hh:mm` (`colon`), or `+hhmm`.
pub fn offset_text(secs: i32, z_for_zero: bool, colon: bool) -> String {
    if secs == 0 && z_for_zero {
        return "Z".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    if colon {
        format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
    } else {
        format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60)
    }
}

/// `YYYY-MM-DD`, the canonical text of a date.
pub fn date_text(d: &NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A date from parts with overflow carried into the next month or year (Feb 31 → Mar 3),
/// as the reference engine does.
pub fn date_normalized(year: i64, month: i64, day: i64) -> Option<NaiveDate> {
    let m0 = month.checked_sub(1)?;
    let y = year.checked_add(m0.div_euclid(12))?;
    let m = u32::try_from(m0.rem_euclid(12) + 1).ok()?;
    let first = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, 1)?;
    first.checked_add_signed(Duration::try_days(day.checked_sub(1)?)?)
}

/// Adds years, months and days to a wall-clock time, normalising like Go's `AddDate`.
pub fn add_date(local: NaiveDateTime, years: i64, months: i64, days: i64) -> Option<NaiveDateTime> {
    let d = local.date();
    let date = date_normalized(
        i64::from(d.year()).checked_add(years)?,
        i64::from(d.month()).checked_add(months)?,
        i64::from(d.day()).checked_add(days)?,
    )?;
    Some(date.and_time(local.time()))
}

/// The zone for an offset parsed from text: the environment's zone when it agrees (so the
/// datetime keeps its name), otherwise a bare offset.
fn zone_for_offset(env: &Env, utc: &NaiveDateTime, offset: i32, is_z: bool) -> Zone {
    if is_z {
        return Zone::Named(Tz::UTC);
    }
    let tz = Zone::Named(env.timezone);
    if tz.offset_at(utc) == offset {
        tz
    } else {
        Zone::Fixed(offset)
    }
}

/// Parses the ISO forms `YYYY-MM-DDThh:mm[:ss[.f]](Z|±hh:mm)`.
pub fn parse_iso_datetime(env: &Env, s: &str) -> Option<XDateTime> {
    let parts = engine_timestamp(s).or_else(|| iso_parts(s))?;
    let num = |p: &str| p.parse::<u32>().ok();
    let year = i32::try_from(num(parts.year)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, num(parts.month)?, num(parts.day)?)?;
    let nano = parts.fraction.map(frac_to_nanos).unwrap_or(0);
    let second = match parts.second {
        Some(p) => num(p)?,
        None => 0,
    };
    let time = NaiveTime::from_hms_nano_opt(num(parts.hour)?, num(parts.minute)?, second, nano)?;
    let local = date.and_time(time);
    let zone_text = parts.zone;
    let (offset, is_z) = if zone_text == "Z" || zone_text == "z" {
        (0, true)
    } else {
        let sign = if zone_text.starts_with('-') { -1 } else { 1 };
        let h: i32 = zone_text.get(1..3)?.parse().ok()?;
        let m: i32 = zone_text.get(4..6)?.parse().ok()?;
        (sign * (h * 3600 + m * 60), false)
    };
    let utc = local - Duration::seconds(i64::from(offset));
    Some(XDateTime::from_utc(utc, zone_for_offset(env, &utc, offset, is_z)))
}

/// The fields of an ISO 8601 datetime, as the pattern captures them.
#[derive(Debug, PartialEq, Eq)]
struct IsoParts<'a> {
    year: &'a str,
    month: &'a str,
    day: &'a str,
    hour: &'a str,
    minute: &'a str,
    second: Option<&'a str>,
    fraction: Option<&'a str>,
    zone: &'a str,
}

fn iso_parts(s: &str) -> Option<IsoParts<'_>> {
    let caps = regexes::iso_datetime()?.captures(s)?;
    let part = |i: usize| caps.get(i).map(|m| m.as_str());
    Some(IsoParts {
        year: part(1)?,
        month: part(2)?,
        day: part(3)?,
        hour: part(4)?,
        minute: part(5)?,
        second: part(6),
        fraction: part(7),
        zone: part(8)?,
    })
}

/// The fields of a timestamp as the engine writes them (`2025-03-01T12:00:00.000000Z`, every
/// step and result has one), without the pattern; `None` for any other text.
fn engine_timestamp(s: &str) -> Option<IsoParts<'_>> {
    const SHAPE: &[u8; 27] = b"dddd-dd-ddTdd:dd:dd.ddddddZ";
    let b = s.as_bytes();
    let fits = b.len() == SHAPE.len()
        && b.iter().zip(SHAPE.iter()).all(|(c, want)| if *want == b'd' { c.is_ascii_digit() } else { c == want });
    if !fits {
        return None;
    }
    Some(IsoParts {
        year: s.get(0..4)?,
        month: s.get(5..7)?,
        day: s.get(8..10)?,
        hour: s.get(11..13)?,
        minute: s.get(14..16)?,
        second: s.get(17..19),
        fraction: s.get(20..26),
        zone: s.get(26..27)?,
    })
}

fn frac_to_nanos(f: &str) -> u32 {
    let digits: String = f.chars().take(9).collect();
    let n: u32 = digits.parse().unwrap_or(0);
    n * 10u32.pow(9 - u32::try_from(digits.len()).unwrap_or(9))
}

/// Finds a date in text typed by a person, returning it and the text after it.
pub fn parse_date<'a>(env: &Env, s: &'a str) -> Option<(NaiveDate, &'a str)> {
    let s = s.trim_matches([' ', '\n', '\r', '\t']);
    if let Some(prefix) = s.get(..10) {
        if let Some(d) = parse_iso_date(prefix) {
            return Some((d, &s[10..]));
        }
    }
    let current_year = env.now.year();
    let (re, di, mi, yi) = match env.date_order() {
        DateOrder::YearMonthDay => (regexes::year_month_day()?, 3, 2, 1),
        DateOrder::DayMonthYear => (regexes::day_month_year()?, 1, 2, 3),
        DateOrder::MonthDayYear => (regexes::day_month_year()?, 2, 1, 3),
    };
    for caps in re.captures_iter(s) {
        let day: u32 = caps.get(di).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let month: u32 = caps.get(mi).and_then(|m| m.as_str().parse().ok()).unwrap_or(0);
        let year_text = caps.get(yi).map(|m| m.as_str()).unwrap_or("");
        let mut year: i32 = year_text.parse().unwrap_or(0);
        if day == 0 || day > 31 || month == 0 || month > 12 {
            continue;
        }
        if year_text.len() == 2 {
            year += if year > current_year % 1000 { 1900 } else { 2000 };
        }
        // A date that does not exist (31/02) is not a date, though it looks like one.
        let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else { continue };
        let end = caps.get(0).map(|m| m.end()).unwrap_or(s.len());
        return Some((date, &s[end..]));
    }
    None
}

/// Strict `YYYY-MM-DD`.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let all_digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if !all_digits(0..4) || !all_digits(5..7) || !all_digits(8..10) {
        return None;
    }
    NaiveDate::from_ymd_opt(s[0..4].parse().ok()?, s[5..7].parse().ok()?, s[8..10].parse().ok()?)
}

/// Finds a time of day in text typed by a person (`10:30`, `10 PM`, `10:30:45.5`).
pub fn parse_time(s: &str) -> Option<TimeOfDay> {
    let re = regexes::time_of_day()?;
    for caps in re.captures_iter(s) {
        let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok()).unwrap_or(0);
        let mut hour = num(1);
        let minute = num(2);
        let second = num(3);
        let ampm = caps.get(5).map(|m| m.as_str().to_lowercase()).unwrap_or_default();
        if hour < 12 && ampm == "pm" {
            hour += 12;
        } else if hour == 12 && ampm == "am" {
            hour = 0;
        }
        let nano = caps.get(4).map(|m| frac_to_nanos(m.as_str())).unwrap_or(0);
        if hour == 24 && minute == 0 && second == 0 && nano == 0 {
            hour = 0;
        }
        if let Some(t) = TimeOfDay::new(hour, minute, second, nano) {
            return Some(t);
        }
    }
    None
}

/// Text to datetime: ISO forms, else a date then maybe a time; with `fill_time` a date alone
/// takes the current time of day (router date tests), otherwise midnight.
pub fn datetime_from_string(env: &Env, s: &str, fill_time: bool) -> Option<XDateTime> {
    let s = s.trim_matches([' ', '\n', '\r', '\t']);
    if let Some(dt) = parse_iso_datetime(env, s) {
        return Some(dt);
    }
    let (date, rest) = parse_date(env, s)?;
    let time = match parse_time(rest) {
        Some(t) => t,
        None if fill_time => now_in_env(env).time(),
        None => TimeOfDay::default(),
    };
    XDateTime::from_local(date.and_time(time.to_naive()), Zone::Named(env.timezone))
}

/// The current time shown in the environment's zone.
pub fn now_in_env(env: &Env) -> XDateTime {
    XDateTime::from_instant(env.now, Zone::Named(env.timezone))
}

/// Midnight of a date in the environment's zone.
pub fn date_to_datetime(env: &Env, d: &NaiveDate) -> Option<XDateTime> {
    XDateTime::from_local(d.and_time(NaiveTime::MIN), Zone::Named(env.timezone))
}

/// Week number with weeks starting on Sunday and the week of January 1st as week 1.
pub fn week_number(d: &NaiveDate) -> u32 {
    let jan1 = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(*d);
    (d.ordinal0() + jan1.weekday().num_days_from_sunday()) / 7 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_timestamps_have_the_pattern_fields() {
        for s in ["2025-03-01T12:00:00.000000Z", "2024-02-29T23:59:59.123456Z", "2025-02-30T99:00:00.000000Z"] {
            assert_eq!(engine_timestamp(s), iso_parts(s), "{s}");
            assert!(engine_timestamp(s).is_some());
        }
        for s in [
            "2025-03-01T12:00:00.000000z",
            "2025-03-01T12:00:00Z",
            "2025-03-01T12:00:00.000000+02:00",
            "2025-03-01 12:00:00.000000Z",
            "٢025-03-01T12:00:00.000000Z",
        ] {
            assert_eq!(engine_timestamp(s), None, "{s}");
        }
    }

    fn env(order: &str, tz: &str) -> Env {
        let now = Utc.with_ymd_and_hms(2018, 4, 11, 13, 24, 30).unwrap();
        let mut e = Env::new(now);
        e.date_format = order.into();
        e.timezone = tz.parse().unwrap();
        e
    }

    #[test]
    fn dates_in_text_follow_the_environment_order() {
        let e = env("DD-MM-YYYY", "UTC");
        assert_eq!(parse_date(&e, "it was 15/01/2017").unwrap().0, NaiveDate::from_ymd_opt(2017, 1, 15).unwrap());
        assert!(parse_date(&e, "31/02/2022").is_none());
        assert_eq!(parse_date(&e, "1.10.99").unwrap().0.year(), 1999);
        assert_eq!(parse_date(&e, "3.10.01").unwrap().0.year(), 2001);
        let us = env("MM-DD-YYYY", "UTC");
        assert_eq!(parse_date(&us, "01/15/2017").unwrap().0.day(), 15);
    }

    #[test]
    fn times_in_text() {
        assert_eq!(parse_time("the time is 10 PM").unwrap().to_text(), "22:00:00.000000");
        assert_eq!(parse_time("10:30:45.5").unwrap().to_text(), "10:30:45.500000");
        assert!(parse_time("just the number 25").is_none());
    }

    #[test]
    fn iso_text_keeps_its_offset() {
        let e = env("DD-MM-YYYY", "America/Guayaquil");
        let dt = datetime_from_string(&e, "2017-06-12T18:56:59.000000+02:00", false).unwrap();
        assert_eq!(dt.to_iso(), "2017-06-12T18:56:59.000000+02:00");
        let z = datetime_from_string(&e, "1979-07-18T10:30:45.123456Z", false).unwrap();
        assert_eq!(z.zone().name(), "UTC");
        let local = datetime_from_string(&e, "1979-07-18", false).unwrap();
        assert_eq!(local.to_iso(), "1979-07-18T00:00:00.000000-05:00");
    }

    #[test]
    fn overflowing_parts_carry() {
        assert_eq!(date_normalized(2017, 2, 31), NaiveDate::from_ymd_opt(2017, 3, 3));
        assert_eq!(week_number(&NaiveDate::from_ymd_opt(2019, 7, 23).unwrap()), 30);
    }
}
