//! RapidPro/TextIt export files: `{"version": "13", "flows": [...], "fields": [...], ...}`.
//! Flows are loaded and validated; everything else (campaigns, triggers, groups) is kept.
//!
//! The export's own `version` does not decide how a flow is read: each flow is judged by its
//! `spec_version` (RapidPro wrote exports of version 11.12 holding 13.0 flows), and a flow
//! without one but with `action_sets`/`rule_sets` is a legacy flow, migrated first
//! (`migrate::legacy`), with the export's version as its own when it carries none.

use serde_json::{Map, Value};

use super::error::DefinitionError;
use super::{Flow, LoadOptions};
use crate::migrate::legacy;

#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub version: String,
    pub flows: Vec<Flow>,
    /// `site`, `campaigns`, `triggers`, `fields`, `groups` and anything else, as written.
    pub extra: Map<String, Value>,
}

/// Whether a JSON document looks like an export rather than a single flow.
pub fn is_export(v: &Value) -> bool {
    v.get("flows").is_some_and(Value::is_array) && v.get("nodes").is_none()
}

impl Export {
    pub fn from_json(v: &Value, opts: &LoadOptions) -> Result<Export, DefinitionError> {
        let Value::Object(obj) = v else {
            return Err(DefinitionError::new("export isn't an object"));
        };
        let mut props = obj.clone();
        let version = match props.remove("version") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(DefinitionError::new("export: field 'version' is required")),
        };
        let flows = match props.remove("flows") {
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, f) in items.iter().enumerate() {
                    let flow = read_flow(f, Some(version.as_str()), opts).map_err(|mut e| {
                        if e.at.flow_uuid.is_none() && e.at.flow_name.is_none() {
                            e.message = format!("export flows[{i}]: {}", e.message);
                        }
                        e
                    })?;
                    out.push(flow);
                }
                out
            }
            _ => return Err(DefinitionError::new("export: field 'flows' must be a list")),
        };
        Ok(Export { version, flows, extra: props })
    }

    pub fn to_json(&self) -> Value {
        let mut map = self.extra.clone();
        map.insert("version".into(), Value::String(self.version.clone()));
        map.insert("flows".into(), Value::Array(self.flows.iter().map(Flow::to_json).collect()));
        Value::Object(map)
    }
}

/// Loads a single flow or every flow of an export, legacy ones migrated.
pub fn load_flows(v: &Value, opts: &LoadOptions) -> Result<Vec<Flow>, DefinitionError> {
    if is_export(v) {
        Ok(Export::from_json(v, opts)?.flows)
    } else {
        Ok(vec![read_flow(v, None, opts)?])
    }
}

/// Reads one flow of a file: a legacy one is migrated to spec 13 first, then every flow is
/// migrated to the current spec and validated.
pub fn read_flow(v: &Value, export_version: Option<&str>, opts: &LoadOptions) -> Result<Flow, DefinitionError> {
    if legacy::is_legacy(v) {
        let migrated = legacy::migrate(v, export_version)?;
        return Flow::from_json(&migrated, opts);
    }
    let legacy_export = export_version.and_then(|e| e.split('.').next()?.parse::<u32>().ok()).is_some_and(|m| m < 13);
    if legacy_export && v.get("spec_version").is_none() {
        return Err(DefinitionError::new(format!(
            "export version {} is a legacy export, and this flow has neither a 'spec_version' nor 'action_sets'/'rule_sets'",
            export_version.unwrap_or("")
        )));
    }
    Flow::from_json(v, opts)
}
