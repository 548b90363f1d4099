//! The session engine: starts a flow for a contact, runs it to its next wait, resumes it with
//! a message, a timeout, an expiry or a dial result, and reports everything as events.
//!
//! Pure: the clock is `env.now`, randomness comes from the caller's [`Rng`], and the only
//! outside service (webhooks, for flows an administrator allowed) is injected.

mod actions;
pub mod assets;
pub mod contact;
mod context;
mod evaluate;
pub mod events;
mod results;
mod routing;
pub mod run;
pub mod services;
pub mod session;
mod smart_groups;
mod sprint;
pub mod templates;
pub mod time;
mod waits;

use serde_json::json;
use thiserror::Error;

pub use assets::Assets;
pub use contact::Contact;
pub use events::{Event, EventKind, MsgOut};
pub use run::{Run, RunStatus};
pub use services::{HttpRequest, HttpResponse, WebhookService};
pub use session::{MsgIn, Resume, Session, SessionStatus, Trigger};

use crate::definition::{DefinitionError, WaitType};
use crate::env::Env;
use crate::eval::Limits;
use crate::ids::{new_uuid, Rng};
use sprint::Sprint;

/// Bounds on the work one call may do.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// Nodes visited in one sprint: a flow that loops without waiting stops here.
    pub max_steps_per_sprint: usize,
    /// Flows entered within flows. The reference sets no depth of its own: a flow that keeps
    /// entering flows is stopped by the step limit of the sprint (its new run fails with
    /// "reached maximum number of steps per sprint", and the failure ends every run above
    /// it), so this bound is kept above that limit and only guards depth built up over many
    /// sprints.
    pub max_depth: usize,
    /// Runs one session may hold.
    pub max_runs_per_session: usize,
    /// Steps of its path one run keeps (at least 2): past this, the oldest are dropped, so a
    /// contact who keeps looping at one question (an answer not understood, asked again) does
    /// not make the session, and every later step, grow without end. `@run.path` shows the
    /// steps kept.
    pub max_path_per_run: usize,
    pub expression_limits: Limits,
    /// What an expiry resume does. `false` (the platform's choice): every run still going ends
    /// as expired and so does the session, whose conversation the host then closes. `true`
    /// (the reference's `wait_expiration`): only the waiting run expires; a parent that entered
    /// it goes on, routing on `@child` (the "Expired" category of a sub-flow node), and a
    /// session whose last run expired is completed.
    pub expiry_resumes_parent: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_steps_per_sprint: 100,
            max_depth: 150,
            max_runs_per_session: 200,
            max_path_per_run: 500,
            expression_limits: Limits::default(),
            expiry_resumes_parent: false,
        }
    }
}

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("can't start: {0}")]
    Flow(DefinitionError),
    #[error("only a waiting session can be resumed (this one is {0})")]
    NotWaiting(&'static str),
    #[error("this resume doesn't fit the wait: {0}")]
    WrongResume(String),
}

#[derive(Default)]
pub struct Engine {
    pub config: Config,
    webhooks: Option<Box<dyn WebhookService>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.config).field("webhooks", &self.webhooks.is_some()).finish()
    }
}

/// The expression context of run `run` of `session`, as its templates see it (for hosts that
/// show or check values the way a flow would).
pub fn context_of(assets: &Assets, env: &Env, session: &Session, run: usize) -> crate::value::XValue {
    context::build(env, assets, session, run, &context::field_defs(assets))
}

/// A new session and what it did until its first wait or its end.
#[derive(Debug)]
pub struct Started {
    pub session: Session,
    pub events: Vec<Event>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine { config, webhooks: None }
    }

    /// Gives the engine a webhook service, used only by flows loaded with `call_webhook` allowed.
    pub fn with_webhooks(mut self, service: Box<dyn WebhookService>) -> Engine {
        self.webhooks = Some(service);
        self
    }

    /// Starts the trigger's flow for `contact`, at `env.now`.
    pub fn start(
        &self,
        assets: &Assets,
        env: &Env,
        contact: Contact,
        trigger: Trigger,
        rng: &mut dyn Rng,
    ) -> Result<Started, EngineError> {
        let flow = assets.flow(&trigger.flow.uuid).map_err(EngineError::Flow)?;
        let mut contact = contact;
        if let Some(msg) = &trigger.msg {
            // The contact wrote the message that started the session: seen now, as the
            // reference records it.
            contact.last_seen_on = msg.created_on.clone().or_else(|| Some(time::iso(env.now)));
        }
        let mut session = Session {
            uuid: new_uuid(rng),
            flow_type: flow.flow_type,
            status: SessionStatus::Active,
            created_on: time::iso(env.now),
            input: trigger.msg.clone(),
            trigger,
            contact,
            runs: Vec::new(),
            wait: None,
            resume: None,
            sprints: 1,
        };
        let mut sp = Sprint::new(self, assets, env, &mut session, rng);
        // The contact's query groups are made right before the flow starts, as the reference
        // does.
        smart_groups::reevaluate(&mut sp, None, false);
        let run = sp.new_run(flow, None, false);
        let first = flow.nodes.first().map(|n| n.uuid.clone());
        sp.continue_until_wait(run, first);
        let events = std::mem::take(&mut sp.events);
        Ok(Started { session, events })
    }

    /// Resumes a waiting session, at `env.now`.
    pub fn resume(
        &self,
        assets: &Assets,
        env: &Env,
        session: &mut Session,
        resume: Resume,
        rng: &mut dyn Rng,
    ) -> Result<Vec<Event>, EngineError> {
        if session.status != SessionStatus::Waiting {
            return Err(EngineError::NotWaiting(session.status.as_str()));
        }
        let wait = session.wait.clone().ok_or(EngineError::NotWaiting("waiting without a wait"))?;
        let idx = session
            .runs
            .iter()
            .position(|r| r.uuid == wait.run_uuid)
            .or_else(|| session.waiting_run())
            .ok_or(EngineError::NotWaiting("waiting without a waiting run"))?;
        match &resume {
            Resume::Msg(_) if wait.kind != WaitType::Msg => {
                return Err(EngineError::WrongResume("a message can't end a wait for a call".into()))
            }
            Resume::Dial { .. } if wait.kind != WaitType::Dial => {
                return Err(EngineError::WrongResume("a dial result can't end a wait for a message".into()))
            }
            Resume::WaitTimeout if wait.timeout_seconds.is_none() => {
                return Err(EngineError::WrongResume("the wait has no timeout".into()))
            }
            _ => {}
        }
        session.sprints += 1;
        let mut sp = Sprint::new(self, assets, env, session, rng);
        if resume == Resume::Expiration && self.config.expiry_resumes_parent {
            sp.session.status = SessionStatus::Active;
            sp.session.wait = None;
            sp.exit_run(idx, RunStatus::Expired);
            // The contact may have changed since the last sprint (a field set by the host): its
            // query groups are made right before the parent goes on, as on every resume.
            smart_groups::reevaluate(&mut sp, None, false);
            sp.continue_until_wait(idx, None);
            return Ok(std::mem::take(&mut sp.events));
        }
        if resume == Resume::Expiration {
            for r in (0..sp.session.runs.len()).rev() {
                if !sp.session.runs[r].status.is_ended() {
                    sp.exit_run(r, RunStatus::Expired);
                }
            }
            sp.session.status = SessionStatus::Expired;
            sp.session.wait = None;
            smart_groups::reevaluate(&mut sp, None, false);
            return Ok(std::mem::take(&mut sp.events));
        }
        sp.session.status = SessionStatus::Active;
        sp.session.wait = None;
        if let Some(r) = sp.session.runs.get_mut(idx) {
            r.status = RunStatus::Active;
            r.expires_on = None;
        }
        let timed_out = resume == Resume::WaitTimeout;
        match resume {
            Resume::Msg(msg) => {
                sp.session.contact.last_seen_on = msg.created_on.clone().or_else(|| Some(time::iso(env.now)));
                sp.session.input = Some(msg);
                sp.session.runs[idx].had_input = true;
            }
            Resume::Dial { status, duration } => {
                sp.session.resume = Some(json!({"type": "dial", "dial": {"status": status, "duration": duration}}));
                sp.event(None, EventKind::DialEnded { dial: events::Dial { status, duration } });
            }
            Resume::WaitTimeout => sp.event(None, EventKind::WaitTimedOut {}),
            Resume::Expiration => {}
        }
        sp.invalidate();
        let Some(flow) = sp.flow_of(idx) else {
            sp.fail(idx, "flow of the waiting run is no longer available");
            sp.continue_until_wait(idx, None);
            return Ok(std::mem::take(&mut sp.events));
        };
        let Some(node) = flow.node(&wait.node_uuid) else {
            sp.fail(idx, format!("can't resume: node {} no longer exists", wait.node_uuid));
            sp.continue_until_wait(idx, None);
            return Ok(std::mem::take(&mut sp.events));
        };
        let dest = match (&node.router, timed_out) {
            (Some(router), true) => match routing::timeout(&mut sp, idx, flow, node, router) {
                Some(exit) => sp.leave(idx, flow, node, &exit),
                None => None,
            },
            _ => sp.pick_exit(idx, flow, node),
        };
        // What the resume changed (the last time the contact was seen) may move the contact
        // between query groups.
        let step = sp.session.runs.get(idx).and_then(|r| r.path.last()).map(|s| s.uuid.clone());
        smart_groups::reevaluate(&mut sp, step.as_deref(), false);
        sp.continue_until_wait(idx, dest);
        Ok(std::mem::take(&mut sp.events))
    }

    /// Ends a session that another one replaces: every run still going is interrupted.
    pub fn interrupt(&self, assets: &Assets, env: &Env, session: &mut Session, rng: &mut dyn Rng) -> Vec<Event> {
        let mut sp = Sprint::new(self, assets, env, session, rng);
        for r in (0..sp.session.runs.len()).rev() {
            if !sp.session.runs[r].status.is_ended() {
                sp.exit_run(r, RunStatus::Interrupted);
            }
        }
        sp.session.status = SessionStatus::Interrupted;
        sp.session.wait = None;
        std::mem::take(&mut sp.events)
    }
}
