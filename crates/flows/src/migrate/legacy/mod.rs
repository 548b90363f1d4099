//! Legacy flows (before spec 13: `action_sets` and `rule_sets`, export versions 4 to 11.12),
//! migrated to spec 13.0.0 as RapidPro and the reference engine migrated them; the spec
//! migrations then take them on to the current version.
//!
//! The older shapes are first brought to the 11.12 shape (a nested `definition` before version
//! 7, plain strings before localization in 6, ids and `@extra.flow` before 9, webhook fields
//! outside `config` before 10, two-letter languages before 11, `api` actions before 11.7). Then
//! each action set becomes a node with actions and one exit, each rule set a node with a router.
//! What cannot be migrated is refused, naming the flow, the node and the action or rule type.
//! UUIDs the migration needs are derived from the legacy ones, so a flow always migrates alike.

mod actions;
pub mod expressions;
mod rules;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::definition::DefinitionError;
use crate::ids::{is_uuid, uuid_from_name};
use crate::words::snakify;

use expressions::{migrate_template, migrate_template_with, migrate_v7_template, URN_SCHEMES};

type Obj = Map<String, Value>;

/// The spec version a legacy flow is migrated to.
pub const TARGET: &str = "13.0.0";

/// The newest legacy version: flows of later exports carry a `spec_version`.
pub const LAST_LEGACY: &str = "11.12";

/// Whether a flow definition is in the legacy format: no `spec_version`, and action sets, rule
/// sets or (before version 7) a nested `definition`.
pub fn is_legacy(flow: &Value) -> bool {
    let Value::Object(o) = flow else { return false };
    if o.contains_key("spec_version") {
        return false;
    }
    o.contains_key("action_sets")
        || o.contains_key("rule_sets")
        || o.get("definition").is_some_and(|d| d.get("action_sets").is_some() || d.get("rule_sets").is_some())
}

/// A legacy version number as a comparable pair: `11.12` → (11, 12), `7` → (7, 0).
fn version_of(s: &str) -> Option<(u32, u32)> {
    let mut parts = s.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(m) => m.parse().ok()?,
        None => 0,
    };
    Some((major, minor))
}

/// Migrates one legacy flow to spec 13.0.0. `export_version` is the export's `version`, used
/// when the flow does not carry its own. The error names the flow, and the node and the action
/// or rule type where there is one.
pub fn migrate(flow: &Value, export_version: Option<&str>) -> Result<Value, DefinitionError> {
    let Value::Object(obj) = flow else {
        return Err(DefinitionError::new("flow definition isn't an object"));
    };
    let written = match obj.get("version") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => export_version.unwrap_or(LAST_LEGACY).to_string(),
    };
    let version = version_of(&written)
        .ok_or_else(|| DefinitionError::new(format!("legacy flow: version '{written}' is not a version number")))?;
    let mut f = flatten(obj.clone(), version);
    let meta = f.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    let uuid = text(&meta, "uuid").to_string();
    let name = text(&meta, "name").to_string();
    if version < (4, 0) {
        return Err(DefinitionError::new(format!(
            "legacy flow version {written} is older than 4, the oldest RapidPro export this platform reads"
        ))
        .in_flow(&uuid, &name));
    }
    if version > (11, 12) {
        return Err(DefinitionError::new(format!(
            "flow has no 'spec_version' but version {written} is newer than the legacy format (up to {LAST_LEGACY})"
        ))
        .in_flow(&uuid, &name));
    }
    if uuid.is_empty() || !is_uuid(&uuid) {
        return Err(DefinitionError::new("legacy flow: field 'metadata.uuid' must be a valid UUID").in_flow("", &name));
    }
    Migrator::new(&mut f, version).run().map_err(|e| e.in_flow(&uuid, &name))
}

fn text<'a>(o: &'a Obj, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

fn objects(v: Option<&Value>) -> Vec<Obj> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).cloned().collect(),
        _ => Vec::new(),
    }
}

/// Before version 7 an export's flow wrapped its definition: `{"name", "uuid", "flow_type",
/// "definition": {…}}`. The definition comes out with a `metadata` section.
fn flatten(mut f: Obj, version: (u32, u32)) -> Obj {
    if version >= (7, 0) {
        return f;
    }
    let Some(Value::Object(mut def)) = f.remove("definition") else { return f };
    let flow_type = f.get("flow_type").cloned().unwrap_or_else(|| Value::String("F".into()));
    def.insert("flow_type".into(), flow_type);
    let mut meta = def.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    for (from, to) in [("name", "name"), ("uuid", "uuid"), ("revision", "revision"), ("expires", "expires")] {
        if let Some(v) = f.get(from) {
            meta.insert(to.into(), v.clone());
        }
    }
    def.insert("metadata".into(), Value::Object(meta));
    def
}

/// Texts by language. Before version 6 texts were plain strings: those are in the base language.
fn translations(v: Option<&Value>, base: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match v {
        Some(Value::String(s)) => {
            out.insert(base.to_string(), s.clone());
        }
        Some(Value::Object(o)) => {
            for (lang, t) in o {
                match t {
                    Value::String(s) => {
                        out.insert(lang.clone(), s.clone());
                    }
                    // Some single message flows ended up with a dict inside the dict.
                    Value::Object(inner) => {
                        if let Some(Value::String(s)) = inner.values().next() {
                            out.insert(lang.clone(), s.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// A two-letter language code (flows before 11.1) as the three-letter one the format uses.
fn language_code(code: &str) -> String {
    if code.chars().count() == 2 {
        if let Some(l) = isolang::Language::from_639_1(&code.to_lowercase()) {
            return l.to_639_3().to_string();
        }
    }
    code.to_string()
}

struct Migrator<'a> {
    flow: &'a mut Obj,
    version: (u32, u32),
    base: String,
    /// language → item uuid → property → texts
    localization: BTreeMap<String, BTreeMap<String, Obj>>,
    ui: Obj,
}

/// A refusal at a rule set node, naming the rule set or rule type in the message.
fn refuse(node: &str, kind: &str, what: &str, message: impl Into<String>) -> DefinitionError {
    DefinitionError::new(format!("legacy {what} '{kind}': {}", message.into())).in_node(node)
}

impl<'a> Migrator<'a> {
    fn new(flow: &'a mut Obj, version: (u32, u32)) -> Self {
        let base = match flow.get("base_language") {
            Some(Value::String(s)) if !s.is_empty() => language_code(s),
            _ => "base".to_string(),
        };
        Migrator { flow, version, base, localization: BTreeMap::new(), ui: Obj::new() }
    }

    /// A template of this flow, as the current format writes it.
    fn template(&self, s: &str) -> String {
        if self.version < (8, 0) {
            migrate_template(&migrate_v7_template(s), false)
        } else {
            migrate_template(s, false)
        }
    }

    /// The operand of a date test: dates in it stay dates, as the tests compare them.
    fn date_template(&self, s: &str) -> String {
        if self.version < (8, 0) {
            migrate_template_with(&migrate_v7_template(s), false, true)
        } else {
            migrate_template_with(s, false, true)
        }
    }

    /// Base-language text of a translated property; the others go to the localization.
    fn localized(&mut self, v: Option<&Value>, item: &str, property: &str) -> Option<String> {
        let mut base_text = None;
        let all = translations(v, &self.base);
        for (lang, t) in &all {
            let migrated = self.template(t);
            let lang3 = language_code(lang);
            if lang3 == self.base || lang == "base" {
                base_text = Some(migrated);
            } else {
                self.translate(&lang3, item, property, vec![migrated]);
            }
        }
        if base_text.is_none() && all.len() == 1 {
            base_text = all.values().next().map(|t| self.template(t));
        }
        base_text
    }

    fn translate(&mut self, lang: &str, item: &str, property: &str, texts: Vec<String>) {
        let entry = self.localization.entry(lang.to_string()).or_default().entry(item.to_string()).or_default();
        entry.insert(property.to_string(), Value::Array(texts.into_iter().map(Value::String).collect()));
    }

    fn run(mut self) -> Result<Value, DefinitionError> {
        let meta = self.flow.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
        let flow_type = match text(self.flow, "flow_type") {
            "" | "F" | "M" => "messaging",
            "V" => "voice",
            "S" => "messaging_offline",
            other => {
                return Err(DefinitionError::new(format!("legacy flow type '{other}' is not one this platform runs")))
            }
        };
        let action_sets = objects(self.flow.get("action_sets"));
        let rule_sets = objects(self.flow.get("rule_sets"));
        let mut nodes = Vec::new();
        for set in &action_sets {
            nodes.extend(self.action_set(set)?);
        }
        for set in &rule_sets {
            nodes.push(self.rule_set(set)?);
        }
        // The entry node goes first: the given entry, else the one at the top of the canvas.
        let entry = match text(self.flow, "entry") {
            "" => action_sets
                .iter()
                .chain(&rule_sets)
                .min_by_key(|n| {
                    (n.get("y").and_then(Value::as_i64).unwrap_or(0), n.get("x").and_then(Value::as_i64).unwrap_or(0))
                })
                .map(|n| text(n, "uuid").to_string())
                .unwrap_or_default(),
            e => e.to_string(),
        };
        if let Some(i) = nodes.iter().position(|n| n.get("uuid").and_then(Value::as_str) == Some(entry.as_str())) {
            let first = nodes.remove(i);
            nodes.insert(0, first);
        }
        let mut out = Obj::new();
        out.insert("uuid".into(), Value::String(text(&meta, "uuid").to_string()));
        out.insert("name".into(), Value::String(text(&meta, "name").to_string()));
        out.insert("spec_version".into(), Value::String(TARGET.into()));
        out.insert("language".into(), Value::String(self.base.clone()));
        out.insert("type".into(), Value::String(flow_type.into()));
        out.insert("revision".into(), meta.get("revision").filter(|r| r.is_i64()).cloned().unwrap_or(json!(1)));
        if let Some(m) = meta.get("expires").and_then(Value::as_i64).filter(|m| *m > 0) {
            out.insert("expire_after_minutes".into(), json!(m));
        }
        let mut loc = Obj::new();
        for (lang, items) in std::mem::take(&mut self.localization) {
            loc.insert(lang, Value::Object(items.into_iter().map(|(k, v)| (k, Value::Object(v))).collect()));
        }
        out.insert("localization".into(), Value::Object(loc));
        out.insert("nodes".into(), Value::Array(nodes.into_iter().map(Value::Object).collect()));
        out.insert("_ui".into(), json!({"nodes": Value::Object(std::mem::take(&mut self.ui))}));
        Ok(Value::Object(out))
    }

    fn place(&mut self, set: &Obj, uuid: &str, kind: &str) {
        let left = set.get("x").and_then(Value::as_i64).unwrap_or(0);
        let top = set.get("y").and_then(Value::as_i64).unwrap_or(0);
        self.ui.insert(uuid.to_string(), json!({"position": {"left": left, "top": top}, "type": kind}));
    }
}

fn exit_json(uuid: &str, destination: Option<&str>) -> Value {
    match destination {
        Some(d) => json!({"uuid": uuid, "destination_uuid": d}),
        None => json!({"uuid": uuid}),
    }
}

fn refs(v: Option<&Value>) -> Vec<Value> {
    objects(v)
        .into_iter()
        .filter(|c| is_uuid(text(c, "uuid")))
        .map(|c| json!({"uuid": text(&c, "uuid"), "name": text(&c, "name")}))
        .collect()
}

fn flow_ref(v: Option<&Value>) -> Option<Value> {
    let o = v?.as_object()?;
    let uuid = text(o, "uuid");
    is_uuid(uuid).then(|| json!({"uuid": uuid, "name": text(o, "name")}))
}

/// The wait of a rule set that waits: a message, digits or (on a voice flow) a recording.
fn wait_of(kind: &str, timeout: Option<Value>, set: &Obj) -> Option<Value> {
    let hint = match kind {
        "wait_message" => None,
        "wait_digit" => Some(json!({"type": "digits", "count": 1})),
        "wait_digits" => {
            let key = set.get("finished_key").and_then(Value::as_str).unwrap_or("#");
            Some(json!({"type": "digits", "terminated_by": key}))
        }
        "wait_recording" | "wait_audio" => Some(json!({"type": "audio"})),
        "wait_photo" => Some(json!({"type": "image"})),
        "wait_video" => Some(json!({"type": "video"})),
        "wait_gps" => Some(json!({"type": "location"})),
        _ => return None,
    };
    let mut wait = json!({"type": "msg"});
    if let Some(t) = timeout {
        wait["timeout"] = t;
    }
    if let Some(h) = hint {
        wait["hint"] = h;
    }
    Some(wait)
}

fn ui_of(kind: &str) -> &'static str {
    match kind {
        "wait_message" => "wait_for_response",
        "wait_digits" => "wait_for_digits",
        "wait_digit" => "wait_for_menu",
        "wait_recording" | "wait_audio" => "wait_for_audio",
        "wait_photo" => "wait_for_image",
        "wait_video" => "wait_for_video",
        "wait_gps" => "wait_for_location",
        "flow_field" => "split_by_run_result",
        "contact_field" => "split_by_contact_field",
        "form_field" => "split_by_run_result_delimited",
        "group" => "split_by_groups",
        "subflow" => "split_by_subflow",
        "random" => "split_by_random",
        _ => "split_by_expression",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = "0ec97956-c451-48a0-a180-1ce766623e31";
    const A1: &str = "5a6d2c4e-0c1b-4c55-9a43-2b3f6b1f0a01";
    const A2: &str = "5a6d2c4e-0c1b-4c55-9a43-2b3f6b1f0a02";

    fn flow(actions: Value) -> Value {
        json!({"version": "11.12", "flow_type": "F", "base_language": "eng", "entry": A1,
               "metadata": {"uuid": FLOW, "name": "Unit"},
               "action_sets": [{"uuid": A1, "x": 0, "y": 0, "destination": A2, "actions": actions},
                               {"uuid": A2, "x": 0, "y": 100, "actions": [{"type": "reply", "msg": {"eng": "end"}}]}],
               "rule_sets": []})
    }

    #[test]
    fn save_actions_become_name_urn_or_field() {
        let out = migrate(&flow(actions_of_three()), None).unwrap();
        let actions = &out["nodes"][0]["actions"];
        assert_eq!(actions[0]["type"], "set_contact_name");
        assert_eq!(actions[0]["name"], "@(format_input(input)) @(word_slice(contact.name, 1, -1))");
        assert_eq!(actions[1]["type"], "add_contact_urn");
        assert_eq!(actions[1]["scheme"], "tel");
        assert_eq!(actions[2]["field"], json!({"key": "district", "name": "District"}));
        assert_eq!(actions[2]["value"], "@results.where.value");
        assert_eq!(out["spec_version"], TARGET);
        // Missing action UUIDs and exit UUIDs are derived, the same on every run.
        assert_eq!(out, migrate(&flow(actions_of_three()), None).unwrap());
    }

    fn actions_of_three() -> Value {
        json!([{"type": "save", "field": "first_name", "value": "@step.value"},
               {"type": "save", "field": "tel_e164", "value": "@step.value"},
               {"type": "save", "field": "district", "label": "District", "value": "@flow.where"}])
    }

    #[test]
    fn api_actions_split_the_node_around_a_webhook_call() {
        let out = migrate(
            &flow(json!([
                {"type": "reply", "msg": {"eng": "before"}},
                {"type": "api", "webhook": "https://example.org/hook", "action": "GET"},
                {"type": "reply", "msg": {"eng": "after"}}
            ])),
            None,
        )
        .unwrap();
        let nodes = out["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 4);
        assert_eq!(nodes[0]["uuid"], A1);
        assert_eq!(nodes[1]["actions"][0]["type"], "call_webhook");
        assert_eq!(nodes[1]["actions"][0]["method"], "GET");
        assert_eq!(nodes[0]["exits"][0]["destination_uuid"], nodes[1]["uuid"]);
        assert_eq!(nodes[1]["exits"][0]["destination_uuid"], nodes[2]["uuid"]);
        assert_eq!(nodes[2]["exits"][0]["destination_uuid"], A2);
    }

    #[test]
    fn refusals_name_the_node_and_the_construct() {
        let e = migrate(&flow(json!([{"type": "end_ussd", "uuid": A2}])), None).unwrap_err();
        assert_eq!(e.at.node_uuid.as_deref(), Some(A1));
        assert_eq!(e.at.action_type.as_deref(), Some("end_ussd"));
        assert_eq!(e.at.flow_name.as_deref(), Some("Unit"));
        let mut f = flow(json!([]));
        f["flow_type"] = json!("U");
        assert!(migrate(&f, None).unwrap_err().to_string().contains("legacy flow type 'U'"));
        assert!(migrate(&json!([1]), None).is_err());
        assert!(!is_legacy(&json!({"spec_version": "13.0.0", "action_sets": []})));
        assert!(is_legacy(&json!({"definition": {"rule_sets": []}})));
    }
}
