//! Codenames: 16 digits, the last a Luhn check digit, shown in groups of four. Digits only, so a
//! person can key one in on a phone keypad; the check digit catches most typing slips at once.

use serde::{Deserialize, Serialize};

pub const CODENAME_DIGITS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodenameError {
    #[error("a codename has 16 digits")]
    WrongLength,
    #[error("a codename has only digits, spaces and dashes")]
    NotDigits,
    #[error("the codename's check digit does not match: a digit is mistyped")]
    CheckDigit,
}

/// A well-formed codename, held as its 16 digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Codename(String);

impl Codename {
    /// Builds a codename from 15 random digits (0–9 each) chosen by the caller.
    pub fn from_random_digits(random: [u8; 15]) -> Codename {
        let mut digits: String = random.iter().map(|d| char::from(b'0' + d % 10)).collect();
        let check = luhn_check_digit(&digits);
        digits.push(char::from(b'0' + check));
        Codename(digits)
    }

    /// Parses what a person typed: digits with optional spaces or dashes between them.
    /// Input longer than a few dozen characters is refused before any work.
    pub fn parse(input: &str) -> Result<Codename, CodenameError> {
        if input.len() > 64 {
            return Err(CodenameError::WrongLength);
        }
        let mut digits = String::with_capacity(CODENAME_DIGITS);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(CodenameError::NotDigits),
            }
        }
        if digits.len() != CODENAME_DIGITS {
            return Err(CodenameError::WrongLength);
        }
        let (body, check) = digits.split_at(CODENAME_DIGITS - 1);
        if check.as_bytes()[0] - b'0' != luhn_check_digit(body) {
            return Err(CodenameError::CheckDigit);
        }
        Ok(Codename(digits))
    }

    /// The bare 16 digits: what is hashed for lookup.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The codename in groups of four, as shown to the applicant.
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(19);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

/// A codename is a secret: it never prints in logs or debug output.
impl std::fmt::Debug for Codename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Codename(***)")
    }
}

/// The Luhn digit that makes `body` followed by it pass the Luhn check.
fn luhn_check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - (sum % 10)) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codenames_parse_back_grouped_or_bare() {
        let c = Codename::from_random_digits([4, 9, 9, 2, 7, 3, 9, 8, 7, 1, 6, 0, 0, 1, 2]);
        assert_eq!(c.digits().len(), 16);
        assert_eq!(Codename::parse(&c.grouped()).unwrap(), c);
        assert_eq!(Codename::parse(c.digits()).unwrap(), c);
        assert_eq!(c.grouped().len(), 19);
    }

    #[test]
    fn known_luhn_number_is_accepted() {
        // 4539 1488 0343 6467 is a textbook Luhn-valid 16-digit number.
        assert!(Codename::parse("4539-1488-0343-6467").is_ok());
    }

    #[test]
    fn a_single_mistyped_digit_is_caught() {
        let c = Codename::from_random_digits([1; 15]);
        let mut typo: Vec<u8> = c.digits().bytes().collect();
        typo[3] = if typo[3] == b'9' { b'0' } else { typo[3] + 1 };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(Codename::parse(&typo), Err(CodenameError::CheckDigit));
    }

    #[test]
    fn bad_shapes_are_refused_clearly() {
        assert_eq!(Codename::parse("1234"), Err(CodenameError::WrongLength));
        assert_eq!(Codename::parse("1234 5678 abcd 0000"), Err(CodenameError::NotDigits));
        assert_eq!(Codename::parse(&"1".repeat(10_000)), Err(CodenameError::WrongLength));
    }

    #[test]
    fn debug_does_not_reveal_the_digits() {
        let c = Codename::from_random_digits([5; 15]);
        assert_eq!(format!("{c:?}"), "Codename(***)");
    }
}
