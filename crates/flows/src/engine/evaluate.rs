//! Templates as a run evaluates them: an expression that fails becomes empty text and an error
//! to report, and the rest of the template still renders (as the format requires).

use std::sync::OnceLock;

use crate::convert;
use crate::env::Env;
use crate::eval::{Evaluator, Limits, Scope};
use crate::template::{evaluate_expression, scan, Segment};
use crate::value::XValue;

use super::context::TOP_LEVEL;

fn allowed() -> &'static [String] {
    static ALLOWED: OnceLock<Vec<String>> = OnceLock::new();
    ALLOWED.get_or_init(|| TOP_LEVEL.iter().map(|s| s.to_string()).collect())
}

fn describe(seg: &Segment) -> String {
    match seg {
        Segment::Identifier(s) => format!("@{s}"),
        Segment::Expression(s) => format!("@({s})"),
        Segment::Body(b) => b.clone(),
    }
}

/// Evaluates `template` to text; each failed expression adds an error message. `escape` is
/// applied to each expression's output (URL-escaping for webhook URLs).
pub fn text_with(
    env: &Env,
    ctx: &dyn Scope,
    template: &str,
    limits: Limits,
    escape: Option<&dyn Fn(&str) -> String>,
) -> (String, Vec<String>) {
    let mut errors = Vec::new();
    if !template.contains('@') {
        return (template.to_string(), errors);
    }
    let mut ev = Evaluator::new(env, ctx, limits);
    let mut out = String::new();
    for seg in scan(template, Some(allowed())) {
        match &seg {
            Segment::Body(b) => out.push_str(b),
            Segment::Identifier(s) | Segment::Expression(s) => {
                let v = evaluate_expression(&mut ev, s);
                match convert::to_text(&v) {
                    Ok(t) => match escape {
                        Some(f) => out.push_str(&f(&t)),
                        None => out.push_str(&t),
                    },
                    Err(e) => errors.push(format!("error evaluating {}: {}", describe(&seg), e.message)),
                }
            }
        }
        if out.len() > limits.max_text_len {
            errors.push("template output is too long".into());
            out.truncate(floor_char_boundary(&out, limits.max_text_len));
            break;
        }
    }
    (out, errors)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn text(env: &Env, ctx: &dyn Scope, template: &str, limits: Limits) -> (String, Vec<String>) {
    text_with(env, ctx, template, limits, None)
}

/// Evaluates `template` to a typed value when it is one expression, else to its text. A
/// failing expression gives its error value and the error message.
pub fn value(env: &Env, ctx: &dyn Scope, template: &str, limits: Limits) -> (XValue, Vec<String>) {
    let trimmed = template.trim();
    if !trimmed.contains('@') {
        // Plain text (a router's word list): nothing to scan.
        return (XValue::text(trimmed), Vec::new());
    }
    let segs = scan(trimmed, Some(allowed()));
    if let [seg @ (Segment::Identifier(s) | Segment::Expression(s))] = segs.as_slice() {
        let mut ev = Evaluator::new(env, ctx, limits);
        let v = evaluate_expression(&mut ev, s);
        let errors = match &v {
            XValue::Error(e) => vec![format!("error evaluating {}: {}", describe(seg), e.message)],
            _ => Vec::new(),
        };
        return (v, errors);
    }
    let (t, errors) = text(env, ctx, trimmed, limits);
    (XValue::Text(t), errors)
}
