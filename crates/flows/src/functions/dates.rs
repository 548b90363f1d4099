//! Date, time and datetime functions: conversions, parts, arithmetic, zones, epochs, and
//! formatting or parsing with the format's patterns. "Now" is the environment's, not a clock's.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{arity, date, datetime, err, fail, integer, number, text, time, Builtin};
use crate::convert;
use crate::dateformat::{self, Mode};
use crate::datetime::{self as dt, offset_text, TimeOfDay, XDateTime, Zone};
use crate::eval::Evaluator;
use crate::number as num;
use crate::value::XValue;

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("date", date_),
    ("datetime", datetime_),
    ("time", time_),
    ("parse_datetime", parse_datetime),
    ("parse_time", parse_time),
    ("datetime_from_epoch", datetime_from_epoch),
    ("datetime_diff", datetime_diff),
    ("datetime_add", datetime_add),
    ("replace_time", replace_time),
    ("tz", tz),
    ("tz_offset", tz_offset),
    ("now", now),
    ("today", today),
    ("epoch", epoch),
    ("date_from_parts", date_from_parts),
    ("time_from_parts", time_from_parts),
    ("weekday", weekday),
    ("week_number", week_number),
    ("format_date", format_date),
    ("format_datetime", format_datetime),
    ("format_time", format_time),
    ("legacy_add", legacy_add),
];

type R = Result<XValue, XValue>;

fn range() -> XValue {
    err("date is out of range")
}

fn date_(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Date(date(ev, &a[0])?))
}

fn datetime_(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::DateTime(datetime(ev, &a[0])?))
}

fn time_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Time(time(&a[0])?))
}

fn zone_arg(ev: &Evaluator<'_>, v: Option<&XValue>) -> Result<Zone, XValue> {
    match v {
        None => Ok(Zone::Named(ev.env.timezone)),
        Some(v) => {
            let name = text(v)?;
            name.parse::<Tz>().map(Zone::Named).map_err(|_| err(format!("unknown time zone {name}")))
        }
    }
}

fn parse_datetime(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let s = text(&a[0])?;
    let f = text(&a[1])?;
    let zone = zone_arg(ev, a.get(2))?;
    let p = dateformat::parse(&s, &f, Mode::DateTime).map_err(err)?;
    let date = p.date().ok_or_else(|| err("day out of range"))?;
    let time = p.time().ok_or_else(|| err("time out of range"))?;
    let local = date.and_time(time.to_naive());
    let parsed = match p.offset {
        Some((off, _)) => XDateTime::from_utc(local - Duration::seconds(i64::from(off)), zone),
        None => XDateTime::from_local(local, zone).ok_or_else(range)?,
    };
    Ok(XValue::DateTime(parsed.in_zone(zone)))
}

fn parse_time(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let s = text(&a[0])?;
    let f = text(&a[1])?;
    let p = dateformat::parse(&s, &f, Mode::TimeOnly).map_err(err)?;
    Ok(XValue::Time(p.time().ok_or_else(|| err("time out of range"))?))
}

fn datetime_from_epoch(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let secs = number(&a[0])?;
    let nanos = secs.checked_mul(Decimal::from(1_000_000_000)).and_then(|n| num::to_i64(&n)).ok_or_else(range)?;
    let utc = chrono::DateTime::from_timestamp(
        nanos.div_euclid(1_000_000_000),
        u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0),
    )
    .ok_or_else(range)?;
    Ok(XValue::DateTime(XDateTime::from_instant(utc, Zone::Named(ev.env.timezone))))
}

/// Months between two datetimes as the reference counts them: by calendar month, whatever
/// the day (from 1 May back to 3 December is -5).
fn months_between(later: &XDateTime, earlier: &XDateTime) -> i64 {
    let (a, b) = (later.local(), earlier.local());
    (i64::from(a.year()) - i64::from(b.year())) * 12 + i64::from(a.month()) - i64::from(b.month())
}

fn datetime_diff(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let d1 = datetime(ev, &a[0])?;
    let d2 = datetime(ev, &a[1])?;
    let unit = text(&a[2])?;
    let dur = d2.instant() - d1.instant();
    let days = (d2.date() - d1.date()).num_days();
    let n = match unit.as_str() {
        "s" => dur.num_seconds(),
        "m" => dur.num_minutes(),
        "h" => dur.num_hours(),
        "D" => days,
        "W" => days / 7,
        "M" => months_between(&d2, &d1),
        "Y" => i64::from(d2.date().year()) - i64::from(d1.date().year()),
        _ => return Err(err(format!("unknown unit: {unit}, must be one of s, m, h, D, W, M, Y"))),
    };
    Ok(XValue::int(n))
}

fn datetime_add(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let d = datetime(ev, &a[0])?;
    let n = integer(&a[1])?;
    let unit = text(&a[2])?;
    let shifted = |secs: i64| -> R {
        let delta = Duration::try_seconds(secs).ok_or_else(range)?;
        let utc = d.instant().checked_add_signed(delta).ok_or_else(range)?;
        Ok(XValue::DateTime(XDateTime::from_utc(utc, d.zone())))
    };
    let calendar = |y: i64, m: i64, days: i64| -> R {
        let local = dt::add_date(d.local(), y, m, days).ok_or_else(range)?;
        Ok(XValue::DateTime(XDateTime::from_local(local, d.zone()).ok_or_else(range)?))
    };
    match unit.as_str() {
        "s" => shifted(n),
        "m" => shifted(n.saturating_mul(60)),
        "h" => shifted(n.saturating_mul(3600)),
        "D" => calendar(0, 0, n),
        "W" => calendar(0, 0, n.saturating_mul(7)),
        "M" => calendar(0, n, 0),
        "Y" => calendar(n, 0, 0),
        _ => Err(err(format!("unknown unit: {unit}, must be one of s, m, h, D, W, M, Y"))),
    }
}

fn replace_time(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let d = datetime(ev, &a[0])?;
    let t = time(&a[1])?;
    let local = d.date().and_time(t.to_naive());
    Ok(XValue::DateTime(XDateTime::from_local(local, d.zone()).ok_or_else(range)?))
}

fn tz(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::text(datetime(ev, &a[0])?.zone().name()))
}

fn tz_offset(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::text(offset_text(datetime(ev, &a[0])?.offset_seconds(), false, false)))
}

fn now(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 0, Some(0))?;
    Ok(XValue::DateTime(dt::now_in_env(ev.env)))
}

fn today(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 0, Some(0))?;
    Ok(XValue::Date(dt::now_in_env(ev.env).date()))
}

fn epoch(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let d = datetime(ev, &a[0])?;
    let nanos = Decimal::from_i128_with_scale(d.unix_nanos(), 0);
    num::divide(nanos, Decimal::from(1_000_000_000)).map(XValue::Number).ok_or_else(range)
}

fn date_from_parts(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let (y, m, d) = (integer(&a[0])?, integer(&a[1])?, integer(&a[2])?);
    if !(1..=12).contains(&m) {
        return Err(err("invalid value for month, must be 1-12"));
    }
    dt::date_normalized(y, m, d).map(XValue::Date).ok_or_else(range)
}

fn time_from_parts(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let (h, m, s) = (integer(&a[0])?, integer(&a[1])?, integer(&a[2])?);
    if !(0..=23).contains(&h) {
        return Err(err("invalid value for hour, must be 0-23"));
    }
    if !(0..=59).contains(&m) {
        return Err(err("invalid value for minute, must be 0-59"));
    }
    if !(0..=59).contains(&s) {
        return Err(err("invalid value for second, must be 0-59"));
    }
    let t =
        TimeOfDay::new(u32::try_from(h).unwrap_or(0), u32::try_from(m).unwrap_or(0), u32::try_from(s).unwrap_or(0), 0);
    t.map(XValue::Time).ok_or_else(range)
}

fn weekday(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::int(i64::from(date(ev, &a[0])?.weekday().num_days_from_sunday())))
}

fn week_number(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::int(i64::from(dt::week_number(&date(ev, &a[0])?))))
}

fn format_date(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let d: NaiveDate = date(ev, &a[0])?;
    let f = match a.get(1) {
        Some(f) => text(f)?,
        None => ev.env.date_format.clone(),
    };
    dateformat::format_date(&d, &f).map(XValue::Text).map_err(err)
}

fn format_datetime(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(3))?;
    let d = datetime(ev, &a[0])?;
    let f = match a.get(1) {
        Some(f) => text(f)?,
        None => format!("{} {}", ev.env.date_format, ev.env.time_format),
    };
    let zone = zone_arg(ev, a.get(2))?;
    dateformat::format_datetime(&d.in_zone(zone), &f).map(XValue::Text).map_err(err)
}

fn format_time(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let t = time(&a[0])?;
    let f = match a.get(1) {
        Some(f) => text(f)?,
        None => ev.env.time_format.clone(),
    };
    dateformat::format_time(&t, &f).map(XValue::Text).map_err(err)
}

/// The old `+` of legacy flows, which migrated expressions call: a datetime and a number add
/// that many days (the number's whole part, within 32 bits), two numbers add as decimals, and
/// two datetimes are an error. As the reference, a value that reads as both (a number in text
/// never reads as a datetime here) is taken as a datetime first.
fn legacy_add(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let d1 = convert::to_datetime(ev.env, &a[0]);
    let d2 = convert::to_datetime(ev.env, &a[1]);
    let n1 = convert::to_number(&a[0]);
    let n2 = convert::to_number(&a[1]);
    let add_days = |d: XDateTime, n: Decimal| -> R {
        let whole = num::to_i64(&n)
            .filter(|i| (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(i))
            .ok_or_else(|| err("cannot operate on integers greater than 32 bit"))?;
        let local = dt::add_date(d.local(), 0, 0, whole).ok_or_else(range)?;
        Ok(XValue::DateTime(XDateTime::from_local(local, d.zone()).ok_or_else(range)?))
    };
    match (d1, d2, n1, n2) {
        (Ok(_), Ok(_), _, _) => Err(err("cannot operate on two dates")),
        (Ok(d), _, _, Ok(n)) => add_days(d, n),
        (_, Ok(d), Ok(n), _) => add_days(d, n),
        (_, _, Err(e), _) | (_, _, _, Err(e)) => Err(fail(e)),
        (_, _, Ok(x), Ok(y)) => x.checked_add(y).map(XValue::Number).ok_or_else(|| err("number value out of range")),
    }
}
