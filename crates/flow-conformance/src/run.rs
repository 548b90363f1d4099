//! Runs one case against the engine by its kind. Kinds the engine cannot do yet fail with a
//! reason; nothing here may panic, whatever the file holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use safepassage_flows::locations::LocationTree;
use safepassage_flows::{
    evaluate_template, evaluate_template_value, functions, xv, Env, Evaluator, Limits, XFunction, XValue,
};
use serde_json::Value as J;

use crate::case::{Case, Outcome};
use crate::compare::same;
use crate::definitions;
use crate::{engine_session, runs};

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

fn env_of(input: &J) -> Result<Env, String> {
    let now = match input.get("now").and_then(J::as_str) {
        Some(s) => DateTime::parse_from_rfc3339(s).map_err(|e| format!("bad now: {e}"))?.with_timezone(&Utc),
        None => default_now(),
    };
    let mut env = Env::from_json(input.get("env").unwrap_or(&J::Null), now)?;
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

fn template_text_case(case: &Case, env: &Env, ctx: &XValue) -> Outcome {
    let Some(t) = case.input.get("template").and_then(J::as_str) else {
        return Outcome::Fail("case has no template".into());
    };
    let got = evaluate_template(env, ctx, t, None, Limits::default());
    let wants_error = case.expected.get("error").is_some_and(|e| !e.is_null() && e != &J::Bool(false));
    match (got, case.expected.get("output").and_then(J::as_str)) {
        (Err(_), _) if wants_error => Outcome::Pass,
        (Ok(out), _) if wants_error => Outcome::Fail(format!("expected an error, got {out:?}")),
        (Ok(out), Some(want)) if out == want => Outcome::Pass,
        (Ok(out), Some(want)) => Outcome::Fail(format!("expected {want:?} got {out:?}")),
        (Err(e), _) => Outcome::Fail(format!("error: {e}")),
        (Ok(_), None) => Outcome::Fail("case has no expected output".into()),
    }
}

fn template_value_case(case: &Case, env: &Env, ctx: &XValue, must_fail: bool) -> Outcome {
    let Some(t) = case.input.get("template").and_then(J::as_str) else {
        return Outcome::Fail("case has no template".into());
    };
    let got = evaluate_template_value(env, ctx, t, None, Limits::default());
    if must_fail || case.expected.get("error").is_some() {
        return match got {
            Err(_) => Outcome::Pass,
            Ok(v) => Outcome::Fail(format!("expected an error, got {}", xv::to_json(&v))),
        };
    }
    match got {
        Ok(v) => expect_value(case, &v),
        Err(e) => Outcome::Fail(format!("error: {e}")),
    }
}

pub fn run(case: &Case, dir: &Path, fixtures: &mut Fixtures) -> Outcome {
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
                "template_error" => template_value_case(case, &env, &ctx, true),
                _ => template_value_case(case, &env, &ctx, false),
            }
        }
        "flow_validation" => definitions::flow_validation(case),
        "migration" => definitions::migration(case),
        "flow_run" | "action" => match runs::env_for_runs(&case.input, env.now) {
            Ok(env) if case.kind == "action" => {
                let base = fixtures
                    .get(dir.join("fixtures/standard_session.json"))
                    .and_then(|f| f.get("sessionAssets"))
                    .cloned();
                runs::action(case, &env, base)
            }
            Ok(env) => {
                let fixture =
                    case.input.get("session").and_then(J::as_str).and_then(|n| fixtures.get(dir.join(n))).cloned();
                runs::flow_run(case, &env, fixture)
            }
            Err(e) => Outcome::Fail(e),
        },
        other => Outcome::Fail(format!("unknown kind {other:?}")),
    }
}
