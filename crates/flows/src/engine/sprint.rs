//! One sprint: from a start or a resume to the next wait or the end. Visits nodes, runs their
//! actions, routes, enters and leaves sub-flows; bounded in steps and in the depth of flows.

use crate::context::FieldAsset;
use crate::definition::{Flow, Node};
use crate::env::Env;
use crate::ids::{new_uuid, Rng};
use crate::value::XValue;

use super::assets::Assets;
use super::context;
use super::evaluate;
use super::events::{Event, EventKind};
use super::run::{Run, RunStatus, Step};
use super::session::{Session, SessionStatus};
use super::{actions, routing, waits, Engine};

/// A flow that an action asked to enter, handled once the node's actions are done.
pub(crate) struct Pushed {
    pub flow_uuid: String,
    pub terminal: bool,
}

pub(crate) struct Sprint<'a> {
    pub engine: &'a Engine,
    pub assets: &'a Assets,
    pub env: &'a Env,
    pub session: &'a mut Session,
    pub rng: &'a mut dyn Rng,
    pub events: Vec<Event>,
    pub now: String,
    pub pushed: Option<Pushed>,
    defs: Vec<FieldAsset>,
    parts: context::Parts,
    steps: usize,
}

impl<'a> Sprint<'a> {
    pub fn new(
        engine: &'a Engine,
        assets: &'a Assets,
        env: &'a Env,
        session: &'a mut Session,
        rng: &'a mut dyn Rng,
    ) -> Self {
        let now = super::time::iso(env.now);
        Sprint {
            engine,
            assets,
            env,
            session,
            rng,
            events: Vec::new(),
            now,
            pushed: None,
            defs: context::field_defs(assets),
            parts: context::Parts::default(),
            steps: 0,
        }
    }

    pub fn uuid(&mut self) -> String {
        new_uuid(self.rng)
    }

    pub fn event(&mut self, step_uuid: Option<&str>, kind: EventKind) {
        let uuid = self.uuid();
        self.events.push(Event { uuid, created_on: self.now.clone(), step_uuid: step_uuid.map(String::from), kind });
    }

    pub fn error(&mut self, step_uuid: Option<&str>, text: impl Into<String>) {
        self.event(step_uuid, EventKind::Error { text: text.into() });
    }

    /// Forgets the parts of the context built so far: called after anything the context shows
    /// has changed (the contact's parts are checked against the contact itself).
    pub fn invalidate(&mut self) {
        self.parts.forget();
    }

    /// Runs `f` with the context of run `run`, whose parts are built as `f` asks for them.
    pub fn with_context<T>(&mut self, run: usize, f: impl FnOnce(&Env, &context::Scope<'_>) -> T) -> T {
        self.parts.prepare(run, &self.session.contact);
        let scope = context::Scope {
            env: self.env,
            assets: self.assets,
            session: self.session,
            run,
            defs: &self.defs,
            parts: &self.parts,
        };
        f(self.env, &scope)
    }

    /// Evaluates a template to text, reporting failed expressions as error events.
    pub fn eval_text(&mut self, run: usize, step: Option<&str>, template: &str) -> String {
        if !template.contains('@') {
            return template.to_string();
        }
        self.eval_text_checked(run, step, template).0
    }

    /// Warns of deprecated parts of the context a template reads, as the reference does.
    fn warn_deprecated(&mut self, step: Option<&str>, template: &str) {
        const DEPRECATED: &[(&str, &str)] = &[("child.run.status", "@child.status")];
        for (old, new) in DEPRECATED {
            if template.contains(old) {
                let text = format!("@{old} is deprecated, use {new} instead");
                self.event(step, EventKind::Warning { text });
            }
        }
    }

    /// Like [`Sprint::eval_text`], but whether any expression failed is returned too.
    pub fn eval_text_checked(&mut self, run: usize, step: Option<&str>, template: &str) -> (String, bool) {
        self.warn_deprecated(step, template);
        let (limits, assets) = (self.engine.config.expression_limits, self.assets);
        let (text, errors) =
            self.with_context(run, |env, ctx| evaluate::text(env, ctx, &assets.templates, template, limits));
        let failed = !errors.is_empty();
        for e in errors {
            self.error(step, e);
        }
        (text, failed)
    }

    pub fn eval_value(&mut self, run: usize, step: Option<&str>, template: &str) -> XValue {
        self.warn_deprecated(step, template);
        let (limits, assets) = (self.engine.config.expression_limits, self.assets);
        let (v, errors) =
            self.with_context(run, |env, ctx| evaluate::value(env, ctx, &assets.templates, template, limits));
        for e in errors {
            self.error(step, e);
        }
        v
    }

    pub fn flow_of(&self, run: usize) -> Option<&'a Flow> {
        let uuid = &self.session.runs.get(run)?.flow.uuid;
        self.assets.flow(uuid).ok()
    }

    /// The languages to show a run's texts in, by preference: the contact's (when the
    /// environment allows it), the environment's default (its first allowed language), then
    /// the flow's own. As in the format, a language that is not allowed is never used.
    pub fn languages(&self, flow: &Flow) -> Vec<String> {
        let mut langs = Vec::new();
        let contact_lang = self.session.contact.language.as_str();
        let allowed = &self.env.allowed_languages;
        if !contact_lang.is_empty() && allowed.iter().any(|l| l == contact_lang) {
            langs.push(contact_lang.to_string());
        }
        if let Some(d) = self.env.default_language.as_ref().or(allowed.first()) {
            langs.push(d.clone());
        }
        langs.push(flow.language.clone());
        langs
    }

    /// The texts of an item's property in the run's language, or `native`.
    pub fn localized(&self, flow: &Flow, uuid: &str, prop: &str, native: &[String]) -> Vec<String> {
        for lang in self.languages(flow) {
            if lang == flow.language {
                break;
            }
            if let Some(t) = flow.translation(&lang, uuid, prop) {
                return t;
            }
        }
        native.to_vec()
    }

    pub fn localized_one(&self, flow: &Flow, uuid: &str, prop: &str, native: &str) -> String {
        self.localized(flow, uuid, prop, &[native.to_string()]).into_iter().next().unwrap_or_default()
    }

    /// The language the run's texts are shown in (for a message's locale).
    pub fn language_used(&self, flow: &Flow) -> String {
        for lang in self.languages(flow) {
            if lang == flow.language || flow.localization.as_ref().is_some_and(|l| l.0.contains_key(&lang)) {
                return lang;
            }
        }
        flow.language.clone()
    }

    pub fn step_uuid(&self, run: usize) -> Option<String> {
        self.session.runs.get(run).and_then(|r| r.path.last()).map(|s| s.uuid.clone())
    }

    pub fn touch(&mut self, run: usize) {
        let now = self.now.clone();
        if let Some(r) = self.session.runs.get_mut(run) {
            r.modified_on = now;
        }
    }

    /// Starts a run of `flow`, entered from `parent` if any.
    pub fn new_run(&mut self, flow: &Flow, parent: Option<usize>, terminal: bool) -> usize {
        let uuid = self.uuid();
        let parent_uuid = parent.and_then(|p| self.session.runs.get(p)).map(|r| r.uuid.clone());
        let mut flow_ref = flow.reference();
        if let Some(rev) = flow.revision {
            flow_ref.extra.insert("revision".into(), rev.into());
        }
        self.session.runs.push(Run {
            uuid: uuid.clone(),
            flow: flow.reference(),
            status: RunStatus::Active,
            path: Vec::new(),
            results: Default::default(),
            locals: Default::default(),
            parent_uuid: parent_uuid.clone(),
            had_input: false,
            webhook: None,
            created_on: self.now.clone(),
            modified_on: self.now.clone(),
            exited_on: None,
            expires_on: None,
        });
        self.invalidate();
        self.event(None, EventKind::RunStarted { flow: flow_ref, run_uuid: uuid, parent_uuid, terminal });
        self.session.runs.len() - 1
    }

    /// Ends a run with `status` (once), telling the caller.
    pub fn exit_run(&mut self, run: usize, status: RunStatus) {
        let now = self.now.clone();
        let Some(r) = self.session.runs.get_mut(run) else { return };
        if r.exited_on.is_some() {
            return;
        }
        r.status = status;
        r.exited_on = Some(now.clone());
        r.modified_on = now;
        r.expires_on = None;
        let (flow, run_uuid) = (r.flow.clone(), r.uuid.clone());
        self.invalidate();
        self.event(None, EventKind::RunEnded { flow, run_uuid, status });
    }

    /// The run cannot go on: a failure event, and the run ends as failed.
    pub fn fail(&mut self, run: usize, text: impl Into<String>) {
        let step = self.step_uuid(run);
        self.event(step.as_deref(), EventKind::Failure { text: text.into() });
        self.exit_run(run, RunStatus::Failed);
    }

    /// How deep `run` is among flows still going: ancestors that ended (left by a terminal
    /// `enter_flow`) no longer count.
    fn depth(&self, run: usize) -> usize {
        let mut depth = 1;
        let mut cur = self.live_parent(run);
        while let Some(p) = cur {
            depth += 1;
            if depth > self.session.runs.len() {
                break;
            }
            cur = self.live_parent(p);
        }
        depth
    }

    /// The nearest ancestor of `run` that has not ended: the run to go back to.
    fn live_parent(&self, run: usize) -> Option<usize> {
        let mut cur = self.session.runs.get(run)?.parent_uuid.clone();
        let mut hops = 0;
        while let Some(p) = cur {
            hops += 1;
            if hops > self.session.runs.len() {
                return None;
            }
            let idx = self.session.runs.iter().position(|r| r.uuid == p)?;
            if !self.session.runs[idx].status.is_ended() {
                return Some(idx);
            }
            cur = self.session.runs[idx].parent_uuid.clone();
        }
        None
    }

    fn enter_pushed(&mut self, run: usize, pushed: Pushed) -> (usize, Option<String>) {
        let flow = match self.assets.flow(&pushed.flow_uuid) {
            Ok(f) => f,
            Err(e) => {
                self.fail(run, format!("can't enter flow {}: {e}", pushed.flow_uuid));
                return (run, None);
            }
        };
        if self.depth(run) >= self.engine.config.max_depth {
            self.fail(
                run,
                format!(
                    "flows entered more than {} deep, stopping before entering '{}'",
                    self.engine.config.max_depth, flow.name
                ),
            );
            return (run, None);
        }
        if self.session.runs.len() >= self.engine.config.max_runs_per_session {
            self.fail(
                run,
                format!("session has reached its limit of {} runs", self.engine.config.max_runs_per_session),
            );
            return (run, None);
        }
        if pushed.terminal {
            self.exit_run(run, RunStatus::Completed);
        }
        let child = self.new_run(flow, Some(run), pushed.terminal);
        (child, flow.nodes.first().map(|n| n.uuid.clone()))
    }

    /// The main loop: go to `dest` in run `run`, and on until a wait or the end of the session.
    pub fn continue_until_wait(&mut self, mut run: usize, mut dest: Option<String>) {
        loop {
            if let Some(pushed) = self.pushed.take() {
                (run, dest) = self.enter_pushed(run, pushed);
            }
            let Some(node_uuid) = dest.take() else {
                if !self.session.runs[run].status.is_ended() {
                    self.exit_run(run, RunStatus::Completed);
                }
                let child = run;
                match self.live_parent(child) {
                    Some(parent) => {
                        run = parent;
                        if self.session.runs[child].status == RunStatus::Failed {
                            // The failure bubbles up: as in the reference, each parent ends as
                            // failed too, with no failure event of its own.
                            self.exit_run(run, RunStatus::Failed);
                            continue;
                        }
                        dest = self.resume_parent(run);
                        continue;
                    }
                    None => {
                        self.session.status = if self.session.runs.iter().any(|r| r.status == RunStatus::Failed) {
                            SessionStatus::Failed
                        } else {
                            SessionStatus::Completed
                        };
                        self.session.wait = None;
                        return;
                    }
                }
            };
            self.steps += 1;
            if self.steps > self.engine.config.max_steps_per_sprint {
                self.fail(
                    run,
                    format!("reached maximum number of steps per sprint ({})", self.engine.config.max_steps_per_sprint),
                );
                continue;
            }
            let Some(flow) = self.flow_of(run) else {
                self.fail(run, "flow of the run is no longer available");
                continue;
            };
            let Some(node) = flow.node(&node_uuid) else {
                self.fail(run, format!("unable to find destination node {node_uuid}"));
                continue;
            };
            dest = self.visit_node(run, flow, node);
            if self.session.status == SessionStatus::Waiting {
                return;
            }
        }
    }

    /// A parent run whose child ended: route its current node again (on `@child`).
    fn resume_parent(&mut self, run: usize) -> Option<String> {
        let flow = self.flow_of(run)?;
        let node_uuid = self.session.runs[run].current_node()?.to_string();
        let node = flow.node(&node_uuid)?;
        self.invalidate();
        self.pick_exit(run, flow, node)
    }

    fn visit_node(&mut self, run: usize, flow: &'a Flow, node: &'a Node) -> Option<String> {
        let step_uuid = self.uuid();
        let now = self.now.clone();
        let keep = self.engine.config.max_path_per_run.max(2);
        if let Some(r) = self.session.runs.get_mut(run) {
            if r.path.len() >= keep {
                let excess = r.path.len() + 1 - keep;
                r.path.drain(..excess);
            }
            r.path.push(Step {
                uuid: step_uuid.clone(),
                node_uuid: node.uuid.clone(),
                arrived_on: now.clone(),
                exit_uuid: None,
            });
            r.modified_on = now;
        }
        self.invalidate();
        for action in node.actions() {
            actions::execute(self, run, flow, node, &step_uuid, action);
            if self.session.runs[run].status.is_ended() {
                return None;
            }
        }
        if self.pushed.is_some() {
            return None;
        }
        if let Some(wait) = node.router.as_ref().and_then(|r| r.wait.as_ref()) {
            if waits::begin(self, run, flow, node, &step_uuid, wait) {
                return None;
            }
        }
        self.pick_exit(run, flow, node)
    }

    /// Routes `node` (or takes its first exit) and returns the destination.
    pub fn pick_exit(&mut self, run: usize, flow: &Flow, node: &Node) -> Option<String> {
        let exit_uuid = match &node.router {
            Some(router) => routing::route(self, run, flow, node, router)?,
            None => node.exits.first()?.uuid.clone(),
        };
        self.leave(run, flow, node, &exit_uuid)
    }

    /// Leaves the current step by `exit_uuid` and returns that exit's destination.
    pub fn leave(&mut self, run: usize, _flow: &Flow, node: &Node, exit_uuid: &str) -> Option<String> {
        if let Some(step) = self.session.runs.get_mut(run).and_then(|r| r.path.last_mut()) {
            step.exit_uuid = Some(exit_uuid.to_string());
        }
        match node.exit(exit_uuid) {
            Some(e) => e.destination().map(String::from),
            None => {
                self.fail(run, format!("unable to find exit with uuid '{exit_uuid}'"));
                None
            }
        }
    }
}
