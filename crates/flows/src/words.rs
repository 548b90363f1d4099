//! Splitting text into words as the format does: runs of letters, marks, digits, `_` and `'`,
//! with every symbol (an emoji) a word of its own; or splitting on given characters.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::regexes;

/// The words of a text, in order.
pub fn tokenize(s: &str) -> Vec<&str> {
    if let Some(words) = tokenize_common(s) {
        return words;
    }
    match regexes::word_token() {
        Some(re) => re.find_iter(s).map(|m| m.as_str()).collect(),
        None => s.split_whitespace().collect(),
    }
}

/// What a character is to [`tokenize`]: part of a word, a symbol (a word of its own), or
/// neither. The classes are those of the word pattern (`[\pM\pL\pN_']+|\pS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    Symbol,
    Gap,
}

/// Characters below this have their class kept once known: the scripts and punctuation of
/// most messages (Latin, Greek, Cyrillic, Arabic, … general punctuation, letterlike symbols).
pub const CLASSED: u32 = 0x3000;

/// The class of each character below [`CLASSED`] once it has been seen: 0 while unknown, then
/// [`Class`] as 1 + its index. Filled as characters come, so no text pays for all of them.
static KNOWN: [AtomicU8; CLASSED as usize] = [const { AtomicU8::new(0) }; CLASSED as usize];

const CLASSES: [Class; 3] = [Class::Word, Class::Symbol, Class::Gap];

/// The class of `c`, below [`CLASSED`]; asked of the word pattern itself the first time, so
/// the two cannot disagree.
fn class_of(c: char) -> Option<Class> {
    let slot = KNOWN.get(usize::try_from(u32::from(c)).ok()?)?;
    if let Some(class) = usize::from(slot.load(Ordering::Relaxed)).checked_sub(1).and_then(|i| CLASSES.get(i)) {
        return Some(*class);
    }
    // Followed by a letter, a word character makes one word with it, a symbol is a word of
    // its own, and anything else starts no word at all.
    let probe = format!("{c}a");
    let class = match regexes::word_token()?.find(&probe).map(|m| m.range()) {
        Some(r) if r == (0..probe.len()) => Class::Word,
        Some(r) if r == (0..c.len_utf8()) => Class::Symbol,
        _ => Class::Gap,
    };
    let index = CLASSES.iter().position(|k| *k == class)?;
    slot.store(u8::try_from(index + 1).ok()?, Ordering::Relaxed);
    Some(class)
}

/// [`tokenize`] by the classes of characters, for the usual text whose every character is
/// below [`CLASSED`] (it saves two pattern searches per word); `None` for other text.
fn tokenize_common(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let class = class_of(c)?;
        if class != Class::Word {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            if class == Class::Symbol {
                out.push(&s[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    Some(out)
}

/// The non-empty pieces of a text between any of the given characters.
pub fn tokenize_by_chars<'a>(s: &'a str, chars: &str) -> Vec<&'a str> {
    s.split(|c: char| chars.contains(c)).filter(|p| !p.is_empty()).collect()
}

/// Capitalises the first letter of each word, lowering the rest (`RYAN LEWIS` → `Ryan Lewis`);
/// like Go's `strings.Title`, ASCII punctuation separates words and other letters do not.
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.to_lowercase().chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = if c.is_ascii() { !(c.is_ascii_alphanumeric() || c == '_') } else { c.is_whitespace() };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_apostrophes_and_split_symbols() {
        assert_eq!(tokenize("I don't like it"), vec!["I", "don't", "like", "it"]);
        assert_eq!(tokenize("this.is.my.word"), vec!["this", "is", "my", "word"]);
        assert_eq!(tokenize("😀😃 ok"), vec!["😀", "😃", "ok"]);
    }

    #[test]
    fn characters_have_the_pattern_classes() {
        let class = |c: char| class_of(c).unwrap();
        for _ in 0..2 {
            assert_eq!([class('a'), class('Я'), class('\u{301}'), class('_'), class('\'')], [Class::Word; 5]);
            assert_eq!([class('+'), class('$'), class('©'), class('№')], [Class::Symbol; 4]);
            assert_eq!([class(' '), class('\n'), class('.'), class('«'), class('\u{0}')], [Class::Gap; 5]);
        }
        assert_eq!(class_of('😀'), None);
    }

    #[test]
    fn common_texts_split_as_the_pattern_does() {
        let re = crate::regexes::word_token().unwrap();
        for s in [
            "",
            "  ",
            "Русский",
            " хочу поговорить с оператором, срочно!! ",
            "a+b=c $5 ~x^2 `q` |p| <a> don't _x_ 12.5",
            "Українська мова, ґанок і їжак",
            "tab\tand\u{a0}nbsp\u{2003}em",
            "١٢٣ عربي ۴۵",
            "«да» — “yes” ½ ² Ⅻ ⅰⅱ № ₴ © ✓",
            "\u{300}a\u{301} \u{2028}x",
        ] {
            let expected: Vec<&str> = re.find_iter(s).map(|m| m.as_str()).collect();
            assert_eq!(tokenize_common(s), Some(expected), "{s:?}");
        }
        for s in ["😀 ok", "日本語", "\u{10FFFF}"] {
            assert_eq!(tokenize_common(s), None, "{s:?}");
            assert_eq!(tokenize(s), re.find_iter(s).map(|m| m.as_str()).collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn split_on_characters() {
        assert_eq!(tokenize_by_chars("a|b,c  d", " .|,"), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn title_case() {
        assert_eq!(title("RYAN LEWIS"), "Ryan Lewis");
        assert_eq!(title("o'grady"), "O'Grady");
    }
}

/// A result name as a key, as the format's `Snakify` makes it: runs of anything but letters,
/// ASCII digits and `_` become one `_`, lower case, no `_` at either end (`2Factor` → `2factor`).
pub fn snakify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if c.is_alphabetic() || c.is_ascii_digit() || c == '_' {
            out.extend(c.to_lowercase());
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod snakify_tests {
    use super::snakify;

    #[test]
    fn result_names_become_keys() {
        assert_eq!(snakify("Favorite Color"), "favorite_color");
        assert_eq!(snakify("2Factor"), "2factor");
        assert_eq!(snakify(" Response 1! "), "response_1");
        assert_eq!(snakify("Ваш возраст"), "ваш_возраст");
    }
}
