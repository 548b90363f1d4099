//! The expression context of a run (`@contact`, `@results`, `@input`, `@run`, `@child`,
//! `@parent`, `@trigger`, `@locals`, …), built from the session as the format defines it.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as J;

use super::assets::Assets;
use super::contact::Contact;
use super::run::{Run, RunResult};
use super::session::{MsgIn, Session};
use crate::context::{self as cx, FieldAsset};
use crate::convert;
use crate::env::Env;
use crate::value::{XObject, XValue};

/// The top-level names a template may use as `@name`.
pub const TOP_LEVEL: &[&str] = &[
    "child",
    "contact",
    "fields",
    "globals",
    "input",
    "legacy_extra",
    "locals",
    "node",
    "parent",
    "results",
    "resume",
    "run",
    "trigger",
    "urns",
    "webhook",
];

fn with_default(props: BTreeMap<String, XValue>, default: XValue) -> XValue {
    XValue::Object(Arc::new(XObject::with_default(props, default)))
}

fn datetime(env: &Env, s: Option<&str>) -> XValue {
    s.and_then(|t| cx::datetime_from_json(env, t)).map(XValue::DateTime).unwrap_or(XValue::Null)
}

pub fn field_defs(assets: &Assets) -> Vec<FieldAsset> {
    assets.fields.iter().map(|f| FieldAsset { key: f.key.clone(), value_type: f.value_type.clone() }).collect()
}

/// A result as `@results.name` shows it: its value by default.
pub fn result_value(env: &Env, r: &RunResult) -> XValue {
    let text = |s: &str| XValue::text(s);
    let mut m = BTreeMap::new();
    m.insert("name".to_string(), text(&r.name));
    m.insert("value".to_string(), text(&r.value));
    m.insert("category".to_string(), text(&r.category));
    m.insert("category_localized".to_string(), text(r.category_localized.as_deref().unwrap_or(&r.category)));
    m.insert("input".to_string(), text(r.input.as_deref().unwrap_or("")));
    m.insert("node_uuid".to_string(), text(&r.node_uuid));
    m.insert("created_on".to_string(), datetime(env, Some(&r.created_on)));
    m.insert("extra".to_string(), r.extra.as_ref().map(convert::from_json).unwrap_or(XValue::Null));
    with_default(m, text(&r.value))
}

pub fn results_value(env: &Env, run: &Run) -> XValue {
    XValue::object(run.results.iter().map(|(k, r)| (k.clone(), result_value(env, r))).collect())
}

fn flow_value(run: &Run, revision: Option<i64>) -> XValue {
    let mut m = BTreeMap::new();
    m.insert("uuid".to_string(), XValue::text(&run.flow.uuid));
    m.insert("name".to_string(), XValue::text(&run.flow.name));
    m.insert("revision".to_string(), XValue::int(revision.unwrap_or(0)));
    with_default(m, XValue::text(&run.flow.name))
}

fn fields_of(contact: &XValue) -> XValue {
    match contact {
        XValue::Object(o) => o.get("fields").cloned().unwrap_or(XValue::Null),
        _ => XValue::Null,
    }
}

fn urns_of(contact_json: &J) -> XValue {
    let urns: Vec<&str> =
        contact_json.get("urns").and_then(J::as_array).into_iter().flatten().filter_map(J::as_str).collect();
    urns_value(&urns)
}

/// `@urns` of a contact with these URNs.
fn urns_value<S: AsRef<str>>(urns: &[S]) -> XValue {
    let urns: Vec<String> = urns.iter().map(|u| cx::urn_identity(u.as_ref())).collect();
    cx::urns_object(&urns)
}

fn channel_value(assets: &Assets, uuid: &str) -> Option<XValue> {
    let c = assets.channel(uuid)?;
    Some(XValue::object_from([
        ("uuid", XValue::text(&c.uuid)),
        ("name", XValue::text(&c.name)),
        ("address", XValue::text(&c.address)),
    ]))
}

pub fn input_value(env: &Env, assets: &Assets, input: &MsgIn) -> XValue {
    let attachments: Vec<XValue> = input.attachments.iter().map(XValue::text).collect();
    let channel = input
        .channel
        .as_ref()
        .map(|c| {
            let uuid = c.get("uuid").and_then(J::as_str).unwrap_or("");
            channel_value(assets, uuid).unwrap_or_else(|| convert::from_json(c))
        })
        .unwrap_or(XValue::Null);
    let mut m = BTreeMap::new();
    m.insert("uuid".to_string(), XValue::text(&input.uuid));
    m.insert("type".to_string(), XValue::text("msg"));
    m.insert("text".to_string(), XValue::text(&input.text));
    m.insert("urn".to_string(), input.urn.as_deref().map(XValue::text).unwrap_or(XValue::Null));
    m.insert("channel".to_string(), channel);
    m.insert("attachments".to_string(), XValue::array(attachments));
    m.insert("external_id".to_string(), XValue::text(input.external_id.as_deref().unwrap_or("")));
    m.insert("created_on".to_string(), datetime(env, input.created_on.as_deref()));
    let mut default = input.text.clone();
    for a in &input.attachments {
        if !default.is_empty() {
            default.push('\n');
        }
        // As the format shows an attachment in text: its URL, without the content type (a
        // shared location `geo:48.0159,37.8028` reads `48.0159,37.8028`).
        default.push_str(a.split_once(':').map_or(a.as_str(), |(_, url)| url));
    }
    with_default(m, XValue::text(default))
}

fn trigger_value(session: &Session) -> XValue {
    let t = &session.trigger;
    let params = t.params.as_ref().map(convert::from_json).unwrap_or_else(|| XValue::object(BTreeMap::new()));
    XValue::object_from([
        ("type", XValue::text(&t.kind)),
        ("params", params),
        ("keyword", XValue::text(t.keyword.as_deref().unwrap_or(""))),
        ("origin", XValue::text(t.extra.get("origin").and_then(J::as_str).unwrap_or(""))),
        ("campaign", t.extra.get("campaign").map(convert::from_json).unwrap_or(XValue::Null)),
        ("ticket", t.extra.get("ticket").map(convert::from_json).unwrap_or(XValue::Null)),
        ("user", t.extra.get("user").map(convert::from_json).unwrap_or(XValue::Null)),
    ])
}

/// Builds `@run`-like summaries of other runs (`@child`, `@parent`).
fn related_run(env: &Env, run: &Run, contact: &XValue, urns: &XValue, revision: Option<i64>) -> XValue {
    let status = XValue::text(run.status.as_str());
    let mut m = BTreeMap::new();
    m.insert("uuid".to_string(), XValue::text(&run.uuid));
    m.insert("contact".to_string(), contact.clone());
    m.insert("flow".to_string(), flow_value(run, revision));
    m.insert("fields".to_string(), fields_of(contact));
    m.insert("urns".to_string(), urns.clone());
    m.insert("results".to_string(), results_value(env, run));
    m.insert("status".to_string(), status.clone());
    m.insert("run".to_string(), XValue::object_from([("status", status)]));
    XValue::object(m)
}

/// `@parent` of a session started by another flow: the trigger's run summary.
fn summary_parent(env: &Env, assets: &Assets, summary: &J, defs: &[FieldAsset]) -> XValue {
    let c = summary.get("contact").cloned().unwrap_or(J::Null);
    let contact = contact_json_value(env, assets, &c, defs);
    let s = |k: &str| summary.get(k).and_then(J::as_str).unwrap_or("").to_string();
    let flow = summary.get("flow").cloned().unwrap_or(J::Null);
    let asset_name = flow.get("uuid").and_then(J::as_str).and_then(|u| assets.flow(u).ok()).map(|f| f.name.clone());
    let fs = |k: &str| match (k, &asset_name) {
        ("name", Some(n)) => n.clone(),
        _ => flow.get(k).and_then(J::as_str).unwrap_or("").to_string(),
    };
    let mut results = BTreeMap::new();
    if let Some(rs) = summary.get("results").and_then(J::as_object) {
        for (k, r) in rs {
            if let Ok(r) = serde_json::from_value::<RunResult>(r.clone()) {
                results.insert(k.clone(), result_value(env, &r));
            }
        }
    }
    let status = XValue::text(s("status"));
    let mut flow_props = BTreeMap::new();
    flow_props.insert("uuid".to_string(), XValue::text(fs("uuid")));
    flow_props.insert("name".to_string(), XValue::text(fs("name")));
    flow_props.insert("revision".to_string(), XValue::int(flow.get("revision").and_then(J::as_i64).unwrap_or(0)));
    let mut m = BTreeMap::new();
    m.insert("uuid".to_string(), XValue::text(s("uuid")));
    m.insert("fields".to_string(), fields_of(&contact));
    m.insert("urns".to_string(), urns_of(&c));
    m.insert("contact".to_string(), contact);
    m.insert("flow".to_string(), with_default(flow_props, XValue::text(fs("name"))));
    m.insert("results".to_string(), XValue::object(results));
    m.insert("status".to_string(), status.clone());
    m.insert("run".to_string(), XValue::object_from([("status", status)]));
    XValue::object(m)
}

/// `@contact`: its channel (that of its first URN bound to one) and its tickets' assignees
/// completed from the assets.
/// A ticket as `@contact.tickets` shows it, its assignee with the e-mail the users' assets give.
fn ticket_value(assets: &Assets, mut ticket: J) -> XValue {
    if let Some(a) = ticket.get_mut("assignee").and_then(J::as_object_mut) {
        let uuid = a.get("uuid").and_then(J::as_str).unwrap_or("");
        let email = assets.users.iter().find(|u| u.uuid.as_deref() == Some(uuid)).and_then(|u| u.email.clone());
        if let Some(email) = email {
            a.entry("email").or_insert(J::String(email));
        }
    }
    cx::ticket_value(&ticket)
}

/// `@contact`, made from the session's contact as it is (no JSON copy of it).
fn contact_value(env: &Env, assets: &Assets, c: &Contact, defs: &[FieldAsset]) -> XValue {
    let source = cx::ContactSource {
        uuid: &c.uuid,
        id: cx::contact_id(c.id.as_ref()),
        name: &c.name,
        language: &c.language,
        timezone: &c.timezone,
        status: &c.status,
        created_on: c.created_on.as_deref(),
        last_seen_on: c.last_seen_on.as_deref(),
        urns: c.urns.iter().map(String::as_str).collect(),
        groups: c.groups.iter().map(|g| (g.uuid.as_str(), g.name.as_str())).collect(),
        tickets: c.tickets.iter().map(|t| ticket_value(assets, serde_json::to_value(t).unwrap_or(J::Null))).collect(),
        fields: cx::FieldValues::Map(&c.fields),
    };
    let props = cx::contact_props_of(env, source, defs);
    with_channel_and_ref(assets, props, c.urns.iter().map(String::as_str), c.extra.get("ref"))
}

/// `@contact` of a contact written in the format's JSON (a parent run's summary).
fn contact_json_value(env: &Env, assets: &Assets, c: &J, defs: &[FieldAsset]) -> XValue {
    let mut source = cx::ContactSource::of_json(c);
    if let Some(tickets) = c.get("tickets").and_then(J::as_array) {
        source.tickets = tickets.iter().map(|t| ticket_value(assets, t.clone())).collect();
    }
    let props = cx::contact_props_of(env, source, defs);
    let urns = c.get("urns").and_then(J::as_array).map(Vec::as_slice).unwrap_or(&[]);
    with_channel_and_ref(assets, props, urns.iter().filter_map(J::as_str), c.get("ref"))
}

/// The contact's properties with its channel (from the first URN that names one) and its ref.
fn with_channel_and_ref<'u>(
    assets: &Assets,
    mut props: BTreeMap<String, XValue>,
    urns: impl Iterator<Item = &'u str>,
    reference: Option<&J>,
) -> XValue {
    let mut urns = urns.peekable();
    let first_urn = urns.peek().copied();
    let channel = urns
        .find_map(|u| {
            let q = u.split_once('?')?.1;
            let id = q.split('&').find_map(|kv| kv.strip_prefix("channel="))?;
            channel_value(assets, id.split('#').next().unwrap_or(id))
        })
        .unwrap_or(XValue::Null);
    props.insert("channel".to_string(), channel);
    props.insert("ref".to_string(), XValue::text(reference.and_then(J::as_str).unwrap_or("")));
    // `@contact` alone reads as the contact's name, or its first URN as people write it.
    let default = match props.get("name").and_then(|n| crate::convert::to_text(n).ok()).filter(|n| !n.is_empty()) {
        Some(name) => name,
        None => first_urn.and_then(crate::urns::parse).map(|u| crate::urns::format(&u)).unwrap_or_default(),
    };
    with_default(props, XValue::text(default))
}

/// The parts of a run's context already built, each made on first use: a step that only
/// routes on `@input.text` never builds `@contact` or `@run`. The parts that show the contact
/// are kept as long as the contact they were built from is unchanged.
#[derive(Debug, Default)]
pub struct Parts {
    run: Option<usize>,
    contact: Option<Contact>,
    cells: [OnceCell<XValue>; TOP_LEVEL.len()],
}

/// Names whose value is the contact's alone (not the run's): kept across [`Parts::forget`].
const CONTACT_PARTS: &[&str] = &["contact", "fields", "urns"];

fn is_contact_part(name: &str) -> bool {
    CONTACT_PARTS.contains(&name)
}

impl Parts {
    /// Forgets every part that shows the session's runs, input or trigger, after anything of
    /// them changed. The contact's parts are checked against the contact itself instead.
    pub fn forget(&mut self) {
        for (name, cell) in TOP_LEVEL.iter().zip(self.cells.iter_mut()) {
            if !is_contact_part(name) {
                cell.take();
            }
        }
    }

    /// Makes the parts fit run `run` of a session whose contact is `contact`.
    pub fn prepare(&mut self, run: usize, contact: &Contact) {
        if self.contact.as_ref() != Some(contact) {
            self.cells = Default::default();
            self.contact = Some(contact.clone());
        } else if self.run != Some(run) {
            self.forget();
        }
        self.run = Some(run);
    }
}

/// The context of run `run` of `session`, built part by part as expressions ask for them. The
/// parts must have been prepared for this run and contact ([`Parts::prepare`]).
pub struct Scope<'s> {
    pub env: &'s Env,
    pub assets: &'s Assets,
    pub session: &'s Session,
    pub run: usize,
    pub defs: &'s [FieldAsset],
    pub parts: &'s Parts,
}

impl Scope<'_> {
    fn part(&self, i: usize) -> XValue {
        match (self.parts.cells.get(i), TOP_LEVEL.get(i)) {
            (Some(cell), Some(name)) => cell.get_or_init(|| self.make(name)).clone(),
            _ => XValue::Null,
        }
    }

    fn named(&self, name: &str) -> XValue {
        TOP_LEVEL.iter().position(|n| *n == name).map(|i| self.part(i)).unwrap_or(XValue::Null)
    }

    fn revision(&self, flow_uuid: &str) -> Option<i64> {
        self.assets.flow(flow_uuid).ok().and_then(|f| f.revision)
    }

    fn make(&self, name: &str) -> XValue {
        let (env, assets, session) = (self.env, self.assets, self.session);
        let Some(run) = session.runs.get(self.run) else { return XValue::Null };
        match name {
            "contact" => contact_value(env, assets, &session.contact, self.defs),
            "fields" => fields_of(&self.named("contact")),
            "urns" => urns_value(&session.contact.urns),
            "results" => results_value(env, run),
            "locals" => XValue::object(run.locals.iter().map(|(k, v)| (k.clone(), XValue::text(v))).collect()),
            "run" => self.run_value(run),
            "child" => session
                .runs
                .iter()
                .rev()
                .find(|r| r.parent_uuid.as_deref() == Some(run.uuid.as_str()))
                .map(|c| self.related(c))
                .unwrap_or(XValue::Null),
            "parent" => match run.parent_uuid.as_deref().and_then(|p| session.run(p)) {
                Some(p) => self.related(p),
                None => match &session.trigger.run_summary {
                    Some(summary) => summary_parent(env, assets, summary, self.defs),
                    None => XValue::Null,
                },
            },
            "trigger" => trigger_value(session),
            "input" => session.input.as_ref().map(|i| input_value(env, assets, i)).unwrap_or(XValue::Null),
            "globals" => XValue::object(assets.globals.iter().map(|(k, v)| (k.clone(), XValue::text(v))).collect()),
            "node" => {
                run.current_node().map(|n| XValue::object_from([("uuid", XValue::text(n))])).unwrap_or(XValue::Null)
            }
            "webhook" => run.webhook.as_ref().map(convert::from_json).unwrap_or(XValue::Null),
            "resume" => session.resume.as_ref().map(convert::from_json).unwrap_or(XValue::Null),
            "legacy_extra" => XValue::object(BTreeMap::new()),
            _ => XValue::Null,
        }
    }

    fn related(&self, run: &Run) -> XValue {
        related_run(self.env, run, &self.named("contact"), &self.named("urns"), self.revision(&run.flow.uuid))
    }

    fn run_value(&self, run: &Run) -> XValue {
        let env = self.env;
        let path: Vec<XValue> = run
            .path
            .iter()
            .map(|s| {
                XValue::object_from([
                    ("node_uuid", XValue::text(&s.node_uuid)),
                    ("arrived_on", datetime(env, Some(&s.arrived_on))),
                ])
            })
            .collect();
        let mut run_props = BTreeMap::new();
        run_props.insert("uuid".to_string(), XValue::text(&run.uuid));
        run_props.insert("contact".to_string(), self.named("contact"));
        run_props.insert("flow".to_string(), flow_value(run, self.revision(&run.flow.uuid)));
        run_props.insert("status".to_string(), XValue::text(run.status.as_str()));
        run_props.insert("results".to_string(), self.named("results"));
        run_props.insert("locals".to_string(), self.named("locals"));
        run_props.insert("path".to_string(), XValue::array(path));
        run_props.insert("created_on".to_string(), datetime(env, Some(&run.created_on)));
        run_props.insert("exited_on".to_string(), datetime(env, run.exited_on.as_deref()));
        XValue::object(run_props)
    }

    /// Every part, as one object.
    pub fn whole(&self) -> XValue {
        if self.session.runs.get(self.run).is_none() {
            return XValue::object(BTreeMap::new());
        }
        XValue::object(TOP_LEVEL.iter().enumerate().map(|(i, n)| ((*n).to_string(), self.part(i))).collect())
    }
}

impl crate::eval::Scope for Scope<'_> {
    fn lookup(&self, name: &str) -> Option<XValue> {
        // A run that does not exist has an empty context.
        self.session.runs.get(self.run)?;
        // Names are case-insensitive, as an object's keys are (`@Contact.name` works).
        let i = TOP_LEVEL.iter().position(|n| *n == name).or_else(|| {
            let lower = name.to_lowercase();
            TOP_LEVEL.iter().position(|n| *n == lower)
        })?;
        Some(self.part(i))
    }
}

/// The whole context of run `idx` of `session`.
pub fn build(env: &Env, assets: &Assets, session: &Session, idx: usize, defs: &[FieldAsset]) -> XValue {
    let mut parts = Parts::default();
    parts.prepare(idx, &session.contact);
    Scope { env, assets, session, run: idx, defs, parts: &parts }.whole()
}
