//! Routers (`switch` on an operand with case tests, `random`), their categories and cases, and
//! the waits before them: for a message (with timeout and keypad hints) or for a dialled call.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouterType {
    Switch,
    Random,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Router {
    #[serde(rename = "type")]
    pub kind: RouterType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<Wait>,
    pub categories: Vec<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<Case>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_category_uuid: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub uuid: String,
    #[serde(default)]
    pub name: String,
    pub exit_uuid: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub uuid: String,
    #[serde(rename = "type")]
    pub test: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Vec<String>>,
    pub category_uuid: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitType {
    Msg,
    Dial,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    #[serde(rename = "type")]
    pub kind: WaitType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Timeout>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Hint>,
    /// Dial waits: the number to call, a template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dial_limit_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_limit_seconds: Option<u32>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeout {
    pub seconds: u32,
    pub category_uuid: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What input a voice channel should collect: `digits` (with a count or a terminator),
/// `audio`, `image`, `video` or `location`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hint {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated_by: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Router {
    pub fn cases(&self) -> &[Case] {
        self.cases.as_deref().unwrap_or(&[])
    }

    pub fn category(&self, uuid: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.uuid == uuid)
    }

    /// The result name, if it is set and not empty.
    pub fn result_name(&self) -> Option<&str> {
        self.result_name.as_deref().filter(|s| !s.is_empty())
    }
}

impl Case {
    pub fn arguments(&self) -> &[String] {
        self.arguments.as_deref().unwrap_or(&[])
    }
}
