//! Errors of parsing expressions; evaluation errors are values (`XValue::Error`) instead, so
//! that templates can test for them.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParseError {
    #[error("expression is too long")]
    TooLong,
    #[error("expression is nested too deeply")]
    TooDeep,
    #[error("unterminated string literal")]
    UnterminatedString,
    #[error("unexpected character '{0}'")]
    UnexpectedChar(char),
    #[error("syntax error at {0}")]
    Syntax(String),
    #[error("unexpected end of expression")]
    UnexpectedEnd,
}
