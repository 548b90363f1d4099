//! A session: the contact, the trigger that started it, its runs, its status and what it waits
//! for. It is plain data that serialises to JSON, so it can be stored and resumed after a restart.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::contact::Contact;
use super::run::{Run, RunStatus};
use crate::definition::refs::FlowRef;
use crate::definition::router::{Hint, WaitType};
use crate::definition::FlowType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Active,
    Waiting,
    Completed,
    Expired,
    Interrupted,
    Failed,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Active => "active",
            SessionStatus::Waiting => "waiting",
            SessionStatus::Completed => "completed",
            SessionStatus::Expired => "expired",
            SessionStatus::Interrupted => "interrupted",
            SessionStatus::Failed => "failed",
        }
    }
}

/// What the session waits for, and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionWait {
    #[serde(rename = "type")]
    pub kind: WaitType,
    pub run_uuid: String,
    pub node_uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// When a timeout resume becomes due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_on: Option<String>,
    /// When the run expires if nothing comes.
    pub expires_on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Hint>,
}

/// A message the contact sent: the input of the session.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MsgIn {
    #[serde(default)]
    pub uuid: String,
    #[serde(default)]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
}

/// What started the session: `manual`, `msg`, `flow_action`, `channel` (a call), `campaign`…
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trigger {
    #[serde(rename = "type")]
    pub kind: String,
    pub flow: FlowRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggered_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// The message of a `msg` trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<MsgIn>,
    /// `flow_action`: the run that started this session, as a summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_summary: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Trigger {
    /// A `manual` trigger of `flow`.
    pub fn manual(flow: FlowRef) -> Trigger {
        Trigger {
            kind: "manual".into(),
            flow,
            triggered_on: None,
            params: None,
            msg: None,
            run_summary: None,
            keyword: None,
            extra: Map::new(),
        }
    }

    /// A `msg` trigger: the contact wrote `msg`, which starts `flow`.
    pub fn msg(flow: FlowRef, msg: MsgIn) -> Trigger {
        Trigger { kind: "msg".into(), msg: Some(msg), ..Trigger::manual(flow) }
    }

    /// Reads a trigger in the format's JSON; a `msg` given as `event.msg` is accepted too.
    pub fn from_json(v: &Value) -> Result<Trigger, String> {
        let mut t: Trigger = serde_json::from_value(v.clone()).map_err(|e| format!("invalid trigger: {e}"))?;
        if t.msg.is_none() {
            if let Some(m) = v.get("event").and_then(|e| e.get("msg")) {
                let mut msg: MsgIn =
                    serde_json::from_value(m.clone()).map_err(|e| format!("invalid trigger msg: {e}"))?;
                if msg.uuid.is_empty() {
                    msg.uuid = v.get("event").and_then(|e| e.get("uuid")).and_then(Value::as_str).unwrap_or("").into();
                }
                if msg.created_on.is_none() {
                    msg.created_on =
                        v.get("event").and_then(|e| e.get("created_on")).and_then(Value::as_str).map(String::from);
                }
                t.msg = Some(msg);
                t.extra.remove("event");
            }
        }
        Ok(t)
    }
}

/// How a waiting session goes on.
#[derive(Debug, Clone, PartialEq)]
pub enum Resume {
    /// The contact answered.
    Msg(MsgIn),
    /// The wait's timeout passed without an answer.
    WaitTimeout,
    /// The session waited past its expiry: every run ends as expired.
    Expiration,
    /// A dialled call ended: `answered`, `no_answer`, `busy` or `failed`.
    Dial { status: String, duration: u32 },
}

impl Resume {
    /// Reads a resume in the format's JSON (`{"type": "msg", "event": {"msg": …}}`, …).
    pub fn from_json(v: &Value) -> Result<Resume, String> {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "msg" => {
                let (m, event) = match v.get("event") {
                    Some(e) => (e.get("msg").cloned().unwrap_or(Value::Null), Some(e)),
                    None => (v.get("msg").cloned().unwrap_or(Value::Null), None),
                };
                let mut msg: MsgIn = serde_json::from_value(m).map_err(|e| format!("invalid resume msg: {e}"))?;
                if let Some(e) = event {
                    if msg.uuid.is_empty() {
                        msg.uuid = e.get("uuid").and_then(Value::as_str).unwrap_or("").into();
                    }
                    if msg.created_on.is_none() {
                        msg.created_on = e.get("created_on").and_then(Value::as_str).map(String::from);
                    }
                }
                Ok(Resume::Msg(msg))
            }
            "wait_timeout" | "timeout" | "wait_timed_out" => Ok(Resume::WaitTimeout),
            "run_expiration" | "wait_expiration" | "expiration" => Ok(Resume::Expiration),
            "dial" => {
                let d = v
                    .get("dial")
                    .or_else(|| v.get("event").and_then(|e| e.get("dial")))
                    .cloned()
                    .unwrap_or(Value::Null);
                Ok(Resume::Dial {
                    status: d.get("status").and_then(Value::as_str).unwrap_or("failed").to_string(),
                    duration: d
                        .get("duration")
                        .and_then(Value::as_u64)
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(0),
                })
            }
            other => Err(format!("unknown resume type '{other}'")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub uuid: String,
    #[serde(rename = "type")]
    pub flow_type: FlowType,
    pub status: SessionStatus,
    pub created_on: String,
    pub trigger: Trigger,
    pub contact: Contact,
    #[serde(default)]
    pub runs: Vec<Run>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<SessionWait>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<MsgIn>,
    /// The last resume of a dialled call, as `@resume` shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Value>,
    #[serde(default)]
    pub sprints: u32,
}

impl Session {
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn from_json(v: &Value) -> Result<Session, String> {
        let s: Session = serde_json::from_value(v.clone()).map_err(|e| format!("invalid session: {e}"))?;
        if s.status == SessionStatus::Waiting && s.wait.is_none() {
            return Err("session is waiting but has no wait".into());
        }
        Ok(s)
    }

    pub fn run(&self, uuid: &str) -> Option<&Run> {
        self.runs.iter().find(|r| r.uuid == uuid)
    }

    /// The run waiting for input, if any.
    pub fn waiting_run(&self) -> Option<usize> {
        self.runs.iter().rposition(|r| r.status == RunStatus::Waiting)
    }

    /// When the session expires if it is waiting (RFC 3339).
    pub fn expires_on(&self) -> Option<&str> {
        self.wait.as_ref().map(|w| w.expires_on.as_str())
    }

    /// Whether a waiting session has passed its expiry at `now`.
    pub fn is_expired(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.expires_on().and_then(super::time::parse).is_some_and(|e| now >= e)
    }

    /// When a timeout becomes due if the session waits with one.
    pub fn timeout_on(&self) -> Option<&str> {
        self.wait.as_ref().and_then(|w| w.timeout_on.as_deref())
    }
}
