//! Migrations within spec 13: templating UUIDs and components, `base` → `und`, `@webhook` →
//! `@webhook.json`, merged template variables, name limits and truncated result lookups.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::primitives::{self as p, Obj};
use super::refactor;
use super::templates::{self, Catalog};
use crate::ast::Expr;
use crate::ids::uuid_from_name;
use crate::words::snakify;

/// 13.1.0: templating objects of `send_msg` get a UUID (derived from the action's, so the same
/// flow always migrates the same way).
pub fn v13_1_0(f: &mut Obj) {
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if p::type_of(action) != "send_msg" {
                continue;
            }
            let seed = format!("{}/templating", p::uuid_of(action));
            if let Some(Value::Object(t)) = action.get_mut("templating") {
                t.insert("uuid".into(), Value::String(uuid_from_name(&seed)));
            }
        }
    }
}

/// 13.2.0: a flow language that is not a 3-letter code (`base`) becomes `und`.
pub fn v13_2_0(f: &mut Obj) {
    if p::text(f, "language").chars().count() != 3 {
        f.insert("language".into(), Value::String("und".into()));
        if let Some(Value::Object(loc)) = f.get_mut("localization") {
            loc.remove("und");
        }
    }
}

/// 13.3.0: `@webhook` becomes `@webhook.json` in every template.
pub fn v13_3_0(f: &mut Obj) {
    templates::rewrite(f, Catalog::V13_2, &mut |s| {
        refactor::template(s, &["webhook"], &mut |e| refactor::rename_context(e, "webhook", &["webhook", "json"]))
    });
}

/// 13.4.0: templating variables become the params of a `body` component.
pub fn v13_4_0(f: &mut Obj) {
    p::with_localization(f, |f, mut loc| {
        for node in p::nodes(f) {
            for action in p::actions(node) {
                if p::type_of(action) != "send_msg" {
                    continue;
                }
                let seed = format!("{}/body", p::uuid_of(action));
                let Some(Value::Object(t)) = action.get_mut("templating") else { continue };
                let templating_uuid = p::uuid_of(t);
                let body_uuid = uuid_from_name(&seed);
                let variables = match t.get("variables") {
                    Some(Value::Array(a)) => Value::Array(a.clone()),
                    _ => json!([]),
                };
                t.insert("components".into(), json!([{"uuid": body_uuid, "name": "body", "params": variables}]));
                if let Some(loc) = loc.as_deref_mut() {
                    for lang in p::languages(loc) {
                        if let Some(vars) = p::get_translation(loc, &lang, &templating_uuid, "variables") {
                            p::set_translation(loc, &lang, &body_uuid, "params", vars);
                            p::delete_translation(loc, &lang, &templating_uuid, "variables");
                        }
                    }
                }
                t.remove("uuid");
                t.remove("variables");
            }
        }
    });
}

/// 13.5.0: templating components become one list of `template_variables` on the action.
pub fn v13_5_0(f: &mut Obj) {
    p::with_localization(f, |f, mut loc| {
        for node in p::nodes(f) {
            for action in p::actions(node) {
                if p::type_of(action) != "send_msg" {
                    continue;
                }
                let Some(Value::Object(t)) = action.get("templating").cloned() else { continue };
                let action_uuid = p::uuid_of(action);
                let mut variables: Vec<String> = Vec::new();
                let mut localized: Vec<(String, Vec<String>, bool)> = match loc.as_deref() {
                    Some(l) => p::languages(l).into_iter().map(|l| (l, Vec::new(), false)).collect(),
                    None => Vec::new(),
                };
                let comps = match t.get("components") {
                    Some(Value::Array(c)) => c.clone(),
                    _ => Vec::new(),
                };
                for comp in comps.iter().filter_map(Value::as_object) {
                    let comp_uuid = p::uuid_of(comp);
                    let params = p::strings(comp.get("params"));
                    variables.extend(params.iter().cloned());
                    if let Some(loc) = loc.as_deref_mut() {
                        for (lang, vars, any) in localized.iter_mut() {
                            match p::get_translation(loc, lang, &comp_uuid, "params") {
                                Some(tr) => {
                                    vars.extend(tr);
                                    p::delete_translation(loc, lang, &comp_uuid, "params");
                                    *any = true;
                                }
                                None => vars.extend(params.iter().cloned()),
                            }
                        }
                    }
                }
                action.insert("template".into(), t.get("template").cloned().unwrap_or(Value::Null));
                action.insert("template_variables".into(), p::string_array(variables));
                action.remove("templating");
                if let Some(loc) = loc.as_deref_mut() {
                    for (lang, vars, any) in localized {
                        if any {
                            p::set_translation(loc, &lang, &action_uuid, "template_variables", vars);
                        }
                    }
                }
            }
        }
    });
}

/// Truncates as 13.6.0 does: only when longer than `max` bytes, then to `max` characters,
/// without trailing spaces.
fn limit(s: &str, max: usize) -> Option<String> {
    (s.len() > max).then(|| p::truncate(s, max).trim().to_string())
}

/// 13.6.0: result names (64) and category names (36) within the format's limits.
pub fn v13_6_0(f: &mut Obj) {
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if p::type_of(action) != "set_run_result" {
                continue;
            }
            if let Some(n) = limit(p::text(action, "name"), 64) {
                action.insert("name".into(), Value::String(n));
            }
            if let Some(c) = limit(p::text(action, "category"), 36) {
                action.insert("category".into(), Value::String(c));
            }
        }
        if let Some(router) = p::router(node) {
            if let Some(n) = limit(p::text(router, "result_name"), 64) {
                router.insert("result_name".into(), Value::String(n));
            }
            if let Some(Value::Array(cats)) = router.get_mut("categories") {
                for cat in cats.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(n) = limit(p::text(cat, "name"), 36) {
                        cat.insert("name".into(), Value::String(n));
                    }
                }
            }
        }
    }
}

/// 13.6.1: lookups of results (`@results.x`) truncated to 64 characters, like the names.
pub fn v13_6_1(f: &mut Obj) {
    let mut keys: HashSet<String> = HashSet::new();
    for node in p::nodes(f) {
        for action in p::actions(node) {
            if p::type_of(action) == "set_run_result" && !p::text(action, "name").is_empty() {
                keys.insert(snakify(p::text(action, "name")));
            }
        }
        if let Some(router) = p::router(node) {
            if !p::text(router, "result_name").is_empty() {
                keys.insert(snakify(p::text(router, "result_name")));
            }
        }
    }
    let truncate = |lookup: &str| -> String {
        let truncated = p::truncate(lookup, 64);
        let trimmed = truncated.trim_end_matches('_').to_string();
        if trimmed != truncated && !keys.contains(&truncated.to_lowercase()) && keys.contains(&trimmed.to_lowercase()) {
            trimmed
        } else {
            truncated
        }
    };
    templates::rewrite(f, Catalog::V13_6, &mut |s| {
        refactor::template(s, &["results"], &mut |e| {
            refactor::visit(e, &mut |node| {
                if let Expr::Property(container, lookup) = node {
                    if matches!(container.as_ref(), Expr::Name(n) if n == "results") {
                        let new = truncate(lookup);
                        if new != *lookup {
                            *lookup = new;
                            return true;
                        }
                    }
                }
                false
            })
        })
    });
}
