//! The actions a node runs, one type each, read by their `type`. Actions that reach outside
//! the platform are kept as they were written, so that they can be refused by name or allowed.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::DefinitionError;
use super::refs::{AssetRef, FieldRef, FlowRef, NamedRef, UserRef};

/// Action types that call services outside the platform: refused unless allowed by name.
pub const OUTSIDE_ACTION_TYPES: &[&str] = &[
    "call_webhook",
    "call_resthook",
    "call_llm",
    "call_classifier",
    "send_email",
    "send_broadcast",
    "start_session",
    "transfer_airtime",
];

/// One action of a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub uuid: String,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    SendMsg(SendMsg),
    SayMsg(SayMsg),
    PlayAudio(PlayAudio),
    SetRunResult(SetRunResult),
    SetRunLocal(SetRunLocal),
    SetContactField(SetContactField),
    SetContactName(SetContactName),
    SetContactLanguage(SetContactLanguage),
    SetContactTimezone(SetContactTimezone),
    SetContactStatus(SetContactStatus),
    SetContactChannel(SetContactChannel),
    AddContactUrn(AddContactUrn),
    AddContactGroups(AddContactGroups),
    RemoveContactGroups(RemoveContactGroups),
    AddInputLabels(AddInputLabels),
    EnterFlow(EnterFlow),
    OpenTicket(OpenTicket),
    RequestOptin(RequestOptin),
    /// An action that calls outside the platform, kept as written (minus `uuid` and `type`).
    Outside(Outside),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMsg {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quick_replies: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_variables: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SayMsg {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayAudio {
    pub audio_url: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetRunResult {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetRunLocal {
    pub local: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `set` (the default), `increment` or `clear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactField {
    pub field: FieldRef,
    #[serde(default)]
    pub value: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactName {
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactLanguage {
    #[serde(default)]
    pub language: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactTimezone {
    #[serde(default)]
    pub timezone: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactStatus {
    pub status: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetContactChannel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<AssetRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddContactUrn {
    pub scheme: String,
    pub path: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddContactGroups {
    pub groups: Vec<NamedRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveContactGroups {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<NamedRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_groups: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddInputLabels {
    pub labels: Vec<NamedRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnterFlow {
    pub flow: FlowRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenTicket {
    /// `null` is allowed (the default topic); kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestOptin {
    pub optin: AssetRef,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An outside action: its type and its properties as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Outside {
    pub action_type: String,
    pub props: Map<String, Value>,
}

impl OpenTicket {
    /// The topic, when one is given as `{uuid, name}`.
    pub fn topic_ref(&self) -> Option<AssetRef> {
        self.topic.as_ref().filter(|t| !t.is_null()).and_then(|t| serde_json::from_value(t.clone()).ok())
    }

    /// The assignee, when one is given.
    pub fn assignee_ref(&self) -> Option<UserRef> {
        self.assignee.as_ref().filter(|t| !t.is_null()).and_then(|t| serde_json::from_value(t.clone()).ok())
    }
}

/// Turns serde's wording into the format's: "missing field `text`" → "field 'text' is required".
pub(crate) fn friendly(e: &serde_json::Error) -> String {
    let s = e.to_string();
    if let Some(rest) = s.strip_prefix("missing field `") {
        if let Some(name) = rest.split('`').next() {
            return format!("field '{name}' is required");
        }
    }
    s
}

fn typed<T: for<'de> Deserialize<'de>>(props: Map<String, Value>) -> Result<T, DefinitionError> {
    serde_json::from_value(Value::Object(props)).map_err(|e| DefinitionError::new(friendly(&e)))
}

impl Action {
    pub fn type_name(&self) -> &str {
        match &self.kind {
            ActionKind::SendMsg(_) => "send_msg",
            ActionKind::SayMsg(_) => "say_msg",
            ActionKind::PlayAudio(_) => "play_audio",
            ActionKind::SetRunResult(_) => "set_run_result",
            ActionKind::SetRunLocal(_) => "set_run_local",
            ActionKind::SetContactField(_) => "set_contact_field",
            ActionKind::SetContactName(_) => "set_contact_name",
            ActionKind::SetContactLanguage(_) => "set_contact_language",
            ActionKind::SetContactTimezone(_) => "set_contact_timezone",
            ActionKind::SetContactStatus(_) => "set_contact_status",
            ActionKind::SetContactChannel(_) => "set_contact_channel",
            ActionKind::AddContactUrn(_) => "add_contact_urn",
            ActionKind::AddContactGroups(_) => "add_contact_groups",
            ActionKind::RemoveContactGroups(_) => "remove_contact_groups",
            ActionKind::AddInputLabels(_) => "add_input_labels",
            ActionKind::EnterFlow(_) => "enter_flow",
            ActionKind::OpenTicket(_) => "open_ticket",
            ActionKind::RequestOptin(_) => "request_optin",
            ActionKind::Outside(o) => &o.action_type,
        }
    }

    /// Reads an action from its JSON; the error names the action's UUID and type when known.
    pub fn from_json(v: &Value) -> Result<Action, DefinitionError> {
        let Value::Object(obj) = v else {
            return Err(DefinitionError::new("action must be an object"));
        };
        let mut props = obj.clone();
        let uuid = match props.remove("uuid") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(DefinitionError::new("field 'uuid' must be text")),
            None => String::new(),
        };
        let type_name = match props.remove("type") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => return Err(DefinitionError::new("field 'type' is required").in_action(&uuid, "")),
        };
        if uuid.is_empty() {
            return Err(DefinitionError::new("field 'uuid' is required").in_action("", &type_name));
        }
        let kind = Self::kind_from(&type_name, props).map_err(|e| e.in_action(&uuid, &type_name))?;
        Ok(Action { uuid, kind })
    }

    fn kind_from(type_name: &str, props: Map<String, Value>) -> Result<ActionKind, DefinitionError> {
        Ok(match type_name {
            "send_msg" => ActionKind::SendMsg(typed(props)?),
            "say_msg" => ActionKind::SayMsg(typed(props)?),
            "play_audio" => ActionKind::PlayAudio(typed(props)?),
            "set_run_result" => ActionKind::SetRunResult(typed(props)?),
            "set_run_local" => ActionKind::SetRunLocal(typed(props)?),
            "set_contact_field" => ActionKind::SetContactField(typed(props)?),
            "set_contact_name" => ActionKind::SetContactName(typed(props)?),
            "set_contact_language" => ActionKind::SetContactLanguage(typed(props)?),
            "set_contact_timezone" => ActionKind::SetContactTimezone(typed(props)?),
            "set_contact_status" => ActionKind::SetContactStatus(typed(props)?),
            "set_contact_channel" => ActionKind::SetContactChannel(typed(props)?),
            "add_contact_urn" => ActionKind::AddContactUrn(typed(props)?),
            "add_contact_groups" => ActionKind::AddContactGroups(typed(props)?),
            "remove_contact_groups" => ActionKind::RemoveContactGroups(typed(props)?),
            "add_input_labels" => ActionKind::AddInputLabels(typed(props)?),
            "enter_flow" => ActionKind::EnterFlow(typed(props)?),
            "open_ticket" => ActionKind::OpenTicket(typed(props)?),
            "request_optin" => ActionKind::RequestOptin(typed(props)?),
            t if OUTSIDE_ACTION_TYPES.contains(&t) => {
                ActionKind::Outside(Outside { action_type: t.to_string(), props })
            }
            other => return Err(DefinitionError::new(format!("unknown action type '{other}'"))),
        })
    }

    /// The action as JSON, with unknown properties as they were read.
    pub fn to_json(&self) -> Value {
        let body = match &self.kind {
            ActionKind::SendMsg(a) => serde_json::to_value(a),
            ActionKind::SayMsg(a) => serde_json::to_value(a),
            ActionKind::PlayAudio(a) => serde_json::to_value(a),
            ActionKind::SetRunResult(a) => serde_json::to_value(a),
            ActionKind::SetRunLocal(a) => serde_json::to_value(a),
            ActionKind::SetContactField(a) => serde_json::to_value(a),
            ActionKind::SetContactName(a) => serde_json::to_value(a),
            ActionKind::SetContactLanguage(a) => serde_json::to_value(a),
            ActionKind::SetContactTimezone(a) => serde_json::to_value(a),
            ActionKind::SetContactStatus(a) => serde_json::to_value(a),
            ActionKind::SetContactChannel(a) => serde_json::to_value(a),
            ActionKind::AddContactUrn(a) => serde_json::to_value(a),
            ActionKind::AddContactGroups(a) => serde_json::to_value(a),
            ActionKind::RemoveContactGroups(a) => serde_json::to_value(a),
            ActionKind::AddInputLabels(a) => serde_json::to_value(a),
            ActionKind::EnterFlow(a) => serde_json::to_value(a),
            ActionKind::OpenTicket(a) => serde_json::to_value(a),
            ActionKind::RequestOptin(a) => serde_json::to_value(a),
            ActionKind::Outside(o) => Ok(Value::Object(o.props.clone())),
        };
        let mut map = match body {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        map.insert("uuid".into(), Value::String(self.uuid.clone()));
        map.insert("type".into(), Value::String(self.type_name().to_string()));
        Value::Object(map)
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Action::from_json(&v).map_err(|e| D::Error::custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_with_unknown_fields() {
        let j = json!({"uuid": "a", "type": "send_msg", "text": "Hi", "quick_replies": ["A"], "x_custom": {"k": 1}});
        let a = Action::from_json(&j).unwrap();
        assert_eq!(a.type_name(), "send_msg");
        assert_eq!(a.to_json(), j);
    }

    #[test]
    fn missing_field_names_the_field() {
        let e = Action::from_json(&json!({"uuid": "a", "type": "send_msg"})).unwrap_err();
        assert_eq!(e.message, "field 'text' is required");
        assert_eq!(e.at.action_uuid.as_deref(), Some("a"));
        let e = Action::from_json(&json!({"uuid": "a", "type": "teleport"})).unwrap_err();
        assert!(e.to_string().contains("unknown action type 'teleport'"));
    }

    #[test]
    fn outside_actions_are_kept_as_written() {
        let j = json!({"uuid": "a", "type": "call_webhook", "method": "GET", "url": "http://x/"});
        let a = Action::from_json(&j).unwrap();
        assert!(matches!(a.kind, ActionKind::Outside(_)));
        assert_eq!(a.to_json(), j);
    }
}
