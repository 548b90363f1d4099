//! Routers: `switch` evaluates its operand against the cases in order (with translated
//! arguments) and falls back to the default category; `random` draws from the injected RNG.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

use super::results::{self, NewResult};
use super::sprint::Sprint;
use crate::convert;
use crate::definition::{Flow, Node, Router, RouterType};
use crate::eval::Evaluator;
use crate::functions;
use crate::value::{XFunction, XValue};

/// Picks the exit of `router`; `None` when no category applies (the run then ends).
pub fn route(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, router: &Router) -> Option<String> {
    match router.kind {
        RouterType::Switch => switch(sp, run, flow, node, router),
        RouterType::Random => random(sp, run, flow, node, router),
    }
}

/// An XValue as JSON, for a result's `extra`.
pub fn to_json_value(v: &XValue) -> Option<Value> {
    match v {
        XValue::Null => None,
        other => convert::to_json(other).ok().and_then(|s| serde_json::from_str(&s).ok()),
    }
}

fn switch(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, router: &Router) -> Option<String> {
    let step = sp.step_uuid(run);
    let operand_template = router.operand.as_deref().unwrap_or("@input.text");
    let operand = sp.eval_value(run, step.as_deref(), operand_template);
    let operand_text = match &operand {
        XValue::Null => None,
        v => Some(convert::to_text(v).unwrap_or_default()),
    };
    let mut matched: Option<(String, String, Option<Value>)> = None;
    for case in router.cases() {
        let test = case.test.to_lowercase();
        let Some(name) = functions::lookup(&test) else {
            sp.error(step.as_deref(), format!("unknown case test '{}'", case.test));
            continue;
        };
        let native = case.arguments().to_vec();
        let mut localized = sp.localized(flow, &case.uuid, "arguments", &native);
        if localized.len() != native.len() {
            localized = native;
        }
        let mut args = vec![operand.clone()];
        for a in &localized {
            args.push(sp.eval_value(run, step.as_deref(), a));
        }
        let limits = sp.engine.config.expression_limits;
        let result =
            sp.with_context(run, |env, ctx| Evaluator::new(env, ctx, limits).call(&XFunction::Builtin(name), &args));
        if let XValue::Error(e) = &result {
            sp.error(step.as_deref(), format!("error calling {}: {}", case.test, e.message));
            continue;
        }
        if result.truthy().unwrap_or(false) {
            let (m, extra) = match &result {
                XValue::Object(o) => (o.get("match").cloned().unwrap_or(XValue::Null), o.get("extra").cloned()),
                other => (other.clone(), None),
            };
            let match_text = convert::to_text(&m).unwrap_or_default();
            matched = Some((case.category_uuid.clone(), match_text, extra.as_ref().and_then(to_json_value)));
            break;
        }
    }
    let (category, value, extra) = match matched {
        Some(m) => m,
        None => {
            let Some(default) = router.default_category_uuid.clone().filter(|d| !d.is_empty()) else {
                // No case matched and there is no default: the run fails, as in the reference.
                sp.fail(run, format!("router on node[uuid={}] failed to pick a category", node.uuid));
                return None;
            };
            (default, operand_text.clone().unwrap_or_default(), None)
        }
    };
    to_category(sp, run, flow, node, router, &category, value, operand_text, extra)
}

fn random(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, router: &Router) -> Option<String> {
    if router.categories.is_empty() {
        return None;
    }
    // 53 random bits, as a float's mantissa, scaled into [0, 1).
    let bits = sp.rng.next_u64() >> 11;
    let r = (bits as f64) / ((1u64 << 53) as f64);
    let index = ((r * router.categories.len() as f64) as usize).min(router.categories.len() - 1);
    let category = router.categories[index].uuid.clone();
    let value = Decimal::from_f64(r).map(|d| d.normalize().to_string()).unwrap_or_default();
    to_category(sp, run, flow, node, router, &category, value, None, None)
}

/// Routes to the timeout category of the node's wait.
pub fn timeout(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, router: &Router) -> Option<String> {
    let category = router.wait.as_ref()?.timeout.as_ref()?.category_uuid.clone();
    // The reference saves the time the wait timed out as the result's value.
    let value = sp.now.clone();
    to_category(sp, run, flow, node, router, &category, value, None, None)
}

#[allow(clippy::too_many_arguments)]
fn to_category(
    sp: &mut Sprint<'_>,
    run: usize,
    flow: &Flow,
    node: &Node,
    router: &Router,
    category_uuid: &str,
    value: String,
    input: Option<String>,
    extra: Option<Value>,
) -> Option<String> {
    let Some(category) = router.category(category_uuid) else {
        sp.fail(run, format!("category {category_uuid} doesn't exist"));
        return None;
    };
    if let Some(name) = router.result_name() {
        let localized = sp.localized_one(flow, &category.uuid, "name", &category.name);
        let step = sp.step_uuid(run);
        results::save(
            sp,
            run,
            step.as_deref(),
            NewResult {
                name: name.to_string(),
                value,
                category: category.name.clone(),
                category_localized: Some(localized),
                node_uuid: node.uuid.clone(),
                input,
                extra,
            },
        );
    }
    Some(category.exit_uuid.clone())
}
