//! The reason a staff member gives when flagging a case as a possible provocation: required,
//! and bounded so that a flag stays a note, not a document.

/// Characters a reason may have.
pub const MAX_REASON_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    #[error("a flag needs a reason")]
    Empty,
    #[error("a reason has at most {MAX_REASON_CHARS} characters")]
    TooLong,
}

/// The reason as it will be kept: trimmed, not empty, not too long.
pub fn flag_reason(text: &str) -> Result<&str, FlagError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FlagError::Empty);
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(FlagError::TooLong);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_trimmed_required_and_bounded() {
        assert_eq!(flag_reason("  same words as case 12 \n"), Ok("same words as case 12"));
        assert_eq!(flag_reason(" \t "), Err(FlagError::Empty));
        assert_eq!(flag_reason(&"я".repeat(MAX_REASON_CHARS)).map(|r| r.chars().count()), Ok(MAX_REASON_CHARS));
        assert_eq!(flag_reason(&"я".repeat(MAX_REASON_CHARS + 1)), Err(FlagError::TooLong));
    }
}
