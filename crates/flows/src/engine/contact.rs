//! The contact a session runs for, in the format's JSON: name, language, URNs, groups, typed
//! field values and open tickets. Actions change it; events tell the caller what changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::events::NameRef;
use crate::definition::refs::AssetRef;

fn active() -> String {
    "active".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub timezone: String,
    #[serde(default = "active")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen_on: Option<String>,
    #[serde(default)]
    pub urns: Vec<String>,
    #[serde(default)]
    pub groups: Vec<NameRef>,
    /// Field values by key: `{"text": …, "number"?: …, "datetime"?: …, "state"?: …}`.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tickets: Vec<Ticket>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Contact {
    /// An anonymous contact: the platform knows people by codename, not by address.
    pub fn anonymous(uuid: &str, language: &str) -> Contact {
        Contact {
            uuid: uuid.to_string(),
            id: None,
            name: String::new(),
            language: language.to_string(),
            timezone: String::new(),
            status: active(),
            created_on: None,
            last_seen_on: None,
            urns: Vec::new(),
            groups: Vec::new(),
            fields: BTreeMap::new(),
            tickets: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn in_group(&self, uuid: &str) -> bool {
        self.groups.iter().any(|g| g.uuid == uuid)
    }

    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
