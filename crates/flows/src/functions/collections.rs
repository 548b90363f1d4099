//! Array, object and JSON functions, including the higher-order `foreach`, `foreach_value`
//! and `filter`, whose iterations are counted against the evaluation budget.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{arity, err, fail, integer, number, text, Builtin};
use crate::convert;
use crate::eval::Evaluator;
use crate::value::{XFunction, XValue};

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("array", array),
    ("object", object),
    ("count", count),
    ("join", join),
    ("contains", contains),
    ("concat", concat),
    ("unique", unique),
    ("reverse", reverse),
    ("sort", sort),
    ("slice", slice),
    ("sum", sum),
    ("keys", keys),
    ("filter", filter),
    ("foreach", foreach),
    ("foreach_value", foreach_value),
    ("extract", extract),
    ("extract_object", extract_object),
    ("json", json),
    ("parse_json", parse_json),
];

type R = Result<XValue, XValue>;

fn first_error(a: &[XValue]) -> Result<(), XValue> {
    match a.iter().find(|v| v.is_error()) {
        Some(e) => Err(e.clone()),
        None => Ok(()),
    }
}

fn bounded(ev: &mut Evaluator<'_>, items: Vec<XValue>) -> R {
    super::out_items(ev, items)
}

fn arr(v: &XValue) -> Result<std::sync::Arc<Vec<XValue>>, XValue> {
    convert::to_array(v).map_err(fail)
}

fn func(v: &XValue) -> Result<XFunction, XValue> {
    match v {
        XValue::Function(f) => Ok(f.clone()),
        XValue::Error(_) => Err(v.clone()),
        _ => Err(err("requires a function as its second argument")),
    }
}

fn array(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    first_error(a)?;
    bounded(ev, a.to_vec())
}

fn object(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    first_error(a)?;
    if !a.len().is_multiple_of(2) {
        return Err(err("requires an even number of arguments"));
    }
    let mut props = BTreeMap::new();
    for pair in a.chunks(2) {
        props.insert(text(&pair[0])?, pair[1].clone());
    }
    Ok(XValue::object(props))
}

fn count(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let n = match &a[0] {
        XValue::Null => 0,
        XValue::Array(x) => x.len(),
        XValue::Object(o) => o.len(),
        XValue::Error(_) => return Err(a[0].clone()),
        _ => return Err(err("value isn't countable")),
    };
    Ok(XValue::int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn join(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let items = arr(&a[0])?;
    let sep = text(&a[1])?;
    let mut parts = Vec::with_capacity(items.len());
    for i in items.iter() {
        parts.push(text(i)?);
    }
    super::out_text(ev, parts.join(&sep))
}

fn contains(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let items = arr(&a[0])?;
    if let XValue::Error(e) = &a[1] {
        return Err(XValue::Error(e.clone()));
    }
    Ok(XValue::Boolean(items.iter().any(|i| i.equals(&a[1]))))
}

fn concat(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let mut out = arr(&a[0])?.as_ref().clone();
    out.extend(arr(&a[1])?.iter().cloned());
    bounded(ev, out)
}

fn unique(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let mut out: Vec<XValue> = Vec::new();
    for i in arr(&a[0])?.iter() {
        if !out.iter().any(|o| o.equals(i)) {
            out.push(i.clone());
        }
    }
    bounded(ev, out)
}

fn reverse(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let mut out = arr(&a[0])?.as_ref().clone();
    out.reverse();
    bounded(ev, out)
}

fn sort(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let mut out = arr(&a[0])?.as_ref().clone();
    // Only values of one comparable kind sort, as in the reference: numbers, texts, dates,
    // datetimes, times or booleans; a mix, a null or a container is an error.
    let kind = |v: &XValue| match v {
        XValue::Number(_) => Some(0),
        XValue::Text(_) => Some(1),
        XValue::Date(_) => Some(2),
        XValue::DateTime(_) => Some(3),
        XValue::Time(_) => Some(4),
        XValue::Boolean(_) => Some(5),
        _ => None,
    };
    let first = out.first().map(kind);
    if let Some(e) = out.iter().find_map(|v| if let XValue::Error(e) = v { Some(e.clone()) } else { None }) {
        return Err(XValue::Error(e));
    }
    if let Some(first) = first {
        if first.is_none() || out.iter().any(|v| kind(v) != first) {
            return Err(err("can only sort items of the same comparable type"));
        }
    }
    out.sort_by(|x, y| match (x, y) {
        (XValue::Number(p), XValue::Number(q)) => p.cmp(q),
        (XValue::Text(p), XValue::Text(q)) => p.cmp(q),
        (XValue::Date(p), XValue::Date(q)) => p.cmp(q),
        (XValue::DateTime(p), XValue::DateTime(q)) => p.instant().cmp(&q.instant()),
        (XValue::Time(p), XValue::Time(q)) => p.cmp(q),
        (XValue::Boolean(p), XValue::Boolean(q)) => p.cmp(q),
        _ => std::cmp::Ordering::Equal,
    });
    bounded(ev, out)
}

fn slice(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let items = arr(&a[0])?;
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let clamp = |i: i64| -> usize { usize::try_from(if i < 0 { (i + len).max(0) } else { i.min(len) }).unwrap_or(0) };
    let start = clamp(integer(&a[1])?);
    let end = match a.get(2) {
        Some(e) => clamp(integer(e)?),
        None => items.len(),
    };
    bounded(ev, if start < end { items[start..end].to_vec() } else { Vec::new() })
}

fn sum(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let mut total = Decimal::ZERO;
    for i in arr(&a[0])?.iter() {
        total = total.checked_add(number(i)?).ok_or_else(|| err("number is out of range"))?;
    }
    Ok(XValue::Number(total))
}

fn keys(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let o = convert::to_object(&a[0]).map_err(fail)?;
    bounded(ev, o.keys().map(|k| XValue::text(k.clone())).collect())
}

fn filter(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let items = arr(&a[0])?;
    let f = func(&a[1])?;
    let mut out = Vec::new();
    for i in items.iter() {
        if !ev.spend(1) {
            return Err(Evaluator::budget_error());
        }
        let keep = ev.call(&f, std::slice::from_ref(i));
        if keep.truthy().map_err(fail)? {
            out.push(i.clone());
        }
    }
    Ok(XValue::array(out))
}

fn foreach(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, None)?;
    let items = arr(&a[0])?;
    let f = func(&a[1])?;
    let mut out = Vec::with_capacity(items.len());
    for i in items.iter() {
        if !ev.spend(1) {
            return Err(Evaluator::budget_error());
        }
        let mut args = vec![i.clone()];
        args.extend(a[2..].iter().cloned());
        let v = ev.call(&f, &args);
        if v.is_error() {
            return Err(v);
        }
        out.push(v);
    }
    Ok(XValue::array(out))
}

fn foreach_value(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, None)?;
    let o = convert::to_object(&a[0]).map_err(fail)?;
    let f = func(&a[1])?;
    let mut out = BTreeMap::new();
    for (k, v) in o.iter() {
        if !ev.spend(1) {
            return Err(Evaluator::budget_error());
        }
        let mut args = vec![v.clone()];
        args.extend(a[2..].iter().cloned());
        let r = ev.call(&f, &args);
        if r.is_error() {
            return Err(r);
        }
        out.insert(k.clone(), r);
    }
    Ok(XValue::object(out))
}

fn extract(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let o = convert::to_object(&a[0]).map_err(fail)?;
    let key = text(&a[1])?;
    Ok(o.get(&key).cloned().unwrap_or(XValue::Null))
}

fn extract_object(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, None)?;
    let o = convert::to_object(&a[0]).map_err(fail)?;
    let mut out = BTreeMap::new();
    for k in &a[1..] {
        let key = text(k)?;
        let v = o.get(&key).cloned().unwrap_or(XValue::Null);
        out.insert(key, v);
    }
    Ok(XValue::object(out))
}

fn json(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = convert::to_json(&a[0]).map_err(fail)?;
    super::out_text(ev, s)
}

fn parse_json(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = text(&a[0])?;
    // Every byte may become part of a value: charge like text.
    if !ev.charge_items(s.len() / 8) {
        return Err(Evaluator::budget_error());
    }
    let j: serde_json::Value = serde_json::from_str(&s).map_err(|e| err(format!("unable to parse JSON: {e}")))?;
    Ok(convert::from_json(&j))
}
