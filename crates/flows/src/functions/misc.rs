//! Conversion, logic and utility functions: `text`, `boolean`, `number`, `and`, `or`, `if`,
//! `is_error`, `default`, `format`, URN and attachment parts, locations and prompts.

use super::{arity, boolean, err, fail, number, text, Builtin};
use crate::convert;
use crate::eval::Evaluator;
use crate::urns;
use crate::value::XValue;

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("text", text_),
    ("boolean", boolean_),
    ("number", number_),
    ("and", and),
    ("or", or),
    ("if", if_),
    ("is_error", is_error),
    ("default", default),
    ("format", format),
    ("format_urn", format_urn),
    ("urn_parts", urn_parts),
    ("attachment_parts", attachment_parts),
    ("format_location", format_location),
    ("prompt", prompt),
];

type R = Result<XValue, XValue>;

fn text_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Text(text(&a[0])?))
}

fn boolean_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Boolean(boolean(&a[0])?))
}

fn number_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Number(number(&a[0])?))
}

fn and(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, None)?;
    for v in a {
        if !boolean(v)? {
            return Ok(XValue::Boolean(false));
        }
    }
    Ok(XValue::Boolean(true))
}

fn or(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, None)?;
    for v in a {
        if boolean(v)? {
            return Ok(XValue::Boolean(true));
        }
    }
    Ok(XValue::Boolean(false))
}

fn if_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    Ok(if boolean(&a[0])? { a[1].clone() } else { a[2].clone() })
}

fn is_error(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::Boolean(a[0].is_error()))
}

/// `default(value, fallback)`: the fallback when `value` is an error or is empty as text, as
/// the reference decides it (so an empty array, which reads as `[]`, is kept).
fn default(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    Ok(match convert::to_text(&a[0]) {
        Ok(t) if !t.is_empty() => a[0].clone(),
        _ => a[1].clone(),
    })
}

fn format(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    convert::format(ev.env, &a[0]).map(XValue::Text).map_err(fail)
}

fn format_urn(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = text(&a[0])?;
    let u = urns::validate(&s).map_err(err)?;
    Ok(XValue::text(urns::format(&u)))
}

fn urn_parts(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = text(&a[0])?;
    let u = urns::parse(&s).ok_or_else(|| err(format!("{s} is not a valid URN")))?;
    Ok(XValue::object_from([
        ("scheme", XValue::Text(u.scheme)),
        ("path", XValue::Text(u.path)),
        ("display", XValue::Text(u.display)),
    ]))
}

fn attachment_parts(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = text(&a[0])?;
    let (ct, url) = match s.split_once(':') {
        Some((c, u)) if !c.contains('/') || !u.starts_with("//") => (c.to_string(), u.to_string()),
        _ => (String::new(), s.clone()),
    };
    Ok(XValue::object_from([("content_type", XValue::Text(ct)), ("url", XValue::Text(url))]))
}

fn format_location(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let s = text(&a[0])?;
    Ok(XValue::text(s.rsplit('>').next().unwrap_or("").trim()))
}

/// Fills a named prompt: `{{ .arg1 }}` and friends take the arguments as text.
fn prompt(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, None)?;
    let name = text(&a[0])?;
    let tpl = ev
        .env
        .prompts
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| err(format!("no prompt with name '{name}'")))?;
    let mut out = tpl;
    for (i, v) in a[1..].iter().enumerate() {
        let val = text(v)?;
        for pat in [format!("{{{{ .arg{} }}}}", i + 1), format!("{{{{.arg{}}}}}", i + 1)] {
            out = out.replace(&pat, &val);
        }
    }
    super::out_text(ev, out)
}
