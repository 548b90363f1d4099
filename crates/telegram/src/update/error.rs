//! Why a webhook body was refused.
//!
//! serde_json's messages quote the offending value (`invalid type: string "…"`), which may
//! be a message text or an id, so they are never kept: only the category, the position and,
//! for a missing field, the field's name (one of ours).

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UpdateError {
    #[error("update body too large: {len} bytes, at most {max}")]
    TooLarge { len: usize, max: usize },
    #[error("update body is not valid JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    #[error("update lacks the field `{0}`")]
    MissingField(String),
    #[error("update has a value of the wrong type (line {line}, column {column})")]
    WrongType { line: usize, column: usize },
    #[error("update text too long: {chars} characters, at most {max}")]
    TextTooLong { chars: usize, max: usize },
    #[error("update field `{0}` is out of range")]
    OutOfRange(&'static str),
}

impl UpdateError {
    pub(super) fn from_json(error: serde_json::Error) -> Self {
        let (line, column) = (error.line(), error.column());
        match error.classify() {
            serde_json::error::Category::Data => match missing_field_name(&error.to_string()) {
                Some(field) => Self::MissingField(field),
                None => Self::WrongType { line, column },
            },
            serde_json::error::Category::Io
            | serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof => Self::NotJson { line, column },
        }
    }
}

/// The field name in serde's "missing field `name`" message, if it is one. Only a short
/// name of `[a-z_]` is accepted, so nothing from the body can pass through here.
fn missing_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    let name = &rest[..rest.find('`')?];
    let plausible = !name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    plausible.then(|| name.to_owned())
}
