//! Reading a query's text into a [`Query`]: words, quoted strings, comparators, `AND`, `OR`,
//! parentheses; two conditions side by side are joined by AND, and AND binds tighter than OR.
//! Bounded in length, nesting and number of conditions.

use super::Condition;
use super::{attribute_type, ErrorKind, Op, PropType, Query, QueryError, MAX_CONDITIONS, MAX_NESTING, MAX_QUERY_CHARS};
use crate::{urns, words};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Cmp(Op),
    Text(String),
    Str(String),
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "end of query".into(),
        Some(Tok::LParen) => "'('".into(),
        Some(Tok::RParen) => "')'".into(),
        Some(Tok::And) => "AND".into(),
        Some(Tok::Or) => "OR".into(),
        Some(Tok::Cmp(op)) => format!("'{}'", op.as_str()),
        Some(Tok::Text(s)) => format!("'{s}'"),
        Some(Tok::Str(s)) => format!("\"{s}\""),
    }
}

fn syntax(msg: impl Into<String>) -> QueryError {
    QueryError::new(ErrorKind::Syntax, msg)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '/' | '\'' | '@' | ':')
}

fn lex(text: &str) -> Result<Vec<Tok>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                toks.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                toks.push(Tok::RParen);
                i += 1;
            }
            '"' => {
                let mut value = String::new();
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    match chars[i] {
                        '"' => {
                            closed = true;
                            i += 1;
                            break;
                        }
                        '\\' if i + 1 < chars.len() => {
                            match chars[i + 1] {
                                'n' => value.push('\n'),
                                't' => value.push('\t'),
                                other => value.push(other),
                            }
                            i += 2;
                        }
                        other => {
                            value.push(other);
                            i += 1;
                        }
                    }
                }
                if !closed {
                    return Err(syntax("unterminated string: a quote is never closed"));
                }
                toks.push(Tok::Str(value));
            }
            '!' | '>' | '<' if chars.get(i + 1) == Some(&'=') => {
                let op = match c {
                    '!' => Op::Ne,
                    '>' => Op::Ge,
                    _ => Op::Le,
                };
                toks.push(Tok::Cmp(op));
                i += 2;
            }
            '=' | '~' | '>' | '<' => {
                let op = match c {
                    '=' => Op::Eq,
                    '~' => Op::Contains,
                    '>' => Op::Gt,
                    _ => Op::Lt,
                };
                toks.push(Tok::Cmp(op));
                i += 1;
            }
            c if is_word_char(c) => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let tok = match word.to_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "has" | "is" => Tok::Cmp(Op::from_text(&word).unwrap_or(Op::Eq)),
                    _ => Tok::Text(word),
                };
                toks.push(tok);
            }
            other => return Err(syntax(format!("unexpected character '{other}'"))),
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or_expr(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut children = vec![self.and_expr(depth)?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            children.push(self.and_expr(depth)?);
        }
        Ok(combine(children, false))
    }

    fn and_expr(&mut self, depth: usize) -> Result<Query, QueryError> {
        let mut children = vec![self.primary(depth)?];
        loop {
            match self.peek() {
                Some(Tok::And) => {
                    self.pos += 1;
                    children.push(self.primary(depth)?);
                }
                // Two conditions side by side: an implicit AND.
                Some(Tok::LParen | Tok::Text(_) | Tok::Str(_)) => children.push(self.primary(depth)?),
                _ => break,
            }
        }
        Ok(combine(children, true))
    }

    fn primary(&mut self, depth: usize) -> Result<Query, QueryError> {
        match self.next() {
            Some(Tok::LParen) => {
                if depth >= MAX_NESTING {
                    return Err(QueryError::new(ErrorKind::TooComplex, "query is nested too deeply"));
                }
                let inner = self.or_expr(depth + 1)?;
                match self.next() {
                    Some(Tok::RParen) => Ok(inner),
                    other => Err(syntax(format!("expected ')' but found {}", describe(other.as_ref())))),
                }
            }
            Some(Tok::Text(word)) => {
                if let Some(Tok::Cmp(op)) = self.peek().cloned() {
                    self.pos += 1;
                    let value = match self.next() {
                        Some(Tok::Text(v) | Tok::Str(v)) => v,
                        other => {
                            return Err(syntax(format!(
                                "expected a value after '{}' but found {}",
                                op.as_str(),
                                describe(other.as_ref())
                            )))
                        }
                    };
                    return condition(&word, op, value).map(Query::Condition);
                }
                Ok(Query::Condition(implicit(&word)))
            }
            Some(Tok::Str(value)) => Ok(Query::Condition(implicit(&value))),
            other => Err(syntax(format!("unexpected {}", describe(other.as_ref())))),
        }
    }
}

/// Joins children under one operator, adopting the children of a child with the same operator.
fn combine(children: Vec<Query>, and: bool) -> Query {
    if children.len() == 1 {
        return children.into_iter().next().unwrap_or(Query::And(Vec::new()));
    }
    let mut out = Vec::with_capacity(children.len());
    for child in children {
        match child {
            Query::And(grand) if and => out.extend(grand),
            Query::Or(grand) if !and => out.extend(grand),
            other => out.push(other),
        }
    }
    if and {
        Query::And(out)
    } else {
        Query::Or(out)
    }
}

fn is_scheme(key: &str) -> bool {
    urns::validate(&format!("{key}:1")).is_ok()
}

/// `key op value`, with the key resolved to an attribute, a URN scheme or a field (a prefix
/// `fields.` or `urns.` says which).
fn condition(key: &str, op: Op, value: String) -> Result<Condition, QueryError> {
    let key = key.to_lowercase();
    let (prop_type, key) = match key.split_once('.') {
        Some(("fields", k)) => (PropType::Field, k.to_string()),
        Some(("urns", k)) => (PropType::Urn, k.to_string()),
        Some((other, _)) => {
            return Err(QueryError::new(ErrorKind::UnknownPropertyType, format!("unknown property type '{other}'")))
        }
        None if attribute_type(&key).is_some() => (PropType::Attribute, key),
        None if is_scheme(&key) => (PropType::Urn, key),
        None => (PropType::Field, key),
    };
    if key.is_empty() {
        return Err(syntax("a property name is empty"));
    }
    Ok(Condition { prop_type, key, op, value })
}

/// The tokens of a name value that a contains condition uses: words of two bytes or more.
pub(crate) fn name_tokens(value: &str) -> Vec<String> {
    words::tokenize(value).into_iter().filter(|t| t.len() >= 2).map(str::to_lowercase).collect()
}

fn looks_like_phone(value: &str) -> bool {
    let digits = value.strip_prefix('+').unwrap_or(value);
    digits.chars().count() >= 4 && digits.chars().all(|c| c == '-' || c.is_ascii_digit())
}

/// A bare value: a URN, a phone number (contained in a `tel` URN) or a name.
fn implicit(value: &str) -> Condition {
    if let Ok(urn) = urns::validate(value) {
        return Condition { prop_type: PropType::Urn, key: urn.scheme, op: Op::Eq, value: urn.path };
    }
    if looks_like_phone(value) {
        let cleaned: String = value.chars().filter(|c| *c == '+' || c.is_ascii_digit()).collect();
        return Condition { prop_type: PropType::Urn, key: "tel".into(), op: Op::Contains, value: cleaned };
    }
    let op = if name_tokens(value).is_empty() { Op::Eq } else { Op::Contains };
    Condition { prop_type: PropType::Attribute, key: "name".into(), op, value: value.to_string() }
}

/// The whole query as one phone number in E.164, when it is nothing else (digits with `+`,
/// spaces, dashes and brackets), national forms read in `country`.
fn whole_phone_number(text: &str, country: Option<&str>) -> Option<String> {
    let phone_like = text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
    if !phone_like {
        return None;
    }
    crate::cases::phone::parse_candidate(text, country.unwrap_or(""))
}

/// Parses a query as the reference does in an environment: a query that is only a phone
/// number becomes `tel = <E.164>` (a national form read in `default_country`); anything else
/// is parsed by [`parse`].
pub fn parse_in(text: &str, default_country: Option<&str>) -> Result<Query, QueryError> {
    let trimmed = text.trim();
    if trimmed.chars().count() <= MAX_QUERY_CHARS {
        if let Some(number) = whole_phone_number(trimmed, default_country) {
            return Ok(Query::Condition(Condition {
                prop_type: PropType::Urn,
                key: "tel".into(),
                op: Op::Eq,
                value: number,
            }));
        }
    }
    parse(text)
}

/// Parses a query's text (without checking the fields and groups it names: see
/// [`super::validate`]).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::new(ErrorKind::TooLong, format!("query is longer than {MAX_QUERY_CHARS} characters")));
    }
    let toks = lex(text.trim())?;
    if toks.is_empty() {
        return Err(syntax("the query is empty"));
    }
    let mut p = Parser { toks, pos: 0 };
    let q = p.or_expr(0)?;
    if let Some(extra) = p.peek() {
        return Err(syntax(format!("unexpected {}", describe(Some(extra)))));
    }
    if q.conditions().len() > MAX_CONDITIONS {
        return Err(QueryError::new(ErrorKind::TooComplex, "query is too complex"));
    }
    Ok(q)
}
