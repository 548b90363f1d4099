//! Contact queries, as RapidPro's smart groups use them (`name ~ "bob" AND age > 18`): a bounded
//! parser, validation against the assets, and evaluation against one contact.
//!
//! A query is parsed without assets ([`parse`]), checked against the fields, groups and flows
//! it names ([`validate`]), then evaluated against anything that can answer for its properties
//! ([`evaluate`] with a [`Queryable`]). Hostile input gives a [`QueryError`], never a panic.

mod eval;
mod parse;

use std::fmt;

use rust_decimal::Decimal;

pub use eval::{evaluate, validate, QValue, Queryable, Resolver};
pub use parse::{parse, parse_in};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 10_000;
/// Most conditions one query may hold (the reference's bound: generated queries that OR a
/// list of values together are legitimate and large, so there is room for those).
pub const MAX_CONDITIONS: usize = 250;
/// Deepest nesting of parentheses accepted.
pub const MAX_NESTING: usize = 50;

/// How a condition compares the contact's value with the query's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Contains,
    Gt,
    Lt,
    Ge,
    Le,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Contains => "~",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }

    /// Reads a comparator as written (`has` and `is` are aliases of `~` and `=`).
    pub(crate) fn from_text(s: &str) -> Option<Op> {
        Some(match s.to_lowercase().as_str() {
            "=" | "is" => Op::Eq,
            "!=" => Op::Ne,
            "~" | "has" => Op::Contains,
            ">" => Op::Gt,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            "<=" => Op::Le,
            _ => return None,
        })
    }
}

/// What the left side of a condition names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// A fixed attribute of every contact: `name`, `language`, `status`, `created_on`, …
    Attribute,
    /// A URN scheme: the paths of the contact's URNs of that scheme.
    Urn,
    /// A contact field, by key.
    Field,
}

/// The type of a value a condition compares: decides which operators apply and how values
/// are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Text,
    Number,
    Datetime,
}

impl ValueType {
    /// The comparison type of a contact field's type (locations compare as text).
    pub fn of_field_type(t: &str) -> ValueType {
        match t {
            "number" => ValueType::Number,
            "datetime" => ValueType::Datetime,
            _ => ValueType::Text,
        }
    }
}

/// The fixed attributes a query may name, and the type of each.
pub fn attribute_type(key: &str) -> Option<ValueType> {
    Some(match key {
        "uuid" | "id" | "ref" | "name" | "status" | "language" | "email" | "urn" | "group" | "flow" | "history" => {
            ValueType::Text
        }
        "tickets" => ValueType::Number,
        "created_on" | "last_seen_on" => ValueType::Datetime,
        _ => return None,
    })
}

/// One comparison: a property of the contact against a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub prop_type: PropType,
    /// The attribute name, URN scheme or field key, lowercase.
    pub key: String,
    pub op: Op,
    pub value: String,
}

/// A parsed query: conditions combined with AND and OR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    Condition(Condition),
    And(Vec<Query>),
    Or(Vec<Query>),
}

impl Query {
    /// Every condition of the query, in order.
    pub fn conditions(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(q) = stack.pop() {
            match q {
                Query::Condition(c) => out.push(c),
                Query::And(children) | Query::Or(children) => stack.extend(children.iter().rev()),
            }
        }
        out
    }
}

fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value.split_once('.').map_or(value.chars().all(|c| c.is_ascii_digit()), |(a, b)| {
            !a.is_empty() && !b.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
        });
    if plain {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.prop_type {
            PropType::Attribute => "",
            PropType::Urn => "urns.",
            PropType::Field => "fields.",
        };
        write!(f, "{prefix}{} {} {}", self.key, self.op.as_str(), quote(&self.value))
    }
}

impl fmt::Display for Query {
    /// The canonical form of the query, as the reference writes it back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn write(q: &Query, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
            match q {
                Query::Condition(c) => write!(f, "{c}"),
                Query::And(children) | Query::Or(children) => {
                    let sep = if matches!(q, Query::And(_)) { " AND " } else { " OR " };
                    if !top {
                        f.write_str("(")?;
                    }
                    for (i, child) in children.iter().enumerate() {
                        if i > 0 {
                            f.write_str(sep)?;
                        }
                        write(child, f, false)?;
                    }
                    if !top {
                        f.write_str(")")?;
                    }
                    Ok(())
                }
            }
        }
        write(self, f, true)
    }
}

/// Why a query was refused: a kind for programs and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    TooLong,
    TooComplex,
    UnknownPropertyType,
    UnknownProperty,
    InvalidPartialName,
    InvalidPartialUrn,
    UnsupportedContains,
    UnsupportedComparison,
    UnsupportedSetCheck,
    InvalidNumber,
    InvalidDate,
    InvalidGroup,
    InvalidFlow,
    InvalidStatus,
    InvalidLanguage,
}

impl QueryError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> QueryError {
        QueryError { kind, message: message.into() }
    }
}

/// A number as a query value: plain decimal notation (no exponent), bounded in length.
pub fn number_of(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() || t.len() > 40 || t.contains(['e', 'E']) {
        return None;
    }
    t.parse::<Decimal>().ok()
}

#[cfg(test)]
mod tests;
