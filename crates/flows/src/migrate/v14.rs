//! Migrations within spec 14: expiry limits and category names, webhook and ticket splits,
//! quick reply limits, ticket notes, joined text-test arguments, `all_urns` removed.

use serde_json::{json, Value};

use super::primitives::{self as p, Obj};

const WEBHOOK_ACTIONS: &[&str] = &["call_webhook", "call_resthook"];

/// The node's only action's type, when a node has exactly one action and a switch router.
fn single_action_switch(node: &mut Obj) -> Option<String> {
    let acts = p::actions(node);
    if acts.len() != 1 {
        return None;
    }
    let t = p::type_of(acts[0]).to_string();
    let is_switch = node.get("router").and_then(Value::as_object).is_some_and(|r| p::type_of(r) == "switch");
    is_switch.then_some(t)
}

/// 14.0.0: expiry within the type's maximum (two weeks, or 15 minutes for voice) and
/// categories without a name called `Match`.
pub fn v14_0_0(f: &mut Obj) {
    let max = match p::type_of(f) {
        "messaging" => 20160,
        "voice" => 15,
        _ => 0,
    };
    if let Some(Value::Number(n)) = f.get("expire_after_minutes") {
        if let Some(m) = n.as_i64() {
            f.insert("expire_after_minutes".into(), json!(m.min(max)));
        }
    }
    for node in p::nodes(f) {
        if let Some(router) = p::router(node) {
            if let Some(Value::Array(cats)) = router.get_mut("categories") {
                for cat in cats.iter_mut().filter_map(Value::as_object_mut) {
                    if p::text(cat, "name").is_empty() {
                        cat.insert("name".into(), json!("Match"));
                    }
                }
            }
        }
    }
}

/// Rewrites the first case of a split to `type(args)` and drops the others; returns the UUIDs
/// of all the original cases, or `None` when the router has no usable first case.
fn canonical_first_case(router: &mut Obj, test: &str, args: Value) -> Option<Vec<String>> {
    let cases = match router.get("cases") {
        Some(Value::Array(c)) if !c.is_empty() => c.clone(),
        _ => return None,
    };
    let mut case0 = cases.first()?.as_object()?.clone();
    case0.insert("type".into(), json!(test));
    case0.insert("arguments".into(), args);
    router.insert("cases".into(), json!([case0]));
    Some(cases.iter().filter_map(|c| c.as_object().map(p::uuid_of)).collect())
}

/// 14.1.0: webhook nodes split on `@webhook.status`; quick replies at most 10.
pub fn v14_1_0(f: &mut Obj) {
    for node in p::nodes(f) {
        let Some(t) = single_action_switch(node) else { continue };
        if !WEBHOOK_ACTIONS.contains(&t.as_str()) {
            continue;
        }
        let Some(router) = p::router(node) else { continue };
        if !p::text(router, "operand").starts_with("@results.") {
            continue;
        }
        if canonical_first_case(router, "has_number_between", json!(["200", "299"])).is_some() {
            router.insert("operand".into(), json!("@webhook.status"));
        }
    }
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if matches!(p::type_of(action), "send_msg" | "send_broadcast") {
                if let Some(Value::Array(q)) = action.get_mut("quick_replies") {
                    q.truncate(10);
                }
            }
        }
    }
}

/// 14.2.0: a ticket's `body` becomes its `note`; translations in invalid languages dropped.
pub fn v14_2_0(f: &mut Obj) {
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if p::type_of(action) == "open_ticket" {
                let body = p::text(action, "body").to_string();
                if !body.is_empty() {
                    action.insert("note".into(), Value::String(body));
                    action.remove("body");
                }
            }
        }
    }
    if let Some(Value::Object(loc)) = f.get_mut("localization") {
        loc.retain(|lang, _| lang.chars().count() == 3);
    }
}

/// 14.3.0: ticket and airtime nodes split on their output local, the result moved to the router.
pub fn v14_3_0(f: &mut Obj) {
    for node in p::nodes(f) {
        let Some(t) = single_action_switch(node) else { continue };
        let local = match t.as_str() {
            "open_ticket" => "_new_ticket",
            "transfer_airtime" => "_new_transfer",
            _ => continue,
        };
        let result_name = p::actions(node).first().and_then(|a| a.get("result_name").cloned());
        let Some(router) = p::router(node) else { continue };
        if !p::text(router, "operand").starts_with("@results.") {
            continue;
        }
        if canonical_first_case(router, "has_text", json!([])).is_none() {
            continue;
        }
        router.insert("operand".into(), json!(format!("@locals.{local}")));
        router.insert("result_name".into(), result_name.unwrap_or(Value::Null));
        if let Some(a) = p::actions(node).into_iter().next() {
            a.remove("result_name");
        }
    }
}

const SINGLE_ARG_TESTS: &[&str] = &[
    "has_only_text",
    "has_phrase",
    "has_only_phrase",
    "has_any_word",
    "has_all_words",
    "has_beginning",
    "has_pattern",
];

/// 14.3.1: text tests written with several arguments get them joined into one.
pub fn v14_3_1(f: &mut Obj) {
    let mut case_uuids = Vec::new();
    for node in p::nodes(f) {
        let Some(router) = p::router(node) else { continue };
        if p::type_of(router) != "switch" {
            continue;
        }
        let Some(Value::Array(cases)) = router.get_mut("cases") else { continue };
        for case in cases.iter_mut().filter_map(Value::as_object_mut) {
            if !SINGLE_ARG_TESTS.contains(&p::type_of(case)) {
                continue;
            }
            case_uuids.push(p::uuid_of(case));
            let args = p::strings(case.get("arguments"));
            if args.len() > 1 {
                case.insert("arguments".into(), json!([args.join(" ")]));
            }
        }
    }
    if let Some(Value::Object(loc)) = f.get_mut("localization") {
        for lang in p::languages(loc) {
            for uuid in &case_uuids {
                if let Some(tr) = p::get_translation(loc, &lang, uuid, "arguments") {
                    if tr.len() > 1 {
                        p::set_translation(loc, &lang, uuid, "arguments", vec![tr.join(" ")]);
                    }
                }
            }
        }
    }
}

/// 14.4.0: `all_urns` is gone from `send_msg`.
pub fn v14_4_0(f: &mut Obj) {
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if p::type_of(action) == "send_msg" {
                action.remove("all_urns");
            }
        }
    }
}

/// 14.4.1: every webhook split in the canonical shape (`@webhook.status` in 200..299), and
/// no translated arguments for its cases.
pub fn v14_4_1(f: &mut Obj) {
    p::with_localization(f, |f, mut loc| {
        for node in p::nodes(f) {
            let Some(t) = single_action_switch(node) else { continue };
            if !WEBHOOK_ACTIONS.contains(&t.as_str()) {
                continue;
            }
            let Some(router) = p::router(node) else { continue };
            let Some(uuids) = canonical_first_case(router, "has_number_between", json!(["200", "299"])) else {
                continue;
            };
            router.insert("operand".into(), json!("@webhook.status"));
            if let Some(loc) = loc.as_deref_mut() {
                for lang in p::languages(loc) {
                    for u in uuids.iter().filter(|u| !u.is_empty()) {
                        p::delete_translation(loc, &lang, u, "arguments");
                    }
                }
            }
        }
    });
}

/// 14.4.2: webhook splits use `@(default(webhook.status, 0))`, so a call that never happened
/// routes to Failure instead of raising an error.
pub fn v14_4_2(f: &mut Obj) {
    for node in p::nodes(f) {
        let Some(t) = single_action_switch(node) else { continue };
        if !WEBHOOK_ACTIONS.contains(&t.as_str()) {
            continue;
        }
        if let Some(router) = p::router(node) {
            if p::text(router, "operand") == "@webhook.status" {
                router.insert("operand".into(), json!("@(default(webhook.status, 0))"));
            }
        }
    }
}
