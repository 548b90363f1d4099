//! Conversions between typed values as the format defines them: to text (and the rendering of
//! arrays and objects), number, dates and times, containers, JSON, and human formatting.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::dateformat;
use crate::datetime::{self, date_text, TimeOfDay, XDateTime, Zone};
use crate::env::Env;
use crate::number;
use crate::value::{XError, XObject, XValue};

fn cannot(v: &XValue, what: &str) -> XError {
    XError::new(format!("unable to convert {} to {what}", v.describe()))
}

/// The value as text. Errors stay errors; an object with a default is its default.
pub fn to_text(v: &XValue) -> Result<String, XError> {
    match v {
        XValue::Error(e) => Err(e.clone()),
        XValue::Object(o) => match o.default_value() {
            Some(d) => to_text(d),
            None => Ok(render(v)),
        },
        _ => Ok(render(v)),
    }
}

/// How a value shows inside text, without failing: containers as `[a, b]` and `{k: v}`.
pub fn render(v: &XValue) -> String {
    match v {
        XValue::Null => String::new(),
        XValue::Text(s) => s.clone(),
        XValue::Number(n) => number::to_text(n),
        XValue::Boolean(b) => b.to_string(),
        XValue::Date(d) => date_text(d),
        XValue::DateTime(dt) => dt.to_iso(),
        XValue::Time(t) => t.to_text(),
        XValue::Array(a) => {
            let parts: Vec<String> = a.iter().map(render).collect();
            format!("[{}]", parts.join(", "))
        }
        XValue::Object(o) => {
            let parts: Vec<String> = o.iter().map(|(k, v)| format!("{k}: {}", render(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        XValue::Function(f) => f.name(),
        XValue::Error(e) => e.message.clone(),
    }
}

/// The value as a number; text must be a plain decimal.
pub fn to_number(v: &XValue) -> Result<Decimal, XError> {
    match v {
        XValue::Number(n) => Ok(*n),
        XValue::Error(e) => Err(e.clone()),
        XValue::Text(s) => number::parse(s).ok_or_else(|| cannot(v, "a number")),
        XValue::Object(o) => match o.default_value() {
            Some(d) => to_number(d),
            None => Err(cannot(v, "a number")),
        },
        _ => Err(cannot(v, "a number")),
    }
}

/// The value as a whole number (the fraction is dropped), within ±2³¹ like the reference.
pub fn to_integer(v: &XValue) -> Result<i64, XError> {
    let n = to_number(v)?;
    match number::to_i64(&n) {
        Some(i) if (i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&i) => Ok(i),
        _ => Err(XError::new(format!("number value {} is out of range for an integer", number::to_text(&n)))),
    }
}

pub fn to_boolean(v: &XValue) -> Result<bool, XError> {
    v.truthy()
}

/// The value as a datetime: text is read as people write dates, a date is its midnight.
pub fn to_datetime(env: &Env, v: &XValue) -> Result<XDateTime, XError> {
    to_datetime_with_fill(env, v, false)
}

/// As `to_datetime`, but a date alone in text takes the current time of day.
pub fn to_datetime_with_fill(env: &Env, v: &XValue, fill: bool) -> Result<XDateTime, XError> {
    match v {
        XValue::DateTime(dt) => Ok(*dt),
        XValue::Error(e) => Err(e.clone()),
        XValue::Date(d) => datetime::date_to_datetime(env, d).ok_or_else(|| cannot(v, "a datetime")),
        XValue::Text(s) => datetime::datetime_from_string(env, s, fill).ok_or_else(|| cannot(v, "a datetime")),
        XValue::Object(o) => match o.default_value() {
            Some(d) => to_datetime_with_fill(env, d, fill),
            None => Err(cannot(v, "a datetime")),
        },
        _ => Err(cannot(v, "a datetime")),
    }
}

pub fn to_date(env: &Env, v: &XValue) -> Result<NaiveDate, XError> {
    match v {
        XValue::Date(d) => Ok(*d),
        XValue::DateTime(dt) => Ok(dt.date()),
        XValue::Error(e) => Err(e.clone()),
        XValue::Text(s) => datetime::parse_date(env, s).map(|(d, _)| d).ok_or_else(|| cannot(v, "a date")),
        XValue::Object(o) => match o.default_value() {
            Some(d) => to_date(env, d),
            None => Err(cannot(v, "a date")),
        },
        _ => Err(cannot(v, "a date")),
    }
}

pub fn to_time(v: &XValue) -> Result<TimeOfDay, XError> {
    match v {
        XValue::Time(t) => Ok(*t),
        XValue::DateTime(dt) => Ok(dt.time()),
        XValue::Error(e) => Err(e.clone()),
        XValue::Text(s) => datetime::parse_time(s).ok_or_else(|| cannot(v, "a time")),
        XValue::Number(n) => {
            // A bare hour, as people answer "at what time?" with "10".
            let h = number::to_i64(n).and_then(|h| u32::try_from(h).ok());
            h.and_then(|h| TimeOfDay::new(h, 0, 0, 0)).ok_or_else(|| cannot(v, "a time"))
        }
        XValue::Object(o) => match o.default_value() {
            Some(d) => to_time(d),
            None => Err(cannot(v, "a time")),
        },
        _ => Err(cannot(v, "a time")),
    }
}

pub fn to_array(v: &XValue) -> Result<Arc<Vec<XValue>>, XError> {
    match v {
        XValue::Array(a) => Ok(a.clone()),
        XValue::Null => Ok(Arc::new(Vec::new())),
        XValue::Error(e) => Err(e.clone()),
        _ => Err(cannot(v, "an array")),
    }
}

pub fn to_object(v: &XValue) -> Result<Arc<XObject>, XError> {
    match v {
        XValue::Object(o) => Ok(o.clone()),
        XValue::Null => Ok(Arc::new(XObject::default())),
        XValue::Error(e) => Err(e.clone()),
        _ => Err(cannot(v, "an object")),
    }
}

/// The value as JSON text, keys sorted; functions become `null`.
pub fn to_json(v: &XValue) -> Result<String, XError> {
    let mut out = String::new();
    write_json(v, &mut out)?;
    Ok(out)
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn write_json(v: &XValue, out: &mut String) -> Result<(), XError> {
    match v {
        XValue::Null | XValue::Function(_) => out.push_str("null"),
        XValue::Error(e) => return Err(e.clone()),
        XValue::Text(s) => out.push_str(&json_string(s)),
        XValue::Number(n) => out.push_str(&number::to_text(n)),
        XValue::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        XValue::Date(d) => out.push_str(&json_string(&date_text(d))),
        XValue::DateTime(dt) => out.push_str(&json_string(&dt.to_iso())),
        XValue::Time(t) => out.push_str(&json_string(&t.to_text())),
        XValue::Array(a) => {
            out.push('[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        XValue::Object(o) => {
            out.push('{');
            for (i, (k, item)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(k));
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// A JSON document as a value: objects, arrays, text, numbers (as decimals), booleans, null.
pub fn from_json(j: &serde_json::Value) -> XValue {
    match j {
        serde_json::Value::Null => XValue::Null,
        serde_json::Value::Bool(b) => XValue::Boolean(*b),
        serde_json::Value::Number(n) => match number::parse_loose(&n.to_string()) {
            Some(d) => XValue::Number(d),
            None => XValue::error(format!("number {n} is out of range")),
        },
        serde_json::Value::String(s) => XValue::Text(s.clone()),
        serde_json::Value::Array(a) => XValue::array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            XValue::object(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect::<BTreeMap<_, _>>())
        }
    }
}

/// Formats a value for people with the environment's formats (the `format()` function).
pub fn format(env: &Env, v: &XValue) -> Result<String, XError> {
    match v {
        XValue::Number(n) => Ok(number::format(
            n,
            None,
            true,
            &env.number_format.decimal_symbol,
            &env.number_format.digit_grouping_symbol,
        )),
        XValue::Date(d) => dateformat::format_date(d, &env.date_format).map_err(XError::new),
        XValue::DateTime(dt) => {
            let shown = dt.in_zone(Zone::Named(env.timezone));
            let fmt = format!("{} {}", env.date_format, env.time_format);
            dateformat::format_datetime(&shown, &fmt).map_err(XError::new)
        }
        XValue::Time(t) => dateformat::format_time(t, &env.time_format).map_err(XError::new),
        _ => to_text(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_render_with_sorted_keys() {
        let o = XValue::object_from([("foo", XValue::int(1)), ("bar", XValue::text("x"))]);
        assert_eq!(render(&o), "{bar: x, foo: 1}");
        assert_eq!(to_json(&o).unwrap(), r#"{"bar":"x","foo":1}"#);
        let a = XValue::array(vec![XValue::int(1), XValue::text("x"), XValue::Boolean(true)]);
        assert_eq!(render(&a), "[1, x, true]");
    }

    #[test]
    fn numbers_from_text_are_strict() {
        assert!(to_number(&XValue::text("12.50")).is_ok());
        assert!(to_number(&XValue::text("twelve")).is_err());
        assert!(to_number(&XValue::Null).is_err());
    }

    #[test]
    fn json_round_trip() {
        let j: serde_json::Value = serde_json::from_str(r#"{"a":[1,2.5,"x",null,true]}"#).unwrap();
        let v = from_json(&j);
        assert_eq!(to_json(&v).unwrap(), r#"{"a":[1,2.5,"x",null,true]}"#);
    }
}
