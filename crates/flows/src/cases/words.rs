//! Text tests: words, phrases, beginnings, patterns, e-mail addresses, and the tests on
//! results, groups and errors. Words compare case-insensitively under the input collation.

use super::{false_result, true_result, true_result_with_extra};
use crate::convert;
use crate::env::Collation;
use crate::eval::Evaluator;
use crate::functions::{arity, err, fail, text};
use crate::value::XValue;
use crate::{regexes, words};

type R = Result<XValue, XValue>;

fn two_texts(a: &[XValue]) -> Result<(String, String), XValue> {
    arity(a, 2, Some(2))?;
    Ok((text(&a[0])?, text(&a[1])?))
}

/// Folds letter variants so that, say, Arabic and Persian yeh compare equal.
fn collate(c: Collation, s: &str) -> String {
    match c {
        Collation::Default => s.to_string(),
        Collation::ArabicVariants => s
            .chars()
            .map(|ch| match ch {
                '\u{064A}' | '\u{0649}' => '\u{06CC}',
                '\u{0643}' => '\u{06A9}',
                other => other,
            })
            .collect(),
    }
}

struct Tokens {
    original: Vec<String>,
    folded: Vec<String>,
    needles: Vec<String>,
}

fn tokens(ev: &Evaluator<'_>, hay: &str, needle: &str) -> Tokens {
    let c = ev.env.collation;
    let hay = hay.trim();
    let original: Vec<String> = words::tokenize(hay).into_iter().map(String::from).collect();
    let folded = words::tokenize(&hay.to_lowercase()).into_iter().map(|w| collate(c, w)).collect();
    let needles = words::tokenize(&needle.trim().to_lowercase()).into_iter().map(|w| collate(c, w)).collect();
    Tokens { original, folded, needles }
}

pub fn has_error(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(match &a[0] {
        XValue::Error(e) => true_result(XValue::text(e.message.clone())),
        _ => false_result(),
    })
}

pub fn has_text(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let t = t.trim();
    Ok(if t.is_empty() { false_result() } else { true_result(XValue::text(t)) })
}

pub fn has_only_text(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (x, y) = two_texts(a)?;
    Ok(if x == y { true_result(XValue::Text(x)) } else { false_result() })
}

pub fn has_phrase(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    if t.needles.is_empty() {
        return Ok(true_result(XValue::text("")));
    }
    let mut idx = 0;
    let mut matches = vec![String::new(); t.needles.len()];
    for (i, w) in t.folded.iter().enumerate() {
        if *w == t.needles[idx] {
            matches[idx] = t.original.get(i).cloned().unwrap_or_default();
            idx += 1;
            if idx == t.needles.len() {
                break;
            }
        } else {
            idx = 0;
        }
    }
    Ok(if idx == t.needles.len() { true_result(XValue::text(matches.join(" "))) } else { false_result() })
}

pub fn has_only_phrase(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    if t.folded != t.needles {
        return Ok(false_result());
    }
    Ok(true_result(XValue::text(t.original.join(" "))))
}

pub fn has_any_word(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    let matched: Vec<&str> = t
        .folded
        .iter()
        .zip(t.original.iter())
        .filter(|(w, _)| t.needles.contains(w))
        .map(|(_, o)| o.as_str())
        .collect();
    Ok(if matched.is_empty() { false_result() } else { true_result(XValue::text(matched.join(" "))) })
}

pub fn has_all_words(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    let matched: Vec<&str> = t
        .folded
        .iter()
        .zip(t.original.iter())
        .filter(|(w, _)| t.needles.contains(w))
        .map(|(_, o)| o.as_str())
        .collect();
    let all = t.needles.iter().all(|n| t.folded.contains(n));
    Ok(if all { true_result(XValue::text(matched.join(" "))) } else { false_result() })
}

pub fn has_beginning(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let (hay, needle) = (hay.trim(), needle.trim());
    if hay.is_empty() || needle.is_empty() || hay.len() < needle.len() || !hay.is_char_boundary(needle.len()) {
        return Ok(false_result());
    }
    let segment = &hay[..needle.len()];
    Ok(if segment.to_lowercase() == needle.to_lowercase() {
        true_result(XValue::text(segment))
    } else {
        false_result()
    })
}

pub fn has_pattern(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, pattern) = two_texts(a)?;
    let re = crate::functions::compile_user_regex(pattern.trim())
        .ok_or_else(|| err("must be called with a valid regular expression"))?;
    let Some(caps) = re.captures(&hay) else { return Ok(false_result()) };
    let mut extra = std::collections::BTreeMap::new();
    for (i, g) in caps.iter().enumerate() {
        extra.insert(i.to_string(), XValue::text(g.map(|m| m.as_str()).unwrap_or("")));
    }
    let whole = caps.get(0).map(|m| m.as_str()).unwrap_or("");
    Ok(true_result_with_extra(XValue::text(whole), XValue::object(extra)))
}

pub fn has_email(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let found = regexes::email().and_then(|re| re.find(&t)).map(|m| m.as_str().to_string());
    Ok(match found {
        Some(e) => true_result(XValue::Text(e)),
        None => false_result(),
    })
}

pub fn has_group(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let groups = convert::to_array(&a[0]).map_err(fail)?;
    let uuid = text(&a[1])?;
    for g in groups.iter() {
        let obj = convert::to_object(g).map_err(fail)?;
        let id = text(obj.get("uuid").unwrap_or(&XValue::Null))?;
        if id == uuid {
            return Ok(true_result(g.clone()));
        }
    }
    Ok(false_result())
}

/// A run result must carry at least its name, node and time to be one.
fn is_result(o: &crate::value::XObject) -> bool {
    ["name", "node_uuid", "created_on"].iter().all(|k| o.get(k).is_some_and(|v| !convert::render(v).is_empty()))
}

pub fn has_category(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, None)?;
    let obj = convert::to_object(&a[0]).map_err(fail)?;
    if !is_result(&obj) {
        return Err(err("first argument must be a result"));
    }
    let category = text(obj.get("category").unwrap_or(&XValue::Null))?;
    for c in &a[1..] {
        if text(c)? == category {
            return Ok(true_result(XValue::Text(category)));
        }
    }
    Ok(false_result())
}

fn intent(a: &[XValue], top_only: bool) -> R {
    arity(a, 3, Some(3))?;
    let obj = convert::to_object(&a[0]).map_err(fail)?;
    let name = text(&a[1])?;
    let min = crate::functions::number(&a[2])?;
    // The classification lives in the result's extra: {intents: [{name, confidence}], entities}.
    let intents = obj
        .get("extra")
        .and_then(|e| match e {
            XValue::Object(o) => o.get("intents").cloned(),
            _ => None,
        })
        .and_then(|i| convert::to_array(&i).ok())
        .map(|a| a.as_ref().clone())
        .unwrap_or_default();
    let considered = if top_only { intents.into_iter().take(1).collect() } else { intents };
    for i in considered {
        let XValue::Object(o) = i else { continue };
        let n = o.get("name").map(convert::render).unwrap_or_default();
        let conf = o.get("confidence").and_then(|c| convert::to_number(c).ok());
        if n == name && conf.is_some_and(|c| c >= min) {
            return Ok(true_result_with_extra(XValue::Text(n), XValue::object(Default::default())));
        }
    }
    Ok(false_result())
}

pub fn has_intent(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    intent(a, false)
}

pub fn has_top_intent(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    intent(a, true)
}
