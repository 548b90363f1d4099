//! The JSON notation of typed values used by conformance cases and exports:
//! `{"text": s}`, `{"number": "1.5"}`, `{"object": {…}, "default"?: …}`, `{"error": m}`, ….

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate};

use crate::datetime::{TimeOfDay, XDateTime, Zone};
use crate::value::{XFunction, XObject, XValue};
use crate::{convert, functions, number};

/// Reads a value written in the notation; `Err` names what is malformed.
pub fn from_json(j: &serde_json::Value) -> Result<XValue, String> {
    from_json_depth(j, 0)
}

fn from_json_depth(j: &serde_json::Value, depth: usize) -> Result<XValue, String> {
    if depth > 64 {
        return Err("value is nested too deeply".into());
    }
    let obj = match j {
        serde_json::Value::Null => return Ok(XValue::Null),
        serde_json::Value::Object(o) => o,
        other => return Err(format!("not a typed value: {other}")),
    };
    let str_of = |k: &str| obj.get(k).and_then(|v| v.as_str()).ok_or_else(|| format!("{k} must be text"));
    if obj.contains_key("object") {
        let props = obj.get("object").and_then(|v| v.as_object()).ok_or("object must be a map")?;
        let mut map = BTreeMap::new();
        for (k, v) in props {
            map.insert(k.clone(), from_json_depth(v, depth + 1)?);
        }
        return Ok(match obj.get("default") {
            Some(d) => XValue::Object(Arc::new(XObject::with_default(map, from_json_depth(d, depth + 1)?))),
            None => XValue::object(map),
        });
    }
    if let Some(a) = obj.get("array") {
        let items = a.as_array().ok_or("array must be a list")?;
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(from_json_depth(i, depth + 1)?);
        }
        return Ok(XValue::array(out));
    }
    if obj.contains_key("text") {
        return Ok(XValue::text(str_of("text")?));
    }
    if let Some(n) = obj.get("number") {
        let s = match n {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(n) = number::parse_loose(&s) {
            return Ok(XValue::Number(n));
        }
        // A number written right but beyond what this engine holds (more than 28 digits) is
        // an error value, as arithmetic past the limit is: never a panic nor a wrong value.
        let numeric =
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
        return if numeric {
            Ok(XValue::error(format!("number {s} is out of range")))
        } else {
            Err(format!("bad number {s}"))
        };
    }
    if let Some(b) = obj.get("boolean") {
        return b.as_bool().map(XValue::Boolean).ok_or_else(|| "boolean must be true or false".into());
    }
    if obj.contains_key("date") {
        let s = str_of("date")?;
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").map(XValue::Date).map_err(|e| e.to_string());
    }
    if obj.contains_key("datetime") {
        let s = str_of("datetime")?;
        let dt = DateTime::parse_from_rfc3339(s).map_err(|e| e.to_string())?;
        let off = dt.offset().local_minus_utc();
        let zone = if s.ends_with('Z') { Zone::Named(chrono_tz::Tz::UTC) } else { Zone::Fixed(off) };
        return Ok(XValue::DateTime(XDateTime::from_utc(dt.naive_utc(), zone)));
    }
    if obj.contains_key("time") {
        let s = str_of("time")?;
        return crate::datetime::parse_time(s).map(XValue::Time).ok_or_else(|| format!("bad time {s}"));
    }
    if obj.contains_key("function") {
        let s = str_of("function")?;
        let name = functions::lookup(&s.to_lowercase()).ok_or_else(|| format!("unknown function {s}"))?;
        return Ok(XValue::Function(XFunction::Builtin(name)));
    }
    if let Some(e) = obj.get("error") {
        return Ok(XValue::error(e.as_str().unwrap_or("error")));
    }
    Err(format!("not a typed value: {}", serde_json::Value::Object(obj.clone())))
}

/// Writes a value in the notation (for reports and exports).
pub fn to_json(v: &XValue) -> serde_json::Value {
    use serde_json::json;
    match v {
        XValue::Null => serde_json::Value::Null,
        XValue::Text(s) => json!({ "text": s }),
        XValue::Number(n) => json!({ "number": number::to_text(n) }),
        XValue::Boolean(b) => json!({ "boolean": b }),
        XValue::Date(d) => json!({ "date": crate::datetime::date_text(d) }),
        XValue::DateTime(dt) => json!({ "datetime": dt.to_iso() }),
        XValue::Time(t) => json!({ "time": t.to_text() }),
        XValue::Array(a) => json!({ "array": a.iter().map(to_json).collect::<Vec<_>>() }),
        XValue::Object(o) => {
            let props: serde_json::Map<String, serde_json::Value> =
                o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect();
            match o.default_value() {
                Some(d) => json!({ "object": props, "default": to_json(d) }),
                None => json!({ "object": props }),
            }
        }
        XValue::Function(f) => json!({ "function": f.name() }),
        XValue::Error(e) => json!({ "error": e.message }),
    }
}

/// A time of day from `hh:mm:ss.ffffff`.
pub fn time_from_text(s: &str) -> Option<TimeOfDay> {
    crate::datetime::parse_time(s)
}

/// Renders a value for a report line.
pub fn describe(v: &XValue) -> String {
    convert::render(v)
}
