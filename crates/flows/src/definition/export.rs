//! RapidPro/TextIt export files: `{"version": "13", "flows": [...], "fields": [...], ...}`.
//! Flows are loaded and validated; everything else (campaigns, triggers, groups) is kept.

use serde_json::{Map, Value};

use super::error::DefinitionError;
use super::{Flow, LoadOptions};

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
        let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
        if major < 13 {
            return Err(DefinitionError::new(format!(
                "export version {version} is a legacy format; re-export it from a current RapidPro or TextIt"
            )));
        }
        let flows = match props.remove("flows") {
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, f) in items.iter().enumerate() {
                    let flow = Flow::from_json(f, opts).map_err(|mut e| {
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

/// Loads a single flow or every flow of an export.
pub fn load_flows(v: &Value, opts: &LoadOptions) -> Result<Vec<Flow>, DefinitionError> {
    if is_export(v) {
        Ok(Export::from_json(v, opts)?.flows)
    } else {
        Ok(vec![Flow::from_json(v, opts)?])
    }
}
