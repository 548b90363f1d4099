//! What a session did, as events in the format's JSON (`msg_created`, `run_result_changed`,
//! `ticket_opened`, …): the caller applies them (sends messages, opens tickets, saves fields).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::run::RunStatus;
use crate::definition::refs::{AssetRef, FlowRef};
use crate::definition::router::Hint;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub uuid: String,
    pub created_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_uuid: Option<String>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A quick reply offered with a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReply {
    #[serde(rename = "type")]
    pub kind: String,
    pub text: String,
    /// What the reference writes after `<extra>` in a quick reply: shown under the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
}

impl QuickReply {
    /// A plain text choice.
    pub fn text(text: impl Into<String>) -> QuickReply {
        QuickReply { kind: "text".into(), text: text.into(), extra: None }
    }
}

/// A message the bot sends (or speaks, for `ivr_created`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MsgOut {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<AssetRef>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<QuickReply>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsendable_reason: Option<String>,
}

/// `{uuid, name}` of a group, label or field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRef {
    pub uuid: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldKey {
    pub key: String,
    pub name: String,
}

/// A ticket handed to a person: its topic picks the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketOut {
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<AssetRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dial {
    pub status: String,
    #[serde(default)]
    pub duration: u32,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        flow: FlowRef,
        run_uuid: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent_uuid: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        terminal: bool,
    },
    RunEnded {
        flow: FlowRef,
        run_uuid: String,
        status: RunStatus,
    },
    MsgCreated {
        msg: MsgOut,
    },
    IvrCreated {
        msg: MsgOut,
    },
    MsgWait {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_seconds: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_on: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hint: Option<Hint>,
    },
    DialWait {
        urn: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dial_limit_seconds: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        call_limit_seconds: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_on: Option<String>,
    },
    DialEnded {
        dial: Dial,
    },
    WaitTimedOut {},
    RunResultChanged {
        name: String,
        value: String,
        category: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category_localized: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        extra: Option<Value>,
    },
    ContactFieldChanged {
        field: FieldKey,
        value: Option<Value>,
    },
    ContactNameChanged {
        name: String,
    },
    ContactLanguageChanged {
        language: String,
    },
    ContactTimezoneChanged {
        timezone: String,
    },
    ContactStatusChanged {
        status: String,
    },
    ContactGroupsChanged {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        groups_added: Vec<NameRef>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        groups_removed: Vec<NameRef>,
    },
    ContactUrnsChanged {
        urns: Vec<String>,
    },
    InputLabelsAdded {
        input_uuid: String,
        labels: Vec<NameRef>,
    },
    TicketOpened {
        ticket: TicketOut,
        /// The note for the person who takes the ticket.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The note of a ticket just opened, as the reference reports it: an event of its own
    /// after `ticket_opened` (which keeps the note too, for hosts that read it there).
    TicketNoteAdded {
        ticket_uuid: String,
        note: String,
    },
    OptinRequested {
        optin: AssetRef,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        urn: Option<String>,
    },
    WebhookCalled {
        url: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status_code: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response: Option<String>,
    },
    /// Something went wrong but the run goes on (an expression that failed, a missing group).
    /// Something the flow does that still works but is deprecated (`@child.run.status`).
    Warning {
        text: String,
    },
    Error {
        text: String,
    },
    /// The run cannot go on: it ends as failed.
    Failure {
        text: String,
    },
}

impl EventKind {
    /// The event's type as the format names it.
    pub fn type_name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m.get("type").and_then(Value::as_str).unwrap_or("").to_string(),
            _ => String::new(),
        }
    }
}

impl Event {
    pub fn type_name(&self) -> String {
        self.kind.type_name()
    }
}
