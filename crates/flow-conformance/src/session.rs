//! The evaluation context of a case that names a session fixture. Until the engine runs
//! sessions, this plays the fixture's trigger flow in a simple way: results and contact
//! fields set by actions, entered flows, the one message resume; outside calls are skipped.

use std::collections::BTreeMap;

use safepassage_flows::context::{self, field_assets, FieldAsset};
use safepassage_flows::datetime::now_in_env;
use safepassage_flows::locations::LocationTree;
use safepassage_flows::{evaluate_template, Env, Limits, XValue};
use serde_json::Value as J;

/// A run's results by key, as `@results` shows them.
type Results = BTreeMap<String, XValue>;

/// The context and the location tree of a fixture.
pub struct SessionContext {
    pub context: XValue,
    pub locations: Option<LocationTree>,
}

/// `Favorite Color` → `favorite_color`: result names become keys.
fn snakify(name: &str) -> String {
    let mut out = String::new();
    let mut underscore = false;
    for c in name.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            out.extend(c.to_lowercase());
            underscore = false;
        } else if !underscore {
            out.push('_');
            underscore = true;
        }
    }
    out
}

struct Player<'a> {
    env: &'a Env,
    assets: &'a J,
    fields_def: Vec<FieldAsset>,
    contact: J,
    input_text: Option<String>,
    steps: usize,
}

struct Run {
    flow: J,
    results: Results,
    status: &'static str,
}

fn flow_by_uuid<'j>(assets: &'j J, uuid: &str) -> Option<&'j J> {
    assets.get("flows")?.as_array()?.iter().find(|f| f.get("uuid").and_then(J::as_str) == Some(uuid))
}

impl Player<'_> {
    fn contact_value(&self) -> XValue {
        context::contact(self.env, &self.contact, self.assets)
    }

    fn run_context(&self, run: &Run) -> XValue {
        let contact = self.contact_value();
        let fields = match &contact {
            XValue::Object(o) => o.get("fields").cloned().unwrap_or(XValue::Null),
            _ => XValue::Null,
        };
        let results = XValue::object(run.results.clone());
        XValue::object_from([("contact", contact), ("fields", fields), ("results", results)])
    }

    fn play(&mut self, flow: &J) -> Run {
        let mut run = Run { flow: flow.clone(), results: BTreeMap::new(), status: "completed" };
        let nodes: Vec<J> = flow.get("nodes").and_then(J::as_array).cloned().unwrap_or_default();
        let mut current = nodes.first().cloned();
        while let Some(node) = current.take() {
            self.steps += 1;
            if self.steps > 1000 {
                break;
            }
            let node_uuid = node.get("uuid").and_then(J::as_str).unwrap_or("").to_string();
            for action in node.get("actions").and_then(J::as_array).cloned().unwrap_or_default() {
                self.act(&action, &node_uuid, &mut run);
            }
            let exit_uuid = match node.get("router") {
                Some(router) => {
                    if router.get("wait").is_some() && self.input_text.take().is_none() {
                        run.status = "waiting";
                        break;
                    }
                    let default = router.get("default_category_uuid").and_then(J::as_str).unwrap_or("");
                    router
                        .get("categories")
                        .and_then(J::as_array)
                        .and_then(|cs| cs.iter().find(|c| c.get("uuid").and_then(J::as_str) == Some(default)))
                        .and_then(|c| c.get("exit_uuid"))
                        .and_then(J::as_str)
                        .map(String::from)
                }
                None => node
                    .get("exits")
                    .and_then(J::as_array)
                    .and_then(|e| e.first())
                    .and_then(|e| e.get("uuid"))
                    .and_then(J::as_str)
                    .map(String::from),
            };
            let dest = node
                .get("exits")
                .and_then(J::as_array)
                .and_then(|es| es.iter().find(|e| e.get("uuid").and_then(J::as_str) == exit_uuid.as_deref()))
                .and_then(|e| e.get("destination_uuid"))
                .and_then(J::as_str);
            current = dest.and_then(|d| nodes.iter().find(|n| n.get("uuid").and_then(J::as_str) == Some(d)).cloned());
        }
        run
    }

    fn act(&mut self, action: &J, node_uuid: &str, run: &mut Run) {
        let s = |k: &str| action.get(k).and_then(J::as_str).unwrap_or("").to_string();
        match s("type").as_str() {
            "set_run_result" => {
                let ctx = self.run_context(run);
                let value = evaluate_template(self.env, &ctx, &s("value"), None, Limits::default()).unwrap_or_default();
                let category = s("category");
                let result = XValue::object_from([
                    ("name", XValue::text(s("name"))),
                    ("value", XValue::text(value)),
                    ("category", XValue::text(category.clone())),
                    ("category_localized", XValue::text(category)),
                    ("input", XValue::text("")),
                    ("node_uuid", XValue::text(node_uuid)),
                    ("created_on", XValue::DateTime(now_in_env(self.env))),
                    ("extra", XValue::Null),
                ]);
                run.results.insert(snakify(&s("name")), result);
            }
            "set_contact_field" => {
                let key = action.get("field").and_then(|f| f.get("key")).and_then(J::as_str).unwrap_or("").to_string();
                let ctx = self.run_context(run);
                let value = evaluate_template(self.env, &ctx, &s("value"), None, Limits::default()).unwrap_or_default();
                let typ =
                    self.fields_def.iter().find(|f| f.key == key).map(|f| f.value_type.clone()).unwrap_or_default();
                let mut field = serde_json::json!({ "text": value });
                if typ == "number" {
                    if let Ok(n) = value.trim().parse::<f64>() {
                        field["number"] = serde_json::json!(n);
                    }
                }
                if let Some(fields) = self.contact.get_mut("fields").and_then(J::as_object_mut) {
                    fields.insert(key, field);
                } else {
                    self.contact["fields"] = serde_json::json!({ key: field });
                }
            }
            "enter_flow" => {
                let uuid = action.get("flow").and_then(|f| f.get("uuid")).and_then(J::as_str).unwrap_or("");
                if let Some(child) = flow_by_uuid(self.assets, uuid).cloned() {
                    let _ = self.play(&child);
                }
            }
            // Outside calls (webhooks, LLMs, e-mail…) are refused by design: nothing happens.
            _ => {}
        }
    }
}

fn flow_ref(flow: &J) -> XValue {
    let s = |k: &str| flow.get(k).and_then(J::as_str).unwrap_or("").to_string();
    XValue::object_from([
        ("uuid", XValue::text(s("uuid"))),
        ("name", XValue::text(s("name"))),
        ("revision", XValue::int(flow.get("revision").and_then(J::as_i64).unwrap_or(0))),
    ])
}

fn input_value(env: &Env, resume: &J) -> XValue {
    let event = resume.get("event").cloned().unwrap_or(J::Null);
    let msg = event.get("msg").cloned().unwrap_or(J::Null);
    let s = |j: &J, k: &str| j.get(k).and_then(J::as_str).unwrap_or("").to_string();
    let attachments: Vec<XValue> = msg
        .get("attachments")
        .and_then(J::as_array)
        .map(|a| a.iter().filter_map(J::as_str).map(XValue::text).collect())
        .unwrap_or_default();
    let created = event.get("created_on").and_then(J::as_str).and_then(|t| context::datetime_from_json(env, t));
    XValue::object_from([
        ("uuid", XValue::text(s(&event, "uuid"))),
        ("type", XValue::text("msg")),
        ("text", XValue::text(s(&msg, "text"))),
        ("urn", XValue::text(s(&msg, "urn"))),
        ("attachments", XValue::array(attachments)),
        ("external_id", XValue::text("")),
        ("created_on", created.map(XValue::DateTime).unwrap_or(XValue::Null)),
    ])
}

fn trigger_value(t: &J) -> XValue {
    let params = t.get("params").map(safepassage_flows::convert::from_json).unwrap_or(XValue::Null);
    XValue::object_from([
        ("type", XValue::text(t.get("type").and_then(J::as_str).unwrap_or(""))),
        ("params", params),
        ("keyword", XValue::text("")),
        ("origin", XValue::text("")),
        ("campaign", XValue::Null),
        ("ticket", XValue::Null),
        ("user", XValue::Null),
    ])
}

/// Builds the context of `fixture` for evaluation in `env`.
pub fn build(env: &Env, fixture: &J) -> SessionContext {
    let assets = fixture.get("sessionAssets").cloned().unwrap_or(J::Null);
    let contact = fixture.get("sessionContact").cloned().unwrap_or(J::Null);
    let trigger = fixture.get("sessionTrigger").cloned().unwrap_or(J::Null);
    let resume = fixture.get("sessionResume").cloned().unwrap_or(J::Null);
    let locations = assets.get("locations").and_then(|l| LocationTree::from_json(l).ok());
    let input_text = resume
        .get("event")
        .and_then(|e| e.get("msg"))
        .and_then(|m| m.get("text"))
        .and_then(J::as_str)
        .map(String::from);
    let mut player = Player { env, assets: &assets, fields_def: field_assets(&assets), contact, input_text, steps: 0 };
    let flow_uuid = trigger.get("flow").and_then(|f| f.get("uuid")).and_then(J::as_str).unwrap_or("");
    let run = match flow_by_uuid(&assets, flow_uuid).cloned() {
        Some(f) => player.play(&f),
        None => Run { flow: J::Null, results: BTreeMap::new(), status: "failed" },
    };
    let contact_value = player.contact_value();
    let fields = match &contact_value {
        XValue::Object(o) => o.get("fields").cloned().unwrap_or(XValue::Null),
        _ => XValue::Null,
    };
    let urn_list: Vec<String> = player
        .contact
        .get("urns")
        .and_then(J::as_array)
        .map(|a| a.iter().filter_map(J::as_str).map(context::urn_identity).collect())
        .unwrap_or_default();
    let results = XValue::object(run.results.clone());
    let run_value = XValue::object_from([
        ("status", XValue::text(run.status)),
        ("flow", flow_ref(&run.flow)),
        ("contact", contact_value.clone()),
        ("results", results.clone()),
    ]);
    let ctx = XValue::object_from([
        ("contact", contact_value),
        ("fields", fields),
        ("urns", context::urns_object(&urn_list)),
        ("results", results),
        ("run", run_value),
        ("input", input_value(env, &resume)),
        ("trigger", trigger_value(&trigger)),
        ("locals", XValue::object(BTreeMap::new())),
    ]);
    SessionContext { context: ctx, locations }
}
