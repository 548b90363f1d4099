//! Runs one case against the engine by its kind, by the rules of the files' README. A kind the
//! runner does not know, or a case it cannot run, fails with a reason (never a skip); nothing
//! here may panic, whatever the file holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use safepassage_flows::locations::LocationTree;
use safepassage_flows::template::{self, Segment};
use safepassage_flows::{
    evaluate_template, evaluate_template_value, functions, xv, Env, Evaluator, Limits, XFunction, XValue,
};
use serde_json::Value as J;

use crate::case::{Case, Outcome};
use crate::compare::same;
use crate::definitions;
use crate::{engine_session, expect, runs};

/// Reads fixtures once per file set.
#[derive(Default)]
pub struct Fixtures {
    cache: HashMap<PathBuf, Option<J>>,
}

impl Fixtures {
    fn get(&mut self, path: PathBuf) -> Option<&J> {
        self.cache
            .entry(path.clone())
            .or_insert_with(|| std::fs::read_to_string(&path).ok().and_then(|s| serde_json::from_str(&s).ok()))
            .as_ref()
    }
}

/// The clock of cases that give none: a fixed instant, so results never depend on the day.
fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2018, 4, 11, 13, 24, 30).single().unwrap_or_default()
}

/// The case's clock: `now`, or `clock` (a time, or an object with `now`).
fn now_of(input: &J) -> Result<DateTime<Utc>, String> {
    let given = input.get("now").or_else(|| input.get("clock")).map(|c| c.get("now").unwrap_or(c));
    match given.and_then(J::as_str) {
        Some(s) => Ok(DateTime::parse_from_rfc3339(s).map_err(|e| format!("bad clock: {e}"))?.with_timezone(&Utc)),
        None => Ok(default_now()),
    }
}

fn env_of(input: &J) -> Result<Env, String> {
    let mut env = Env::from_json(input.get("env").unwrap_or(&J::Null), now_of(input)?)?;
    if let Some(l) = input.get("assets").and_then(|a| a.get("locations")) {
        env.locations = Some(LocationTree::from_json(l)?);
    }
    Ok(env)
}

/// The context of a case: a typed value given inline, a session fixture, or nothing.
fn context_of(case: &Case, env: &mut Env, dir: &Path, fixtures: &mut Fixtures) -> Result<XValue, String> {
    if let Some(c) = case.input.get("context") {
        return xv::from_json(c);
    }
    if let Some(name) = case.input.get("session").and_then(J::as_str) {
        let fixture = fixtures.get(dir.join(name)).ok_or_else(|| format!("fixture {name} not readable"))?;
        let s = engine_session::build(env, fixture)?;
        if env.locations.is_none() {
            env.locations = s.locations;
        }
        return Ok(s.context);
    }
    Ok(XValue::object(Default::default()))
}

fn expect_value(case: &Case, actual: &XValue) -> Outcome {
    let Some(exp) = case.expected.get("value") else {
        return Outcome::Fail("case has no expected value".into());
    };
    match xv::from_json(exp) {
        Ok(e) if same(&e, actual) => Outcome::Pass,
        Ok(e) => Outcome::Fail(format!("expected {} got {}", xv::to_json(&e), xv::to_json(actual))),
        Err(err) => Outcome::Fail(format!("unreadable expectation: {err}")),
    }
}

fn call_case(case: &Case, env: &Env) -> Outcome {
    let Some(name) = case.input.get("function").and_then(J::as_str) else {
        return Outcome::Fail("case names no function".into());
    };
    let mut args = Vec::new();
    for a in case.input.get("args").and_then(J::as_array).cloned().unwrap_or_default() {
        match xv::from_json(&a) {
            Ok(v) => args.push(v),
            Err(e) => return Outcome::Fail(format!("unreadable argument: {e}")),
        }
    }
    let Some(f) = functions::lookup(&name.to_lowercase()) else {
        return Outcome::Fail(format!("no function {name}"));
    };
    let ctx = XValue::object(Default::default());
    let mut ev = Evaluator::new(env, &ctx, Limits::default());
    let actual = ev.call(&XFunction::Builtin(f), &args);
    expect_value(case, &actual)
}

/// Whether a template is one expression or identifier and nothing else: the templates whose
/// error an engine may raise instead of returning it as a value.
fn single_expression(t: &str) -> bool {
    matches!(template::scan(t.trim(), None).as_slice(), [Segment::Identifier(_) | Segment::Expression(_)])
}

/// `template_text`: `output` exactly, or `output_json` as JSON; `error`: only that it failed;
/// `event_types` when given: as in the reference, a template that renders past failed
/// expressions emits one `error` event for each (and the text shows what it rendered).
fn template_text_case(case: &Case, env: &Env, ctx: &XValue) -> Outcome {
    let Some(t) = case.input.get("template").and_then(J::as_str) else {
        return Outcome::Fail("case has no template".into());
    };
    if let Some(types) = case.expected.get("event_types").and_then(J::as_array).filter(|a| !a.is_empty()) {
        let rendered = template::render_template(env, ctx, t, None, Limits::default());
        let got: Vec<J> = rendered.errors.iter().map(|_| J::from("error")).collect();
        if &got != types {
            return Outcome::Fail(format!("expected events {types:?} got {got:?}"));
        }
        return match case.expected.get("output").and_then(J::as_str) {
            Some(want) if rendered.text == want => Outcome::Pass,
            Some(want) => Outcome::Fail(format!("expected {want:?} got {:?}", rendered.text)),
            None => Outcome::Pass,
        };
    }
    let got = evaluate_template(env, ctx, t, None, Limits::default());
    let wants_error =
        case.expected.get("error").is_some_and(|e| !e.is_null() && e != &J::Bool(false) && e.as_str() != Some(""));
    if wants_error {
        return match got {
            Err(_) => Outcome::Pass,
            Ok(out) => Outcome::Fail(format!("expected an error, got {out:?}")),
        };
    }
    let out = match got {
        Ok(out) => out,
        Err(e) => return Outcome::Fail(format!("error: {e}")),
    };
    if let Some(want) = case.expected.get("output_json") {
        return match serde_json::from_str::<J>(&out) {
            Ok(j) if expect::json_equal(want, &j) => Outcome::Pass,
            Ok(j) => Outcome::Fail(format!("expected JSON {want} got {j}")),
            Err(e) => Outcome::Fail(format!("expected JSON {want} got {out:?} ({e})")),
        };
    }
    match case.expected.get("output").and_then(J::as_str) {
        Some(want) if out == want => Outcome::Pass,
        Some(want) => Outcome::Fail(format!("expected {want:?} got {out:?}")),
        None => Outcome::Fail("case has no expected output".into()),
    }
}

/// `template_value`: the typed value of a single `@(...)`. An expected error value passes when
/// the engine returns an error value or raises an error for the expression.
fn template_value_case(case: &Case, env: &Env, ctx: &XValue) -> Outcome {
    let Some(t) = case.input.get("template").and_then(J::as_str) else {
        return Outcome::Fail("case has no template".into());
    };
    let want = match case.expected.get("value").map(xv::from_json) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return Outcome::Fail(format!("unreadable expectation: {e}")),
        None => return Outcome::Fail("case has no expected value".into()),
    };
    match evaluate_template_value(env, ctx, t, None, Limits::default()) {
        Ok(v) if same(&want, &v) => Outcome::Pass,
        Ok(v) => Outcome::Fail(format!("expected {} got {}", xv::to_json(&want), xv::to_json(&v))),
        Err(_) if matches!(want, XValue::Error(_)) && single_expression(t) => Outcome::Pass,
        Err(e) => Outcome::Fail(format!("error: {e}")),
    }
}

/// `template_error`: evaluation must raise an error (so there is no output); the wording is
/// not compared.
fn template_error_case(case: &Case, env: &Env, ctx: &XValue) -> Outcome {
    let Some(t) = case.input.get("template").and_then(J::as_str) else {
        return Outcome::Fail("case has no template".into());
    };
    match evaluate_template(env, ctx, t, None, Limits::default()) {
        Err(_) => Outcome::Pass,
        Ok(out) => Outcome::Fail(format!("expected an error, got {out:?}")),
    }
}

/// The kinds this runner knows; any other kind is a failure.
pub const KINDS: &[&str] = &[
    "function_call",
    "test_call",
    "template_value",
    "template_text",
    "template_error",
    "flow_validation",
    "migration",
    "action",
    "router",
    "flow_run",
];

pub fn run(case: &Case, dir: &Path, fixtures: &mut Fixtures) -> Outcome {
    if !KINDS.contains(&case.kind.as_str()) {
        return Outcome::Fail(format!("unknown kind {:?}", case.kind));
    }
    if let Some(need) = case.refused_need() {
        return Outcome::Refused(need);
    }
    let mut env = match env_of(&case.input) {
        Ok(e) => e,
        Err(e) => return Outcome::Fail(e),
    };
    match case.kind.as_str() {
        "test_call" | "function_call" => call_case(case, &env),
        "template_text" | "template_value" | "template_error" => {
            let ctx = match context_of(case, &mut env, dir, fixtures) {
                Ok(c) => c,
                Err(e) => return Outcome::Fail(e),
            };
            match case.kind.as_str() {
                "template_text" => template_text_case(case, &env, &ctx),
                "template_error" => template_error_case(case, &env, &ctx),
                _ => template_value_case(case, &env, &ctx),
            }
        }
        "flow_validation" => definitions::flow_validation(case),
        "migration" => definitions::migration(case),
        "action" => match runs::env_for_actions(&case.input, env.now) {
            Ok(env) => {
                let base = fixtures
                    .get(dir.join("fixtures/standard_session.json"))
                    .and_then(|f| f.get("sessionAssets"))
                    .cloned()
                    .map(|mut b| {
                        // The fixture's own flows would only be noise here.
                        b["flows"] = J::Array(Vec::new());
                        b
                    });
                runs::action(case, &env, base)
            }
            Err(e) => Outcome::Fail(e),
        },
        "router" => match runs::env_of(&case.input, env.now) {
            Ok(env) => runs::router(case, &env),
            Err(e) => Outcome::Fail(e),
        },
        _ => match runs::env_of(&case.input, env.now) {
            Ok(env) => {
                let fixture =
                    case.input.get("session").and_then(J::as_str).and_then(|n| fixtures.get(dir.join(n))).cloned();
                runs::flow_run(case, &env, fixture)
            }
            Err(e) => Outcome::Fail(e),
        },
    }
}
