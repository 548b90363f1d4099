//! Splitting text into words as the format does: runs of letters, marks, digits, `_` and `'`,
//! with every symbol (an emoji) a word of its own; or splitting on given characters.

use crate::regexes;

/// The words of a text, in order.
pub fn tokenize(s: &str) -> Vec<&str> {
    match regexes::word_token() {
        Some(re) => re.find_iter(s).map(|m| m.as_str()).collect(),
        None => s.split_whitespace().collect(),
    }
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
