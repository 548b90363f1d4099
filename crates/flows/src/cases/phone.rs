//! Phone number test: finds a number in people's text and writes it in E.164, using the
//! country given (or the environment's) for national forms. The numbering plans known here
//! are a small table of lengths and prefixes, enough to tell a phone number from a date.

use super::{false_result, true_result};
use crate::eval::Evaluator;
use crate::functions::{arity, text};
use crate::regexes;
use crate::value::XValue;

type R = Result<XValue, XValue>;

/// A numbering plan: ISO country, calling code, national trunk prefix, national lengths.
struct Plan {
    iso: &'static str,
    code: &'static str,
    trunk: &'static str,
    lengths: &'static [usize],
}

const PLANS: &[Plan] = &[
    Plan { iso: "US", code: "1", trunk: "1", lengths: &[10] },
    Plan { iso: "CA", code: "1", trunk: "1", lengths: &[10] },
    Plan { iso: "RU", code: "7", trunk: "8", lengths: &[10] },
    Plan { iso: "KZ", code: "7", trunk: "8", lengths: &[10] },
    Plan { iso: "EG", code: "20", trunk: "0", lengths: &[8, 9, 10] },
    Plan { iso: "ZA", code: "27", trunk: "0", lengths: &[9] },
    Plan { iso: "NL", code: "31", trunk: "0", lengths: &[9] },
    Plan { iso: "BE", code: "32", trunk: "0", lengths: &[8, 9] },
    Plan { iso: "FR", code: "33", trunk: "0", lengths: &[9] },
    Plan { iso: "ES", code: "34", trunk: "", lengths: &[9] },
    Plan { iso: "IT", code: "39", trunk: "", lengths: &[6, 7, 8, 9, 10, 11] },
    Plan { iso: "GB", code: "44", trunk: "0", lengths: &[9, 10] },
    Plan { iso: "DE", code: "49", trunk: "0", lengths: &[6, 7, 8, 9, 10, 11, 12, 13] },
    Plan { iso: "PL", code: "48", trunk: "", lengths: &[9] },
    Plan { iso: "MX", code: "52", trunk: "", lengths: &[10] },
    Plan { iso: "BR", code: "55", trunk: "0", lengths: &[10, 11] },
    Plan { iso: "CO", code: "57", trunk: "0", lengths: &[8, 10] },
    Plan { iso: "AU", code: "61", trunk: "0", lengths: &[9] },
    Plan { iso: "ID", code: "62", trunk: "0", lengths: &[7, 8, 9, 10, 11, 12] },
    Plan { iso: "PH", code: "63", trunk: "0", lengths: &[8, 9, 10] },
    Plan { iso: "JP", code: "81", trunk: "0", lengths: &[9, 10] },
    Plan { iso: "CN", code: "86", trunk: "0", lengths: &[10, 11] },
    Plan { iso: "TR", code: "90", trunk: "0", lengths: &[10] },
    Plan { iso: "IN", code: "91", trunk: "0", lengths: &[10] },
    Plan { iso: "PK", code: "92", trunk: "0", lengths: &[9, 10] },
    Plan { iso: "AF", code: "93", trunk: "0", lengths: &[9] },
    Plan { iso: "IR", code: "98", trunk: "0", lengths: &[10] },
    Plan { iso: "NG", code: "234", trunk: "0", lengths: &[8, 10] },
    Plan { iso: "CD", code: "243", trunk: "0", lengths: &[7, 9] },
    Plan { iso: "RW", code: "250", trunk: "0", lengths: &[9] },
    Plan { iso: "KE", code: "254", trunk: "0", lengths: &[9, 10] },
    Plan { iso: "TZ", code: "255", trunk: "0", lengths: &[9] },
    Plan { iso: "UG", code: "256", trunk: "0", lengths: &[9] },
    Plan { iso: "BW", code: "267", trunk: "", lengths: &[7, 8] },
    Plan { iso: "BY", code: "375", trunk: "8", lengths: &[9] },
    Plan { iso: "UA", code: "380", trunk: "0", lengths: &[9] },
    Plan { iso: "MD", code: "373", trunk: "0", lengths: &[8] },
    Plan { iso: "GE", code: "995", trunk: "0", lengths: &[9] },
    Plan { iso: "AM", code: "374", trunk: "0", lengths: &[8] },
    Plan { iso: "LT", code: "370", trunk: "8", lengths: &[8] },
    Plan { iso: "LV", code: "371", trunk: "", lengths: &[8] },
    Plan { iso: "EE", code: "372", trunk: "", lengths: &[7, 8] },
    Plan { iso: "FI", code: "358", trunk: "0", lengths: &[6, 7, 8, 9, 10] },
    Plan { iso: "BO", code: "591", trunk: "0", lengths: &[8] },
    Plan { iso: "EC", code: "593", trunk: "0", lengths: &[8, 9] },
    Plan { iso: "AE", code: "971", trunk: "0", lengths: &[8, 9] },
];

fn plan_for_country(iso: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.iso.eq_ignore_ascii_case(iso))
}

/// `+` and digits: the calling code is the longest known prefix.
fn international(digits: &str) -> Option<String> {
    (1..=3).rev().filter_map(|n| digits.get(..n)).find_map(|code| {
        let plan = PLANS.iter().find(|p| p.code == code)?;
        let national = &digits[code.len()..];
        plan.lengths.contains(&national.len()).then(|| format!("+{digits}"))
    })
}

/// One candidate number in E.164, national forms read in `country`.
pub(crate) fn parse_candidate(candidate: &str, country: &str) -> Option<String> {
    let candidate = candidate.trim();
    let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 5 || digits.len() > 17 {
        return None;
    }
    if candidate.starts_with('+') {
        return international(&digits);
    }
    if let Some(plan) = plan_for_country(country) {
        if let Some(national) = digits.strip_prefix(plan.code) {
            if plan.lengths.contains(&national.len()) {
                return Some(format!("+{}{national}", plan.code));
            }
        }
        let national =
            if plan.trunk.is_empty() { &digits[..] } else { digits.strip_prefix(plan.trunk).unwrap_or(&digits) };
        if plan.lengths.contains(&national.len()) {
            return Some(format!("+{}{national}", plan.code));
        }
        if plan.lengths.contains(&digits.len()) {
            return Some(format!("+{}{digits}", plan.code));
        }
    }
    // Written without its `+`, a number may still be international.
    international(&digits)
}

/// All phone numbers found in `text`, in E.164.
pub fn find_phone_numbers(text: &str, country: &str) -> Vec<String> {
    let Some(re) = regexes::possible_phone() else { return Vec::new() };
    re.find_iter(text).filter_map(|m| parse_candidate(m.as_str(), country)).collect()
}

pub fn has_phone(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(2))?;
    let t = text(&a[0])?;
    let country = match a.get(1) {
        Some(c) => text(c)?,
        None => ev.env.default_country.clone().unwrap_or_default(),
    };
    Ok(match find_phone_numbers(&t, &country).into_iter().next() {
        Some(n) => true_result(XValue::Text(n)),
        None => false_result(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_and_international_forms() {
        assert_eq!(find_phone_numbers("call 0788123123", "RW"), vec!["+250788123123"]);
        assert_eq!(find_phone_numbers("call 206 555 1212", "US"), vec!["+12065551212"]);
        assert_eq!(find_phone_numbers("+380441234567", ""), vec!["+380441234567"]);
        assert!(find_phone_numbers("born 10000", "US").is_empty());
    }
}
