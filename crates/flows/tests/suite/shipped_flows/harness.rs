//! Helpers of the shipped-flow tests: the export (`flows/safepassage.json`) loaded the way the
//! platform loads it, and a conversation that stores and reloads its session between messages.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, TimeZone, Utc};
use safepassage_flows::definition::export::Export;
use safepassage_flows::definition::{ActionKind, Flow, FlowRef, LoadOptions, Node};
use safepassage_flows::engine::{
    Assets, Config, Contact, Engine, Event, EventKind, MsgIn, Resume, Session, SessionStatus, Trigger,
};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::Value;

/// The shipped export, as written in the repository.
pub const EXPORT: &str = include_str!("../../../../../flows/safepassage.json");

/// The languages the flows are written in: the base language first.
pub const LANGUAGES: [&str; 3] = ["rus", "ukr", "eng"];

/// The words of the brief that must reach a person at every wait.
pub const PERSON_WORDS: [&str; 8] =
    ["operator", "person", "человек", "оператор", "людина", "оператора", "живой человек", "human"];

/// The export's messaging flows (the chat's and Telegram's): the voice intake, the other flow
/// named Intake, is tested where calls are (crates/conversation/tests/voice_intake.rs).
pub fn export_json() -> Value {
    let mut export: Value = serde_json::from_str(EXPORT).expect("flows/safepassage.json is JSON");
    if let Some(flows) = export["flows"].as_array_mut() {
        flows.retain(|f| f["type"] != "voice");
    }
    export
}

/// The export loaded with no outside action allowed, as the platform runs flows.
pub fn export() -> Export {
    Export::from_json(&export_json(), &LoadOptions::default()).unwrap_or_else(|e| panic!("the export loads: {e}"))
}

/// The export, loaded once for the many conversations of these tests.
fn loaded() -> &'static Export {
    static LOADED: OnceLock<Export> = OnceLock::new();
    LOADED.get_or_init(export)
}

/// The ticket topics the flows name, as `{uuid, name}`: the general queue ("Operator") first,
/// since a ticket whose topic is missing falls back to the first one.
pub fn topics_named(export: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut stack = vec![export];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if m.get("type").and_then(Value::as_str) == Some("open_ticket") {
                    if let Some(t) = m.get("topic").filter(|t| t.is_object()) {
                        if !out.contains(t) {
                            out.push(t.clone());
                        }
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out.sort_by_key(|t| (t["name"] != "Operator", t["name"].as_str().unwrap_or("").to_string()));
    out
}

/// The assets the platform builds: the export's flows, and a topic for each topic the flows name
/// (a RapidPro export carries no list of topics; the platform maps each name to a queue).
pub fn assets_with_topics(topics: Vec<Value>) -> Assets {
    let mut v = export_json();
    v["topics"] = Value::Array(topics);
    Assets::from_json(&v, &LoadOptions::default())
}

/// The assets with every topic the flows name, built once.
pub fn assets() -> Arc<Assets> {
    static ASSETS: OnceLock<Arc<Assets>> = OnceLock::new();
    ASSETS.get_or_init(|| Arc::new(assets_with_topics(topics_named(&export_json())))).clone()
}

pub fn flow<'a>(export: &'a Export, name: &str) -> &'a Flow {
    export.flows.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no flow named {name}"))
}

/// The environment the platform gives the engine: the three languages allowed (the contact's
/// language is only used when it is allowed), Russian first as the default.
pub fn env(now: DateTime<Utc>) -> Env {
    let mut env = Env::new(now);
    env.allowed_languages = LANGUAGES.iter().map(|l| l.to_string()).collect();
    env
}

/// The messages of a node (its `send_msg` actions).
pub fn sends(node: &Node) -> Vec<(&str, &str, &[String])> {
    node.actions()
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::SendMsg(m) => {
                Some((a.uuid.as_str(), m.text.as_str(), m.quick_replies.as_deref().unwrap_or(&[])))
            }
            _ => None,
        })
        .collect()
}

/// A message's text in `lang`: the base text for the base language, else its translation.
pub fn text_in(flow: &Flow, lang: &str, action_uuid: &str, base: &str) -> String {
    if lang == flow.language {
        return base.to_string();
    }
    flow.translation(lang, action_uuid, "text").and_then(|t| t.into_iter().next()).unwrap_or_default()
}

/// A message's quick replies in `lang`.
pub fn replies_in(flow: &Flow, lang: &str, action_uuid: &str, base: &[String]) -> Vec<String> {
    if lang == flow.language {
        return base.to_vec();
    }
    flow.translation(lang, action_uuid, "quick_replies").unwrap_or_default()
}

/// The nodes that wait for a message.
pub fn waits(flow: &Flow) -> Vec<&Node> {
    flow.nodes.iter().filter(|n| n.router.as_ref().is_some_and(|r| r.wait.is_some())).collect()
}

/// The nodes with an exit into `target`.
pub fn leading_to<'a>(flow: &'a Flow, target: &str) -> Vec<&'a Node> {
    flow.nodes.iter().filter(|n| n.exits.iter().any(|e| e.destination() == Some(target))).collect()
}

/// The category a router picked for an exit.
pub fn category_of(node: &Node, exit_uuid: &str) -> String {
    let router = node.router.as_ref().expect("a router");
    router.categories.iter().find(|c| c.exit_uuid == exit_uuid).map(|c| c.name.clone()).unwrap_or_default()
}

/// A conversation with the bot. Between messages the session is stored and read back, as the
/// platform does, and the clock moves on a minute.
pub struct Chat {
    engine: Engine,
    assets: Arc<Assets>,
    rng: SplitMix64,
    now: DateTime<Utc>,
    sent: u64,
    /// Whether an error event fails the test (the default).
    strict: bool,
    pub session: Session,
    /// Every event so far, in order.
    pub transcript: Vec<Event>,
}

impl Chat {
    /// Starts the flow named `flow` for a new anonymous contact whose language is `language`
    /// (empty when not known yet).
    pub fn start(flow_name: &str, language: &str) -> (Chat, Vec<Event>) {
        Chat::start_on(assets(), true, flow_name, language)
    }

    /// Starts a flow on given assets; `strict` fails the test on any error event.
    pub fn start_on(assets: Arc<Assets>, strict: bool, flow_name: &str, language: &str) -> (Chat, Vec<Event>) {
        Chat::start_with(assets, strict, flow_name, language, None)
    }

    /// Starts a flow the way a first message does: the message is the session's trigger.
    pub fn start_by_message(flow_name: &str, text: &str) -> (Chat, Vec<Event>) {
        Chat::start_with(assets(), true, flow_name, "", Some(text))
    }

    fn start_with(
        assets: Arc<Assets>,
        strict: bool,
        flow_name: &str,
        language: &str,
        first: Option<&str>,
    ) -> (Chat, Vec<Event>) {
        let flow = flow(loaded(), flow_name);
        let engine = Engine::new(Config::default());
        let mut rng = SplitMix64::new(7);
        let now = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).single().expect("a valid instant");
        let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", language);
        let flow_ref = FlowRef::new(&flow.uuid, &flow.name);
        let trigger = match first {
            Some(text) => Trigger::msg(
                flow_ref,
                MsgIn { uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(), text: text.into(), ..Default::default() },
            ),
            None => Trigger::manual(flow_ref),
        };
        let started =
            engine.start(&assets, &env(now), contact, trigger, &mut rng).unwrap_or_else(|e| panic!("starts: {e}"));
        if strict {
            assert_clean(&started.events);
        }
        let mut chat =
            Chat { engine, assets, rng, now, sent: 0, strict, session: started.session, transcript: Vec::new() };
        chat.transcript.extend(started.events.iter().cloned());
        (chat, started.events)
    }

    fn resume(&mut self, resume: Resume) -> Vec<Event> {
        let text = serde_json::to_string(&self.session.to_json()).expect("a session serialises");
        self.session = Session::from_json(&serde_json::from_str(&text).expect("JSON")).expect("a session reads back");
        self.now += Duration::minutes(1);
        let events = self
            .engine
            .resume(&self.assets, &env(self.now), &mut self.session, resume, &mut self.rng)
            .unwrap_or_else(|e| panic!("resumes: {e}"));
        if self.strict {
            assert_clean(&events);
        }
        self.transcript.extend(events.iter().cloned());
        events
    }

    /// The contact writes `text`.
    pub fn say(&mut self, text: &str) -> Vec<Event> {
        self.sent += 1;
        let uuid = format!("9bf91c2b-ce41-4ed4-9a4e-{:012x}", self.sent);
        self.resume(Resume::Msg(MsgIn { uuid, text: text.into(), ..Default::default() }))
    }

    /// The wait's timeout passes with no answer.
    pub fn time_out(&mut self) -> Vec<Event> {
        self.resume(Resume::WaitTimeout)
    }

    /// The session waits past its expiry.
    pub fn expire(&mut self) -> Vec<Event> {
        self.resume(Resume::Expiration)
    }

    /// The node the session waits at.
    pub fn waiting_at(&self) -> Option<String> {
        self.session.wait.as_ref().map(|w| w.node_uuid.clone())
    }

    pub fn status(&self) -> SessionStatus {
        self.session.status
    }

    /// Puts the waiting run at another wait of the same flow, as if it had got there, so that
    /// every wait can be tried on its own.
    pub fn move_to_wait(&mut self, node_uuid: &str) {
        let wait = self.session.wait.as_mut().expect("the session waits");
        wait.node_uuid = node_uuid.to_string();
        let run_uuid = wait.run_uuid.clone();
        let run = self.session.runs.iter_mut().find(|r| r.uuid == run_uuid).expect("the waiting run");
        let step = run.path.last_mut().expect("a step");
        step.node_uuid = node_uuid.to_string();
    }

    /// The exit the waiting run took from its current step, after a resume.
    pub fn exit_taken_from(&self, run_uuid: &str, step_index: usize) -> Option<String> {
        self.session.runs.iter().find(|r| r.uuid == run_uuid)?.path.get(step_index)?.exit_uuid.clone()
    }

    /// The waiting run's UUID and the index of its current step.
    pub fn waiting_step(&self) -> (String, usize) {
        let wait = self.session.wait.as_ref().expect("the session waits");
        let run = self.session.runs.iter().find(|r| r.uuid == wait.run_uuid).expect("the waiting run");
        (run.uuid.clone(), run.path.len() - 1)
    }

    /// A result of the run of the flow named `flow`: (value, category).
    pub fn result(&self, flow: &str, key: &str) -> Option<(String, String)> {
        self.session
            .runs
            .iter()
            .filter(|r| r.flow.name == flow)
            .find_map(|r| r.results.get(key))
            .map(|r| (r.value.clone(), r.category.clone()))
    }
}

/// No expression failed and no run failed.
pub fn assert_clean(events: &[Event]) {
    for e in events {
        if let EventKind::Error { text } | EventKind::Failure { text } = &e.kind {
            panic!("{}: {text}", e.type_name());
        }
    }
}

pub fn types(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::type_name).collect()
}

pub use crate::common::texts;

/// The quick replies of the last message sent.
pub fn buttons(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } => Some(msg.quick_replies.iter().map(|q| q.text.clone()).collect()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The locales of the messages sent.
pub fn locales(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } => Some(msg.locale.clone().unwrap_or_default()),
            _ => None,
        })
        .collect()
}

/// The topics of the tickets opened (empty text for the default queue).
pub fn tickets(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::TicketOpened { ticket, .. } => {
                Some(ticket.topic.as_ref().map(|t| t.name.clone()).unwrap_or_default())
            }
            _ => None,
        })
        .collect()
}

/// The results saved: (name, value, category).
pub fn results(events: &[Event]) -> Vec<(String, String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RunResultChanged { name, value, category, .. } => {
                Some((name.clone(), value.clone(), category.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The names of the flows started.
pub fn flows_started(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::RunStarted { flow, .. } => Some(flow.name.clone()),
            _ => None,
        })
        .collect()
}

/// Where in `events` the first event of type `kind` matching `pred` is.
pub fn position(events: &[Event], pred: impl Fn(&EventKind) -> bool) -> usize {
    events.iter().position(|e| pred(&e.kind)).unwrap_or(usize::MAX)
}
