//! The format's rules that reading alone does not check: unique UUIDs, destinations that exist,
//! categories and cases that point where they should, limits, and which actions may run here.

use std::collections::HashSet;

use super::actions::{Action, ActionKind};
use super::error::DefinitionError;
use super::localization::is_language;
use super::node::Node;
use super::refs::NamedRef;
use super::router::{Router, RouterType, WaitType};
use super::{Flow, FlowType, LoadOptions};
use crate::cases;
use crate::ids::is_uuid;

/// The limits of the format.
pub mod limits {
    pub const MAX_FLOW_NAME: usize = 64;
    pub const MAX_NODES: usize = 1000;
    pub const MAX_ACTIONS_PER_NODE: usize = 100;
    pub const MAX_EXITS_PER_NODE: usize = 100;
    pub const MAX_CATEGORIES: usize = 100;
    pub const MAX_CASES: usize = 100;
    pub const MAX_CASE_ARGUMENTS: usize = 10;
    pub const MAX_RESULT_NAME: usize = 64;
    pub const MAX_CATEGORY_NAME: usize = 36;
    pub const MAX_GROUP_NAME: usize = 64;
    pub const MAX_QUICK_REPLIES: usize = 10;
    pub const MAX_ATTACHMENTS: usize = 10;
    /// Longest text of a message or spoken prompt, as written in the definition.
    pub const MAX_TEXT: usize = 10_000;
    pub const MAX_LOCAL_NAME: usize = 64;
}

use limits::*;

type R = Result<(), DefinitionError>;

fn err(m: impl Into<String>) -> R {
    Err(DefinitionError::new(m))
}

pub(super) fn validate(flow: &Flow, opts: &LoadOptions) -> R {
    if flow.nodes.len() > MAX_NODES {
        return err(format!("flow can't have more than {MAX_NODES} nodes (has {})", flow.nodes.len()));
    }
    if !is_language(&flow.language) {
        return err(format!("field 'language' is not a valid language code: '{}'", flow.language));
    }
    let known_nodes: HashSet<&str> = flow.nodes.iter().map(|n| n.uuid.as_str()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    for node in &flow.nodes {
        if !seen.insert(node.uuid.as_str()) {
            return err(format!("node UUID {} isn't unique", node.uuid));
        }
        validate_node(flow, node, &known_nodes, &mut seen, opts).map_err(|e| e.in_node(&node.uuid))?;
    }
    if let Some(l) = &flow.localization {
        l.validate()?;
    }
    Ok(())
}

fn validate_node<'a>(
    flow: &Flow,
    node: &'a Node,
    known: &HashSet<&str>,
    seen: &mut HashSet<&'a str>,
    opts: &LoadOptions,
) -> R {
    if !is_uuid(&node.uuid) {
        return err(format!("'{}' is not a valid node UUID", node.uuid));
    }
    if node.actions().len() > MAX_ACTIONS_PER_NODE {
        return err(format!("node can't have more than {MAX_ACTIONS_PER_NODE} actions (has {})", node.actions().len()));
    }
    if node.exits.len() > MAX_EXITS_PER_NODE {
        return err(format!("node can't have more than {MAX_EXITS_PER_NODE} exits (has {})", node.exits.len()));
    }
    for action in node.actions() {
        if !seen.insert(action.uuid.as_str()) {
            return err(format!("action UUID {} isn't unique", action.uuid));
        }
        validate_action(flow.flow_type, action, opts).map_err(|e| e.in_action(&action.uuid, action.type_name()))?;
    }
    let mut exit_uuids = HashSet::new();
    for exit in &node.exits {
        if !is_uuid(&exit.uuid) {
            return err(format!("'{}' is not a valid exit UUID", exit.uuid));
        }
        if !exit_uuids.insert(exit.uuid.as_str()) {
            return err(format!("exit UUID {} isn't unique", exit.uuid));
        }
        if let Some(d) = exit.destination() {
            if !known.contains(d) {
                return err(format!("destination {d} of exit[uuid={}] isn't a known node", exit.uuid));
            }
        }
    }
    if let Some(router) = &node.router {
        validate_router(flow.flow_type, router, &exit_uuids).map_err(|mut e| {
            e.message = format!("invalid router: {}", e.message);
            e
        })?;
    }
    Ok(())
}

fn validate_router(flow_type: FlowType, r: &Router, exits: &HashSet<&str>) -> R {
    if r.categories.len() > MAX_CATEGORIES {
        return err(format!("can't have more than {MAX_CATEGORIES} categories (has {})", r.categories.len()));
    }
    if r.cases().len() > MAX_CASES {
        return err(format!("can't have more than {MAX_CASES} cases (has {})", r.cases().len()));
    }
    if let Some(n) = &r.result_name {
        if n.chars().count() > MAX_RESULT_NAME {
            return err(format!("result name must be at most {MAX_RESULT_NAME} characters"));
        }
    }
    let mut cats = HashSet::new();
    for c in &r.categories {
        if !is_uuid(&c.uuid) {
            return err(format!("'{}' is not a valid category UUID", c.uuid));
        }
        if !cats.insert(c.uuid.as_str()) {
            return err(format!("category UUID {} isn't unique", c.uuid));
        }
        if c.name.chars().count() > MAX_CATEGORY_NAME {
            return err(format!("category name '{}' is longer than {MAX_CATEGORY_NAME} characters", c.name));
        }
        if !exits.contains(c.exit_uuid.as_str()) {
            return err(format!("category {} points to exit {} which isn't an exit of this node", c.uuid, c.exit_uuid));
        }
    }
    // An exit no category leads to can never be taken: a sign of a broken edit.
    let mut sorted: Vec<&&str> = exits.iter().collect();
    sorted.sort();
    for exit in sorted {
        if !r.categories.iter().any(|c| c.exit_uuid == **exit) {
            return err(format!("exit {exit} has no category"));
        }
    }
    if let Some(d) = r.default_category_uuid.as_deref().filter(|d| !d.is_empty()) {
        if !cats.contains(d) {
            return err(format!("default category {d} is not a valid category"));
        }
    }
    if r.kind == RouterType::Switch && r.operand.as_deref().is_none_or(str::is_empty) {
        return err("field 'operand' is required");
    }
    for case in r.cases() {
        let at = |m: String| err(format!("invalid case[uuid={}]: {m}", case.uuid));
        if !is_uuid(&case.uuid) {
            return at("not a valid case UUID".into());
        }
        let test = case.test.to_lowercase();
        if !cases::FUNCTIONS.iter().any(|(n, _)| *n == test) {
            return at(format!("'{}' is not a valid case test", case.test));
        }
        if case.arguments().len() > MAX_CASE_ARGUMENTS {
            return at(format!("can't have more than {MAX_CASE_ARGUMENTS} arguments (has {})", case.arguments().len()));
        }
        if !cats.contains(case.category_uuid.as_str()) {
            return at(format!("category {} is not a valid category", case.category_uuid));
        }
    }
    if let Some(wait) = &r.wait {
        let allowed = match wait.kind {
            WaitType::Msg => matches!(flow_type, FlowType::Messaging | FlowType::MessagingOffline | FlowType::Voice),
            WaitType::Dial => flow_type == FlowType::Voice,
        };
        if !allowed {
            let t = if wait.kind == WaitType::Msg { "msg" } else { "dial" };
            return err(format!("wait type '{t}' is not allowed in a flow of type '{}'", flow_type.as_str()));
        }
        if let Some(t) = &wait.timeout {
            if !cats.contains(t.category_uuid.as_str()) {
                return err(format!("timeout category {} is not a valid category", t.category_uuid));
            }
        }
        if let Some(h) = &wait.hint {
            if !["digits", "audio", "image", "video", "location"].contains(&h.kind.as_str()) {
                return err(format!("'{}' is not a valid hint type", h.kind));
            }
        }
        if wait.kind == WaitType::Dial && wait.phone.as_deref().is_none_or(str::is_empty) {
            return err("dial wait: field 'phone' is required");
        }
    }
    Ok(())
}

fn required(field: &str, value: &str) -> R {
    if value.trim().is_empty() {
        return err(format!("field '{field}' is required"));
    }
    Ok(())
}

fn max_len(field: &str, value: &str, max: usize) -> R {
    if value.chars().count() > max {
        return err(format!("field '{field}' must be less than or equal to {max}"));
    }
    Ok(())
}

fn named_refs(field: &str, refs: &[NamedRef]) -> R {
    for (i, r) in refs.iter().enumerate() {
        let has_uuid = r.uuid.as_deref().is_some_and(|u| !u.is_empty());
        let has_match = r.name_match.as_deref().is_some_and(|m| !m.is_empty());
        if !has_uuid && !has_match {
            return err(format!("field '{field}[{i}]' needs a uuid or a name_match"));
        }
        if let Some(u) = r.uuid.as_deref().filter(|u| !u.is_empty()) {
            if !is_uuid(u) {
                return err(format!("field '{field}[{i}].uuid' must be a valid UUID"));
            }
        }
        if let Some(n) = &r.name {
            max_len(&format!("{field}[{i}].name"), n, MAX_GROUP_NAME)?;
        }
    }
    Ok(())
}

fn allowed_in(flow_type: FlowType, action: &Action) -> bool {
    match &action.kind {
        ActionKind::SayMsg(_) | ActionKind::PlayAudio(_) => flow_type == FlowType::Voice,
        ActionKind::RequestOptin(_) => flow_type == FlowType::Messaging,
        _ => true,
    }
}

fn validate_action(flow_type: FlowType, action: &Action, opts: &LoadOptions) -> R {
    if !is_uuid(&action.uuid) {
        return err(format!("'{}' is not a valid action UUID", action.uuid));
    }
    if !allowed_in(flow_type, action) {
        return err(format!(
            "action type '{}' is not allowed in a flow of type '{}'",
            action.type_name(),
            flow_type.as_str()
        ));
    }
    match &action.kind {
        ActionKind::SendMsg(a) => {
            required("text", &a.text)?;
            max_len("text", &a.text, MAX_TEXT)?;
            if a.quick_replies.as_ref().is_some_and(|q| q.len() > MAX_QUICK_REPLIES) {
                return err(format!("field 'quick_replies' must have a maximum of {MAX_QUICK_REPLIES} items"));
            }
            if a.attachments.as_ref().is_some_and(|q| q.len() > MAX_ATTACHMENTS) {
                return err(format!("field 'attachments' must have a maximum of {MAX_ATTACHMENTS} items"));
            }
        }
        ActionKind::SayMsg(a) => {
            required("text", &a.text)?;
            max_len("text", &a.text, MAX_TEXT)?;
        }
        ActionKind::PlayAudio(a) => required("audio_url", &a.audio_url)?,
        ActionKind::SetRunResult(a) => {
            required("name", &a.name)?;
            max_len("name", &a.name, MAX_RESULT_NAME)?;
            if let Some(c) = &a.category {
                max_len("category", c, MAX_CATEGORY_NAME)?;
            }
        }
        ActionKind::SetRunLocal(a) => {
            let ok = !a.local.is_empty()
                && a.local.len() <= MAX_LOCAL_NAME
                && a.local.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                && a.local.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return err(format!("field 'local' is not a valid local name: '{}'", a.local));
            }
            if let Some(op) = &a.operation {
                if !["set", "increment", "clear"].contains(&op.as_str()) {
                    return err(format!("field 'operation' must be one of set, increment, clear: '{op}'"));
                }
            }
        }
        ActionKind::SetContactField(a) => required("field.key", &a.field.key)?,
        ActionKind::SetContactStatus(a) => {
            if !["active", "blocked", "stopped", "archived"].contains(&a.status.as_str()) {
                return err(format!("field 'status' is not a valid contact status: '{}'", a.status));
            }
        }
        ActionKind::AddContactUrn(a) => {
            required("scheme", &a.scheme)?;
            required("path", &a.path)?;
        }
        ActionKind::AddContactGroups(a) => named_refs("groups", &a.groups)?,
        ActionKind::RemoveContactGroups(a) => {
            let groups = a.groups.as_deref().unwrap_or(&[]);
            if a.all_groups == Some(true) && !groups.is_empty() {
                return err("groups can't be specified if removing from all groups");
            }
            named_refs("groups", groups)?;
        }
        ActionKind::AddInputLabels(a) => named_refs("labels", &a.labels)?,
        ActionKind::EnterFlow(a) => {
            if !is_uuid(&a.flow.uuid) {
                return err("field 'flow.uuid' must be a valid UUID");
            }
        }
        ActionKind::Outside(o) => {
            if o.action_type == "call_webhook" {
                validate_webhook(o)?;
            }
            if !opts.allowed_outside.contains(&o.action_type) {
                return err(format!(
                    "action type '{}' calls a service outside the platform and is refused; an administrator must allow '{}' for this flow to load",
                    o.action_type, o.action_type
                ));
            }
        }
        ActionKind::SetContactName(_)
        | ActionKind::SetContactLanguage(_)
        | ActionKind::SetContactTimezone(_)
        | ActionKind::SetContactChannel(_)
        | ActionKind::OpenTicket(_)
        | ActionKind::RequestOptin(_) => {}
    }
    Ok(())
}

/// An HTTP header name is a token (RFC 9110): visible ASCII without separators.
fn is_header_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn validate_webhook(o: &super::actions::Outside) -> R {
    let method = o.props.get("method").and_then(|m| m.as_str()).unwrap_or("");
    if !["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"].contains(&method) {
        return err(format!("field 'method' is not a valid HTTP method: '{method}'"));
    }
    if o.props.get("url").and_then(|u| u.as_str()).is_none_or(str::is_empty) {
        return err("field 'url' is required");
    }
    if let Some(h) = o.props.get("headers").and_then(|h| h.as_object()) {
        for name in h.keys() {
            if !is_header_token(name) {
                return err(format!("header '{name}' is not a valid HTTP header"));
            }
        }
    }
    Ok(())
}
