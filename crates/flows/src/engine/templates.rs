//! Templates parsed once per text. A flow's templates are a fixed set, so the assets keep each
//! one split into text and parsed expressions, and a step only evaluates them. The set is
//! bounded all the same: past [`MAX_TEMPLATES`] (which flows alone never reach) it starts over.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ast::Expr;
use crate::parser::parse_expression;
use crate::template::{scan, Segment};

use super::context::TOP_LEVEL;

/// The most templates kept at once.
pub const MAX_TEMPLATES: usize = 10_000;

/// One piece of a template: text as written, or an expression with how it was written (for
/// error messages) and its parse, or why it does not parse.
#[derive(Debug)]
pub(crate) enum Piece {
    Body(String),
    Expression { written: String, parsed: Result<Expr, String> },
}

/// A template split and parsed.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub pieces: Vec<Piece>,
}

impl Compiled {
    fn new(template: &str) -> Compiled {
        let allowed: Vec<String> = TOP_LEVEL.iter().map(|s| (*s).to_owned()).collect();
        let pieces = scan(template, Some(allowed.as_slice()))
            .into_iter()
            .map(|segment| match segment {
                Segment::Body(b) => Piece::Body(b),
                Segment::Identifier(s) => Piece::Expression { written: format!("@{s}"), parsed: parse(&s) },
                Segment::Expression(s) => Piece::Expression { written: format!("@({s})"), parsed: parse(&s) },
            })
            .collect();
        Compiled { pieces }
    }

    /// The expression, when the template is exactly one.
    pub fn single(&self) -> Option<(&str, &Result<Expr, String>)> {
        match self.pieces.as_slice() {
            [Piece::Expression { written, parsed }] => Some((written, parsed)),
            _ => None,
        }
    }
}

fn parse(expression: &str) -> Result<Expr, String> {
    parse_expression(expression).map_err(|e| format!("syntax error: {e}"))
}

/// The templates parsed so far, by their text; shared by every step over the same assets.
#[derive(Debug, Default)]
pub struct Templates {
    parsed: Mutex<HashMap<Box<str>, Arc<Compiled>>>,
}

impl Templates {
    /// `template` split and parsed: kept from an earlier step, or done now and kept.
    pub(crate) fn get(&self, template: &str) -> Arc<Compiled> {
        if let Some(found) = self.lock().get(template) {
            return Arc::clone(found);
        }
        // Parsed outside the lock; two steps parsing the same new template both keep a copy.
        let compiled = Arc::new(Compiled::new(template));
        let mut parsed = self.lock();
        if parsed.len() >= MAX_TEMPLATES {
            parsed.clear();
        }
        parsed.insert(template.into(), Arc::clone(&compiled));
        compiled
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<Compiled>>> {
        self.parsed.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many templates are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_template_is_parsed_once_and_shared() {
        let templates = Templates::default();
        let first = templates.get("Hello @contact.name, @(upper(\"x\"))!");
        let second = templates.get("Hello @contact.name, @(upper(\"x\"))!");
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(templates.len(), 1);
        assert_eq!(first.pieces.len(), 5);
        assert!(first.single().is_none());
    }

    #[test]
    fn a_syntax_error_is_kept_as_the_error_text() {
        let templates = Templates::default();
        let compiled = templates.get("@(1 +)");
        let (written, parsed) = compiled.single().unwrap();
        assert_eq!(written, "@(1 +)");
        assert!(parsed.as_ref().unwrap_err().starts_with("syntax error: "));
    }

    #[test]
    fn the_set_starts_over_past_its_bound() {
        let templates = Templates::default();
        for i in 0..MAX_TEMPLATES + 5 {
            templates.get(&format!("@(1 + {i})"));
        }
        assert_eq!(templates.len(), 5);
    }
}
