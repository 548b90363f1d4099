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

pub mod expressions;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::definition::DefinitionError;
use crate::ids::{is_uuid, uuid_from_name};
use crate::words::snakify;

use expressions::{migrate_template, migrate_v7_template, URN_SCHEMES};

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

    /// An action set: one node, or (with `api` actions, before 11.7) a chain of nodes where
    /// each call is a node of its own that routes on the call's outcome.
    fn action_set(&mut self, set: &Obj) -> Result<Vec<Obj>, DefinitionError> {
        let uuid = text(set, "uuid").to_string();
        if !is_uuid(&uuid) {
            return Err(DefinitionError::new("legacy action set: field 'uuid' must be a valid UUID"));
        }
        let exit_uuid = match text(set, "exit_uuid") {
            e if is_uuid(e) => e.to_string(),
            _ => uuid_from_name(&format!("{uuid}/exit")),
        };
        let destination = set.get("destination").and_then(Value::as_str).filter(|d| !d.is_empty()).map(str::to_string);
        let actions = match set.get("actions") {
            Some(Value::Array(a)) => a.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                return Err(DefinitionError::new("legacy action set: field 'actions' must be a list").in_node(&uuid))
            }
        };
        // Split around `api` actions: runs of ordinary actions, and each call on its own.
        let mut groups: Vec<(bool, Vec<Obj>)> = Vec::new();
        for (i, a) in actions.iter().enumerate() {
            let Value::Object(a) = a else {
                return Err(DefinitionError::new(format!("legacy action {i} isn't an object")).in_node(&uuid));
            };
            let is_api = text(a, "type") == "api";
            match groups.last_mut() {
                Some((false, run)) if !is_api => run.push(a.clone()),
                _ => groups.push((is_api, vec![a.clone()])),
            }
        }
        if groups.is_empty() {
            groups.push((false, Vec::new()));
        }
        let count = groups.len();
        let mut nodes = Vec::with_capacity(count);
        let node_uuid = |i: usize| if i == 0 { uuid.clone() } else { uuid_from_name(&format!("{uuid}/part{i}")) };
        for (i, (is_api, group)) in groups.into_iter().enumerate() {
            let this = node_uuid(i);
            let next = if i + 1 < count { Some(node_uuid(i + 1)) } else { destination.clone() };
            if is_api {
                let a = group.first().cloned().unwrap_or_default();
                let config = json!({
                    "webhook": a.get("webhook").cloned().unwrap_or(json!("")),
                    "webhook_action": a.get("action").cloned().unwrap_or(json!("POST")),
                    "webhook_headers": a.get("webhook_headers").cloned().unwrap_or(json!([])),
                });
                let label = format!("Migrated Webhook {}", i + 1);
                let ruleset =
                    self.webhook_node(&this, &label, config.as_object().cloned().unwrap_or_default(), next)?;
                self.place(set, &this, "split_by_webhook");
                nodes.push(ruleset);
            } else {
                let mut migrated = Vec::with_capacity(group.len());
                for (j, a) in group.iter().enumerate() {
                    migrated.push(Value::Object(self.action(&this, a, j)?));
                }
                let exit = if i + 1 == count { exit_uuid.clone() } else { uuid_from_name(&format!("{this}/exit")) };
                let mut node = Obj::new();
                node.insert("uuid".into(), Value::String(this.clone()));
                node.insert("actions".into(), Value::Array(migrated));
                node.insert("exits".into(), json!([exit_json(&exit, next.as_deref())]));
                self.place(set, &this, "execute_actions");
                nodes.push(node);
            }
        }
        Ok(nodes)
    }

    fn action(&mut self, node: &str, a: &Obj, index: usize) -> Result<Obj, DefinitionError> {
        let kind = text(a, "type").to_string();
        let uuid = match text(a, "uuid") {
            u if is_uuid(u) => u.to_string(),
            _ => uuid_from_name(&format!("{node}/action{index}")),
        };
        let fail = |m: &str| {
            DefinitionError::new(format!("legacy action '{kind}': {m}")).in_action(&uuid, &kind).in_node(node)
        };
        let mut out = Obj::new();
        out.insert("uuid".into(), Value::String(uuid.clone()));
        let new_type = match kind.as_str() {
            "reply" | "send" => {
                let text_ = self.localized(a.get("msg"), &uuid, "text").unwrap_or_default();
                out.insert("text".into(), Value::String(text_));
                if let Some(media) = a.get("media").filter(|m| !m.is_null()) {
                    if let Some(m) = self.localized(Some(media), &uuid, "attachments") {
                        out.insert("attachments".into(), json!([m]));
                    }
                }
                if let Some(Value::Array(qrs)) = a.get("quick_replies") {
                    let mut base = Vec::new();
                    let mut others: BTreeMap<String, Vec<String>> = BTreeMap::new();
                    for qr in qrs {
                        for (lang, t) in translations(Some(qr), &self.base) {
                            let lang3 = language_code(&lang);
                            if lang3 == self.base || lang == "base" {
                                base.push(self.template(&t));
                            } else {
                                others.entry(lang3).or_default().push(self.template(&t));
                            }
                        }
                    }
                    for (lang, texts) in others {
                        self.translate(&lang, &uuid, "quick_replies", texts);
                    }
                    if !base.is_empty() {
                        out.insert("quick_replies".into(), json!(base));
                    }
                }
                if kind == "reply" {
                    if a.get("send_all").and_then(Value::as_bool) == Some(true) {
                        out.insert("all_urns".into(), json!(true));
                    }
                    "send_msg"
                } else {
                    out.insert("contacts".into(), Value::Array(refs(a.get("contacts"))));
                    out.insert("groups".into(), Value::Array(self.group_refs(a.get("groups"))));
                    let vars: Vec<String> =
                        objects(a.get("variables")).iter().map(|v| self.template(text(v, "id"))).collect();
                    out.insert("legacy_vars".into(), json!(vars));
                    "send_broadcast"
                }
            }
            "say" => {
                let t = self.localized(a.get("msg"), &uuid, "text").unwrap_or_default();
                out.insert("text".into(), Value::String(t));
                if let Some(rec) = a.get("recording").filter(|r| !r.is_null()) {
                    if let Some(url) = self.localized(Some(rec), &uuid, "audio_url").filter(|u| !u.is_empty()) {
                        out.insert("audio_url".into(), Value::String(url));
                    }
                }
                "say_msg"
            }
            "play" => {
                let url = self.template(a.get("url").and_then(Value::as_str).unwrap_or(""));
                out.insert("audio_url".into(), Value::String(url));
                "play_audio"
            }
            "add_group" | "del_group" => {
                let mut groups = self.group_refs(a.get("groups"));
                if groups.is_empty() {
                    if let Some(g) = a.get("group") {
                        groups = self.group_refs(Some(&json!([g])));
                    }
                }
                if kind == "add_group" {
                    if groups.is_empty() {
                        return Err(fail("names no group to add the contact to"));
                    }
                    out.insert("groups".into(), Value::Array(groups));
                    "add_contact_groups"
                } else {
                    if groups.is_empty() {
                        out.insert("all_groups".into(), json!(true));
                    } else {
                        out.insert("groups".into(), Value::Array(groups));
                    }
                    "remove_contact_groups"
                }
            }
            "save" => {
                let field = text(a, "field").to_string();
                let value = self.template(text(a, "value"));
                if field.is_empty() {
                    return Err(fail("names no contact field"));
                }
                if field == "name" || field == "first_name" {
                    let name = if field == "first_name" {
                        format!("{} @(word_slice(contact.name, 1, -1))", value.trim())
                    } else {
                        value
                    };
                    out.insert("name".into(), Value::String(name));
                    "set_contact_name"
                } else if URN_SCHEMES.contains(&field.as_str()) || field == "tel_e164" {
                    let scheme = if field == "tel_e164" { "tel" } else { field.as_str() };
                    out.insert("scheme".into(), Value::String(scheme.into()));
                    out.insert("path".into(), Value::String(value));
                    "add_contact_urn"
                } else {
                    let label = match text(a, "label") {
                        "" => field.clone(),
                        l => l.to_string(),
                    };
                    out.insert("field".into(), json!({"key": field, "name": label}));
                    out.insert("value".into(), Value::String(value));
                    "set_contact_field"
                }
            }
            "lang" => {
                out.insert("language".into(), Value::String(language_code(text(a, "lang"))));
                "set_contact_language"
            }
            "channel" => {
                let channel = text(a, "channel");
                if !is_uuid(channel) {
                    return Err(fail("names no channel by UUID"));
                }
                out.insert("channel".into(), json!({"uuid": channel, "name": text(a, "name")}));
                "set_contact_channel"
            }
            "email" => {
                let addresses: Vec<String> = match a.get("emails") {
                    Some(Value::Array(e)) => e.iter().filter_map(Value::as_str).map(|s| self.template(s)).collect(),
                    _ => Vec::new(),
                };
                let body = translations(a.get("msg"), &self.base).into_values().next().unwrap_or_default();
                out.insert("addresses".into(), json!(addresses));
                out.insert("subject".into(), Value::String(self.template(text(a, "subject"))));
                out.insert("body".into(), Value::String(self.template(&body)));
                "send_email"
            }
            "flow" => {
                out.insert("flow".into(), flow_ref(a.get("flow")).ok_or_else(|| fail("names no flow by UUID"))?);
                out.insert("terminal".into(), json!(true));
                "enter_flow"
            }
            "trigger-flow" => {
                out.insert("flow".into(), flow_ref(a.get("flow")).ok_or_else(|| fail("names no flow by UUID"))?);
                out.insert("contacts".into(), Value::Array(refs(a.get("contacts"))));
                out.insert("groups".into(), Value::Array(self.group_refs(a.get("groups"))));
                let mut vars = Vec::new();
                for v in objects(a.get("variables")) {
                    if text(&v, "id") == "@new_contact" {
                        out.insert("create_contact".into(), json!(true));
                    } else {
                        vars.push(self.template(text(&v, "id")));
                    }
                }
                out.insert("legacy_vars".into(), json!(vars));
                "start_session"
            }
            "add_label" => {
                let labels: Vec<Value> = match a.get("labels") {
                    Some(Value::Array(l)) => l.iter().filter_map(|l| self.named_ref(l)).collect(),
                    _ => Vec::new(),
                };
                if labels.is_empty() {
                    return Err(fail("names no label"));
                }
                out.insert("labels".into(), Value::Array(labels));
                "add_input_labels"
            }
            "" => return Err(fail("the action has no type")),
            _ => return Err(fail("this action type cannot be migrated")),
        };
        out.insert("type".into(), Value::String(new_type.into()));
        Ok(out)
    }

    /// A group or label reference: `{"uuid", "name"}`, a name, or an `@expression` that names
    /// one at run time.
    fn named_ref(&self, v: &Value) -> Option<Value> {
        match v {
            Value::String(s) if s.starts_with('@') => Some(json!({"name_match": self.template(s)})),
            Value::String(s) if !s.is_empty() => Some(json!({"name_match": s})),
            Value::Object(o) => {
                let name = text(o, "name");
                match text(o, "uuid") {
                    u if is_uuid(u) => Some(json!({"uuid": u, "name": name})),
                    _ if !name.is_empty() => Some(json!({"name_match": name})),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn group_refs(&self, v: Option<&Value>) -> Vec<Value> {
        match v {
            Some(Value::Array(gs)) => gs.iter().filter_map(|g| self.named_ref(g)).collect(),
            _ => Vec::new(),
        }
    }

    fn rule_set(&mut self, set: &Obj) -> Result<Obj, DefinitionError> {
        let uuid = text(set, "uuid").to_string();
        if !is_uuid(&uuid) {
            return Err(DefinitionError::new("legacy rule set: field 'uuid' must be a valid UUID"));
        }
        let operand = text(set, "operand").to_string();
        // Before version 5 a rule set had a `response_type` and no type: it waited for a
        // message unless its operand did not look at the message at all.
        let kind = match text(set, "ruleset_type") {
            "" if operand.is_empty() || operand.contains("step") => "wait_message".to_string(),
            "" => "expression".to_string(),
            k => k.to_string(),
        };
        let label = text(set, "label").to_string();
        let mut config = set.get("config").and_then(Value::as_object).cloned().unwrap_or_default();
        // Before version 10 a webhook rule set kept its call outside `config`.
        for key in ["webhook", "webhook_action"] {
            if let (false, Some(v)) = (config.contains_key(key), set.get(key)) {
                config.insert(key.into(), v.clone());
            }
        }
        let rules = objects(set.get("rules"));
        let (node, ui_type) = match kind.as_str() {
            "webhook" => {
                let next = rules.first().and_then(|r| r.get("destination")).and_then(Value::as_str).map(str::to_string);
                let dest_of = |status: &str| -> Option<String> {
                    rules
                        .iter()
                        .find(|r| r.get("test").and_then(|t| t.get("status")).and_then(Value::as_str) == Some(status))
                        .and_then(|r| r.get("destination"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let node = self.webhook_node_routed(
                    &uuid,
                    &label,
                    config,
                    dest_of("success").or(next.clone()),
                    dest_of("failure").or(next),
                    &rules,
                )?;
                (node, "split_by_webhook")
            }
            "wait_message" | "wait_digits" | "wait_digit" | "wait_recording" | "wait_photo" | "wait_video"
            | "wait_audio" | "wait_gps" | "expression" | "flow_field" | "contact_field" | "form_field" | "group"
            | "subflow" | "random" => {
                (self.router_node(&uuid, &kind, &operand, &label, &config, &rules, set)?, ui_of(&kind))
            }
            other => {
                let why = match other {
                    "resthook" | "airtime" => {
                        "it calls a service outside the platform, which this platform does not run"
                    }
                    "wait_menu" | "wait_ussd" => "USSD menus are not a channel this platform runs",
                    _ => "this rule set type cannot be migrated",
                };
                return Err(refuse(&uuid, other, "rule set", why));
            }
        };
        self.place(set, &uuid, ui_type);
        Ok(node)
    }

    /// A webhook call: a `call_webhook` action, routed on its result's category.
    fn webhook_node(
        &mut self,
        uuid: &str,
        label: &str,
        config: Obj,
        next: Option<String>,
    ) -> Result<Obj, DefinitionError> {
        self.webhook_node_routed(uuid, label, config, next.clone(), next, &[])
    }

    fn webhook_node_routed(
        &mut self,
        uuid: &str,
        label: &str,
        config: Obj,
        success: Option<String>,
        failure: Option<String>,
        rules: &[Obj],
    ) -> Result<Obj, DefinitionError> {
        let url = self.template(text(&config, "webhook"));
        if url.is_empty() {
            return Err(refuse(uuid, "webhook", "rule set", "the call has no URL"));
        }
        let method = match text(&config, "webhook_action").to_uppercase() {
            m if m.is_empty() => "POST".to_string(),
            m => m,
        };
        let mut headers = Obj::new();
        if method == "POST" {
            headers.insert("Content-Type".into(), json!("application/json"));
        }
        for h in objects(config.get("webhook_headers")) {
            headers.insert(text(&h, "name").to_string(), Value::String(self.template(text(&h, "value"))));
        }
        let result_name = if label.is_empty() { "webhook".to_string() } else { label.to_string() };
        let mut action = json!({
            "uuid": uuid_from_name(&format!("{uuid}/call")),
            "type": "call_webhook",
            "method": method,
            "url": url,
            "headers": headers,
            "result_name": result_name,
        });
        if method == "POST" {
            action["body"] = json!("@(json(object(\"contact\", object(\"uuid\", contact.uuid, \"name\", contact.name, \"urn\", contact.urn), \"flow\", object(\"uuid\", run.flow.uuid, \"name\", run.flow.name), \"path\", run.path, \"results\", foreach_value(results, extract_object, \"value\", \"category\"), \"run\", object(\"uuid\", run.uuid, \"created_on\", run.created_on), \"input\", if(input, object(\"urn\", input.urn, \"text\", input.text, \"attachments\", foreach(input.attachments, attachment_parts)), null), \"channel\", default(input.channel, null))))");
        }
        let rule_uuid = |status: &str, n: &str| {
            rules
                .iter()
                .find(|r| r.get("test").and_then(|t| t.get("status")).and_then(Value::as_str) == Some(status))
                .map(|r| text(r, "uuid").to_string())
                .filter(|u| is_uuid(u))
                .unwrap_or_else(|| uuid_from_name(&format!("{uuid}/{n}")))
        };
        let (s_exit, f_exit) = (rule_uuid("success", "success"), rule_uuid("failure", "failure"));
        let (s_cat, f_cat) =
            (uuid_from_name(&format!("{s_exit}/category")), uuid_from_name(&format!("{f_exit}/category")));
        let mut node = Obj::new();
        node.insert("uuid".into(), Value::String(uuid.to_string()));
        node.insert("actions".into(), json!([action]));
        node.insert(
            "router".into(),
            json!({
                "type": "switch",
                "operand": format!("@results.{}.category", snakify(&result_name)),
                "cases": [{"uuid": uuid_from_name(&format!("{s_exit}/case")), "type": "has_only_text", "arguments": ["Success"], "category_uuid": s_cat}],
                "categories": [
                    {"uuid": s_cat, "name": "Success", "exit_uuid": s_exit},
                    {"uuid": f_cat, "name": "Failure", "exit_uuid": f_exit},
                ],
                "default_category_uuid": f_cat,
            }),
        );
        node.insert(
            "exits".into(),
            json!([exit_json(&s_exit, success.as_deref()), exit_json(&f_exit, failure.as_deref())]),
        );
        Ok(node)
    }

    #[allow(clippy::too_many_arguments)]
    fn router_node(
        &mut self,
        uuid: &str,
        kind: &str,
        operand: &str,
        label: &str,
        config: &Obj,
        rules: &[Obj],
        set: &Obj,
    ) -> Result<Obj, DefinitionError> {
        let mut categories: Vec<Value> = Vec::new();
        let mut exits: Vec<Value> = Vec::new();
        let mut cases: Vec<Value> = Vec::new();
        let mut by_name: BTreeMap<String, String> = BTreeMap::new();
        let mut default_category = None;
        let mut timeout = None;
        for (i, rule) in rules.iter().enumerate() {
            let rule_uuid = match text(rule, "uuid") {
                u if is_uuid(u) => u.to_string(),
                _ => uuid_from_name(&format!("{uuid}/rule{i}")),
            };
            let test = rule.get("test").and_then(Value::as_object).cloned().unwrap_or_default();
            let test_type = text(&test, "type").to_string();
            let names = translations(rule.get("category"), &self.base);
            let base_name = names
                .iter()
                .find(|(l, _)| language_code(l) == self.base || l.as_str() == "base")
                .or_else(|| names.iter().next())
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| match test_type.as_str() {
                    "true" => "Other".to_string(),
                    "between" => format!("{}-{}", text(&test, "min"), text(&test, "max")),
                    _ => format!("Category {}", i + 1),
                });
            // Rules of one category share it (and its exit), as the reference collapsed them.
            let existing = by_name.get(&base_name).cloned();
            let category_uuid = match existing {
                Some(c) if test_type != "true" && kind != "random" => c,
                _ => {
                    let c = uuid_from_name(&format!("{rule_uuid}/category"));
                    let destination = rule.get("destination").and_then(Value::as_str).filter(|d| !d.is_empty());
                    exits.push(exit_json(&rule_uuid, destination));
                    categories.push(json!({"uuid": c, "name": base_name, "exit_uuid": rule_uuid}));
                    for (lang, n) in &names {
                        let lang3 = language_code(lang);
                        if lang3 != self.base && lang != "base" {
                            self.translate(&lang3, &c, "name", vec![n.clone()]);
                        }
                    }
                    by_name.insert(base_name.clone(), c.clone());
                    c
                }
            };
            if kind == "random" {
                continue;
            }
            match test_type.as_str() {
                "true" => default_category = Some(category_uuid),
                "timeout" => {
                    let minutes = test.get("minutes").and_then(Value::as_u64).unwrap_or(0);
                    timeout = Some(json!({"seconds": minutes * 60, "category_uuid": category_uuid}));
                }
                _ => {
                    let case_uuid = uuid_from_name(&format!("{rule_uuid}/case"));
                    let (new_type, arguments) = self.rule_test(uuid, &case_uuid, &test_type, &test)?;
                    let mut case = json!({"uuid": case_uuid, "type": new_type, "category_uuid": category_uuid});
                    if !arguments.is_empty() {
                        case["arguments"] = json!(arguments);
                    }
                    cases.push(case);
                }
            }
        }
        let mut actions = Vec::new();
        let mut router = Obj::new();
        if kind == "random" {
            router.insert("type".into(), json!("random"));
        } else {
            if default_category.is_none() {
                let exit = uuid_from_name(&format!("{uuid}/other"));
                let c = uuid_from_name(&format!("{exit}/category"));
                exits.push(exit_json(&exit, None));
                categories.push(json!({"uuid": c, "name": "Other", "exit_uuid": exit}));
                default_category = Some(c);
            }
            router.insert("type".into(), json!("switch"));
            let operand = match kind {
                "subflow" => {
                    let flow = flow_ref(config.get("flow"))
                        .ok_or_else(|| refuse(uuid, "subflow", "rule set", "names no flow by UUID"))?;
                    actions.push(
                        json!({"uuid": uuid_from_name(&format!("{uuid}/enter")), "type": "enter_flow", "flow": flow}),
                    );
                    "@child.run.status".to_string()
                }
                "group" => "@contact".to_string(),
                "form_field" => {
                    let migrated = self.template(if operand.is_empty() { "@step.value" } else { operand });
                    let inner = migrated
                        .strip_prefix("@(")
                        .and_then(|s| s.strip_suffix(')'))
                        .map(str::to_string)
                        .unwrap_or_else(|| migrated.trim_start_matches('@').to_string());
                    let index = config.get("field_index").and_then(Value::as_i64).unwrap_or(0);
                    let delimiter = text(config, "field_delimiter");
                    let delimiter = if delimiter.is_empty() { " " } else { delimiter };
                    format!("@(field({inner}, {index}, \"{}\"))", delimiter.replace('"', "\\\""))
                }
                "expression" => {
                    let src = if self.version < (8, 0) { migrate_v7_template(operand) } else { operand.to_string() };
                    migrate_template(&src, true)
                }
                _ => match self.template(operand) {
                    o if o.is_empty() || o == "@(format_input(input))" => "@input".to_string(),
                    o => o,
                },
            };
            router.insert("operand".into(), json!(operand));
            router.insert("cases".into(), json!(cases));
            router.insert("default_category_uuid".into(), json!(default_category));
        }
        router.insert("categories".into(), json!(categories));
        if !label.is_empty() {
            router.insert("result_name".into(), json!(label));
        }
        if let Some(wait) = wait_of(kind, timeout, set) {
            router.insert("wait".into(), wait);
        }
        let mut node = Obj::new();
        node.insert("uuid".into(), json!(uuid));
        if !actions.is_empty() {
            node.insert("actions".into(), json!(actions));
        }
        node.insert("router".into(), Value::Object(router));
        node.insert("exits".into(), json!(exits));
        Ok(node)
    }

    /// A legacy rule's test as a current case type and its arguments.
    fn rule_test(
        &mut self,
        node: &str,
        case_uuid: &str,
        kind: &str,
        test: &Obj,
    ) -> Result<(String, Vec<String>), DefinitionError> {
        let arg = |this: &Self, key: &str| -> String {
            match test.get(key) {
                Some(Value::String(s)) => this.template(s),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        let mapped = match kind {
            "date" => ("has_date", vec![]),
            "has_email" => ("has_email", vec![]),
            "not_empty" => ("has_text", vec![]),
            "number" => ("has_number", vec![]),
            "phone" => ("has_phone", vec![]),
            "state" => ("has_state", vec![]),
            "eq" | "gt" | "gte" | "lt" | "lte" => {
                let name = match kind {
                    "eq" => "has_number_eq",
                    "gt" => "has_number_gt",
                    "gte" => "has_number_gte",
                    "lt" => "has_number_lt",
                    _ => "has_number_lte",
                };
                (name, vec![arg(&*self, "test")])
            }
            "between" => ("has_number_between", vec![arg(&*self, "min"), arg(&*self, "max")]),
            "contains" | "contains_any" | "contains_phrase" | "contains_only_phrase" | "regex" | "starts" => {
                let name = match kind {
                    "contains" => "has_all_words",
                    "contains_any" => "has_any_word",
                    "contains_phrase" => "has_phrase",
                    "contains_only_phrase" => "has_only_phrase",
                    "regex" => "has_pattern",
                    _ => "has_beginning",
                };
                let base = self.localized(test.get("test"), case_uuid, "arguments").unwrap_or_default();
                (name, vec![base])
            }
            "date_equal" | "date_after" | "date_before" => {
                let name = match kind {
                    "date_equal" => "has_date_eq",
                    "date_after" => "has_date_gt",
                    _ => "has_date_lt",
                };
                (name, vec![arg(&*self, "test")])
            }
            "district" => ("has_district", vec![arg(&*self, "test")]),
            "ward" => ("has_ward", vec![arg(&*self, "district"), arg(&*self, "state")]),
            "in_group" => {
                let g = test.get("test").and_then(|g| self.named_ref(g)).unwrap_or(Value::Null);
                let uuid = g.get("uuid").and_then(Value::as_str).unwrap_or("");
                if uuid.is_empty() {
                    return Err(refuse(node, kind, "rule", "the group is not named by UUID"));
                }
                let name = g.get("name").and_then(Value::as_str).unwrap_or("");
                ("has_group", vec![uuid.to_string(), name.to_string()])
            }
            "subflow" => {
                let exit = text(test, "exit_type");
                let status = if exit == "expired" { "expired" } else { "completed" };
                ("has_only_text", vec![status.to_string()])
            }
            "webhook_status" => {
                let status = if text(test, "status") == "success" { "Success" } else { "Failure" };
                ("has_only_text", vec![status.to_string()])
            }
            "" => return Err(refuse(node, "(none)", "rule", "the rule's test has no type")),
            other => return Err(refuse(node, other, "rule", "this test type cannot be migrated")),
        };
        Ok((mapped.0.to_string(), mapped.1))
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
