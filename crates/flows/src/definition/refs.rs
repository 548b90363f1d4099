//! References from a flow to things outside it (flows, groups, labels, fields, topics, users),
//! as the format writes them; unknown properties are kept for a faithful export.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `{"uuid", "name"}` of another flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRef {
    pub uuid: String,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A group or label: by UUID and name, or by a template matched against names at run time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_match: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"key", "name"}` of a contact field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRef {
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"uuid", "name"}` of a ticket topic, template, channel or opt-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssetRef {
    #[serde(default)]
    pub uuid: String,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user to assign a ticket to, by e-mail or UUID, or by a template matched at run time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_match: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FlowRef {
    pub fn new(uuid: &str, name: &str) -> Self {
        Self { uuid: uuid.to_string(), name: name.to_string(), extra: Map::new() }
    }
}

impl AssetRef {
    pub fn new(uuid: &str, name: &str) -> Self {
        Self { uuid: uuid.to_string(), name: name.to_string(), extra: Map::new() }
    }
}

impl NamedRef {
    pub fn new(uuid: &str, name: &str) -> Self {
        Self { uuid: Some(uuid.to_string()), name: Some(name.to_string()), name_match: None, extra: Map::new() }
    }
}
