//! Cases that run sessions: `flow_run` (a start and resumes, one expectation per sprint),
//! `action` (one sprint, its event types without the run's own start and end) and `router`
//! (one sprint through a flow whose first node routes; its results and event types).

use std::collections::HashSet;

use safepassage_flows::definition::{FlowRef, LoadOptions, RouterType, OUTSIDE_ACTION_TYPES};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, Event, MsgIn, Resume, Session, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::{json, Value as J};

use crate::case::{Case, Outcome};
use crate::engine_session::MockWebhooks;
use crate::expect::{self, Lifecycle, Segment};
use crate::mocks::HttpMocks;

const ACTION_FLOW: &str = "bead76f5-dac4-4c9d-996c-c62b326e8c0a";
const ACTION_NODE: &str = "72a1f5df-49f9-45df-94c9-d86f7ea064e5";

/// An engine whose webhooks are answered by the case's `http_mocks`, or by the local stand-in.
fn engine(input: &J) -> Engine {
    // Cases are the reference's: an expiry ends only the waiting run, as its `wait_expiration`.
    let eng = Engine::new(Config { expiry_resumes_parent: true, ..Config::default() });
    match input.get("http_mocks").filter(|m| m.is_object()) {
        Some(m) => eng.with_webhooks(Box::new(HttpMocks::from_json(m))),
        None => eng.with_webhooks(Box::new(MockWebhooks)),
    }
}

fn opts() -> LoadOptions {
    // Cases test the format; outside calls are answered in the process, never sent.
    LoadOptions::allowing(OUTSIDE_ACTION_TYPES.iter().copied())
}

/// The contact of the reference's action tests.
fn default_contact() -> J {
    json!({
        "uuid": "5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f", "name": "Ryan Lewis", "language": "eng",
        "timezone": "America/Guayaquil", "created_on": "2018-06-20T11:40:30.123456789-00:00",
        "urns": ["tel:+12065551212?channel=57f1078f-88aa-46f4-a59a-948a5739c03d&id=123", "twitterid:54784326227#nyaruka"],
        "groups": [{"uuid": "b7cf0d83-f1c9-411c-96fd-c511a4cfa86d", "name": "Testers"},
                   {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31", "name": "Males"}],
        "fields": {"gender": {"text": "Male"}}
    })
}

/// Assets for action cases that bring none: the fields and groups the default contact uses.
fn default_assets() -> J {
    json!({
        "fields": [{"key": "gender", "name": "Gender", "type": "text"}, {"key": "age", "name": "Age", "type": "number"},
                   {"key": "join_date", "name": "Join Date", "type": "datetime"}, {"key": "state", "name": "State", "type": "state"}],
        "groups": [{"uuid": "b7cf0d83-f1c9-411c-96fd-c511a4cfa86d", "name": "Testers"},
                   {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31", "name": "Males"}],
        "flows": []
    })
}

fn assets_json(input: &J, base: Option<J>) -> J {
    let mut a = input.get("assets").cloned().or(base).unwrap_or_else(|| json!({}));
    if !a.is_object() {
        a = json!({});
    }
    if a.get("flows").and_then(J::as_array).is_none() {
        a["flows"] = json!([]);
    }
    a
}

fn contact_of(input: &J) -> Result<Contact, String> {
    let c = input
        .get("contact")
        .or_else(|| input.get("trigger").and_then(|t| t.get("contact")))
        .filter(|c| c.is_object())
        .cloned()
        .unwrap_or_else(default_contact);
    serde_json::from_value(c).map_err(|e| format!("contact: {e}"))
}

/// The case's environment (`env`, `environment` or the trigger's), at `now`.
pub fn env_of(input: &J, now: chrono::DateTime<chrono::Utc>) -> Result<Env, String> {
    let e = ["env", "environment"]
        .iter()
        .find_map(|k| input.get(*k).filter(|e| !e.is_null()))
        .or_else(|| input.get("trigger").and_then(|t| t.get("environment")))
        .cloned()
        .unwrap_or(J::Null);
    Env::from_json(&e, now)
}

/// The environment of an action case: the case's own, or the reference's action-test defaults.
pub fn env_for_actions(input: &J, now: chrono::DateTime<chrono::Utc>) -> Result<Env, String> {
    let mut env = env_of(input, now)?;
    let given = ["env", "environment"].iter().any(|k| input.get(*k).is_some_and(|e| !e.is_null()))
        || input.get("trigger").and_then(|t| t.get("environment")).is_some_and(|e| !e.is_null());
    if !given {
        env.default_language = Some("eng".into());
        env.allowed_languages = vec!["eng".into(), "spa".into()];
        env.default_country = Some("RW".into());
    }
    Ok(env)
}

fn resume_of(r: &J) -> Result<Resume, String> {
    match r {
        J::String(text) => Ok(Resume::Msg(MsgIn { text: text.clone(), ..Default::default() })),
        other => Resume::from_json(other),
    }
}

/// The message of the reference's action tests, which start with it unless told otherwise.
fn default_msg() -> MsgIn {
    MsgIn {
        uuid: "aa90ce99-3b4d-44ba-b0ca-79e63d9ed842".into(),
        text: "Hi everybody".into(),
        urn: Some("tel:+12065551212".into()),
        attachments: vec![
            "image/jpeg:http://http://s3.amazon.com/bucket/test.jpg".into(),
            "audio/mp3:http://s3.amazon.com/bucket/test.mp3".into(),
        ],
        ..Default::default()
    }
}

/// The case's trigger, pointed at `flow_uuid` when it names no flow, with the case's `call`
/// attached; without one, `fallback`.
fn trigger_of(input: &J, flow_uuid: &str, fallback: impl FnOnce(FlowRef) -> Trigger) -> Result<Trigger, String> {
    match input.get("trigger").filter(|t| t.is_object()).cloned() {
        Some(mut t) => {
            if t.get("flow").is_none() {
                t["flow"] = json!({"uuid": flow_uuid, "name": ""});
            }
            if let Some(call) = input.get("call").filter(|c| c.is_object()) {
                if t.get("call").is_none() {
                    t["call"] = call.clone();
                }
            }
            Trigger::from_json(&t)
        }
        None => Ok(fallback(FlowRef::new(flow_uuid, ""))),
    }
}

/// The flow a case is about: `flow_uuid`, the trigger's flow, or the first of the assets.
fn flow_uuid_of(input: &J, assets: &J) -> String {
    input
        .get("flow_uuid")
        .and_then(J::as_str)
        .or_else(|| input.get("trigger").and_then(|t| t.get("flow")).and_then(|f| f.get("uuid")).and_then(J::as_str))
        .or_else(|| assets["flows"].get(0).and_then(|f| f.get("uuid")).and_then(J::as_str))
        .unwrap_or("")
        .to_string()
}

/// What one sprint did: its events, its segments and whether it began with a message in.
struct Sprint {
    events: Vec<Event>,
    segments: Vec<Segment>,
    had_input: bool,
}

fn steps_of(session: &Session) -> HashSet<String> {
    session.runs.iter().flat_map(|r| r.path.iter().map(|s| s.uuid.clone())).collect()
}

/// How a sprint is compared: the lifecycle rule and the nodes whose routers are random.
struct Rules<'a> {
    lifecycle: Lifecycle,
    random_nodes: &'a [String],
}

fn check(exp: &J, session: &Session, sprint: &Sprint, rules: &Rules<'_>) -> Result<(), String> {
    if let Some(list) = exp.get("event_types").and_then(J::as_array) {
        expect::event_types(list, &sprint.events, rules.lifecycle, sprint.had_input)?;
    }
    if let Some(list) = exp.get("msgs").and_then(J::as_array) {
        expect::msgs(list, &sprint.events)?;
    }
    if let Some(r) = exp.get("results") {
        expect::results(r, session, rules.random_nodes)?;
    }
    if let Some(list) = exp.get("segments").and_then(J::as_array) {
        expect::segments(list, &sprint.segments)?;
    }
    if let Some(s) = exp.get("session_status").and_then(J::as_str) {
        if s != session.status.as_str() {
            return Err(format!("session status: expected {s} got {}", session.status.as_str()));
        }
    }
    if let Some(list) = exp.get("runs").and_then(J::as_array) {
        expect::runs(list, session)?;
    }
    if let Some(c) = exp.get("contact_after") {
        let got = session.contact.to_json();
        if !expect::json_equal(c, &got) {
            return Err(format!("contact after: expected {c} got {got}"));
        }
    }
    if let Some(l) = exp.get("locals_after") {
        let got = session.runs.first().and_then(|r| serde_json::to_value(&r.locals).ok()).unwrap_or(J::Null);
        if !expect::json_equal(l, &got) {
            return Err(format!("locals after: expected {l} got {got}"));
        }
    }
    Ok(())
}

/// Nodes with a random router in the assets' flows: their results are not compared.
fn random_nodes(assets: &Assets, aj: &J) -> Vec<String> {
    let uuids = aj["flows"].as_array().into_iter().flatten().filter_map(|f| f.get("uuid").and_then(J::as_str));
    uuids
        .filter_map(|u| assets.flow(u).ok())
        .flat_map(|f| f.nodes.iter())
        .filter(|n| n.router.as_ref().is_some_and(|r| r.kind == RouterType::Random))
        .map(|n| n.uuid.clone())
        .collect()
}

/// A session to run: its engine, assets, environment, contact and trigger.
struct Setup<'a> {
    input: &'a J,
    assets: Assets,
    random_nodes: Vec<String>,
    contact: Contact,
    trigger: Trigger,
}

impl<'a> Setup<'a> {
    fn new(input: &'a J, aj: &J, trigger: Trigger) -> Result<Setup<'a>, String> {
        let assets = Assets::from_json(aj, &opts());
        let random_nodes = random_nodes(&assets, aj);
        Ok(Setup { input, assets, random_nodes, contact: contact_of(input)?, trigger })
    }

    /// Starts, checks `exps[0]`, then resumes with each of `resumes`, checking the next.
    fn play(self, env: &Env, lifecycle: Lifecycle, exps: &[J], resumes: &[J]) -> Outcome {
        let eng = engine(self.input);
        let rules = Rules { lifecycle, random_nodes: &self.random_nodes };
        let mut rng = SplitMix64::new(123_456);
        let had_input = self.trigger.msg.is_some();
        let started = match eng.start(&self.assets, env, self.contact, self.trigger, &mut rng) {
            Ok(s) => s,
            Err(e) => return Outcome::Fail(format!("start failed: {e}")),
        };
        let mut session = started.session;
        let first =
            Sprint { segments: expect::segments_of(&session, &HashSet::new()), events: started.events, had_input };
        if let Some(exp) = exps.first() {
            if let Err(e) = check(exp, &session, &first, &rules) {
                return Outcome::Fail(format!("sprint 0: {e}"));
            }
        }
        for (i, r) in resumes.iter().enumerate() {
            let resume = match resume_of(r) {
                Ok(r) => r,
                Err(e) => return Outcome::Fail(format!("resume {i}: {e}")),
            };
            // A stored session must resume as well as a live one.
            session = match Session::from_json(&session.to_json()) {
                Ok(s) => s,
                Err(e) => return Outcome::Fail(format!("session does not round-trip: {e}")),
            };
            let before = steps_of(&session);
            let had_input = matches!(resume, Resume::Msg(_));
            let events = match eng.resume(&self.assets, env, &mut session, resume, &mut rng) {
                Ok(ev) => ev,
                Err(e) => return Outcome::Fail(format!("resume {i} failed: {e}")),
            };
            let sprint = Sprint { segments: expect::segments_of(&session, &before), events, had_input };
            if let Some(exp) = exps.get(i + 1) {
                if let Err(e) = check(exp, &session, &sprint, &rules) {
                    return Outcome::Fail(format!("sprint {}: {e}", i + 1));
                }
            }
        }
        Outcome::Pass
    }
}

fn has(expected: &J, key: &str) -> bool {
    expected.get(key).is_some_and(|v| !v.is_null() && v != &J::Bool(false))
}

/// `read_error`: the case's flow must be refused when the assets are read.
fn refused_at_load(aj: &J, flow_uuid: &str) -> Outcome {
    match Assets::from_json(aj, &opts()).flow(flow_uuid) {
        Err(_) => Outcome::Pass,
        Ok(_) => Outcome::Fail(format!("flow {flow_uuid} loaded but should have been refused")),
    }
}

/// `flow_run`: `expected.sprints`, one per sprint (the start, then each resume).
pub fn flow_run(case: &Case, env: &Env, fixture: Option<J>) -> Outcome {
    let input = &with_fixture(&case.input, fixture);
    let aj = assets_json(input, None);
    let flow_uuid = flow_uuid_of(input, &aj);
    if has(&case.expected, "read_error") {
        return refused_at_load(&aj, &flow_uuid);
    }
    let Some(sprints) = case.expected.get("sprints").and_then(J::as_array) else {
        return Outcome::Fail("case expects no sprints".into());
    };
    let resumes = input.get("resumes").and_then(J::as_array).cloned().unwrap_or_default();
    if sprints.len() != resumes.len() + 1 {
        return Outcome::Fail(format!("{} sprints expected for {} resumes", sprints.len(), resumes.len()));
    }
    let setup = trigger_of(input, &flow_uuid, Trigger::manual).and_then(|t| Setup::new(input, &aj, t));
    match setup {
        Ok(s) => s.play(env, Lifecycle::All, sprints, &resumes),
        Err(e) => Outcome::Fail(e),
    }
}

/// `router`: one sprint through the case's flow; `results` and `event_types`, or `read_error`.
pub fn router(case: &Case, env: &Env) -> Outcome {
    let input = &case.input;
    let aj = assets_json(input, None);
    let flow_uuid = flow_uuid_of(input, &aj);
    if has(&case.expected, "read_error") {
        return refused_at_load(&aj, &flow_uuid);
    }
    if case.expected.get("results").is_none() && case.expected.get("event_types").is_none() {
        return Outcome::Fail("case expects neither results nor event types".into());
    }
    let setup = trigger_of(input, &flow_uuid, Trigger::manual).and_then(|t| Setup::new(input, &aj, t));
    match setup {
        Ok(s) => s.play(env, Lifecycle::Either, std::slice::from_ref(&case.expected), &[]),
        Err(e) => Outcome::Fail(e),
    }
}

/// The holder flow of an action given alone (`input.action`), as the reference's action tests
/// build it: one node with the action, in a messaging or a voice flow.
fn holder_flow(input: &J, action: J) -> J {
    let voice = input.get("in_flow_type").or_else(|| input.get("flow_type")).and_then(J::as_str) == Some("voice");
    let mut flow = json!({
        "uuid": ACTION_FLOW, "name": "Action Tester", "spec_version": "14.4.2", "language": "eng",
        "type": if voice { "voice" } else { "messaging" },
        "nodes": [{"uuid": ACTION_NODE, "actions": [action], "exits": [{"uuid": "d7a36118-0a38-4b35-a7e4-ae89042f0d3c"}]}]
    });
    if let Some(l) = input.get("localization").filter(|l| l.is_object()) {
        flow["localization"] = l.clone();
    }
    flow
}

/// `action`: `read_error`, or one sprint compared on `event_types` (without the run's first
/// `run_started` and last `run_ended`), `msgs`, `contact_after` and `locals_after`. An action
/// given alone runs in a holder flow; otherwise the case's assets hold it in `flow_uuid`.
/// `base`: assets for a case that brings none.
pub fn action(case: &Case, env: &Env, base: Option<J>) -> Outcome {
    let input = &case.input;
    let (aj, flow_uuid) = match input.get("action").cloned() {
        Some(action) => {
            let mut aj = assets_json(input, base.or_else(|| Some(default_assets())));
            if let Some(fs) = aj["flows"].as_array_mut() {
                fs.retain(|f| f.get("uuid").and_then(J::as_str) != Some(ACTION_FLOW));
                fs.push(holder_flow(input, action));
            }
            (aj, ACTION_FLOW.to_string())
        }
        None => {
            let aj = assets_json(input, None);
            let uuid = flow_uuid_of(input, &aj);
            (aj, uuid)
        }
    };
    if has(&case.expected, "read_error") {
        return refused_at_load(&aj, &flow_uuid);
    }
    let voice = input.get("in_flow_type").or_else(|| input.get("flow_type")).and_then(J::as_str) == Some("voice");
    let no_input = input.get("no_input").and_then(J::as_bool).unwrap_or(false) || voice;
    let fallback = |f: FlowRef| if no_input { Trigger::manual(f) } else { Trigger::msg(f, default_msg()) };
    let mut setup = match trigger_of(input, &flow_uuid, fallback).and_then(|t| Setup::new(input, &aj, t)) {
        Ok(s) => s,
        Err(e) => return Outcome::Fail(e),
    };
    if let Err(e) = setup.assets.flow(&flow_uuid) {
        return Outcome::Fail(format!("flow refused at load: {e}"));
    }
    if input.get("localization").is_some_and(J::is_object) && input.get("contact").is_none() {
        setup.contact.language = "spa".into();
    }
    setup.play(env, Lifecycle::WithoutEnds, std::slice::from_ref(&case.expected), &[])
}

/// Fills a case that names a session fixture with the fixture's assets, contact, trigger and
/// resume, where the case gives none of its own.
fn with_fixture(input: &J, fixture: Option<J>) -> J {
    let Some(f) = fixture else { return input.clone() };
    let mut input = input.clone();
    let voice = input.get("voice").and_then(J::as_bool).unwrap_or(false);
    let pairs = [
        ("assets", if voice { "voiceSessionAssets" } else { "sessionAssets" }),
        ("contact", "sessionContact"),
        ("trigger", if voice { "voiceSessionTrigger" } else { "sessionTrigger" }),
    ];
    for (k, fk) in pairs {
        if input.get(k).is_none() {
            if let Some(v) = f.get(fk) {
                input[k] = v.clone();
            }
        }
    }
    if input.get("resumes").is_none() {
        if let Some(r) = f.get("sessionResume") {
            input["resumes"] = json!([r]);
        }
    }
    input
}
