//! Case mapping as the reference engine does it (Go's `strings.ToUpper`, `ToLower`, `Title`):
//! one character always maps to one character, by Unicode's simple mappings, with no context.
//!
//! Rust's `to_uppercase` and `to_lowercase` apply the full mappings instead (`ß` → `SS`,
//! `İ` → `i̇`, a final `Σ` → `ς`), so a flow would print differently here than in RapidPro.
//! Where Rust's full mapping is one character it is the simple mapping; the few characters
//! whose full mapping is longer are settled below.

/// Go's `unicode.ToUpper`: the simple uppercase mapping, or the character itself.
pub fn upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        // Greek letters with a ypogegrammeni uppercase to their titlecase forms, one character.
        _ => greek_iota_title(c).unwrap_or(c),
    }
}

/// Go's `unicode.ToLower`: the simple lowercase mapping, or the character itself.
pub fn lower_char(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        // Only `İ` has a longer full lowercase; its simple one is a plain `i`.
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// Go's `unicode.ToTitle`: as uppercase, except the digraphs that have a titlecase letter of
/// their own and the Georgian letters, whose titlecase is themselves.
pub fn title_char(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        '\u{10D0}'..='\u{10FA}' | '\u{10FD}'..='\u{10FF}' => c,
        _ => upper_char(c),
    }
}

/// The titlecase letter a lowercase Greek letter with a ypogegrammeni maps to (`ᾳ` → `ᾼ`).
/// The titlecase letters themselves have no simple uppercase and stay as they are.
fn greek_iota_title(c: char) -> Option<char> {
    let code = u32::from(c);
    let mapped = match code {
        0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => code + 8,
        0x1FB3 => 0x1FBC,
        0x1FC3 => 0x1FCC,
        0x1FF3 => 0x1FFC,
        _ => return None,
    };
    char::from_u32(mapped)
}

/// `upper(text)`: every character by its simple uppercase mapping.
pub fn upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

/// `lower(text)`: every character by its simple lowercase mapping (so no final sigma).
pub fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

/// `title(text)`: Go's `strings.Title(strings.ToLower(text))`. A letter is titled when it
/// follows a separator: in ASCII anything but a letter, digit or underscore; beyond ASCII,
/// white space only.
pub fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_separates = true;
    for c in s.chars().map(lower_char) {
        out.push(if prev_separates { title_char(c) } else { c });
        prev_separates = if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphabetic() || c.is_numeric() {
            false
        } else {
            c.is_whitespace()
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_character_maps_to_one_character() {
        assert_eq!(upper("straße"), "STRAßE");
        assert_eq!(upper("ﬁne"), "ﬁNE");
        assert_eq!(lower("İstanbul"), "istanbul");
        assert_eq!(lower("ΟΔΟΣ"), "οδοσ");
        assert_eq!(upper("ᾳ"), "ᾼ");
        assert_eq!(upper("ᾼ"), "ᾼ");
        assert_eq!(upper("київ"), "КИЇВ");
    }

    #[test]
    fn title_follows_go() {
        assert_eq!(title("o'neil mcdonald-smith"), "O'Neil Mcdonald-Smith");
        assert_eq!(title("ǆemal"), "ǅemal");
        assert_eq!(title("élan vital"), "Élan Vital");
        assert_eq!(title("x·y"), "X·y");
        assert_eq!(title("ßa"), "ßa");
    }
}
