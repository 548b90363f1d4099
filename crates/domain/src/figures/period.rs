//! Days, ISO weeks and calendar months in UTC, as the figures count them: counters are stored
//! per day (days since 1970-01-01), and the dashboard and the public page group days into periods.
//!
//! The calendar arithmetic is done here by hand (proleptic Gregorian, Howard Hinnant's
//! days-from-civil algorithms) so the domain needs no date crate. Days are `i32`; periods that
//! would start or end beyond the `i32` range (millions of years away) saturate at its ends.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::vocabulary::ParseError;

/// Milliseconds in one UTC day (no leap seconds, as in Unix time).
const MS_PER_DAY: i64 = 86_400_000;

/// At most this many periods come out of [`periods`]: about ten years of days, seventy years of
/// weeks or three centuries of months. It keeps a mistaken range (a day from year 1 to today)
/// from building a huge list.
pub const MAX_PERIODS: usize = 3700;

/// The UTC day a moment falls on, as days since 1970-01-01: `ms` is milliseconds since the Unix
/// epoch. Moments before 1970 give negative days (floor, so -1 ms is day -1).
pub fn day_of(ms: i64) -> i32 {
    clamp_day(ms.div_euclid(MS_PER_DAY))
}

/// How finely figures are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One UTC day.
    Day,
    /// One ISO week, Monday to Sunday.
    Week,
    /// One calendar month.
    Month,
}

impl Granularity {
    /// Every granularity, finest first.
    pub const ALL: &'static [Granularity] = &[Granularity::Day, Granularity::Week, Granularity::Month];

    /// The name used in URLs and JSON: `day`, `week` or `month`.
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }
}

impl FromStr for Granularity {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "day" => Ok(Granularity::Day),
            "week" => Ok(Granularity::Week),
            "month" => Ok(Granularity::Month),
            _ => Err(ParseError::Unknown { what: "granularity", allowed: "day week month" }),
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One day, ISO week or calendar month, named by its granularity and its first day. Periods of
/// one granularity order oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Day, week or month.
    pub granularity: Granularity,
    /// The first day of the period (days since 1970-01-01): the day itself, the Monday of the
    /// week, or the 1st of the month.
    pub first_day: i32,
}

impl Period {
    /// The period of granularity `g` that contains `day`.
    pub fn containing(g: Granularity, day: i32) -> Period {
        let first_day = match g {
            Granularity::Day => day,
            Granularity::Week => clamp_day(i64::from(day) - weekday_from_monday(i64::from(day))),
            Granularity::Month => {
                let (y, m, _) = civil_from_days(i64::from(day));
                clamp_day(days_from_civil(y, m, 1))
            }
        };
        Period { granularity: g, first_day }
    }

    /// The last day of the period (inclusive).
    pub fn last_day(self) -> i32 {
        let first = i64::from(self.first_day);
        match self.granularity {
            Granularity::Day => self.first_day,
            Granularity::Week => clamp_day(first + 6),
            Granularity::Month => {
                let (y, m, _) = civil_from_days(first);
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                clamp_day(days_from_civil(ny, nm, 1) - 1)
            }
        }
    }

    /// The period right after this one (saturating at the end of the `i32` day range).
    pub fn next(self) -> Period {
        Period::containing(self.granularity, clamp_day(i64::from(self.last_day()) + 1))
    }

    /// The period right before this one (saturating at the start of the `i32` day range).
    pub fn previous(self) -> Period {
        Period::containing(self.granularity, clamp_day(i64::from(self.first_day) - 1))
    }

    /// Its days, first to last.
    pub fn days(self) -> RangeInclusive<i32> {
        self.first_day..=self.last_day()
    }

    /// Its name for people and URLs: `2026-12-04` for a day, `2026-W49` for an ISO week (the
    /// year is the ISO week-year, so 2024-12-30 is in `2025-W01`), `2026-12` for a month.
    pub fn label(self) -> String {
        match self.granularity {
            Granularity::Day => format_day(self.first_day),
            Granularity::Week => {
                // The ISO week belongs to the year its Thursday falls in.
                let thursday = i64::from(self.first_day) + 3;
                let (y, _, _) = civil_from_days(thursday);
                let week = (thursday - days_from_civil(y, 1, 1)) / 7 + 1;
                format!("{}-W{week:02}", format_year(y))
            }
            Granularity::Month => {
                let (y, m, _) = civil_from_days(i64::from(self.first_day));
                format!("{}-{m:02}", format_year(y))
            }
        }
    }

    /// Whether the period is old enough to publish on `today`: its last day is more than
    /// `delay_days` days before today (`last_day + delay_days < today`). With a delay of 0 a
    /// period is closed the day after it ends.
    pub fn closed_before(self, today: i32, delay_days: i32) -> bool {
        i64::from(self.last_day()) + i64::from(delay_days) < i64::from(today)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The periods of granularity `g` that cover the days `from_day..=to_day`, oldest first; empty
/// when `from_day > to_day`. The first and last periods may stick out of the range (a month
/// containing `from_day` starts on the 1st).
///
/// At most [`MAX_PERIODS`] periods are returned: a longer range is clipped to its most recent
/// periods (those ending with the one containing `to_day`), because dashboards look back from
/// now.
pub fn periods(g: Granularity, from_day: i32, to_day: i32) -> Vec<Period> {
    let mut out = Vec::new();
    if from_day > to_day {
        return out;
    }
    let mut p = Period::containing(g, to_day);
    loop {
        out.push(p);
        if out.len() >= MAX_PERIODS || p.first_day <= from_day || p.first_day == i32::MIN {
            break;
        }
        p = p.previous();
    }
    out.reverse();
    out
}

/// The calendar months from the one containing `from_day` that may be published on `today`:
/// those whose last day is more than `delay_days` before today (see [`Period::closed_before`]),
/// oldest first and clipped like [`periods`].
pub fn published_months(today: i32, delay_days: i32, from_day: i32) -> Vec<Period> {
    periods(Granularity::Month, from_day, today).into_iter().filter(|p| p.closed_before(today, delay_days)).collect()
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayError {
    /// Not ten characters of the shape `YYYY-MM-DD` with ASCII digits.
    #[error("a date must be written YYYY-MM-DD")]
    Format,
    /// The shape is right but the calendar has no such day (month 13, 31 April, 29 February of a
    /// common year).
    #[error("there is no such date")]
    NoSuchDate,
}

/// Reads a date written `YYYY-MM-DD` (years 0000 to 9999) as days since 1970-01-01.
pub fn parse_day(s: &str) -> Result<i32, DayError> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err(DayError::Format);
    }
    let number = |range: std::ops::Range<usize>| -> Result<u32, DayError> {
        let digits = b.get(range).ok_or(DayError::Format)?;
        digits.iter().try_fold(0u32, |acc, &c| {
            if c.is_ascii_digit() {
                Ok(acc * 10 + u32::from(c - b'0'))
            } else {
                Err(DayError::Format)
            }
        })
    };
    let year = i64::from(number(0..4)?);
    let month = number(5..7)?;
    let day = number(8..10)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(DayError::NoSuchDate);
    }
    Ok(clamp_day(days_from_civil(year, month, day)))
}

/// Writes a day (days since 1970-01-01) as `YYYY-MM-DD`; years before 0 or after 9999 (which
/// [`parse_day`] does not read back) get a sign or more digits.
pub fn format_day(day: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(day));
    format!("{}-{m:02}-{d:02}", format_year(y))
}

/// The last day of the calendar month containing `day`.
pub fn month_end_day(day: i32) -> i32 {
    Period::containing(Granularity::Month, day).last_day()
}

fn format_year(y: i64) -> String {
    if y < 0 {
        format!("{y:05}")
    } else {
        format!("{y:04}")
    }
}

fn clamp_day(day: i64) -> i32 {
    i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX })
}

/// 0 for Monday through 6 for Sunday; 1970-01-01 was a Thursday.
fn weekday_from_monday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month 1-12, day 1-31) of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Both are small and non-negative by construction (day 1-31, month 1-12).
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i32 {
        parse_day(s).unwrap()
    }

    #[test]
    fn day_of_floors_before_the_epoch() {
        assert_eq!(day_of(0), 0);
        assert_eq!(day_of(MS_PER_DAY - 1), 0);
        assert_eq!(day_of(MS_PER_DAY), 1);
        assert_eq!(day_of(-1), -1);
        assert_eq!(day_of(-MS_PER_DAY), -1);
        assert_eq!(day_of(-MS_PER_DAY - 1), -2);
        // 2026-12-07T21:14:41Z
        assert_eq!(format_day(day_of(1_796_678_081_000)), "2026-12-07");
        assert_eq!(day_of(i64::MAX), i32::MAX);
        assert_eq!(day_of(i64::MIN), i32::MIN);
    }

    #[test]
    fn granularity_round_trips_through_its_name() {
        for g in Granularity::ALL {
            assert_eq!(g.as_str().parse::<Granularity>().unwrap(), *g);
            assert_eq!(serde_json::to_string(g).unwrap(), format!("\"{}\"", g.as_str()));
        }
        assert!("Week".parse::<Granularity>().is_err());
        assert!("".parse::<Granularity>().is_err());
    }

    #[test]
    fn parse_and_format_round_trip_over_centuries() {
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(day("1969-12-31"), -1);
        assert_eq!(day("2000-03-01"), 11_017);
        for d in (-719_528..=2_932_896).step_by(97) {
            assert_eq!(day(&format_day(d)), d, "{}", format_day(d));
        }
        assert_eq!(format_day(-719_528), "0000-01-01");
        assert_eq!(format_day(2_932_896), "9999-12-31");
        assert_eq!(format_day(-719_529), "-0001-12-31");
    }

    #[test]
    fn parse_day_refuses_bad_input_clearly() {
        for bad in
            ["", "2026-1-01", "2026/12/04", "20261204", "2026-12-04 ", "２０２６-12-04", "+026-12-04", "2026-12-0a"]
        {
            assert_eq!(parse_day(bad), Err(DayError::Format), "{bad:?}");
        }
        for bad in ["2026-13-01", "2026-00-10", "2026-04-31", "2026-02-29", "1900-02-29", "2026-12-00"] {
            assert_eq!(parse_day(bad), Err(DayError::NoSuchDate), "{bad:?}");
        }
        assert!(parse_day("2024-02-29").is_ok());
        assert!(parse_day("2000-02-29").is_ok());
        assert!(parse_day(&"9".repeat(10_000)).is_err());
    }

    #[test]
    fn weeks_start_on_monday_and_carry_the_iso_week_year() {
        let w = Period::containing(Granularity::Week, day("2026-12-04"));
        assert_eq!(format_day(w.first_day), "2026-11-30");
        assert_eq!(format_day(w.last_day()), "2026-12-06");
        assert_eq!(w.label(), "2026-W49");
        assert_eq!(Period::containing(Granularity::Week, day("2026-11-30")), w);
        assert_eq!(Period::containing(Granularity::Week, day("2026-12-06")), w);
        // Week-year differs from the calendar year at both ends.
        assert_eq!(Period::containing(Granularity::Week, day("2024-12-30")).label(), "2025-W01");
        assert_eq!(Period::containing(Granularity::Week, day("2021-01-03")).label(), "2020-W53");
        assert_eq!(Period::containing(Granularity::Week, day("2026-01-01")).label(), "2026-W01");
        assert_eq!(Period::containing(Granularity::Week, day("2027-01-01")).label(), "2026-W53");
        assert_eq!(Period::containing(Granularity::Week, day("1970-01-01")).label(), "1970-W01");
        // Before the epoch the floor still lands on a Monday.
        let old = Period::containing(Granularity::Week, -1);
        assert_eq!(format_day(old.first_day), "1969-12-29");
        assert_eq!(old.days().count(), 7);
    }

    #[test]
    fn months_are_calendar_months() {
        let m = Period::containing(Granularity::Month, day("2026-12-04"));
        assert_eq!(m.label(), "2026-12");
        assert_eq!(format_day(m.first_day), "2026-12-01");
        assert_eq!(format_day(m.last_day()), "2026-12-31");
        assert_eq!(m.next().label(), "2027-01");
        assert_eq!(m.previous().label(), "2026-11");
        assert_eq!(Period::containing(Granularity::Month, day("2024-02-10")).days().count(), 29);
        assert_eq!(Period::containing(Granularity::Month, day("2026-02-10")).days().count(), 28);
        assert_eq!(format_day(month_end_day(day("2026-04-02"))), "2026-04-30");
        let d = Period::containing(Granularity::Day, day("2026-12-04"));
        assert_eq!(d.label(), "2026-12-04");
        assert_eq!(d.days(), d.first_day..=d.first_day);
        assert_eq!(d.next().label(), "2026-12-05");
    }

    #[test]
    fn every_day_lies_in_exactly_the_period_that_contains_it() {
        for g in Granularity::ALL {
            for d in -800..800 {
                let p = Period::containing(*g, d);
                assert!(p.days().contains(&d));
                assert_eq!(p.next().first_day, p.last_day() + 1);
                assert_eq!(p.next().previous(), p);
                assert_eq!(Period::containing(*g, p.first_day), p);
                assert_eq!(Period::containing(*g, p.last_day()), p);
            }
        }
    }

    #[test]
    fn periods_cover_the_range_oldest_first() {
        let months = periods(Granularity::Month, day("2026-01-15"), day("2026-12-04"));
        let labels: Vec<String> = months.iter().map(|p| p.label()).collect();
        assert_eq!(labels.len(), 12);
        assert_eq!(labels.first().map(String::as_str), Some("2026-01"));
        assert_eq!(labels.last().map(String::as_str), Some("2026-12"));
        assert!(months.windows(2).all(|w| w[0].next() == w[1]));

        let weeks = periods(Granularity::Week, day("2026-11-30"), day("2026-12-06"));
        assert_eq!(weeks.len(), 1);
        let days = periods(Granularity::Day, 10, 12);
        assert_eq!(days.iter().map(|p| p.first_day).collect::<Vec<_>>(), vec![10, 11, 12]);
        assert!(periods(Granularity::Day, 12, 10).is_empty());
        assert_eq!(periods(Granularity::Day, 5, 5).len(), 1);
    }

    #[test]
    fn periods_clip_long_ranges_to_the_most_recent() {
        let days = periods(Granularity::Day, i32::MIN, i32::MAX);
        assert_eq!(days.len(), MAX_PERIODS);
        assert_eq!(days.last().map(|p| p.first_day), Some(i32::MAX));
        let months = periods(Granularity::Month, i32::MIN, 0);
        assert_eq!(months.len(), MAX_PERIODS);
        assert_eq!(months.last().map(|p| p.label()), Some("1970-01".to_string()));
        // The extremes of the day range saturate instead of overflowing.
        let first = Period::containing(Granularity::Week, i32::MIN);
        assert_eq!(first.first_day, i32::MIN);
        assert_eq!(first.previous().first_day, i32::MIN);
        let last = Period::containing(Granularity::Month, i32::MAX);
        assert_eq!(last.last_day(), i32::MAX);
        assert_eq!(last.next().last_day(), i32::MAX);
    }

    #[test]
    fn a_month_is_published_once_the_delay_has_passed() {
        let nov = Period::containing(Granularity::Month, day("2026-11-10"));
        // November ends on the 30th; with a 7-day delay it opens on 8 December.
        assert!(!nov.closed_before(day("2026-12-07"), 7));
        assert!(nov.closed_before(day("2026-12-08"), 7));
        assert!(nov.closed_before(day("2026-12-01"), 0));
        assert!(!nov.closed_before(day("2026-11-30"), 0));
        assert!(!nov.closed_before(i32::MAX, i32::MAX));

        let months = published_months(day("2026-12-07"), 7, day("2026-09-20"));
        let labels: Vec<String> = months.iter().map(|p| p.label()).collect();
        assert_eq!(labels, vec!["2026-09", "2026-10"]);
        assert!(published_months(day("2026-12-07"), 7, day("2026-12-01")).is_empty());
    }
}
