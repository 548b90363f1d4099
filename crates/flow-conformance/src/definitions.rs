//! Cases about definitions: `flow_validation` (a flow must load, or must be refused) and
//! `migration` (a flow migrated to `to_version` equals the expectation, new UUIDs masked).

use std::collections::HashSet;

use safepassage_flows::definition::{Flow, LoadOptions};
use safepassage_flows::ids::is_uuid;
use safepassage_flows::migrate::{self, Version};
use serde_json::Value as J;

use crate::case::{Case, Outcome};

/// The definition a case is about: `input.assets.flows` with `input.flow_uuid`, or a flow given
/// as `input.flow`/`input.definition`, or `input` itself.
pub fn flow_of(input: &J) -> Option<J> {
    let wanted = input.get("flow_uuid").and_then(J::as_str);
    if let Some(flows) = input.get("assets").and_then(|a| a.get("flows")).and_then(J::as_array) {
        let found = match wanted {
            Some(u) => flows.iter().find(|f| f.get("uuid").and_then(J::as_str) == Some(u)),
            None => flows.first(),
        };
        return found.cloned();
    }
    for k in ["flow", "definition"] {
        if let Some(f) = input.get(k).filter(|f| f.is_object()) {
            return Some(f.clone());
        }
    }
    input.get("nodes").is_some().then(|| input.clone())
}

pub fn flow_validation(case: &Case) -> Outcome {
    let Some(flow) = flow_of(&case.input) else {
        return Outcome::Fail("case has no flow".into());
    };
    let want_rejected = case.expected.get("rejected").and_then(J::as_bool).unwrap_or(true);
    // The format alone is judged here: refusing outside calls is our policy, not invalidity.
    match (Flow::from_json(&flow, &LoadOptions::format_only()), want_rejected) {
        (Err(_), true) | (Ok(_), false) => Outcome::Pass,
        (Ok(_), true) => Outcome::Fail("flow loaded but should have been rejected".into()),
        (Err(e), false) => Outcome::Fail(format!("flow rejected: {e}")),
    }
}

fn strings_of(v: &J, out: &mut HashSet<String>) {
    match v {
        J::String(s) => {
            out.insert(s.clone());
        }
        J::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        J::Object(o) => {
            for (k, x) in o {
                out.insert(k.clone());
                strings_of(x, out);
            }
        }
        _ => {}
    }
}

/// Replaces UUIDs that the input did not have (made by a migration) with one placeholder.
fn mask(v: &J, known: &HashSet<String>) -> J {
    let fresh = |s: &str| is_uuid(s) && !known.contains(s);
    match v {
        J::String(s) if fresh(s) => J::String("<new-uuid>".into()),
        J::Array(a) => J::Array(a.iter().map(|x| mask(x, known)).collect()),
        J::Object(o) => J::Object(
            o.iter()
                .map(|(k, x)| (if fresh(k) { "<new-uuid>".to_string() } else { k.clone() }, mask(x, known)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub fn migration(case: &Case) -> Outcome {
    let to = case
        .raw
        .get("to_version")
        .or_else(|| case.input.get("to_version"))
        .and_then(J::as_str)
        .and_then(Version::parse);
    let flow = match case.input.get("flow").or_else(|| case.input.get("definition")) {
        Some(f) if f.is_object() => f.clone(),
        _ => case.input.clone(),
    };
    let mut known = HashSet::new();
    strings_of(&flow, &mut known);
    let expected = case.expected.get("flow").filter(|f| f.is_object()).unwrap_or(&case.expected);
    match migrate::migrate(flow, to) {
        Ok(got) => {
            if mask(&got, &known) == mask(expected, &known) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("expected {expected} got {got}"))
            }
        }
        Err(e) if case.expected.get("error").is_some() => {
            let _ = e;
            Outcome::Pass
        }
        Err(e) => Outcome::Fail(format!("migration failed: {e}")),
    }
}
