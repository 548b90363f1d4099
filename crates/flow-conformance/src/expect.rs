//! The comparison rules of the case files (`README.md` beside them), one function per thing a
//! case may expect of a session: event types, messages, results, segments, runs, a contact or
//! a run's locals. Only what an independent engine can reproduce is compared: never channels,
//! URNs, locales or UUIDs of messages; `<uuid>` and `<now>` in an expectation stand for any UUID
//! and any timestamp the engine made.

use chrono::DateTime;
use safepassage_flows::engine::{Event, Session};
use safepassage_flows::ids::is_uuid;
use serde_json::Value as J;

fn parse_time(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    // The reference writes `-00:00` for UTC, which RFC 3339 allows and chrono reads.
    DateTime::parse_from_rfc3339(s).ok()
}

/// Whether `s` starts with a timestamp; returns its length.
fn time_prefix(s: &str) -> Option<usize> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | '+' | 'T' | 'Z')))
        .map_or(s.len(), |(i, _)| i);
    (19..=end).rev().find(|&n| s.is_char_boundary(n) && parse_time(&s[..n]).is_some())
}

/// A text of the expectation against the engine's: equal, or equal once each `<uuid>` is read
/// as a UUID and each `<now>` as a timestamp. Timestamps that are whole values compare as
/// instants (`Z` and `-00:00` are the same time).
pub fn text_matches(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    if let (Some(e), Some(a)) = (parse_time(expected), parse_time(actual)) {
        return e == a;
    }
    placeholders(expected, actual)
}

fn placeholders(expected: &str, actual: &str) -> bool {
    if let Some(rest) = expected.strip_prefix("<uuid>") {
        return actual.get(..36).is_some_and(is_uuid) && placeholders(rest, &actual[36..]);
    }
    if let Some(rest) = expected.strip_prefix("<now>") {
        return time_prefix(actual).is_some_and(|n| placeholders(rest, &actual[n..]));
    }
    match (expected.chars().next(), actual.chars().next()) {
        (None, None) => true,
        (Some(e), Some(a)) if e == a => placeholders(&expected[e.len_utf8()..], &actual[a.len_utf8()..]),
        _ => false,
    }
}

/// Nothing there: what a writer may leave out of JSON instead of writing it.
fn is_empty(v: &J) -> bool {
    match v {
        J::Null => true,
        J::String(s) => s.is_empty(),
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        J::Bool(b) => !b,
        J::Number(_) => false,
    }
}

/// JSON equality for `output_json`, `contact_after` and `locals_after`: objects key by key (a
/// key on one side only must be empty on the other), arrays element by element, numbers by
/// value, texts by [`text_matches`].
pub fn json_equal(expected: &J, actual: &J) -> bool {
    match (expected, actual) {
        (J::Object(e), J::Object(a)) => {
            e.iter().all(|(k, ev)| a.get(k).map_or(is_empty(ev), |av| json_equal(ev, av)))
                && a.iter().all(|(k, av)| e.contains_key(k) || is_empty(av))
        }
        (J::Array(e), J::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| json_equal(x, y)),
        (J::String(e), J::String(a)) => text_matches(e, a),
        (J::Number(e), J::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual || (is_empty(expected) && is_empty(actual)),
    }
}

/// How the run's own start and end events take part in an `event_types` comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Every event, in order (`flow_run`).
    All,
    /// The sprint without its first `run_started` and its last `run_ended` (`action`).
    WithoutEnds,
    /// Either of the above (`router`: the README does not say which the extraction kept).
    Either,
}

fn type_of(v: &J) -> String {
    v.as_str().or_else(|| v.get("type").and_then(J::as_str)).unwrap_or("").to_string()
}

/// The types of the engine's events, in order.
pub fn types_of(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::type_name).collect()
}

fn without_ends(mut types: Vec<String>) -> Vec<String> {
    if types.first().is_some_and(|t| t == "run_started") {
        types.remove(0);
    }
    if types.last().is_some_and(|t| t == "run_ended") {
        types.pop();
    }
    types
}

/// Compares `event_types` (strings, or objects with a `type`). `msg_received` is the host's
/// record of the message it passed in, which this engine leaves to the host: an expected one is
/// matched by the sprint's own input when it had one (`had_input`), and fails otherwise.
pub fn event_types(expected: &[J], actual: &[Event], lifecycle: Lifecycle, had_input: bool) -> Result<(), String> {
    let want: Vec<String> = expected.iter().map(type_of).filter(|t| !(had_input && t == "msg_received")).collect();
    let got = types_of(actual);
    let ok = match lifecycle {
        Lifecycle::All => want == got,
        Lifecycle::WithoutEnds => want == without_ends(got.clone()),
        Lifecycle::Either => want == got || want == without_ends(got.clone()),
    };
    if ok {
        Ok(())
    } else {
        let shown = if lifecycle == Lifecycle::WithoutEnds { without_ends(got) } else { got };
        Err(format!("event types: expected {want:?} got {shown:?}"))
    }
}

/// A message as compared: its text, its attachments as written and its quick replies' texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsgView {
    pub text: String,
    pub attachments: Vec<String>,
    pub quick_replies: Vec<String>,
}

fn strings(v: Option<&J>) -> Vec<String> {
    v.and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().or_else(|| x.get("text").and_then(J::as_str)))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

impl MsgView {
    /// An expected message: an object, or a bare text (no attachments, no quick replies).
    pub fn expected(v: &J) -> MsgView {
        match v {
            J::String(s) => MsgView { text: s.clone(), attachments: Vec::new(), quick_replies: Vec::new() },
            _ => MsgView {
                text: v.get("text").and_then(J::as_str).unwrap_or("").to_string(),
                attachments: strings(v.get("attachments")),
                quick_replies: strings(v.get("quick_replies")),
            },
        }
    }

    /// The messages the engine made (`msg_created`, or `ivr_created` in a voice flow).
    pub fn sent(events: &[Event]) -> Vec<MsgView> {
        use safepassage_flows::engine::EventKind;
        events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::MsgCreated { msg } | EventKind::IvrCreated { msg } => Some(MsgView {
                    text: msg.text.clone(),
                    attachments: msg.attachments.clone(),
                    quick_replies: msg.quick_replies.iter().map(|q| q.text.clone()).collect(),
                }),
                _ => None,
            })
            .collect()
    }

    fn matches(&self, actual: &MsgView) -> bool {
        let all = |e: &[String], a: &[String]| e.len() == a.len() && e.iter().zip(a).all(|(x, y)| text_matches(x, y));
        text_matches(&self.text, &actual.text)
            && all(&self.attachments, &actual.attachments)
            && all(&self.quick_replies, &actual.quick_replies)
    }
}

/// Compares `msgs` on text, attachments and quick reply texts only, in order.
pub fn msgs(expected: &[J], actual: &[Event]) -> Result<(), String> {
    let want: Vec<MsgView> = expected.iter().map(MsgView::expected).collect();
    let got = MsgView::sent(actual);
    if want.len() == got.len() && want.iter().zip(&got).all(|(w, g)| w.matches(g)) {
        Ok(())
    } else {
        Err(format!("msgs: expected {want:?} got {got:?}"))
    }
}

/// The fields of a result that are compared, and the names the expectation may give them.
const RESULT_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("value", "value"),
    ("category", "category"),
    ("input", "input"),
    ("node", "node_uuid"),
    ("node_uuid", "node_uuid"),
    ("category_localized", "category_localized"),
];

/// One expected result (a value text, or an object) against the engine's; a result made by a
/// random router is compared on its name and node only.
fn result_matches(want: &J, got: &J, random_nodes: &[String]) -> bool {
    let Some(obj) = want.as_object() else {
        return want.as_str().is_some_and(|s| got.get("value").and_then(J::as_str) == Some(s));
    };
    let random = got.get("node_uuid").and_then(J::as_str).is_some_and(|n| random_nodes.iter().any(|r| r == n));
    RESULT_FIELDS.iter().all(|(theirs, ours)| {
        if random && !matches!(*theirs, "name" | "node" | "node_uuid") {
            return true;
        }
        match obj.get(*theirs) {
            None => true,
            Some(w) => {
                let g = got.get(*ours).cloned().unwrap_or(J::Null);
                json_equal(w, &g)
            }
        }
    })
}

fn results_of(runs: &[&safepassage_flows::engine::Run]) -> serde_json::Map<String, J> {
    let mut m = serde_json::Map::new();
    for r in runs {
        for (k, v) in &r.results {
            m.insert(k.clone(), serde_json::to_value(v).unwrap_or(J::Null));
        }
    }
    m
}

fn results_equal(want: &serde_json::Map<String, J>, got: &serde_json::Map<String, J>, random: &[String]) -> bool {
    want.len() == got.len() && want.iter().all(|(k, w)| got.get(k).is_some_and(|g| result_matches(w, g, random)))
}

/// Compares `results`: an object by result key (the first run's results, or, for a session of
/// several runs, all runs' together), or an array with one such object per run, in order. The
/// keys must be the same; each result on name, value, category, input and node.
pub fn results(expected: &J, session: &Session, random_nodes: &[String]) -> Result<(), String> {
    let all: Vec<_> = session.runs.iter().collect();
    let ok = match expected {
        J::Object(want) => {
            let first: Vec<_> = session.runs.iter().take(1).collect();
            results_equal(want, &results_of(&first), random_nodes)
                || results_equal(want, &results_of(&all), random_nodes)
        }
        J::Array(per_run) => {
            per_run.len() == session.runs.len()
                && per_run
                    .iter()
                    .zip(&session.runs)
                    .all(|(w, r)| w.as_object().is_some_and(|w| results_equal(w, &results_of(&[r]), random_nodes)))
        }
        J::Null => session.runs.iter().all(|r| r.results.is_empty()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("results: expected {expected} got {}", J::Object(results_of(&all))))
    }
}

/// A move from one node to the next within a run, made during a sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub flow_uuid: String,
    pub node_uuid: String,
    pub exit_uuid: String,
    pub destination_uuid: String,
}

/// The segments of a sprint: each step taken in it (a step not in `before`) that follows a
/// step with an exit in the same run.
pub fn segments_of(session: &Session, before: &std::collections::HashSet<String>) -> Vec<Segment> {
    let mut out = Vec::new();
    for run in &session.runs {
        for pair in run.path.windows(2) {
            let [from, to] = pair else { continue };
            if let (Some(exit), false) = (&from.exit_uuid, before.contains(&to.uuid)) {
                out.push(Segment {
                    flow_uuid: run.flow.uuid.clone(),
                    node_uuid: from.node_uuid.clone(),
                    exit_uuid: exit.clone(),
                    destination_uuid: to.node_uuid.clone(),
                });
            }
        }
    }
    out
}

fn segment_matches(want: &J, got: &Segment) -> bool {
    let field = |k: &str, v: &str| want.get(k).and_then(J::as_str).is_none_or(|w| w == v);
    field("flow_uuid", &got.flow_uuid)
        && field("node_uuid", &got.node_uuid)
        && field("exit_uuid", &got.exit_uuid)
        && field("destination_uuid", &got.destination_uuid)
}

/// Compares `segments` as a set (the reference orders them by a clock this engine does not
/// share): flow, node, exit and destination where the expectation gives them.
pub fn segments(expected: &[J], actual: &[Segment]) -> Result<(), String> {
    let mut left: Vec<&Segment> = actual.iter().collect();
    for w in expected {
        match left.iter().position(|g| segment_matches(w, g)) {
            Some(i) => {
                left.remove(i);
            }
            None => return Err(format!("segments: expected {w} among {actual:?}")),
        }
    }
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("segments: unexpected {left:?}"))
    }
}

/// Compares `runs`: one per run of the session, in order, on flow (UUID) and status.
pub fn runs(expected: &[J], session: &Session) -> Result<(), String> {
    let got: Vec<(String, &str)> = session.runs.iter().map(|r| (r.flow.uuid.clone(), r.status.as_str())).collect();
    let ok = expected.len() == got.len()
        && expected.iter().zip(&got).all(|(w, (flow, status))| {
            let want_flow = w.get("flow").and_then(|f| f.as_str().or_else(|| f.get("uuid").and_then(J::as_str)));
            let want_status = w.as_str().or_else(|| w.get("status").and_then(J::as_str));
            want_flow.is_none_or(|f| f == flow) && want_status.is_none_or(|s| s == *status)
        });
    if ok {
        Ok(())
    } else {
        Err(format!("runs: expected {expected:?} got {got:?}"))
    }
}
