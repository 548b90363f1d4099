//! Saving a run result (from a router or `set_run_result`): its key is the snakified name, its
//! value is bounded, and the caller is told with a `run_result_changed` event.

use serde_json::Value;

use super::events::EventKind;
use super::run::RunResult;
use super::sprint::Sprint;
use crate::words::snakify;

/// Longest value a result keeps, in characters.
pub const MAX_RESULT_VALUE: usize = 640;

/// A result to save.
pub struct NewResult {
    pub name: String,
    pub value: String,
    pub category: String,
    pub category_localized: Option<String>,
    pub node_uuid: String,
    pub input: Option<String>,
    pub extra: Option<Value>,
}

pub fn save(sp: &mut Sprint<'_>, run: usize, step: Option<&str>, r: NewResult) {
    let key = snakify(&r.name);
    let value: String = r.value.chars().take(MAX_RESULT_VALUE).collect();
    let localized = r.category_localized.filter(|l| *l != r.category);
    let now = sp.now.clone();
    if let Some(run) = sp.session.runs.get_mut(run) {
        run.results.insert(
            key,
            RunResult {
                name: r.name.clone(),
                value: value.clone(),
                category: r.category.clone(),
                category_localized: localized.clone(),
                node_uuid: r.node_uuid,
                input: r.input,
                extra: r.extra.clone(),
                created_on: now.clone(),
            },
        );
        run.modified_on = now;
    }
    sp.invalidate();
    sp.event(
        step,
        EventKind::RunResultChanged {
            name: r.name,
            value,
            category: r.category,
            category_localized: localized,
            extra: r.extra,
        },
    );
}
