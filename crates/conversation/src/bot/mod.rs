//! The bot: runs the shipped flows (`flows/safepassage.json`) for web conversations in the flow
//! engine, keeps each session sealed in the store, and turns the engine's events into messages,
//! codenames and queue entries, as the flows' contract with the platform says.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use safepassage_domain::{CaseKind, ConversationId, DuressPhrase, Language, Sender};
use safepassage_flows::definition::{ActionKind, Node};
use safepassage_flows::engine::{
    self, Assets, Config, Contact, Engine, EventKind, MsgIn, Resume, Session, SessionStatus, Trigger,
};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use safepassage_store::{
    ConversationStatus, ConversationView, FlowWrite, MessageView, PreparedCodename, StepMessage, StoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod library;
pub mod webhook_hosts;
pub mod webhooks;

use library::Library;

use crate::channel::inbound::Receipt;
use crate::channel::outbound::leaving_on;
use crate::locks::{KeyedGuard, KeyedLocks};
use crate::messages::with_receipt;
use crate::Conversations;

/// The export the platform ships, read once at start.
pub const SHIPPED: &str = include_str!("../../../../flows/safepassage.json");
/// The flow every new web conversation starts in (flows are referred to by name: UUIDs change
/// when TextIt imports a file).
pub const INTAKE: &str = "Intake";
/// The result that must never be shown, nor kept once the session is over.
const DURESS: &str = "duress_phrase";
/// The result a voice flow saves a keyed codename in: never shown nor kept; the core tries it
/// as a codename once the step is committed (`CodenameGuard`, the web chat's limits).
const CODENAME_ENTERED: &str = "codename_entered";
/// The flow a returning applicant is given after joining their case by codename (the shipped
/// one asks "have you been sent to the front?" and sets `deployed` = `yes`).
pub const RETURNING: &str = "Returning";
/// The result by which an applicant reports "I have been deployed" (value `yes`).
const DEPLOYED: &str = "deployed";
/// What the transcript shows in place of the applicant's duress phrase.
const HIDDEN: &str = "•••";
/// Steps of its path a run keeps (the shipped flows need only the current node; `@run.path`
/// is not used; the engine keeps two at least): a bound on the sealed session, which is
/// written at every step, and on the work of every step. A path step is ~180 bytes of JSON;
/// with two kept, a waiting session stays under ~2 KiB and fits in one database page.
const PATH_KEPT: usize = 2;

/// The loaded flows and the engine's settings; shared by every conversation.
pub struct Bot {
    /// The running set of flows (`flow_library/`), swapped whole when the library changes;
    /// a step holds the set it started with.
    library: std::sync::RwLock<Arc<Library>>,
    reloading: tokio::sync::Mutex<()>,
    /// Serialises the steps of one conversation (a message and a timeout at once) on this node.
    locks: KeyedLocks<ConversationId>,
}

/// What the platform keeps of a conversation's flows beside the engine's session: shown to the
/// operator (topic, results) and to the applicant (the buttons of the last bot message).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The ticket's topic, once a flow opened one ("" for the default queue).
    #[serde(default)]
    pub topic: Option<String>,
    /// Results of every run, later values winning; never the duress phrase.
    #[serde(default)]
    pub results: BTreeMap<String, String>,
    /// The quick replies of the last bot message, and which message that is.
    #[serde(default)]
    pub quick_replies: Option<(uuid::Uuid, Vec<String>)>,
    /// The case the bot opened when the applicant asked for a codename.
    #[serde(default)]
    pub codename_issued: bool,
    /// The category of each result as the flow wrote it (its name in the staff's language is
    /// the flow's translation, looked up when shown).
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
    /// On a call: the language (`rus`, `ukr`, `eng`) each line of the last step is spoken in,
    /// by message id (a voice flow's language menu says each line in its own language).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spoken_in: Vec<(uuid::Uuid, String)>,
}

impl Bot {
    /// Loads the shipped export with no outside action allowed; the ticket topics are those the
    /// flows name, the general queue ("Operator") first.
    /// The library's files are loaded on top by `Conversations::reload_flows`.
    pub fn shipped() -> Result<Bot, String> {
        let library = Library::build(&[], Vec::new(), 0)?;
        Ok(Bot {
            library: std::sync::RwLock::new(Arc::new(library)),
            reloading: tokio::sync::Mutex::default(),
            locks: KeyedLocks::default(),
        })
    }

    pub fn library(&self) -> Arc<Library> {
        Arc::clone(&self.library.read().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn set_library(&self, library: Arc<Library>) {
        *self.library.write().unwrap_or_else(|p| p.into_inner()) = library;
    }

    pub async fn reloading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.reloading.lock().await
    }

    async fn lock(&self, conversation: ConversationId) -> KeyedGuard<ConversationId> {
        self.locks.lock(conversation).await
    }
}

/// The engine as the bot runs it: default bounds, and a short path per run.
fn engine() -> Engine {
    Engine::new(Config { max_path_per_run: PATH_KEPT, ..Config::default() })
}

/// Every topic the flows' `open_ticket` actions name, as `{uuid, name}`.
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
    out.sort_by_key(|t| (t["name"] != "Operator", t["name"].as_str().unwrap_or("").to_owned()));
    out
}

fn engine_language(language: Language) -> &'static str {
    match language {
        Language::Ru => "rus",
        Language::Uk => "ukr",
        Language::En => "eng",
    }
}

fn env(now: DateTime<Utc>) -> Env {
    let mut env = Env::new(now);
    env.allowed_languages = ["rus", "ukr", "eng"].iter().map(|l| (*l).to_owned()).collect();
    env
}

fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// A seed for the engine's generator (UUIDs of runs and events, the random router).
fn rng() -> Result<SplitMix64, StoreError> {
    let mut seed = [0u8; 8];
    getrandom::getrandom(&mut seed).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
    Ok(SplitMix64::new(u64::from_le_bytes(seed)))
}

fn millis(rfc3339: Option<&str>) -> Option<i64> {
    rfc3339.and_then(engine::time::parse).map(|t| t.timestamp_millis())
}

/// The engine refused a step; its messages are fixed texts and flow definition errors (no
/// applicant input).
fn engine_failed(e: engine::EngineError) -> StoreError {
    StoreError::Database(format!("flow step failed: {e}"))
}

/// A flow session or summary that does not (de)serialise. Serde's messages quote the input
/// they choke on, which here is an applicant's answers: only the kind of error and where it
/// happened reach the error (and so the log).
fn bad_state(e: serde_json::Error) -> StoreError {
    use serde_json::error::Category;
    let kind = match e.classify() {
        Category::Io => "i/o",
        Category::Syntax => "syntax",
        Category::Data => "data",
        Category::Eof => "end-of-input",
    };
    StoreError::Database(format!("unreadable flow session: {kind} error at line {} column {}", e.line(), e.column()))
}

/// A session waiting for the next message, with the platform's summary and the version of
/// the stored copy it was read from (0: not stored yet).
pub struct Waiting {
    session: Session,
    summary: Summary,
    version: i64,
}

/// What one step did, beyond its messages.
struct Outcome {
    messages: Vec<StepMessage>,
    ticket: Option<String>,
    hide_input: bool,
    /// The codename given in this step's messages, committed with them.
    codename: Option<PreparedCodename>,
    /// The codename a caller keyed in (`codename_entered`), tried once the step is committed.
    codename_entered: Option<zeroize::Zeroizing<String>>,
}

impl Conversations {
    fn bot(&self) -> Result<&Bot, StoreError> {
        self.bot.as_deref().ok_or(StoreError::Conflict("the flows did not load"))
    }

    /// Starts the intake for a new conversation: its first messages, stored and shown.
    pub async fn start_intake(&self, conversation: &ConversationView) -> Result<Vec<MessageView>, StoreError> {
        let _guard = self.bot()?.lock(conversation.id).await;
        let contact = Contact::anonymous(&conversation.contact.0.to_string(), engine_language(conversation.language));
        let library = self.bot()?.library();
        let intake =
            library.intake(conversation.channel).ok_or(StoreError::Conflict("no intake flow for this channel"))?;
        let calls_out = library.starts_calling_out(&intake);
        let (env, mut rng) = (env(now()), rng()?);
        let started = webhooks::step(&self.webhooks, calls_out, engine(), move |engine| {
            engine.start(&library.assets, &env, contact, Trigger::manual(intake), &mut rng)
        })
        .await?
        .map_err(engine_failed)?;
        let fresh = Waiting { session: started.session, summary: Summary::default(), version: 0 };
        self.apply_step(conversation, fresh, None, &started.events, None).await
    }

    /// A returning applicant joined this conversation to their case by codename: the
    /// "Returning" flow starts in place of whatever flow waited (the intake they skipped).
    /// Nothing when the library has no such flow for the channel.
    pub async fn start_returning(&self, conversation: &ConversationView) -> Result<Vec<MessageView>, StoreError> {
        let _guard = self.bot()?.lock(conversation.id).await;
        let library = self.bot()?.library();
        let Some(flow) = library.returning(conversation.channel) else { return Ok(Vec::new()) };
        let contact = Contact::anonymous(&conversation.contact.0.to_string(), engine_language(conversation.language));
        let calls_out = library.starts_calling_out(&flow);
        // The session it replaces, if any: its summary (results so far) and version go on.
        self.flow_sessions.forget(conversation.id);
        let (summary, version) = match self.store.flow_session(conversation.id).await? {
            Some(old) => (serde_json::from_str(&old.summary).map_err(bad_state)?, old.version),
            None => (Summary::default(), 0),
        };
        let (env, mut rng) = (env(now()), rng()?);
        let started = webhooks::step(&self.webhooks, calls_out, engine(), move |engine| {
            engine.start(&library.assets, &env, contact, Trigger::manual(flow), &mut rng)
        })
        .await?
        .map_err(engine_failed)?;
        let fresh = Waiting { session: started.session, summary: Summary { quick_replies: None, ..summary }, version };
        self.apply_step(conversation, fresh, None, &started.events, None).await
    }

    /// An applicant's message to a conversation whose flow waits: resumes it. `None` when no
    /// flow waits (the message is then the operators').
    pub async fn resume_flow(
        &self,
        conversation: &ConversationView,
        text: &str,
        receipt: Option<&Receipt>,
    ) -> Result<Option<Vec<MessageView>>, StoreError> {
        let msg = MsgIn { uuid: uuid::Uuid::new_v4().to_string(), text: text.to_owned(), ..Default::default() };
        self.resume_flow_with(conversation, msg, text, receipt).await
    }

    /// Resumes a waiting flow with `msg` (text, attachments such as a shared location's
    /// `geo:LAT,LON`); the transcript records `shown` as the applicant's message.
    pub async fn resume_flow_with(
        &self,
        conversation: &ConversationView,
        msg: MsgIn,
        shown: &str,
        receipt: Option<&Receipt>,
    ) -> Result<Option<Vec<MessageView>>, StoreError> {
        let _guard = self.bot()?.lock(conversation.id).await;
        let mut retried = false;
        loop {
            let Some(mut waiting) = self.waiting_session(conversation.id).await? else {
                return Ok(None);
            };
            let msg = msg.clone();
            let library = self.bot()?.library();
            // Whatever answers the duress question is never shown, accepted or not.
            let input = if waits_for_duress_phrase(&library.assets, &waiting.session) { HIDDEN } else { shown };
            let calls_out = library.may_call_out(&waiting.session);
            let (env, mut rng) = (env(now()), rng()?);
            let (waiting, events) = webhooks::step(&self.webhooks, calls_out, engine(), move |engine| {
                let events = engine.resume(&library.assets, &env, &mut waiting.session, Resume::Msg(msg), &mut rng);
                (waiting, events)
            })
            .await?;
            let events = events.map_err(engine_failed)?;
            match self.apply_step(conversation, waiting, Some((input, receipt)), &events, None).await {
                // Another node stepped the session since it was read: run the message again on
                // what that step left (once; the store is read afresh, nothing was kept).
                Err(StoreError::Conflict(_)) if !retried => retried = true,
                sent => return sent.map(Some),
            }
        }
    }

    /// Resumes every flow whose wait timed out or which expired by `at_ms` (milliseconds since
    /// the epoch): one round of the timer task, and how tests move time on.
    pub async fn run_due_flows(&self, at_ms: i64) -> Result<usize, StoreError> {
        let at = DateTime::<Utc>::from_timestamp_millis(at_ms).ok_or(StoreError::Conflict("time out of range"))?;
        let due = self.store.due_flow_sessions(at_ms, 200).await?;
        for id in &due {
            if let Err(e) = self.flow_due(*id, at).await {
                tracing::warn!(conversation = %id, error = %e, "flow timers: resume failed");
            }
        }
        Ok(due.len())
    }

    /// Resumes a conversation whose wait timed out or whose flow expired (by `at`).
    async fn flow_due(&self, id: ConversationId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let _guard = self.bot()?.lock(id).await;
        let Some(conversation) = self.store.conversation(id).await? else { return Ok(()) };
        let Some(flow) = self.store.flow_session(id).await? else { return Ok(()) };
        // The times just read and the session must be of the same version: read both.
        self.flow_sessions.forget(id);
        let Some(mut waiting) = self.waiting_session(id).await? else { return Ok(()) };
        if !bot_may_answer(&conversation) {
            // A person has the conversation now (a flow started after a codename join may still
            // have waited): its wait ends quietly, with no message in their conversation.
            let write = FlowWrite {
                state: None,
                summary: serde_json::to_string(&waiting.summary).map_err(bad_state)?,
                wait_timeout_ms: None,
                expires_ms: None,
                expected_version: waiting.version,
                codename: None,
                counts: Vec::new(),
            };
            return match self.store.flow_step(&conversation, Vec::new(), Some(write)).await {
                Err(StoreError::Conflict(_)) | Ok(_) => Ok(()),
                Err(e) => Err(e),
            };
        }
        let at_ms = at.timestamp_millis();
        let (resume, closing) = match (flow.wait_timeout_ms, flow.expires_ms) {
            (Some(t), _) if t <= at_ms => (Resume::WaitTimeout, None),
            (_, Some(e)) if e <= at_ms => {
                let text = match self.settings.flow_expired_messages.get(&conversation.language) {
                    Some(text) => text.clone(),
                    None => self.i18n.text(conversation.language, "chat-flow-expired"),
                };
                (Resume::Expiration, Some(text))
            }
            _ => return Ok(()),
        };
        let library = self.bot()?.library();
        let calls_out = library.may_call_out(&waiting.session);
        let (env, mut rng) = (env(at), rng()?);
        let (waiting, events) = webhooks::step(&self.webhooks, calls_out, engine(), move |engine| {
            let events = engine.resume(&library.assets, &env, &mut waiting.session, resume, &mut rng);
            (waiting, events)
        })
        .await?;
        let events = events.map_err(engine_failed)?;
        match self.apply_step(&conversation, waiting, None, &events, closing).await {
            // A message (here or on another node) stepped it first: the timer is not due now.
            Err(StoreError::Conflict(_)) | Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The session waiting in a conversation, with its summary: kept in memory since the last
    /// step on a single-node store, else read and unsealed. Taken, so a step that fails reads
    /// the store next time.
    async fn waiting_session(&self, id: ConversationId) -> Result<Option<Waiting>, StoreError> {
        if let Some(kept) = self.flow_sessions.take(id) {
            return Ok(Some(kept));
        }
        let Some(flow) = self.store.flow_session(id).await? else { return Ok(None) };
        let Some(state) = flow.state else { return Ok(None) };
        let session: Session = serde_json::from_str(&state).map_err(bad_state)?;
        if session.status != SessionStatus::Waiting {
            return Ok(None);
        }
        if session.wait.is_none() {
            return Err(StoreError::Database("unreadable flow session: it waits without a wait".into()));
        }
        let summary = serde_json::from_str(&flow.summary).map_err(bad_state)?;
        Ok(Some(Waiting { session, summary, version: flow.version }))
    }

    /// Applies the engine's events in order (a codename is issued where the flow asks for it),
    /// then commits the applicant's message, the bot's messages and the new state in one job.
    async fn apply_step(
        &self,
        conversation: &ConversationView,
        step: Waiting,
        input: Option<(&str, Option<&Receipt>)>,
        events: &[engine::Event],
        closing: Option<String>,
    ) -> Result<Vec<MessageView>, StoreError> {
        let Waiting { session, mut summary, version } = step;
        let mapping = self.figures_mapping.current();
        let sorted_before = mapping.classify(&summary.results);
        let mut out =
            Outcome { messages: Vec::new(), ticket: None, hide_input: false, codename: None, codename_entered: None };
        let mut spoken_in = Vec::new();
        for event in events {
            match &event.kind {
                // A voice flow's `say_msg` is a message like any other: the call speaks it.
                EventKind::MsgCreated { msg } | EventKind::IvrCreated { msg } => {
                    let replies: Vec<String> = msg.quick_replies.iter().map(|q| q.text.clone()).collect();
                    let message =
                        leaving_on(conversation.channel, StepMessage::new(Sender::Bot, msg.text.clone()), &replies);
                    summary.quick_replies = (!replies.is_empty()).then_some((message.id.0, replies));
                    if let (EventKind::IvrCreated { .. }, Some(locale)) = (&event.kind, &msg.locale) {
                        spoken_in.push((message.id.0, locale.clone()));
                    }
                    out.messages.push(message);
                }
                EventKind::RunResultChanged { name, value, .. } if name == DURESS => {
                    out.hide_input = true;
                    self.keep_duress_phrase(conversation, value).await?;
                }
                EventKind::RunResultChanged { name, value, .. } if name == CODENAME_ENTERED => {
                    out.hide_input = true;
                    out.codename_entered = Some(zeroize::Zeroizing::new(value.clone()));
                }
                EventKind::RunResultChanged { name, value, .. } if name == "codename" && value == "requested" => {
                    // Once per case: the summary remembers it within the step too.
                    if let Some((text, prepared)) = self.prepare_codename(conversation, &mut summary).await? {
                        summary.quick_replies = None;
                        out.messages.push(leaving_on(conversation.channel, StepMessage::new(Sender::Bot, text), &[]));
                        out.codename = Some(prepared);
                    }
                }
                EventKind::RunResultChanged { name, value, category, .. } if name == DEPLOYED => {
                    summary.results.insert(name.clone(), value.clone());
                    summary.categories.insert(name.clone(), category.clone());
                    self.applicant_reports_deployed(conversation, value).await?;
                }
                EventKind::RunResultChanged { name, value, category, .. } => {
                    summary.results.insert(name.clone(), value.clone());
                    summary.categories.insert(name.clone(), category.clone());
                }
                EventKind::TicketOpened { ticket, .. } => {
                    let topic = ticket.topic.as_ref().map(|t| t.name.clone()).unwrap_or_default();
                    summary.topic = Some(topic.clone());
                    out.ticket = Some(topic);
                }
                EventKind::Error { text } | EventKind::Failure { text } => {
                    // The engine's text can quote evaluated values, i.e. what the applicant
                    // wrote: log that an error happened, never its words.
                    tracing::warn!(conversation = %conversation.id, length = text.len(), "flow error");
                }
                _ => {}
            }
        }
        if let Some(text) = closing {
            summary.quick_replies = None;
            out.messages.push(leaving_on(conversation.channel, StepMessage::new(Sender::Bot, text), &[]));
        }
        let waiting = session.status == SessionStatus::Waiting;
        if !waiting {
            summary.quick_replies = None;
        }
        if conversation.channel == safepassage_domain::Channel::Voice {
            summary.spoken_in = spoken_in;
        }
        let mut messages = Vec::with_capacity(out.messages.len() + 1);
        // The message that carried the duress phrase is never recorded: the transcript keeps
        // only a mark where it was.
        if let Some((text, receipt)) = input {
            let text = if out.hide_input { HIDDEN } else { text };
            messages.push(with_receipt(StepMessage::new(Sender::Applicant, text), receipt));
        }
        messages.extend(out.messages);
        // The engine's session keeps inputs and results (the duress phrase among them): it is
        // kept sealed while the flow waits and dropped when it ends.
        let write = FlowWrite {
            state: if waiting { Some(serde_json::to_string(&session).map_err(bad_state)?) } else { None },
            summary: serde_json::to_string(&summary).map_err(bad_state)?,
            wait_timeout_ms: if waiting { millis(session.timeout_on()) } else { None },
            expires_ms: if waiting { millis(session.expires_on()) } else { None },
            expected_version: version,
            codename: out.codename,
            counts: reclassified(sorted_before, mapping.classify(&summary.results)),
        };
        let sent = self.store.flow_step(conversation, messages, Some(write)).await?;
        if crate::channel::outbound::through_outbox(conversation.channel) {
            self.outbox_ready.notify_one();
        }
        for message in &sent {
            let replies = match &summary.quick_replies {
                Some((id, replies)) if *id == message.id.0 => replies.clone(),
                _ => Vec::new(),
            };
            self.publish_with(message, replies);
        }
        if waiting {
            self.flow_sessions.put(conversation.id, Waiting { session, summary, version: version + 1 });
        }
        // Before the ticket: a joined case's conversation is queued first, with priority.
        if let Some(keyed) = out.codename_entered {
            self.codenames.attempt_in_step(self, conversation, &keyed).await?;
        }
        if let Some(topic) = out.ticket {
            if self.store.queue_conversation(conversation.id, topic == "Urgent").await? {
                self.tokens.forget(conversation.id);
                self.hub.queue_changed();
            }
        }
        Ok(sent)
    }

    /// Keeps the agreed phrase as a keyed hash on the conversation's case, so that writing it
    /// later flags the case. The flows ask for it after the codename, so the case exists; a
    /// flow that asks earlier keeps nothing (and says so in the log, without the phrase).
    async fn keep_duress_phrase(&self, conversation: &ConversationView, phrase: &str) -> Result<(), StoreError> {
        let case = self.store.conversation(conversation.id).await?.and_then(|c| c.case);
        match (case, DuressPhrase::parse(phrase)) {
            (Some(case), Ok(phrase)) => self.store.agree_duress_phrase(case, &phrase).await,
            (None, _) => {
                tracing::warn!(conversation = %conversation.id, "duress phrase given before a case exists: not kept");
                Ok(())
            }
            (_, Err(e)) => {
                tracing::warn!(conversation = %conversation.id, error = %e, "duress phrase not kept");
                Ok(())
            }
        }
    }

    /// "I have been deployed" (result `deployed` = `yes`) in a conversation of a case: recorded
    /// on the case for its holder to confirm, and the holder's console is told.
    async fn applicant_reports_deployed(&self, conversation: &ConversationView, value: &str) -> Result<(), StoreError> {
        if !value.trim().eq_ignore_ascii_case("yes") {
            return Ok(());
        }
        let case = match conversation.case {
            Some(case) => Some(case),
            None => self.store.conversation(conversation.id).await?.and_then(|c| c.case),
        };
        if let Some(case) = case {
            self.store.report_deployed(case, conversation.id).await?;
            self.applicant_contact(case).await?;
        }
        Ok(())
    }

    /// Opens a case for the conversation (once) and prepares its codename: the text to send
    /// and the hash that the step commits with that message, so the case never has a codename
    /// the applicant was not given. None when the case has one already (a returning applicant).
    async fn prepare_codename(
        &self,
        conversation: &ConversationView,
        summary: &mut Summary,
    ) -> Result<Option<(String, PreparedCodename)>, StoreError> {
        if summary.codename_issued {
            return Ok(None);
        }
        let fresh = self.store.conversation(conversation.id).await?;
        let case = match fresh.and_then(|c| c.case) {
            Some(case) => case,
            None => {
                let case = self.store.open_case_by_bot(conversation.id, CaseKind::Individual).await?;
                self.tokens.forget(conversation.id);
                // Screening: equal bot answers in a burst are a signal (a keyed hash only).
                if let Err(e) = self.store.record_intake_answers(case, &summary.results).await {
                    tracing::warn!(%case, error = %e, "intake answers not kept for screening");
                }
                self.hub.unassigned_changed(case, None);
                case
            }
        };
        if self.store.case(case).await?.is_some_and(|c| c.has_codename) {
            summary.codename_issued = true;
            return Ok(None);
        }
        let (codename, prepared) = self.store.prepare_codename(case).await?;
        summary.codename_issued = true;
        Ok(Some((codename.grouped(), prepared)))
    }

    /// The operator's view of a conversation's flows: the ticket topic and results.
    pub async fn flow_summary(&self, id: ConversationId) -> Result<Option<Summary>, StoreError> {
        let Some(flow) = self.store.flow_session(id).await? else { return Ok(None) };
        let mut summary: Summary = serde_json::from_str(&flow.summary).map_err(bad_state)?;
        summary.results.remove(DURESS);
        summary.categories.remove(DURESS);
        Ok(Some(summary))
    }

    /// The buttons under the last message, when it is the bot's and its flow waits for them.
    pub async fn quick_replies(&self, id: ConversationId) -> Result<Option<(uuid::Uuid, Vec<String>)>, StoreError> {
        Ok(self.flow_summary(id).await?.and_then(|s| s.quick_replies))
    }
}

/// Whether the session waits at the question whose answer is the duress phrase: a wait that
/// saves its result under that name, or one of whose exits leads straight to a node that does
/// (the shipped Registration checks the phrase first, then saves it).
/// What a step that moved the applicant between the figures' categories (who they are, where
/// they say they are) adds to the figures, on the step's day; nothing when it did not.
fn reclassified(
    before: safepassage_domain::figures::classify::Classified,
    after: safepassage_domain::figures::classify::Classified,
) -> Vec<(safepassage_domain::figures::tally::Key, i64)> {
    if before == after {
        return Vec::new();
    }
    let day = safepassage_domain::figures::period::day_of(now().timestamp_millis());
    safepassage_domain::figures::tally::reclassified(before, after, day)
}

fn waits_for_duress_phrase(assets: &Assets, session: &Session) -> bool {
    let Some(wait) = &session.wait else { return false };
    let Some(run) = session.runs.iter().find(|r| r.uuid == wait.run_uuid) else { return false };
    let Ok(flow) = assets.flow(&run.flow.uuid) else { return false };
    let Some(node) = flow.node(&wait.node_uuid) else { return false };
    let saves_phrase = |node: &Node| {
        node.router.as_ref().and_then(|r| r.result_name()) == Some(DURESS)
            || node.actions().iter().any(|a| matches!(&a.kind, ActionKind::SetRunResult(r) if r.name == DURESS))
    };
    saves_phrase(node)
        || node.exits.iter().filter_map(|e| e.destination()).filter_map(|d| flow.node(d)).any(saves_phrase)
}

/// Resumes flows whose wait timed out or expired, every `every`; runs for as long as the
/// process (spawn it beside the server).
pub async fn run_flow_timers(state: Conversations, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.run_due_flows(now().timestamp_millis()).await {
            tracing::warn!(error = %e, "flow timers: cannot read due sessions");
        }
    }
}

/// Whether the bot answers in a conversation whose flow waits: no person has it yet (it is the
/// bot's, or queued after a codename join while the "Returning" flow asks its question).
pub fn bot_may_answer(conversation: &ConversationView) -> bool {
    matches!(conversation.status, ConversationStatus::Bot | ConversationStatus::Queued)
}

/// Whether a conversation with no waiting flow should go to the operators on a new message:
/// the bot is done with it (or never had it), so a person must answer.
pub fn needs_operator(conversation: &ConversationView) -> bool {
    matches!(conversation.status, ConversationStatus::Bot | ConversationStatus::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_flow_state_names_no_word_of_it() {
        let secret = "Mariupol, 5 Peace Avenue";
        let inputs = [
            format!(r#"{{"status": "{secret}"}}"#),
            format!(r#"{{"uuid": 1, "{secret}": true}}"#),
            format!(r#""{secret}""#),
            format!(r#"{{"status": "waiting", "input": "{secret}"#),
        ];
        let mut refusals = Vec::new();
        for input in &inputs {
            refusals.extend(serde_json::from_str::<Session>(input).map_err(bad_state).err());
            refusals.extend(serde_json::from_str::<Summary>(input).map_err(bad_state).err());
        }
        // Each input is refused by the session, and the quoted string by the summary too; serde's
        // own message would have quoted the answer in every one of these.
        assert!(refusals.len() > inputs.len(), "{refusals:?}");
        assert!(serde_json::from_str::<Session>(&inputs[2]).unwrap_err().to_string().contains("Mariupol"));
        for refusal in refusals {
            let text = refusal.to_string();
            assert!(text.starts_with("database error: unreadable flow session: "), "{text}");
            assert!(!text.contains("Mariupol") && !text.contains("Peace"), "{text}");
        }
    }
}
