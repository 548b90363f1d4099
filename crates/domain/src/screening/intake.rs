//! The normal form of a registration's bot answers, so that two applicants who gave the same
//! answers produce the same keyed hash: results sorted by name (a `BTreeMap` already is),
//! values trimmed, lowercased, inner whitespace collapsed, `ё` read as `е`. Results that differ
//! for every registration by design (the codename request, the duress phrase) are left out.

use std::collections::BTreeMap;

/// Results never part of the comparison.
const IGNORED: &[&str] = &["codename", "duress_phrase"];
/// A bound on the work: answers beyond this many bytes are not looked at.
pub const MAX_INTAKE_BYTES: usize = 16 * 1024;

/// The answers in normal form, one `name=value` per line; None when there is nothing to
/// compare (no answers), so an empty registration never joins a burst.
pub fn normal_answers(results: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    for (name, value) in results {
        let name = normal(name);
        if IGNORED.contains(&name.as_str()) {
            continue;
        }
        let line = format!("{name}={}\n", normal(value));
        if out.len() + line.len() > MAX_INTAKE_BYTES {
            break;
        }
        out.push_str(&line);
    }
    (!out.is_empty()).then_some(out)
}

fn normal(text: &str) -> String {
    let lower: String = text.chars().flat_map(char::to_lowercase).map(|c| if c == 'ё' { 'е' } else { c }).collect();
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn case_spacing_and_yo_do_not_matter() {
        let a = normal_answers(&answers(&[("unit", "  Ёлка   42 "), ("rank", "Private")]));
        let b = normal_answers(&answers(&[("rank", "private"), ("unit", "елка 42")]));
        assert_eq!(a, b);
        assert_eq!(a.as_deref(), Some("rank=private\nunit=елка 42\n"));
    }

    #[test]
    fn different_answers_differ_and_codename_and_duress_are_ignored() {
        let a = normal_answers(&answers(&[("unit", "a"), ("codename", "requested"), ("duress_phrase", "x y")]));
        let b = normal_answers(&answers(&[("unit", "a")]));
        let c = normal_answers(&answers(&[("unit", "b")]));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn nothing_to_compare_is_none_and_the_size_is_bounded() {
        assert_eq!(normal_answers(&BTreeMap::new()), None);
        assert_eq!(normal_answers(&answers(&[("codename", "requested")])), None);
        let big = "x".repeat(MAX_INTAKE_BYTES);
        let out = normal_answers(&answers(&[("a", "1"), ("b", &big)])).unwrap();
        assert!(out.len() <= MAX_INTAKE_BYTES);
    }
}
