//! Access to a flow definition as plain JSON for migrations: its nodes, actions, routers and
//! translations, tolerant of anything missing or mistyped (migrations never fail on shape).

use serde_json::{Map, Value};

pub type Obj = Map<String, Value>;

/// The node objects of a flow.
pub fn nodes(flow: &mut Obj) -> Vec<&mut Obj> {
    match flow.get_mut("nodes") {
        Some(Value::Array(ns)) => ns.iter_mut().filter_map(Value::as_object_mut).collect(),
        _ => Vec::new(),
    }
}

/// The action objects of a node.
pub fn actions(node: &mut Obj) -> Vec<&mut Obj> {
    match node.get_mut("actions") {
        Some(Value::Array(a)) => a.iter_mut().filter_map(Value::as_object_mut).collect(),
        _ => Vec::new(),
    }
}

pub fn router(node: &mut Obj) -> Option<&mut Obj> {
    node.get_mut("router").and_then(Value::as_object_mut)
}

pub fn text<'a>(o: &'a Obj, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn type_of(o: &Obj) -> &str {
    text(o, "type")
}

pub fn uuid_of(o: &Obj) -> String {
    text(o, "uuid").to_string()
}

pub fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect(),
        _ => Vec::new(),
    }
}

pub fn string_array(items: Vec<String>) -> Value {
    Value::Array(items.into_iter().map(Value::String).collect())
}

/// The flow's translations, taken out of the flow for the length of `f` and put back after,
/// so that nodes and translations can both be changed.
pub fn with_localization<T>(flow: &mut Obj, f: impl FnOnce(&mut Obj, Option<&mut Obj>) -> T) -> T {
    match flow.remove("localization") {
        Some(Value::Object(mut loc)) => {
            let out = f(flow, Some(&mut loc));
            flow.insert("localization".into(), Value::Object(loc));
            out
        }
        Some(other) => {
            let out = f(flow, None);
            flow.insert("localization".into(), other);
            out
        }
        None => f(flow, None),
    }
}

pub fn languages(loc: &Obj) -> Vec<String> {
    loc.keys().cloned().collect()
}

pub fn get_translation(loc: &Obj, lang: &str, uuid: &str, prop: &str) -> Option<Vec<String>> {
    let v = loc.get(lang)?.get(uuid)?.get(prop)?;
    v.is_array().then(|| strings(Some(v)))
}

pub fn set_translation(loc: &mut Obj, lang: &str, uuid: &str, prop: &str, texts: Vec<String>) {
    let Some(Value::Object(l)) = loc.get_mut(lang) else { return };
    let item = l.entry(uuid.to_string()).or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(item) = item {
        item.insert(prop.to_string(), string_array(texts));
    }
}

/// Removes a translated property, and the item when nothing is left of it.
pub fn delete_translation(loc: &mut Obj, lang: &str, uuid: &str, prop: &str) {
    let Some(Value::Object(l)) = loc.get_mut(lang) else { return };
    let empty = match l.get_mut(uuid) {
        Some(Value::Object(item)) => {
            item.remove(prop);
            item.is_empty()
        }
        _ => false,
    };
    if empty {
        l.remove(uuid);
    }
}

/// Truncates to `max` characters, as Go's `stringsx.Truncate` does by runes.
pub fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
