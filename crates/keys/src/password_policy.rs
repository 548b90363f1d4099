//! What a staff password must be: at least 12 characters, and not guessable from the lists of
//! common passwords, words, names and keyboard patterns that zxcvbn ships (Dropbox's estimator,
//! MIT licence; its lists come from leaked-password corpora, Wiktionary and US census data).
//! A password it scores below 3 ("safely unguessable": at least 10^8 guesses) is refused, and
//! so is one built on the account's own name.

/// Fewer characters than this is refused outright (NIST SP 800-63B asks for at least 8; staff
/// accounts open case data, so more).
pub const MIN_CHARS: usize = 12;
/// Longer is refused too: the login form takes at most this many bytes.
pub const MAX_BYTES: usize = 1024;
/// zxcvbn's score scale is 0 to 4; 3 means "safely unguessable" online and offline-slow.
const MIN_SCORE: u8 = 3;
/// zxcvbn's matching grows with length; beyond this many characters it only adds strength.
const SCORED_CHARS: usize = 100;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    /// Common, or easily guessed from words, names, dates, keyboard walks or the account name.
    Guessable,
}

/// Checks a new password; `context` are words the password must not be built on (the login
/// name, the platform's name).
pub fn check(password: &str, context: &[&str]) -> Result<(), Weakness> {
    if password.chars().count() < MIN_CHARS {
        return Err(Weakness::TooShort);
    }
    if password.len() > MAX_BYTES {
        return Err(Weakness::TooLong);
    }
    let scored: String = password.chars().take(SCORED_CHARS).collect();
    let mut inputs = vec!["safepassage", "safe passage", "safe", "passage"];
    inputs.extend_from_slice(context);
    if u8::from(zxcvbn::zxcvbn(&scored, &inputs).score()) < MIN_SCORE {
        return Err(Weakness::Guessable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert_eq!(check("Tr0ub4dor&3", &[]), Err(Weakness::TooShort));
        for common in ["password1234", "qwertyuiop123", "123456789012", "iloveyou1234", "Password123!"] {
            assert_eq!(check(common, &[]), Err(Weakness::Guessable), "{common}");
        }
        assert_eq!(check("olena.kovalenko1", &["olena.kovalenko"]), Err(Weakness::Guessable));
        assert_eq!(check("safepassage2024", &[]), Err(Weakness::Guessable));
        assert_eq!(check(&"x".repeat(MAX_BYTES + 1), &[]), Err(Weakness::TooLong));
    }

    #[test]
    fn long_unusual_passwords_pass() {
        for good in ["correct horse battery staple", "vK7#pQ2!mZ9wRt", "tiny-orange-glacier-47-wombat"] {
            assert_eq!(check(good, &[]), Ok(()), "{good}");
        }
    }
}
