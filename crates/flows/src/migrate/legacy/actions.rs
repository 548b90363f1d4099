//! Legacy action sets: each becomes a node with its actions (and, for `api` actions before
//! 11.7, a chain of nodes around each call), every action type mapped as RapidPro mapped it or
//! refused by name.

use super::*;

impl Migrator<'_> {
    /// An action set: one node, or (with `api` actions, before 11.7) a chain of nodes where
    /// each call is a node of its own that routes on the call's outcome.
    pub(super) fn action_set(&mut self, set: &Obj) -> Result<Vec<Obj>, DefinitionError> {
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

    pub(super) fn action(&mut self, node: &str, a: &Obj, index: usize) -> Result<Obj, DefinitionError> {
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
    pub(super) fn named_ref(&self, v: &Value) -> Option<Value> {
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

    pub(super) fn group_refs(&self, v: Option<&Value>) -> Vec<Value> {
        match v {
            Some(Value::Array(gs)) => gs.iter().filter_map(|g| self.named_ref(g)).collect(),
            _ => Vec::new(),
        }
    }
}
