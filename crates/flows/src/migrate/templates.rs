//! Where the templates are in each kind of action and router, by spec version, and rewriting
//! all of them (with their translations) through one function.

use serde_json::Value;

use super::primitives::{self as p, Obj};

/// Catalogs of template paths, as of the versions that migrations rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    V13_2,
    V13_6,
}

/// One step of a path: a key, every item of an array, or every value of an object.
#[derive(Debug, Clone, Copy)]
enum Seg {
    Key(&'static str),
    Each,
    AnyKey,
}

fn action_paths(catalog: Catalog, action_type: &str) -> &'static [&'static [Seg]] {
    use Seg::*;
    match action_type {
        "add_contact_groups" | "remove_contact_groups" => &[&[Key("groups"), Each, Key("name_match")]],
        "add_contact_urn" => &[&[Key("path")]],
        "add_input_labels" => &[&[Key("labels"), Each, Key("name_match")]],
        "call_classifier" => &[&[Key("input")]],
        "call_webhook" => &[&[Key("body")], &[Key("headers"), AnyKey], &[Key("url")]],
        "open_ticket" => &[&[Key("assignee"), Key("email_match")], &[Key("body")]],
        "play_audio" => &[&[Key("audio_url")]],
        "say_msg" => &[&[Key("text")]],
        "send_broadcast" => &[
            &[Key("attachments")],
            &[Key("contact_query")],
            &[Key("groups"), Each, Key("name_match")],
            &[Key("legacy_vars")],
            &[Key("quick_replies")],
            &[Key("text")],
        ],
        "send_email" => &[&[Key("addresses")], &[Key("body")], &[Key("subject")]],
        "send_msg" => match catalog {
            Catalog::V13_2 => &[
                &[Key("attachments")],
                &[Key("quick_replies")],
                &[Key("templating"), Key("components"), Each, Key("params")],
                &[Key("templating"), Key("variables")],
                &[Key("text")],
            ],
            Catalog::V13_6 => {
                &[&[Key("attachments")], &[Key("quick_replies")], &[Key("template_variables")], &[Key("text")]]
            }
        },
        "set_contact_field" | "set_run_result" => &[&[Key("value")]],
        "set_contact_language" => &[&[Key("language")]],
        "set_contact_name" => &[&[Key("name")]],
        "set_contact_timezone" => &[&[Key("timezone")]],
        "start_session" => &[&[Key("contact_query")], &[Key("groups"), Each, Key("name_match")], &[Key("legacy_vars")]],
        _ => &[],
    }
}

const ROUTER_PATHS: &[&[Seg]] = &[&[Seg::Key("operand")], &[Seg::Key("cases"), Seg::Each, Seg::Key("arguments")]];

fn apply(v: &mut Value, tx: &mut dyn FnMut(&str) -> String) {
    match v {
        Value::String(s) => *s = tx(s),
        Value::Array(items) => {
            for i in items.iter_mut() {
                if let Value::String(s) = i {
                    *s = tx(s);
                }
            }
        }
        _ => {}
    }
}

/// Walks `segs` from `o`; at the end rewrites the value and records (container UUID, key) so
/// that the same property's translations are rewritten too.
fn walk(o: &mut Obj, segs: &[Seg], tx: &mut dyn FnMut(&str) -> String, touched: &mut Vec<(String, String)>) {
    let Some((first, rest)) = segs.split_first() else { return };
    match first {
        Seg::Key(k) if rest.is_empty() => {
            let uuid = p::uuid_of(o);
            if let Some(v) = o.get_mut(*k) {
                if !uuid.is_empty() {
                    touched.push((uuid, (*k).to_string()));
                }
                apply(v, tx);
            }
        }
        Seg::Key(k) => match (o.get_mut(*k), rest.first()) {
            (Some(Value::Array(items)), Some(Seg::Each)) => {
                for item in items.iter_mut() {
                    if let Value::Object(child) = item {
                        walk(child, &rest[1..], tx, touched);
                    }
                }
            }
            (Some(Value::Object(child)), Some(Seg::AnyKey)) => {
                for v in child.values_mut() {
                    apply(v, tx);
                }
            }
            (Some(Value::Object(child)), _) => walk(child, rest, tx, touched),
            _ => {}
        },
        Seg::Each | Seg::AnyKey => {}
    }
}

/// Rewrites every template of the flow (actions, routers and their translations) with `tx`.
pub fn rewrite(flow: &mut Obj, catalog: Catalog, tx: &mut dyn FnMut(&str) -> String) {
    let mut touched: Vec<(String, String)> = Vec::new();
    p::with_localization(flow, |flow, loc| {
        for node in p::nodes(flow) {
            for action in p::actions(node) {
                let t = p::type_of(action).to_string();
                for path in action_paths(catalog, &t) {
                    walk(action, path, tx, &mut touched);
                }
            }
            if let Some(router) = p::router(node) {
                for path in ROUTER_PATHS {
                    walk(router, path, tx, &mut touched);
                }
            }
        }
        if let Some(loc) = loc {
            for lang in p::languages(loc) {
                for (uuid, prop) in &touched {
                    if let Some(texts) = p::get_translation(loc, &lang, uuid, prop) {
                        let new: Vec<String> = texts.iter().map(|t| tx(t)).collect();
                        p::set_translation(loc, &lang, uuid, prop, new);
                    }
                }
            }
        }
    });
}
