//! Templates as a run evaluates them: an expression that fails becomes empty text and an error
//! to report, and the rest of the template still renders (as the format requires).

use crate::convert;
use crate::env::Env;
use crate::eval::{Evaluator, Limits, Scope};
use crate::value::XValue;

use super::templates::{Piece, Templates};

/// Evaluates `template` to text; each failed expression adds an error message. `escape` is
/// applied to each expression's output (URL-escaping for webhook URLs).
pub fn text_with(
    env: &Env,
    ctx: &dyn Scope,
    templates: &Templates,
    template: &str,
    limits: Limits,
    escape: Option<&dyn Fn(&str) -> String>,
) -> (String, Vec<String>) {
    let mut errors = Vec::new();
    if !template.contains('@') {
        return (template.to_string(), errors);
    }
    let compiled = templates.get(template);
    let mut ev = Evaluator::new(env, ctx, limits);
    let mut out = String::new();
    for piece in &compiled.pieces {
        match piece {
            Piece::Body(b) => out.push_str(b),
            Piece::Expression { written, parsed } => {
                let v = match parsed {
                    Ok(e) => ev.eval(e),
                    Err(syntax) => XValue::error(syntax.clone()),
                };
                match convert::to_text(&v) {
                    Ok(t) => match escape {
                        Some(f) => out.push_str(&f(&t)),
                        None => out.push_str(&t),
                    },
                    Err(e) => errors.push(format!("error evaluating {written}: {}", e.message)),
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

pub fn text(
    env: &Env,
    ctx: &dyn Scope,
    templates: &Templates,
    template: &str,
    limits: Limits,
) -> (String, Vec<String>) {
    text_with(env, ctx, templates, template, limits, None)
}

/// Evaluates `template` to a typed value when it is one expression, else to its text. A
/// failing expression gives its error value and the error message.
pub fn value(
    env: &Env,
    ctx: &dyn Scope,
    templates: &Templates,
    template: &str,
    limits: Limits,
) -> (XValue, Vec<String>) {
    let trimmed = template.trim();
    if !trimmed.contains('@') {
        // Plain text (a router's word list): nothing to scan.
        return (XValue::text(trimmed), Vec::new());
    }
    let compiled = templates.get(trimmed);
    if let Some((written, parsed)) = compiled.single() {
        let v = match parsed {
            Ok(e) => Evaluator::new(env, ctx, limits).eval(e),
            Err(syntax) => XValue::error(syntax.clone()),
        };
        let errors = match &v {
            XValue::Error(e) => vec![format!("error evaluating {written}: {}", e.message)],
            _ => Vec::new(),
        };
        return (v, errors);
    }
    let (t, errors) = text(env, ctx, templates, trimmed, limits);
    (XValue::Text(t), errors)
}
