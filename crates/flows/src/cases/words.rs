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
fn collate_char(c: Collation, ch: char) -> char {
    match c {
        Collation::Default => ch,
        Collation::ArabicVariants => match ch {
            '\u{064A}' | '\u{0649}' => '\u{06CC}',
            '\u{0643}' => '\u{06A9}',
            other => other,
        },
    }
}

/// A word as words compare: lower case, letter variants folded.
fn fold(c: Collation, word: &str) -> impl Iterator<Item = char> + '_ {
    word.chars().flat_map(char::to_lowercase).map(move |ch| collate_char(c, ch))
}

/// Whether each word of `text` may be lowered alone, as if the text were lowered whole: true
/// when lowering none of its characters changes whether it is part of a word (a test checks
/// every character the word table knows) and no capital sigma, which lowers by what surrounds
/// it in the text (`ς` at the end of a word), is among them.
fn words_lower_alone(text: &str) -> bool {
    text.chars().all(|ch| u32::from(ch) < words::CLASSED && ch != 'Σ')
}

/// The folded words of a text whose words are `words`.
fn folded_words(c: Collation, text: &str, words: &[&str]) -> Vec<String> {
    if !words_lower_alone(text) {
        let lower = text.to_lowercase();
        return words::tokenize(&lower)
            .into_iter()
            .map(|w| w.chars().map(|ch| collate_char(c, ch)).collect())
            .collect();
    }
    words.iter().map(|w| fold(c, w).collect()).collect()
}

/// The words looked for: as written (folded only as they are compared, so a long list of
/// words costs no copies), or folded already when the text asked for that.
enum Needles<'a> {
    Written(Vec<&'a str>),
    Folded(Vec<String>),
}

impl Needles<'_> {
    fn len(&self) -> usize {
        match self {
            Needles::Written(ws) => ws.len(),
            Needles::Folded(ws) => ws.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether needle `i` is the folded word `w`.
    fn is(&self, c: Collation, i: usize, w: &str) -> bool {
        match self {
            Needles::Written(ws) => ws.get(i).is_some_and(|n| fold(c, n).eq(w.chars())),
            Needles::Folded(ws) => ws.get(i).is_some_and(|n| n == w),
        }
    }

    fn contains(&self, c: Collation, w: &str) -> bool {
        (0..self.len()).any(|i| self.is(c, i, w))
    }
}

struct Tokens<'a> {
    collation: Collation,
    original: Vec<&'a str>,
    folded: Vec<String>,
    needles: Needles<'a>,
}

fn tokens<'a>(ev: &Evaluator<'_>, hay: &'a str, needle: &'a str) -> Tokens<'a> {
    let c = ev.env.collation;
    let hay = hay.trim();
    let original = words::tokenize(hay);
    let folded = folded_words(c, hay, &original);
    let needle = needle.trim();
    let needles = if words_lower_alone(needle) {
        Needles::Written(words::tokenize(needle))
    } else {
        Needles::Folded(folded_words(c, needle, &[]))
    };
    Tokens { collation: c, original, folded, needles }
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
    let mut matches = vec![""; t.needles.len()];
    for (i, w) in t.folded.iter().enumerate() {
        if t.needles.is(t.collation, idx, w) {
            matches[idx] = t.original.get(i).copied().unwrap_or_default();
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
    let same =
        t.folded.len() == t.needles.len() && t.folded.iter().enumerate().all(|(i, w)| t.needles.is(t.collation, i, w));
    if !same {
        return Ok(false_result());
    }
    Ok(true_result(XValue::text(t.original.join(" "))))
}

/// The words of the text that are among the needles, in the text's order.
fn matched<'t>(t: &'t Tokens<'_>) -> Vec<&'t str> {
    t.folded
        .iter()
        .zip(t.original.iter())
        .filter(|(w, _)| t.needles.contains(t.collation, w))
        .map(|(_, o)| *o)
        .collect()
}

pub fn has_any_word(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    let matched = matched(&t);
    Ok(if matched.is_empty() { false_result() } else { true_result(XValue::text(matched.join(" "))) })
}

pub fn has_all_words(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    let (hay, needle) = two_texts(a)?;
    let t = tokens(ev, &hay, &needle);
    let matched = matched(&t);
    let all = (0..t.needles.len()).all(|i| t.folded.iter().any(|w| t.needles.is(t.collation, i, w)));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowering a text and then splitting it gives the words of the text, each lowered: so
    /// a word can be lowered alone, as [`words_lower_alone`] says.
    #[test]
    fn lowering_keeps_words_apart() {
        for ch in (0..words::CLASSED).filter_map(char::from_u32).filter(|ch| words_lower_alone(&ch.to_string())) {
            if ch.to_lowercase().eq(std::iter::once(ch)) {
                continue;
            }
            let text = format!("a{ch}b {ch} {ch}{ch}.{ch}");
            let whole = words::tokenize(&text.to_lowercase()).into_iter().map(String::from).collect::<Vec<_>>();
            let each: Vec<String> =
                words::tokenize(&text).iter().map(|w| fold(Collation::Default, w).collect()).collect();
            assert_eq!(whole, each, "{ch:?}");
        }
    }

    fn call(f: fn(&mut Evaluator<'_>, &[XValue]) -> R, hay: &str, needle: &str) -> String {
        let env = crate::Env::new(chrono::DateTime::UNIX_EPOCH);
        let ctx = XValue::Null;
        let mut ev = Evaluator::new(&env, &ctx, crate::Limits::default());
        match f(&mut ev, &[XValue::text(hay), XValue::text(needle)]) {
            Ok(XValue::Object(o)) if o.default_value().is_some_and(|d| d.truthy() == Ok(true)) => {
                o.get("match").map(convert::render).unwrap_or_default()
            }
            _ => "-".into(),
        }
    }

    #[test]
    fn words_compare_folded() {
        type Test = fn(&mut Evaluator<'_>, &[XValue]) -> R;
        let cases: &[(Test, &str, &str, &str)] = &[
            (has_any_word, "Хочу РУССКИЙ язык", "русский рус ru", "РУССКИЙ"),
            (has_any_word, "no", "русский рус ru", "-"),
            (has_all_words, "Ru and EN", "en ru", "Ru EN"),
            (has_all_words, "Ru only", "en ru", "-"),
            (has_phrase, "I want an OPERATOR now", "an operator", "an OPERATOR"),
            (has_only_phrase, " Live  Operator ", "live operator", "Live Operator"),
            (has_only_phrase, "live operator please", "live operator", "-"),
            // A capital sigma lowers by its place in the text: final (ς), or not (σ).
            (has_any_word, "ΟΔΟΣ", "οδο\u{3C3}", "-"),
            (has_any_word, "ΟΔΟΣ", "οδο\u{3C2}", "ΟΔΟΣ"),
            (has_any_word, "ΣΑΣ.Α", "σα\u{3C3}", "ΣΑΣ"),
            (has_any_word, "σα\u{3C3}", "ΣΑΣ.Α", "σασ"),
            // Beyond the word table, words are lowered with the whole text.
            (has_any_word, "😀 ДА", "да", "ДА"),
        ];
        for (f, hay, needle, expected) in cases {
            assert_eq!(call(*f, hay, needle), *expected, "{hay:?} {needle:?}");
        }
    }
}
