//! Number functions: rounding, extremes, means, remainders, percentages, formatting, and
//! random numbers drawn from the evaluation's seeded generator (never from the system).

use rust_decimal::Decimal;

use super::{arity, boolean, err, integer, number, Builtin};
use crate::eval::Evaluator;
use crate::number as num;
use crate::value::XValue;

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("abs", abs),
    ("round", round),
    ("round_up", round_up),
    ("round_down", round_down),
    ("max", max),
    ("min", min),
    ("mean", mean),
    ("mod", mod_),
    ("percent", percent),
    ("format_number", format_number),
    ("rand", rand),
    ("rand_between", rand_between),
];

type R = Result<XValue, XValue>;

fn abs(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Number(number(&a[0])?.abs()))
}

fn rounding(a: &[XValue], f: fn(Decimal, i64) -> Option<Decimal>) -> R {
    arity(a, 1, Some(2))?;
    let n = number(&a[0])?;
    let places = match a.get(1) {
        Some(p) => integer(p)?,
        None => 0,
    };
    f(n, places).map(XValue::Number).ok_or_else(|| err("number is out of range"))
}

fn round(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    rounding(a, num::round)
}

fn round_up(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    rounding(a, num::round_up)
}

fn round_down(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    rounding(a, num::round_down)
}

fn extreme(a: &[XValue], want_greater: bool) -> R {
    arity(a, 1, None)?;
    let mut best = number(&a[0])?;
    for v in &a[1..] {
        let n = number(v)?;
        if (n > best) == want_greater && n != best {
            best = n;
        }
    }
    Ok(XValue::Number(best))
}

fn max(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    extreme(a, true)
}

fn min(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    extreme(a, false)
}

fn mean(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, None)?;
    let mut sum = Decimal::ZERO;
    for v in a {
        sum = sum.checked_add(number(v)?).ok_or_else(|| err("number is out of range"))?;
    }
    num::divide(sum, Decimal::from(a.len())).map(XValue::Number).ok_or_else(|| err("number is out of range"))
}

fn mod_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let (x, y) = (number(&a[0])?, number(&a[1])?);
    x.checked_rem(y).map(XValue::Number).ok_or_else(|| err("division by zero"))
}

fn percent(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let n = number(&a[0])?;
    let p = n
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| num::round(p, 0))
        .ok_or_else(|| err("number is out of range"))?;
    Ok(XValue::text(format!("{}%", num::to_text(&p.trunc()))))
}

fn format_number(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(3))?;
    let n = number(&a[0])?;
    let places = match a.get(1) {
        Some(p) => {
            let p = integer(p)?;
            if !(0..=9).contains(&p) {
                return Err(err(format!("must take 0-9 number of places, got {p}")));
            }
            Some(u32::try_from(p).unwrap_or(0))
        }
        None => None,
    };
    let human = match a.get(2) {
        Some(h) => boolean(h)?,
        None => true,
    };
    let nf = &ev.env.number_format;
    Ok(XValue::text(num::format(&n, places, human, &nf.decimal_symbol, &nf.digit_grouping_symbol)))
}

fn rand(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 0, Some(0))?;
    Ok(XValue::Number(ev.next_random()))
}

fn rand_between(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let (lo, hi) = (number(&a[0])?, number(&a[1])?);
    let span =
        hi.checked_sub(lo).and_then(|s| s.checked_add(Decimal::ONE)).ok_or_else(|| err("number is out of range"))?;
    let r = ev.next_random();
    let v = r.checked_mul(span).and_then(|x| x.checked_add(lo)).ok_or_else(|| err("number is out of range"))?;
    Ok(XValue::Number(v.floor()))
}
