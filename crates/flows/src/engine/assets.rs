//! What sessions run against: flows, contact fields, groups, labels, ticket topics, users,
//! channels, locations and globals. Flows are validated once, when the assets are built.

use super::templates::Templates;
use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::Value;

use crate::definition::{DefinitionError, Flow, LoadOptions};
use crate::locations::LocationTree;

/// A contact field: key, name and value type (`text`, `number`, `datetime`, `state`, …).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Field {
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default = "text_type")]
    pub value_type: String,
}

fn text_type() -> String {
    "text".into()
}

/// A group; one with a `query` is kept by its query, so flows cannot add or remove members.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Group {
    pub uuid: String,
    pub name: String,
    #[serde(default)]
    pub query: Option<String>,
}

/// A label, a ticket topic, an opt-in: `{uuid, name}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Named {
    pub uuid: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct User {
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Channel {
    pub uuid: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub schemes: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// One component of a message template's translation (`body/text`, `header/media`,
/// `button/quick_reply`, …): its content with `{{n}}` slots, and which variable fills each.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TemplateComponent {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub variables: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TemplateVariable {
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// A message template approved for one channel in one locale (WhatsApp's templates).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TemplateTranslation {
    pub channel: crate::definition::refs::AssetRef,
    #[serde(default)]
    pub locale: String,
    #[serde(default)]
    pub components: Vec<TemplateComponent>,
    #[serde(default)]
    pub variables: Vec<TemplateVariable>,
}

/// A message template: a `send_msg` that names one is sent as its translation for the
/// message's channel, when there is one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MsgTemplate {
    pub uuid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub translations: Vec<TemplateTranslation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Global {
    key: String,
    #[serde(default)]
    value: String,
}

#[derive(Debug, Default)]
pub struct Assets {
    flows: HashMap<String, Result<Flow, DefinitionError>>,
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
    pub labels: Vec<Named>,
    pub topics: Vec<Named>,
    pub optins: Vec<Named>,
    pub users: Vec<User>,
    pub channels: Vec<Channel>,
    pub locations: Option<LocationTree>,
    pub globals: BTreeMap<String, String>,
    /// The flows' templates, each parsed on first use.
    pub templates: Templates,
    /// Message templates (the assets' `templates`).
    pub msg_templates: Vec<MsgTemplate>,
}

fn list<T: for<'de> Deserialize<'de>>(v: &Value, key: &str) -> Vec<T> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| serde_json::from_value(i.clone()).ok()).collect())
        .unwrap_or_default()
}

impl Assets {
    pub fn new() -> Assets {
        Assets::default()
    }

    /// Reads assets in the format's JSON (`{"flows": [...], "fields": [...], ...}`). A flow that
    /// does not load is kept as its error: sessions that reach it fail with that error.
    pub fn from_json(v: &Value, opts: &LoadOptions) -> Assets {
        let mut a = Assets {
            fields: list(v, "fields"),
            groups: list(v, "groups"),
            labels: list(v, "labels"),
            topics: list(v, "topics"),
            optins: list(v, "optins"),
            users: list(v, "users"),
            channels: list(v, "channels"),
            locations: v.get("locations").and_then(|l| LocationTree::from_json(l).ok()),
            globals: list::<Global>(v, "globals").into_iter().map(|g| (g.key, g.value)).collect(),
            flows: HashMap::new(),
            templates: Templates::default(),
            msg_templates: list(v, "templates"),
        };
        for f in v.get("flows").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
            a.load_flow(f, opts);
        }
        a
    }

    /// Loads one flow definition with options of its own (a file imported with an outside
    /// action allowed beside others without), replacing a flow of the same UUID. One that does
    /// not load is kept as its error, as in [`Assets::from_json`].
    pub fn load_flow(&mut self, v: &Value, opts: &LoadOptions) {
        let uuid = v.get("uuid").and_then(Value::as_str).unwrap_or("").to_string();
        self.flows.insert(uuid, Flow::from_json(v, opts));
    }

    pub fn add_flow(&mut self, flow: Flow) {
        self.flows.insert(flow.uuid.clone(), Ok(flow));
    }

    pub fn flow(&self, uuid: &str) -> Result<&Flow, DefinitionError> {
        match self.flows.get(uuid) {
            Some(Ok(f)) => Ok(f),
            Some(Err(e)) => Err(e.clone()),
            None => Err(DefinitionError::new(format!("no flow with UUID {uuid}"))),
        }
    }

    /// Whether a flow of that name (case-insensitive) loaded.
    pub fn has_flow_named(&self, name: &str) -> bool {
        let n = name.trim().to_lowercase();
        self.flows.values().any(|f| f.as_ref().is_ok_and(|f| f.name.to_lowercase() == n))
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn group(&self, uuid: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.uuid == uuid)
    }

    pub fn group_by_name(&self, name: &str) -> Option<&Group> {
        let n = name.trim().to_lowercase();
        self.groups.iter().find(|g| g.name.to_lowercase() == n)
    }

    pub fn label(&self, uuid: &str) -> Option<&Named> {
        self.labels.iter().find(|g| g.uuid == uuid)
    }

    pub fn label_by_name(&self, name: &str) -> Option<&Named> {
        let n = name.trim().to_lowercase();
        self.labels.iter().find(|g| g.name.to_lowercase() == n)
    }

    pub fn topic(&self, uuid: &str) -> Option<&Named> {
        self.topics.iter().find(|t| t.uuid == uuid)
    }

    pub fn msg_template(&self, uuid: &str) -> Option<&MsgTemplate> {
        self.msg_templates.iter().find(|t| t.uuid == uuid)
    }

    pub fn channel(&self, uuid: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.uuid == uuid)
    }
}
