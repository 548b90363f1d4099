//! Text functions: case, words, slicing, searching and replacing, encoding. Every function
//! that makes text checks the length bound before returning it.

use regex::RegexBuilder;

use super::{arity, err, integer, out_text, text, Builtin};
use crate::eval::Evaluator;
use crate::value::XValue;
use crate::{regexes, words};

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("char", char_),
    ("code", code),
    ("split", split),
    ("title", title),
    ("word", word),
    ("remove_first_word", remove_first_word),
    ("word_count", word_count),
    ("word_slice", word_slice),
    ("field", field),
    ("clean", clean),
    ("text_slice", text_slice),
    ("lower", lower),
    ("upper", upper),
    ("regex_match", regex_match),
    ("text_length", text_length),
    ("text_compare", text_compare),
    ("repeat", repeat),
    ("replace", replace),
    ("url_encode", url_encode),
    ("html_decode", html_decode),
    ("trim", trim),
    ("trim_left", trim_left),
    ("trim_right", trim_right),
    ("read_chars", read_chars),
];

type R = Result<XValue, XValue>;

fn char_(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let code = integer(&a[0])?;
    // Go's `string(rune(code))`: a code that is no character gives the replacement character.
    let c = u32::try_from(code).ok().and_then(char::from_u32).unwrap_or(char::REPLACEMENT_CHARACTER);
    Ok(XValue::text(c.to_string()))
}

fn code(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let c = t.chars().next().ok_or_else(|| err("requires a string of at least one character"))?;
    Ok(XValue::int(i64::from(u32::from(c))))
}

fn split(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let t = text(&a[0])?;
    let parts = split_words(&t, a.get(1))?;
    super::out_items(ev, parts.into_iter().map(XValue::Text).collect())
}

fn title(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    out_text(ev, super::case::title(&text(&a[0])?))
}

/// The words of `text`, split on `delimiters` when given; no delimiters (null or empty text)
/// means words as the format reads them, as the reference's `extractWords` does.
fn split_words(t: &str, delims: Option<&XValue>) -> Result<Vec<String>, XValue> {
    let delims = match delims {
        Some(d) if !d.is_null() => text(d)?,
        _ => String::new(),
    };
    Ok(if delims.is_empty() {
        words::tokenize(t).into_iter().map(String::from).collect()
    } else {
        words::tokenize_by_chars(t, &delims).into_iter().map(String::from).collect()
    })
}

fn word(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let t = text(&a[0])?;
    let index = integer(&a[1])?;
    let ws = split_words(&t, a.get(2))?;
    let len = i64::try_from(ws.len()).unwrap_or(i64::MAX);
    let offset = if index < 0 { index + len } else { index };
    if offset < 0 || offset >= len {
        return Err(err(format!("index {index} is out of range for the number of words {len}")));
    }
    Ok(XValue::text(ws[usize::try_from(offset).unwrap_or(0)].clone()))
}

fn remove_first_word(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let ws = words::tokenize(&t);
    // What follows the first word, from where the second word starts: quotes and
    // punctuation between the two go with the first (`‘start’ this` → `this`).
    let (Some(first), Some(second)) = (ws.first(), ws.get(1)) else { return Ok(XValue::text("")) };
    let after_first = t.find(*first).map_or(0, |i| i + first.len());
    let start = t[after_first..].find(*second).map_or(after_first, |i| after_first + i);
    Ok(XValue::text(&t[start..]))
}

fn word_count(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let t = text(&a[0])?;
    let ws = split_words(&t, a.get(1))?;
    Ok(XValue::int(i64::try_from(ws.len()).unwrap_or(i64::MAX)))
}

fn word_slice(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(4))?;
    let t = text(&a[0])?;
    let start = integer(&a[1])?;
    if start < 0 {
        return Err(err("must start with a positive index"));
    }
    let mut end = match a.get(2) {
        Some(v) => integer(v)?,
        None => -1,
    };
    if end > 0 && end <= start {
        return Err(err("must have a end which is greater than the start"));
    }
    let ws = split_words(&t, a.get(3))?;
    let len = i64::try_from(ws.len()).unwrap_or(i64::MAX);
    if start >= len {
        return Ok(XValue::text(""));
    }
    if end >= len {
        end = len;
    }
    let s = usize::try_from(start).unwrap_or(0);
    let picked = if end > 0 { &ws[s..usize::try_from(end).unwrap_or(ws.len())] } else { &ws[s..] };
    Ok(XValue::text(picked.join(" ")))
}

fn field(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let t = text(&a[0])?;
    let idx = integer(&a[1])?;
    if idx < 0 {
        return Err(err("cannot use a negative index"));
    }
    let sep = text(&a[2])?;
    // An empty delimiter splits into characters, as Go's strings.Split does.
    let mut fields: Vec<&str> =
        if sep.is_empty() { t.split_inclusive(|_| true).collect() } else { t.split(sep.as_str()).collect() };
    // A space delimiter means any run of spaces.
    if sep == " " {
        fields.retain(|f| !f.is_empty());
    }
    let i = usize::try_from(idx).unwrap_or(usize::MAX);
    Ok(XValue::text(fields.get(i).map(|f| f.trim()).unwrap_or("")))
}

fn clean(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    Ok(XValue::text(match regexes::non_printable() {
        Some(re) => re.replace_all(&t, "").into_owned(),
        None => t,
    }))
}

fn text_slice(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let t = text(&a[0])?;
    let len = i64::try_from(t.chars().count()).unwrap_or(i64::MAX);
    let mut start = integer(&a[1])?;
    if start < 0 {
        start += len;
    }
    let mut end = match a.get(2) {
        Some(v) => integer(v)?,
        None => len,
    };
    if end < 0 {
        end += len;
    }
    let out: String = t
        .chars()
        .enumerate()
        .filter(|(i, _)| {
            let i = i64::try_from(*i).unwrap_or(i64::MAX);
            i >= start && i < end
        })
        .map(|(_, c)| c)
        .collect();
    Ok(XValue::text(out))
}

fn lower(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::text(super::case::lower(&text(&a[0])?)))
}

fn upper(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::text(super::case::upper(&text(&a[0])?)))
}

/// Compiles a pattern from a flow, case-insensitive and multi-line, with a size bound so a
/// hostile pattern cannot take memory; the regex engine itself runs in linear time.
pub(crate) fn compile_user_regex(pattern: &str) -> Option<regex::Regex> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .multi_line(true)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
        .ok()
}

fn regex_match(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(3))?;
    let t = text(&a[0])?;
    let pattern = text(&a[1])?;
    let group = match a.get(2) {
        Some(v) => integer(v)?,
        None => 0,
    };
    let re = compile_user_regex(&pattern).ok_or_else(|| err("invalid regular expression"))?;
    let caps = re.captures(&t);
    let n = caps.as_ref().map_or(0, |c| c.len());
    if group < 0 || usize::try_from(group).unwrap_or(usize::MAX) >= n {
        return Err(err("invalid regular expression group"));
    }
    let g = caps.and_then(|c| c.get(usize::try_from(group).unwrap_or(0)).map(|m| m.as_str().to_string()));
    Ok(XValue::text(g.unwrap_or_default()))
}

fn text_length(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    Ok(XValue::int(i64::try_from(text(&a[0])?.chars().count()).unwrap_or(i64::MAX)))
}

fn text_compare(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let (x, y) = (text(&a[0])?, text(&a[1])?);
    Ok(XValue::int(match x.cmp(&y) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

fn repeat(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 2, Some(2))?;
    let t = text(&a[0])?;
    let n = integer(&a[1])?;
    if n < 0 {
        return Err(err(format!("must be called with a positive integer, got {n}")));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if t.len().saturating_mul(n) > ev.limits.max_text_len {
        return Err(err("text is too long"));
    }
    out_text(ev, t.repeat(n))
}

fn replace(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(4))?;
    let t = text(&a[0])?;
    let needle = text(&a[1])?;
    let with = text(&a[2])?;
    let count = match a.get(3) {
        Some(v) => integer(v)?,
        None => -1,
    };
    // Bound the result before building it.
    let hits = if needle.is_empty() { t.chars().count() + 1 } else { t.matches(needle.as_str()).count() };
    if t.len().saturating_add(hits.saturating_mul(with.len())) > ev.limits.max_text_len {
        return Err(err("text is too long"));
    }
    let out = if count < 0 {
        t.replace(needle.as_str(), &with)
    } else {
        t.replacen(needle.as_str(), &with, usize::try_from(count).unwrap_or(0))
    };
    out_text(ev, out)
}

fn url_encode(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let mut out = String::with_capacity(t.len());
    for b in t.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(XValue::text(out))
}

fn html_decode(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let mut out = String::with_capacity(t.len());
    let mut rest = t.as_str();
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let end = rest.find(';').filter(|&e| e <= 12);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                    u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
                }
                _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Ok(XValue::text(out))
}

fn trim_with(a: &[XValue], which: fn(&str, &[char]) -> String, ws: fn(&str) -> &str) -> R {
    arity(a, 1, Some(2))?;
    let t = text(&a[0])?;
    match a.get(1) {
        Some(c) => {
            let chars: Vec<char> = text(c)?.chars().collect();
            Ok(XValue::text(which(&t, &chars)))
        }
        None => Ok(XValue::text(ws(&t))),
    }
}

fn trim(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    trim_with(a, |t, c| t.trim_matches(c).to_string(), str::trim)
}

fn trim_left(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    trim_with(a, |t, c| t.trim_start_matches(c).to_string(), str::trim_start)
}

fn trim_right(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    trim_with(a, |t, c| t.trim_end_matches(c).to_string(), str::trim_end)
}

fn read_chars(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    let chars: Vec<char> = t.trim_start_matches('+').chars().collect();
    let group = if chars.len().is_multiple_of(3) {
        3
    } else if chars.len().is_multiple_of(4) {
        4
    } else {
        1
    };
    let groups: Vec<String> =
        chars.chunks(group).map(|g| g.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" ")).collect();
    Ok(XValue::text(groups.join(" , ")))
}
