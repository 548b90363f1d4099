//! Splits an expression into tokens. Bounded: input longer than the limit is refused before
//! any work, and every token consumes at least one character.

use crate::error::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Number(String),
    /// A string literal, already unquoted.
    Text(String),
    Name(String),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Dot,
    Arrow,
    Plus,
    Minus,
    Times,
    Divide,
    Exponent,
    Eq,
    Neq,
    Lt,
    Lte,
    Gt,
    Gte,
    Amp,
}

/// Longest expression accepted, in bytes.
pub const MAX_EXPRESSION_LEN: usize = 8 * 1024;

pub fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    if src.len() > MAX_EXPRESSION_LEN {
        return Err(ParseError::TooLong);
    }
    // Byte offsets: numbers and operators are ASCII and names are stepped over by character,
    // so every token ends between characters.
    let bytes = src.as_bytes();
    let run = |mut j: usize, part: fn(&u8) -> bool| {
        while bytes.get(j).is_some_and(part) {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = src.get(i..).and_then(|rest| rest.chars().next()) {
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        // After a dot, a property name may start with a digit (`results.2factor`).
        let after_dot = matches!(out.last(), Some(Token::Dot));
        if c == '_' || c.is_alphabetic() || (after_dot && c.is_ascii_digit()) {
            // Names are letters of any script, digits and `_` (`@(汉字)`, `@contact.имя`).
            let mut end = i;
            while let Some(n) = src[end..].chars().next().filter(|n| *n == '_' || n.is_alphanumeric()) {
                end += n.len_utf8();
            }
            // `.0.2` reads as the key `0.2`, a decimal as the reference lexes it: no array
            // has such an item.
            if after_dot
                && src[i..end].bytes().all(|b| b.is_ascii_digit())
                && bytes.get(end) == Some(&b'.')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end = run(end + 1, u8::is_ascii_digit);
            }
            out.push(Token::Name(src[i..end].to_string()));
            i = end;
            continue;
        }
        if c.is_ascii_digit() {
            let mut end = run(i, u8::is_ascii_digit);
            if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
                end = run(end + 1, u8::is_ascii_digit);
            }
            out.push(Token::Number(src[i..end].to_string()));
            i = end;
            continue;
        }
        if c == '"' {
            let start = i;
            i += 1;
            let mut closed = false;
            while let Some(b) = bytes.get(i) {
                match b {
                    // The escaped character is stepped over (a byte of it: the rest of a
                    // longer one can be neither a quote nor a backslash).
                    b'\\' => i += 2,
                    b'"' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    _ => i += 1,
                }
            }
            if !closed || i > bytes.len() {
                return Err(ParseError::UnterminatedString);
            }
            out.push(Token::Text(unquote(&src[start + 1..i - 1])));
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match (c, next) {
            ('=', Some(b'>')) => (Token::Arrow, 2),
            ('!', Some(b'=')) => (Token::Neq, 2),
            ('<', Some(b'=')) => (Token::Lte, 2),
            ('>', Some(b'=')) => (Token::Gte, 2),
            ('<', Some(b'>')) => (Token::Neq, 2),
            ('(', _) => (Token::LParen, 1),
            (')', _) => (Token::RParen, 1),
            ('[', _) => (Token::LBrack, 1),
            (']', _) => (Token::RBrack, 1),
            (',', _) => (Token::Comma, 1),
            ('.', _) => (Token::Dot, 1),
            ('+', _) => (Token::Plus, 1),
            ('-', _) => (Token::Minus, 1),
            ('*', _) => (Token::Times, 1),
            ('/', _) => (Token::Divide, 1),
            ('^', _) => (Token::Exponent, 1),
            ('=', _) => (Token::Eq, 1),
            ('<', _) => (Token::Lt, 1),
            ('>', _) => (Token::Gt, 1),
            ('&', _) => (Token::Amp, 1),
            _ => return Err(ParseError::UnexpectedChar(c)),
        };
        out.push(tok);
        i += len;
    }
    Ok(out)
}

/// Unquotes a string literal body with Go's escapes; if any escape is not valid the body is
/// taken as written, which is how `"\d+"` reaches `regex_match` intact.
pub fn unquote(raw: &str) -> String {
    if raw.contains('\n') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut it = raw.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else { return raw.to_string() };
        let simple = match e {
            'a' => Some('\u{07}'),
            'b' => Some('\u{08}'),
            'f' => Some('\u{0c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{0b}'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let digits = match e {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return raw.to_string(),
        };
        let hex: String = (0..digits).filter_map(|_| it.next()).collect();
        if hex.len() != digits {
            return raw.to_string();
        }
        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
            Some(ch) => out.push(ch),
            None => return raw.to_string(),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_a_call() {
        let t = tokenize(r#"upper(contact.name) & "!""#).unwrap();
        assert_eq!(t[0], Token::Name("upper".into()));
        assert_eq!(t[2], Token::Name("contact".into()));
        assert_eq!(t.last(), Some(&Token::Text("!".into())));
    }

    #[test]
    fn invalid_escapes_keep_the_literal() {
        assert_eq!(unquote(r"\d+"), r"\d+");
        assert_eq!(unquote(r#"say \"hi\"\n"#), "say \"hi\"\n");
    }

    #[test]
    fn numbers_and_property_digits() {
        let t = tokenize("results.2factor + 1.5").unwrap();
        assert_eq!(t[2], Token::Name("2factor".into()));
        assert_eq!(t[4], Token::Number("1.5".into()));
    }

    #[test]
    fn refuses_oversized_input() {
        assert!(tokenize(&"1+".repeat(MAX_EXPRESSION_LEN)).is_err());
        assert!(tokenize("\"open").is_err());
    }
}
