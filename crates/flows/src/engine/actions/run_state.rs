//! Actions on the run itself: `set_run_result` (a named result with a category) and
//! `set_run_local` (a local variable: set, increment or clear).

use super::super::results::{self, NewResult};
use super::super::sprint::Sprint;
use crate::definition::actions::{SetRunLocal, SetRunResult};
use crate::definition::{Flow, Node};
use crate::number;

/// Longest text a local keeps.
const MAX_LOCAL_VALUE: usize = 640;

pub fn set_run_result(
    sp: &mut Sprint<'_>,
    run: usize,
    flow: &Flow,
    node: &Node,
    step: &str,
    uuid: &str,
    a: &SetRunResult,
) {
    let (value, failed) = sp.eval_text_checked(run, Some(step), a.value.as_deref().unwrap_or(""));
    // A value with a failed expression is not saved: a half-evaluated answer would mislead.
    if failed {
        return;
    }
    let category = a.category.clone().unwrap_or_default();
    let localized = if category.is_empty() { None } else { Some(sp.localized_one(flow, uuid, "category", &category)) };
    results::save(
        sp,
        run,
        Some(step),
        NewResult {
            name: a.name.clone(),
            value,
            category,
            category_localized: localized,
            node_uuid: node.uuid.clone(),
            input: None,
            extra: None,
        },
    );
}

pub fn set_run_local(sp: &mut Sprint<'_>, run: usize, step: &str, a: &SetRunLocal) {
    let op = a.operation.as_deref().unwrap_or("set");
    let value = match op {
        "clear" => None,
        _ => {
            let (v, failed) = sp.eval_text_checked(run, Some(step), a.value.as_deref().unwrap_or(""));
            if failed {
                return;
            }
            Some(v)
        }
    };
    let current = sp.session.runs[run].locals.get(&a.local).cloned();
    let new = match (op, value) {
        ("increment", Some(v)) => {
            let by = number::parse(v.trim());
            let base = current.as_deref().and_then(|c| number::parse(c.trim())).unwrap_or_default();
            match by {
                Some(by) => Some(number::to_text(&(base + by))),
                None => {
                    sp.error(Some(step), format!("can't increment local '{}' by non-number '{v}'", a.local));
                    return;
                }
            }
        }
        (_, v) => v,
    };
    if let Some(r) = sp.session.runs.get_mut(run) {
        match new {
            Some(v) => {
                r.locals.insert(a.local.clone(), v.chars().take(MAX_LOCAL_VALUE).collect());
            }
            None => {
                r.locals.remove(&a.local);
            }
        }
    }
    sp.invalidate();
}
