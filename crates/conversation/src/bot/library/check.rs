//! Checking a flow file (one definition or a RapidPro export) before it runs: every flow loads
//! with no outside call allowed unless an administrator allowed one the platform can run, no
//! flow is in the file twice, and what the file's `enter_flow` actions enter is known.

use std::collections::{BTreeSet, HashSet};

use safepassage_flows::definition::export::{is_export, load_flows};
use safepassage_flows::definition::{ActionKind, DefinitionError, Flow, FlowRef, LoadOptions, OUTSIDE_ACTION_TYPES};
use serde_json::Value;

use crate::bot::SHIPPED;

/// The largest flow file accepted for import or check.
pub const MAX_FILE: usize = 2 * 1024 * 1024;
/// The outside action types an administrator may allow for an import: those the platform can
/// run. `call_webhook` goes through the deployment's webhook service (`webhooks.rs`, listed
/// hosts only); the engine runs none of the others, so allowing one would only break the flow.
pub const ALLOWABLE_OUTSIDE: &[&str] = &["call_webhook"];

/// One flow of a file, as `flows check` prints it and the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowInfo {
    pub uuid: String,
    pub name: String,
    pub flow_type: &'static str,
    /// The spec version the file declares; a legacy flow (no `spec_version`, export versions 4
    /// to 11.12) shows its legacy version and what it was migrated to, as `11.12->14.4.2`.
    pub spec_version: String,
    pub nodes: usize,
    /// The base language first, then the translations.
    pub languages: Vec<String>,
}

impl FlowInfo {
    pub fn of(flow: &Flow, raw: &Value) -> FlowInfo {
        let mut languages = vec![flow.language.clone()];
        if let Some(l) = &flow.localization {
            languages.extend(l.languages().filter(|l| **l != flow.language).cloned());
        }
        FlowInfo {
            uuid: flow.uuid.clone(),
            name: flow.name.clone(),
            flow_type: flow.flow_type.as_str(),
            spec_version: declared_version(flow, raw),
            nodes: flow.nodes.len(),
            languages,
        }
    }
}

/// The flow's own `spec_version`, or for a legacy flow its `version` (on the flow or its nested
/// `definition`; a string or a number) with the spec it was migrated to.
fn declared_version(flow: &Flow, raw: &Value) -> String {
    if let Some(spec) = raw.get("spec_version").and_then(Value::as_str) {
        return spec.to_owned();
    }
    let legacy = [raw.get("version"), raw.get("definition").and_then(|d| d.get("version"))]
        .into_iter()
        .flatten()
        .find_map(|v| match v {
            Value::String(s) if s.len() <= 16 => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| "legacy".to_owned());
    format!("{legacy}->{}", flow.spec_version)
}

/// Why a flow file was refused. `Definition` names the flow, the node or action, and what is
/// wrong (outside calls among them).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("the file is larger than {MAX_FILE} bytes")]
    TooLarge,
    #[error("the file is not UTF-8 text")]
    NotText,
    #[error("the file is not JSON: {0}")]
    NotJson(String),
    #[error("the file holds no flows")]
    NoFlows,
    #[error("flow '{name}' ({uuid}) is in the file twice")]
    Duplicate { uuid: String, name: String },
    #[error(
        "'{0}' cannot be allowed: the platform cannot run it (only {allowable} can be allowed)",
        allowable = ALLOWABLE_OUTSIDE.join(", ")
    )]
    CannotRun(String),
    #[error(
        "'{0}' is not an outside action type (only {allowable} can be allowed)",
        allowable = ALLOWABLE_OUTSIDE.join(", ")
    )]
    NotOutside(String),
    #[error("{0}")]
    Definition(#[from] DefinitionError),
}

/// A flow file that passed the check: its text as given, its flows, and the outside action
/// types it was checked with.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub text: String,
    pub flows: Vec<FlowInfo>,
    pub allowed_outside: Vec<String>,
    /// Every `enter_flow` of the file, to look for its flow where the file will run.
    pub entered: Vec<Entered>,
}

/// An `enter_flow` action: where it is and the flow it enters.
#[derive(Debug, Clone)]
pub struct Entered {
    flow: FlowRef,
    node: String,
    action: String,
    pub target: FlowRef,
}

impl Entered {
    /// The refusal of an action whose flow is not there, naming flow, node and action.
    pub fn refused(&self, why: &str) -> CheckError {
        let message = format!("enters flow '{}' ({}), {why}", self.target.name, self.target.uuid);
        let e = DefinitionError::new(message).in_action(&self.action, "enter_flow").in_node(&self.node);
        CheckError::Definition(e.in_flow(&self.flow.uuid, &self.flow.name))
    }
}

/// What an administrator asked to allow, checked: each an outside action type the platform can
/// run. Sorted, each once.
pub fn allowance<S: AsRef<str>>(types: &[S]) -> Result<Vec<String>, CheckError> {
    let mut out = BTreeSet::new();
    for t in types {
        let t = t.as_ref().trim();
        if ALLOWABLE_OUTSIDE.contains(&t) {
            out.insert(t.to_owned());
        } else if OUTSIDE_ACTION_TYPES.contains(&t) {
            return Err(CheckError::CannotRun(t.to_owned()));
        } else {
            return Err(CheckError::NotOutside(t.chars().take(64).collect()));
        }
    }
    Ok(out.into_iter().collect())
}

/// Loads every flow of a file with only the outside action types `allow` names allowed (and
/// only those the platform can run), as an import would. Needs no store, so the flows that the
/// file's `enter_flow` actions name must be in the file or shipped: an import also finds them
/// among the files imported before.
pub fn check_file<S: AsRef<str>>(bytes: &[u8], allow: &[S]) -> Result<CheckedFile, CheckError> {
    let checked = load_file(bytes, allowance(allow)?)?;
    let mut known: HashSet<String> = checked.flows.iter().map(|f| f.uuid.clone()).collect();
    if let Ok(shipped) = serde_json::from_str::<Value>(SHIPPED) {
        known.extend(raw_flows(&shipped).iter().filter_map(|f| f.get("uuid")?.as_str().map(str::to_owned)));
    }
    match checked.entered.iter().find(|e| !known.contains(&e.target.uuid)) {
        Some(e) => Err(e.refused("which is neither in this file nor shipped with the platform")),
        None => Ok(checked),
    }
}

pub fn load_file(bytes: &[u8], allowed: Vec<String>) -> Result<CheckedFile, CheckError> {
    if bytes.len() > MAX_FILE {
        return Err(CheckError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CheckError::NotText)?;
    // serde_json refuses nesting deeper than 128, so a hostile file cannot exhaust the stack.
    let value: Value = serde_json::from_str(text).map_err(|e| CheckError::NotJson(e.to_string()))?;
    let flows = load_flows(&value, &LoadOptions::allowing(&allowed))?;
    if flows.is_empty() {
        return Err(CheckError::NoFlows);
    }
    let raws = raw_flows(&value);
    let mut seen = BTreeSet::new();
    let mut infos = Vec::with_capacity(flows.len());
    let mut entered = Vec::new();
    for (flow, raw) in flows.iter().zip(raws) {
        if !seen.insert(flow.uuid.to_ascii_lowercase()) {
            return Err(CheckError::Duplicate { uuid: flow.uuid.clone(), name: flow.name.clone() });
        }
        infos.push(FlowInfo::of(flow, raw));
        for node in &flow.nodes {
            for action in node.actions() {
                if let ActionKind::EnterFlow(a) = &action.kind {
                    entered.push(Entered {
                        flow: flow.reference(),
                        node: node.uuid.clone(),
                        action: action.uuid.clone(),
                        target: a.flow.clone(),
                    });
                }
            }
        }
    }
    Ok(CheckedFile { text: text.to_owned(), flows: infos, allowed_outside: allowed, entered })
}

/// The flow definitions of a file as written: those of an export, or the file itself.
fn raw_flows(value: &Value) -> Vec<&Value> {
    if is_export(value) {
        value.get("flows").and_then(Value::as_array).map(|f| f.iter().collect()).unwrap_or_default()
    } else {
        vec![value]
    }
}
