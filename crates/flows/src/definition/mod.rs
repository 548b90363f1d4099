//! Flow definitions of the RapidPro/TextIt format, spec 13.x up to 14.4.2: reading (with
//! migration of older versions), validation against the format's rules and limits, and export.
//!
//! Unknown properties (the editor's `_ui`, vendor fields) are kept at every level, so a flow
//! that is loaded and exported again comes out as it went in, apart from migrations.

pub mod actions;
pub mod error;
pub mod export;
pub mod localization;
pub mod node;
pub mod refs;
pub mod router;
mod validate;

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

pub use actions::{Action, ActionKind, OUTSIDE_ACTION_TYPES};
pub use error::DefinitionError;
pub use export::Export;
pub use localization::Localization;
pub use node::{Exit, Node};
pub use refs::FlowRef;
pub use router::{Case, Category, Router, RouterType, Wait, WaitType};
pub use validate::limits;

use crate::migrate;

/// The newest spec version this engine reads and writes.
pub const SPEC_VERSION: &str = "14.4.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowType {
    Messaging,
    /// Runs without a person waiting for it: no message waits.
    MessagingBackground,
    /// Run on a phone offline (Surveyor).
    MessagingOffline,
    Voice,
}

impl FlowType {
    pub fn parse(s: &str) -> Option<FlowType> {
        serde_json::from_value(Value::String(s.to_string())).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlowType::Messaging => "messaging",
            FlowType::MessagingBackground => "messaging_background",
            FlowType::MessagingOffline => "messaging_offline",
            FlowType::Voice => "voice",
        }
    }
}

/// What a loader accepts beyond the format: the outside action types an administrator allowed.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub allowed_outside: BTreeSet<String>,
}

impl LoadOptions {
    /// Allows the named outside action types (`call_webhook`, …).
    pub fn allowing<I: IntoIterator<Item = S>, S: Into<String>>(types: I) -> Self {
        Self { allowed_outside: types.into_iter().map(Into::into).collect() }
    }

    /// Allows every outside action: for checking the format alone, never for running.
    pub fn format_only() -> Self {
        Self::allowing(OUTSIDE_ACTION_TYPES.iter().copied())
    }
}

/// A loaded, migrated and validated flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub uuid: String,
    pub name: String,
    pub spec_version: String,
    pub language: String,
    pub flow_type: FlowType,
    pub revision: Option<i64>,
    pub expire_after_minutes: Option<u32>,
    pub localization: Option<Localization>,
    pub nodes: Vec<Node>,
    /// `_ui` and anything else the format does not define.
    pub extra: Map<String, Value>,
    index: HashMap<String, usize>,
}

impl Flow {
    /// Reads a flow definition, migrating it from older 13.x/14.x versions, and validates it.
    pub fn from_json(v: &Value, opts: &LoadOptions) -> Result<Flow, DefinitionError> {
        let (uuid, name) = header(v)?;
        let migrated = migrate::migrate(v.clone(), None).map_err(|e| DefinitionError::new(e).in_flow(&uuid, &name))?;
        let flow = Self::read(migrated).map_err(|e| e.in_flow(&uuid, &name))?;
        validate::validate(&flow, opts).map_err(|e| e.in_flow(&flow.uuid, &flow.name))?;
        Ok(flow)
    }

    /// Reads a flow from JSON text.
    pub fn from_str(s: &str, opts: &LoadOptions) -> Result<Flow, DefinitionError> {
        let v: Value = serde_json::from_str(s).map_err(|e| DefinitionError::new(format!("not JSON: {e}")))?;
        Flow::from_json(&v, opts)
    }

    fn read(v: Value) -> Result<Flow, DefinitionError> {
        let Value::Object(mut props) = v else {
            return Err(DefinitionError::new("flow definition isn't an object"));
        };
        let mut text = |k: &str, required: bool| -> Result<String, DefinitionError> {
            match props.remove(k) {
                Some(Value::String(s)) => Ok(s),
                None | Some(Value::Null) if !required => Ok(String::new()),
                None | Some(Value::Null) => Err(DefinitionError::new(format!("field '{k}' is required"))),
                Some(_) => Err(DefinitionError::new(format!("field '{k}' must be text"))),
            }
        };
        let uuid = text("uuid", true)?;
        let name = text("name", false)?;
        let spec_version = text("spec_version", true)?;
        let language = text("language", true)?;
        let type_name = text("type", true)?;
        let flow_type =
            FlowType::parse(&type_name).ok_or_else(|| DefinitionError::new("field 'type' is not a valid flow type"))?;
        let revision = match props.remove("revision") {
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        let expire_after_minutes = match props.remove("expire_after_minutes") {
            Some(Value::Number(n)) => Some(
                n.as_u64()
                    .and_then(|m| u32::try_from(m).ok())
                    .ok_or_else(|| DefinitionError::new("field 'expire_after_minutes' must be a whole number"))?,
            ),
            None | Some(Value::Null) => None,
            Some(_) => return Err(DefinitionError::new("field 'expire_after_minutes' must be a number")),
        };
        let localization = match props.remove("localization") {
            None => None,
            Some(Value::Null) => Some(Localization::default()),
            Some(l) => Some(
                serde_json::from_value(l).map_err(|e| DefinitionError::new(format!("invalid localization: {e}")))?,
            ),
        };
        let nodes = match props.remove("nodes") {
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len().min(limits::MAX_NODES + 1));
                for (i, n) in items.iter().enumerate() {
                    if n.is_null() {
                        return Err(DefinitionError::new(format!("field 'nodes[{i}]' is required")));
                    }
                    out.push(Node::from_json(n)?);
                }
                out
            }
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(DefinitionError::new("field 'nodes' must be a list")),
        };
        let index = nodes.iter().enumerate().map(|(i, n)| (n.uuid.clone(), i)).collect();
        Ok(Flow {
            uuid,
            name,
            spec_version,
            language,
            flow_type,
            revision,
            expire_after_minutes,
            localization,
            nodes,
            extra: props,
            index,
        })
    }

    pub fn node(&self, uuid: &str) -> Option<&Node> {
        self.index.get(uuid).and_then(|i| self.nodes.get(*i))
    }

    pub fn reference(&self) -> FlowRef {
        FlowRef::new(&self.uuid, &self.name)
    }

    /// Minutes a waiting run may wait before it expires: the flow's own, or the format's
    /// defaults (3 days for messaging, 5 minutes for voice).
    pub fn expire_after(&self) -> u32 {
        match self.expire_after_minutes {
            Some(m) if m > 0 => m,
            _ if self.flow_type == FlowType::Voice => 5,
            _ => 3 * 24 * 60,
        }
    }

    /// Translated texts of an item's property in `lang`, if the flow has them.
    pub fn translation(&self, lang: &str, uuid: &str, property: &str) -> Option<Vec<String>> {
        if lang == self.language {
            return None;
        }
        self.localization.as_ref()?.texts(lang, uuid, property)
    }

    /// The definition as JSON, in the current spec version.
    pub fn to_json(&self) -> Value {
        let mut map = self.extra.clone();
        map.insert("uuid".into(), Value::String(self.uuid.clone()));
        map.insert("name".into(), Value::String(self.name.clone()));
        map.insert("spec_version".into(), Value::String(self.spec_version.clone()));
        map.insert("language".into(), Value::String(self.language.clone()));
        map.insert("type".into(), Value::String(self.flow_type.as_str().into()));
        if let Some(r) = self.revision {
            map.insert("revision".into(), Value::from(r));
        }
        if let Some(m) = self.expire_after_minutes {
            map.insert("expire_after_minutes".into(), Value::from(m));
        }
        if let Some(l) = &self.localization {
            if let Ok(v) = serde_json::to_value(l) {
                map.insert("localization".into(), v);
            }
        }
        map.insert("nodes".into(), Value::Array(self.nodes.iter().map(Node::to_json).collect()));
        Value::Object(map)
    }
}

impl Serialize for Flow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// The header every 13+ definition has: a UUID, a name within the limit, a spec version.
fn header(v: &Value) -> Result<(String, String), DefinitionError> {
    let Value::Object(obj) = v else {
        return Err(DefinitionError::new("flow definition isn't an object"));
    };
    let uuid = obj.get("uuid").and_then(Value::as_str).unwrap_or("").to_string();
    let name = obj.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let fail = |m: &str| Err(DefinitionError::new(format!("unable to read flow header: {m}")));
    if uuid.is_empty() {
        return fail("field 'uuid' is required");
    }
    if !crate::ids::is_uuid(&uuid) {
        return fail("field 'uuid' must be a valid UUID");
    }
    if name.chars().count() > limits::MAX_FLOW_NAME {
        let e = format!("field 'name' must be less than or equal to {}", limits::MAX_FLOW_NAME);
        return Err(DefinitionError::new(format!("unable to read flow header: {e}")).in_flow(&uuid, ""));
    }
    if obj.get("spec_version").and_then(Value::as_str).is_none() {
        return fail("field 'spec_version' is required");
    }
    Ok((uuid, name))
}
