//! Templates: text with `@contact.name` identifiers, `@(expr)` expressions and `@@` for a
//! literal `@`. Scanning, then evaluation to text or to a single typed value.

use crate::convert;
use crate::env::Env;
use crate::eval::{Evaluator, Limits};
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

/// Evaluates a template to text. The first expression that fails fails the template.
pub fn evaluate_template(
    env: &Env,
    context: &XValue,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> Result<String, XError> {
    if template.len() > MAX_TEMPLATE_LEN {
        return Err(XError::new("template is too long"));
    }
    let mut ev = Evaluator::new(env, context, limits);
    let mut out = String::new();
    for seg in scan(template, allowed) {
        match seg {
            Segment::Body(b) => out.push_str(&b),
            Segment::Identifier(s) | Segment::Expression(s) => {
                let v = evaluate_expression(&mut ev, &s);
                out.push_str(&convert::to_text(&v)?);
            }
        }
        if out.len() > limits.max_text_len {
            return Err(XError::new("template output is too long"));
        }
    }
    Ok(out)
}

/// Evaluates a template to a typed value when it is a single identifier or expression,
/// otherwise to its text.
pub fn evaluate_template_value(
    env: &Env,
    context: &XValue,
    template: &str,
    allowed: Option<&[String]>,
    limits: Limits,
) -> Result<XValue, XError> {
    let trimmed = template.trim();
    let segs = scan(trimmed, allowed);
    if let [Segment::Identifier(s) | Segment::Expression(s)] = segs.as_slice() {
        let mut ev = Evaluator::new(env, context, limits);
        return match evaluate_expression(&mut ev, s) {
            XValue::Error(e) => Err(e),
            v => Ok(v),
        };
    }
    evaluate_template(env, context, trimmed, allowed, limits).map(XValue::Text)
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
    fn unclosed_expression_is_text() {
        assert_eq!(scan("@(1 + ", None), vec![Segment::Body("@(1 + ".into())]);
    }
}
