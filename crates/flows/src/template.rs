//! Templates: text with `@contact.name` identifiers, `@(expr)` expressions and `@@` for a
//! literal `@`. Scanning, then evaluation to text or to a single typed value.

use crate::convert;
use crate::env::Env;
use crate::eval::{Evaluator, Limits, Scope};
use crate::parser::parse_expression;
use crate::value::{XError, XValue};

/// Longest template accepted, in bytes.
pub const MAX_TEMPLATE_LEN: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Body(String),
    Identifier(String),
    Expression(String),
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '_'
}

/// Splits a template into text and expressions. `allowed` lists the top-level names that make
/// `@name` an identifier; anything else (an e-mail address) stays text. `None` allows all.
pub fn scan(template: &str, allowed: Option<&[String]>) -> Vec<Segment> {
    scan_with(template, allowed, false)
}

/// Like [`scan`], but `@@` stays `@@` in the text: for rewriting templates, not evaluating them.
pub fn scan_raw(template: &str, allowed: Option<&[String]>) -> Vec<Segment> {
    scan_with(template, allowed, true)
}

fn scan_with(template: &str, allowed: Option<&[String]>, keep_escapes: bool) -> Vec<Segment> {
    // Byte offsets; every character this looks for is ASCII, so they fall between characters.
    let bytes = template.as_bytes();
    let mut out: Vec<Segment> = Vec::new();
    let mut body = String::new();
    let mut i = 0;
    let flush = |body: &mut String, out: &mut Vec<Segment>| {
        if !body.is_empty() {
            out.push(Segment::Body(std::mem::take(body)));
        }
    };
    while i < bytes.len() {
        let Some(at) = template[i..].find('@').map(|k| i + k) else {
            body.push_str(&template[i..]);
            break;
        };
        body.push_str(&template[i..at]);
        i = at;
        match template[i + 1..].chars().next() {
            Some('@') => {
                body.push('@');
                if keep_escapes {
                    body.push('@');
                }
                i += 2;
            }
            Some('(') => {
                // Find the closing parenthesis, skipping string literals.
                let mut depth = 1;
                let mut j = i + 2;
                let mut in_string = false;
                while j < bytes.len() {
                    let ch = bytes[j];
                    if in_string {
                        if ch == b'\\' {
                            j += 1;
                        } else if ch == b'"' {
                            in_string = false;
                        }
                    } else if ch == b'"' {
                        in_string = true;
                    } else if ch == b'(' {
                        depth += 1;
                    } else if ch == b')' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                if depth == 0 && j < bytes.len() {
                    flush(&mut body, &mut out);
                    out.push(Segment::Expression(template[i + 2..j].to_string()));
                    i = j + 1;
                } else {
                    // Unclosed: the rest is text.
                    body.push_str(&template[i..]);
                    i = bytes.len();
                }
            }
            Some(p) if is_identifier_char(p) => {
                let rest = &template[i + 1..];
                let mut j = i + 1 + rest.find(|c: char| !is_identifier_char(c)).unwrap_or(rest.len());
                let mut ident = &template[i + 1..j];
                // A trailing period ends the sentence, not the identifier.
                while ident.len() > 1 && ident.ends_with('.') {
                    ident = &ident[..ident.len() - 1];
                    j -= 1;
                }
                let top = ident.split('.').next().unwrap_or("").to_lowercase();
                let ok = match allowed {
                    None => true,
                    Some(list) => list.contains(&top),
                };
                if ok {
                    flush(&mut body, &mut out);
                    out.push(Segment::Identifier(ident.to_string()));
                } else {
                    body.push('@');
                    body.push_str(ident);
                }
                i = j;
            }
            _ => {
                body.push('@');
                i += 1;
            }
        }
    }
    flush(&mut body, &mut out);
    out
}

/// Evaluates one expression (without the `@(`…`)`) to a typed value; syntax errors are
/// error values.
pub fn evaluate_expression(ev: &mut Evaluator<'_>, expr: &str) -> XValue {
    match parse_expression(expr) {
        Ok(e) => ev.eval(&e),
        Err(err) => XValue::error(format!("syntax error: {err}")),
    }
}

/// An expression of a template that failed: what was written (`@(1 / 0)`) and its error. A
/// failure of the whole template (too long) has no expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub expression: String,
    pub error: XError,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.expression.is_empty() {
            return f.write_str(&self.error.message);
        }
        write!(f, "error evaluating {}: {}", self.expression, self.error.message)
    }
}

/// What a template evaluates to, as the reference engine gives it: the text, in which each
/// failed expression left nothing, and the errors of those expressions in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateOutput {
    pub text: String,
    pub errors: Vec<TemplateError>,
}

impl TemplateOutput {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The text when nothing failed, else one error naming every failed expression.
    pub fn into_result(self) -> Result<String, XError> {
        if self.errors.is_empty() {
            return Ok(self.text);
        }
        let all: Vec<String> = self.errors.iter().map(ToString::to_string).collect();
        Err(XError::new(all.join(", ")))
    }
}

/// Whether `@identifier` is to be evaluated. With an `allowed` list the scan has decided; without
/// one, as the reference, only when its top-level name is a property of the context (so
/// `@hello` with no `hello`, or an e-mail's `@example`, stays text).
fn identifier_is_known(context: &dyn Scope, allowed: Option<&[String]>, ident: &str) -> bool {
    if allowed.is_some() {
        return true;
    }
    let top = ident.split('.').next().unwrap_or("").to_lowercase();
    context.lookup(&top).is_some()
}

/// Evaluates a template to its text and the errors of the expressions that failed. A failed
/// expression adds an error and no text, and the rest of the template still renders. The
/// expressions of one template share one budget (the reference gives each its own; sharing keeps
/// a long template of costly expressions bounded as a whole).
pub fn render_template(
    env: &Env,
    context: &dyn Scope,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> TemplateOutput {
    let mut out = TemplateOutput::default();
    if template.len() > MAX_TEMPLATE_LEN {
        out.errors.push(TemplateError { expression: String::new(), error: XError::new("template is too long") });
        return out;
    }
    let mut ev = Evaluator::new(env, context, limits);
    for seg in scan(template, allowed) {
        match seg {
            Segment::Body(b) => out.text.push_str(&b),
            Segment::Identifier(s) if !identifier_is_known(context, allowed, &s) => {
                out.text.push('@');
                out.text.push_str(&s);
            }
            Segment::Identifier(s) => render_expression(&mut ev, &mut out, format!("@{s}"), &s),
            Segment::Expression(s) => render_expression(&mut ev, &mut out, format!("@({s})"), &s),
        }
        if out.text.len() > limits.max_text_len {
            out.text.clear();
            out.errors
                .push(TemplateError { expression: String::new(), error: XError::new("template output is too long") });
            break;
        }
    }
    out
}

/// Appends one expression's text, or its error and nothing.
fn render_expression(ev: &mut Evaluator<'_>, out: &mut TemplateOutput, written: String, source: &str) {
    let v = evaluate_expression(ev, source);
    match convert::to_text(&v) {
        Ok(t) => out.text.push_str(&t),
        Err(error) => out.errors.push(TemplateError { expression: written, error }),
    }
}

/// Evaluates a template to text; fails when any expression fails (see [`render_template`] for
/// the text with the errors beside it).
pub fn evaluate_template(
    env: &Env,
    context: &XValue,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> Result<String, XError> {
    render_template(env, context, template, allowed, limits).into_result()
}

/// Evaluates a template to a typed value when it is a single identifier or expression,
/// otherwise to its text. An error value is returned as the error.
pub fn evaluate_template_value(
    env: &Env,
    context: &XValue,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> Result<XValue, XError> {
    match render_template_value(env, context, template, allowed, limits) {
        (XValue::Error(e), _) => Err(e),
        (_, Some(e)) => Err(e),
        (v, None) => Ok(v),
    }
}

/// As the reference's `EvaluateTemplateValue`: a template that is one identifier or expression
/// gives that expression's typed value, which may be an error value; any other template gives
/// its text, and the errors of its failed expressions as one error beside it.
pub fn render_template_value(
    env: &Env,
    context: &dyn Scope,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> (XValue, Option<XError>) {
    let trimmed = template.trim();
    let segs = scan(trimmed, allowed);
    let single = match segs.as_slice() {
        [Segment::Identifier(s)] if identifier_is_known(context, allowed, s) => Some(s),
        [Segment::Expression(s)] => Some(s),
        _ => None,
    };
    if let Some(s) = single {
        let mut ev = Evaluator::new(env, context, limits);
        return (evaluate_expression(&mut ev, s), None);
    }
    let out = render_template(env, context, trimmed, allowed, limits);
    let text = out.text.clone();
    match out.into_result() {
        Ok(_) => (XValue::Text(text), None),
        Err(e) => (XValue::Text(text), Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_identifiers_expressions_and_escapes() {
        let allowed = vec!["contact".to_string()];
        let segs = scan("Hi @contact.name. Mail me@example.com @@ @(1 + (2))", Some(&allowed));
        assert_eq!(
            segs,
            vec![
                Segment::Body("Hi ".into()),
                Segment::Identifier("contact.name".into()),
                Segment::Body(". Mail me@example.com @ ".into()),
                Segment::Expression("1 + (2)".into()),
            ]
        );
    }

    #[test]
    fn parentheses_in_strings_do_not_close_expressions() {
        let segs = scan(r#"@(upper(")"))!"#, None);
        assert_eq!(segs[0], Segment::Expression(r#"upper(")")"#.into()));
        assert_eq!(segs[1], Segment::Body("!".into()));
    }

    #[test]
    fn rendering_keeps_going_past_a_failed_expression() {
        let env = Env::new(chrono::DateTime::UNIX_EPOCH);
        let ctx = XValue::object_from([("name", XValue::text("Ira"))]);
        let out = render_template(&env, &ctx, "@name: @(1 / 0)@nobody!", None, Limits::default());
        assert_eq!(out.text, "Ira: @nobody!");
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].expression, "@(1 / 0)");
        // With a list of allowed names the scan decides, not the context.
        let allowed = vec!["name".to_string(), "other".to_string()];
        let out = render_template(&env, &ctx, "@other", Some(&allowed), Limits::default());
        assert_eq!((out.text.as_str(), out.errors.len()), ("", 1));
        assert!(out.into_result().is_err());
    }

    #[test]
    fn unclosed_expression_is_text() {
        assert_eq!(scan("@(1 + ", None), vec![Segment::Body("@(1 + ".into())]);
    }
}
