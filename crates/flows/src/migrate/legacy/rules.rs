//! Legacy rule sets: each becomes a node with a router, its rules the router's cases and
//! categories, every rule set and test type mapped as RapidPro mapped it or refused by name.

use super::*;

impl Migrator<'_> {
    pub(super) fn rule_set(&mut self, set: &Obj) -> Result<Obj, DefinitionError> {
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
    pub(super) fn webhook_node(
        &mut self,
        uuid: &str,
        label: &str,
        config: Obj,
        next: Option<String>,
    ) -> Result<Obj, DefinitionError> {
        self.webhook_node_routed(uuid, label, config, next.clone(), next, &[])
    }

    pub(super) fn webhook_node_routed(
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
    pub(super) fn router_node(
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
    pub(super) fn rule_test(
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
                let operand = match test.get("test") {
                    Some(Value::String(s)) => self.date_template(s),
                    _ => arg(&*self, "test"),
                };
                (name, vec![operand])
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
