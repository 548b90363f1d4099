//! One run of one flow for the contact: where it has been (its path), what it saved (results
//! and locals), its status, and the run that entered it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::definition::refs::FlowRef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Active,
    Waiting,
    Completed,
    Expired,
    Interrupted,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Active => "active",
            RunStatus::Waiting => "waiting",
            RunStatus::Completed => "completed",
            RunStatus::Expired => "expired",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        }
    }

    pub fn is_ended(self) -> bool {
        !matches!(self, RunStatus::Active | RunStatus::Waiting)
    }
}

/// A visit to a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub uuid: String,
    pub node_uuid: String,
    pub arrived_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_uuid: Option<String>,
}

/// A saved result: what the contact answered and how it was categorised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_localized: Option<String>,
    pub node_uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<Value>,
    pub created_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub uuid: String,
    pub flow: FlowRef,
    pub status: RunStatus,
    #[serde(default)]
    pub path: Vec<Step>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub results: BTreeMap<String, RunResult>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub locals: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_uuid: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub had_input: bool,
    /// The last webhook response (`@webhook`), when an allowed webhook was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Value>,
    pub created_on: String,
    pub modified_on: String,
    #[serde(default)]
    pub exited_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
}

impl Run {
    pub fn current_node(&self) -> Option<&str> {
        self.path.last().map(|s| s.node_uuid.as_str())
    }
}
