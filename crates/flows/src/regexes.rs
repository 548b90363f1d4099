//! The fixed regular expressions the engine uses, compiled once. Word boundaries and classes
//! are ASCII, as in the reference engine, so `é1` still ends a word the same way.

use std::sync::OnceLock;

use regex::Regex;

macro_rules! cached {
    ($name:ident, $pattern:expr) => {
        /// Compiled once; `None` only if the pattern were invalid, which tests rule out.
        pub fn $name() -> Option<&'static Regex> {
            static RE: OnceLock<Option<Regex>> = OnceLock::new();
            RE.get_or_init(|| Regex::new($pattern).ok()).as_ref()
        }
    };
}

cached!(
    iso_datetime,
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?(Z|z|[+-][0-9]{2}:[0-9]{2})$"
);
cached!(day_month_year, r"(?-u:\b)([0-9]{1,2})[-.\\/_ ]([0-9]{1,2})[-.\\/_ ]([0-9]{4}|[0-9]{2})(?-u:\b)");
cached!(year_month_day, r"(?-u:\b)([0-9]{4}|[0-9]{2})[-.\\/_ ]([0-9]{1,2})[-.\\/_ ]([0-9]{1,2})(?-u:\b)");
cached!(
    time_of_day,
    r"(?-u:\b)([0-9]{1,2})(?:(?::)?([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?)?[^0-9A-Za-z_]*([aApP][mM])?(?-u:\b)"
);
cached!(email, r"([\pL\pN][-_+$~.\pL\pN]*)@([\pL\pN][-_\pL\pN]*)(\.[\pL\pN][-_\pL\pN]*)+");
cached!(word_token, r"[\pM\pL\pN_']+|\pS");
cached!(non_printable, r"[\p{Cc}\p{C}]");
cached!(possible_phone, r"\+?[0-9 .\-()]{5,}");

#[cfg(test)]
mod tests {
    #[test]
    fn all_patterns_compile() {
        assert!(super::iso_datetime().is_some());
        assert!(super::day_month_year().is_some());
        assert!(super::year_month_day().is_some());
        assert!(super::time_of_day().is_some());
        assert!(super::email().is_some());
        assert!(super::word_token().is_some());
        assert!(super::non_printable().is_some());
        assert!(super::possible_phone().is_some());
    }
}
