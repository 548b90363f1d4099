//! Date and time tests: a date in people's text (filled with the current time of day)
//! compared by calendar day in the environment's zone; a time of day anywhere in the text.

use std::cmp::Ordering;

use super::{false_result, true_result};
use crate::convert;
use crate::datetime::Zone;
use crate::eval::Evaluator;
use crate::functions::{arity, datetime, text, time};
use crate::value::XValue;

type R = Result<XValue, XValue>;

fn test_date(ev: &Evaluator<'_>, t: &str, bound: Option<&crate::datetime::XDateTime>, ok: fn(Ordering) -> bool) -> R {
    let Ok(found) = convert::to_datetime_with_fill(ev.env, &XValue::text(t), true) else {
        return Ok(false_result());
    };
    let zone = Zone::Named(ev.env.timezone);
    let day = found.in_zone(zone).date();
    let passes = match bound {
        None => true,
        Some(b) => ok(day.cmp(&b.in_zone(zone).date())),
    };
    Ok(if passes { true_result(XValue::DateTime(found)) } else { false_result() })
}

pub fn has_date(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    test_date(ev, &t, None, |_| true)
}

fn compare(ev: &Evaluator<'_>, a: &[XValue], ok: fn(Ordering) -> bool) -> R {
    arity(a, 2, Some(2))?;
    let t = text(&a[0])?;
    let bound = datetime(ev, &a[1])?;
    test_date(ev, &t, Some(&bound), ok)
}

pub fn has_date_lt(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Less)
}

pub fn has_date_eq(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Equal)
}

pub fn has_date_gt(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Greater)
}

pub fn has_time(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    Ok(match time(&XValue::Text(t)) {
        Ok(found) => true_result(XValue::Time(found)),
        Err(_) => false_result(),
    })
}
