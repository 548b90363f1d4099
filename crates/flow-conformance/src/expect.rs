//! Matching what a session did against what a case expects, leniently where the reference
//! engine's own randomness shows: generated UUIDs and timestamps match any UUID or timestamp.

use safepassage_flows::engine::{Event, Session};
use safepassage_flows::ids::is_uuid;
use serde_json::Value as J;

/// Keys whose values only the reference engine can produce.
const VOLATILE: &[&str] = &["uuid", "created_on", "step_uuid", "run_uuid", "parent_uuid", "elapsed_ms", "modified_on"];

fn looks_like_time(s: &str) -> bool {
    s.len() >= 19 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(10) == Some(&b'T')
}

/// Whether `actual` has everything `expected` has (objects: a subset of keys).
pub fn matches(expected: &J, actual: &J) -> bool {
    match (expected, actual) {
        (J::Object(e), J::Object(a)) => e.iter().all(|(k, ev)| {
            if VOLATILE.contains(&k.as_str()) {
                return true;
            }
            match a.get(k) {
                Some(av) => matches(ev, av),
                None => ev.is_null() || ev.as_array().is_some_and(Vec::is_empty),
            }
        }),
        (J::Array(e), J::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y)),
        // A quick reply written as text matches the `{type, text}` object newer versions write.
        (J::String(e), J::Object(a)) if a.get("text").and_then(J::as_str) == Some(e.as_str()) => true,
        (J::String(e), J::String(a)) => {
            e == a || (is_uuid(e) && is_uuid(a)) || (looks_like_time(e) && looks_like_time(a))
        }
        (J::Number(e), J::Number(a)) => e.as_f64() == a.as_f64(),
        (J::Number(e), J::String(a)) | (J::String(a), J::Number(e)) => a.parse::<f64>().ok() == e.as_f64(),
        _ => expected == actual,
    }
}

fn texts_of(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| {
            let v = serde_json::to_value(e).ok()?;
            match v.get("type").and_then(J::as_str) {
                Some("msg_created" | "ivr_created") => {
                    v.get("msg").and_then(|m| m.get("text")).and_then(J::as_str).map(String::from)
                }
                _ => None,
            }
        })
        .collect()
}

fn msgs_of(events: &[Event]) -> Vec<J> {
    events
        .iter()
        .filter_map(|e| {
            let v = serde_json::to_value(e).ok()?;
            matches!(v.get("type").and_then(J::as_str), Some("msg_created" | "ivr_created")).then(|| v["msg"].clone())
        })
        .collect()
}

/// Compares the events: as types (strings) or as objects (subsets). Lifecycle events the case
/// does not mention at all are left out, as older reference versions did not emit them.
pub fn events(expected: &[J], actual: &[Event]) -> Result<(), String> {
    let mentions =
        |t: &str| expected.iter().any(|e| e.as_str() == Some(t) || e.get("type").and_then(J::as_str) == Some(t));
    let lifecycle = ["run_started", "run_ended"];
    // `msg_received` is the caller's own event (the message it passes in), not the engine's.
    let expected: Vec<J> = expected
        .iter()
        .filter(|e| e.as_str().or_else(|| e.get("type").and_then(J::as_str)) != Some("msg_received"))
        .cloned()
        .collect();
    let expected = expected.as_slice();
    let actual: Vec<J> = actual
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .filter(|v| {
            let t = v.get("type").and_then(J::as_str).unwrap_or("");
            !lifecycle.contains(&t) || mentions(t)
        })
        .collect();
    let types = |list: &[J]| -> Vec<String> {
        list.iter()
            .map(|e| e.as_str().or_else(|| e.get("type").and_then(J::as_str)).unwrap_or("").to_string())
            .collect()
    };
    if types(expected) != types(&actual) {
        return Err(format!("event types: expected {:?} got {:?}", types(expected), types(&actual)));
    }
    for (e, a) in expected.iter().zip(&actual) {
        if e.is_object() && !matches(e, a) {
            return Err(format!("event: expected {e} got {a}"));
        }
    }
    Ok(())
}

/// Compares the messages sent: texts, or message objects as subsets.
pub fn messages(expected: &[J], actual: &[Event]) -> Result<(), String> {
    if expected.iter().all(J::is_string) {
        let want: Vec<String> = expected.iter().filter_map(J::as_str).map(String::from).collect();
        let got = texts_of(actual);
        return if want == got { Ok(()) } else { Err(format!("messages: expected {want:?} got {got:?}")) };
    }
    let got = msgs_of(actual);
    let ok = expected.len() == got.len() && expected.iter().zip(&got).all(|(e, a)| matches(e, a));
    if ok {
        Ok(())
    } else {
        Err(format!("messages: expected {expected:?} got {got:?}"))
    }
}

/// Compares results: by key, each a value text or an object (subset) such as `{value, category}`.
/// The first run's results are tried, then all runs' together.
pub fn results(expected: &J, session: &Session) -> Result<(), String> {
    let Some(want) = expected.as_object() else { return Ok(()) };
    let as_json = |runs: &[&safepassage_flows::engine::Run]| -> serde_json::Map<String, J> {
        let mut m = serde_json::Map::new();
        for r in runs {
            for (k, v) in &r.results {
                m.insert(k.clone(), serde_json::to_value(v).unwrap_or(J::Null));
            }
        }
        m
    };
    let first: Vec<_> = session.runs.iter().take(1).collect();
    let all: Vec<_> = session.runs.iter().collect();
    for got in [as_json(&first), as_json(&all)] {
        let ok = want.iter().all(|(k, w)| match (w, got.get(k)) {
            (J::String(s), Some(g)) => g.get("value").and_then(J::as_str) == Some(s.as_str()),
            (J::Null, None) => true,
            (w, Some(g)) => matches(w, g),
            _ => false,
        });
        let same_keys = want.keys().all(|k| got.contains_key(k) || want[k].is_null());
        if ok && same_keys {
            return Ok(());
        }
    }
    Err(format!("results: expected {expected} got {}", J::Object(as_json(&all))))
}
