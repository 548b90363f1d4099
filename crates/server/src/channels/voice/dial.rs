//! Where a caller may be connected: a staff member's phone number (E.164) or SIP address. Read
//! strictly, since it goes into TwiML sent to the provider and is dialled at once.

use safepassage_voice::DialTarget;

/// The longest SIP address accepted.
const MAX_SIP: usize = 200;

/// The normal form of what a staff member typed as their phone for calls: `+` and 7 to 15
/// digits (spaces, dashes, dots and brackets dropped), or `sip:user@host` as typed. None for
/// anything else.
pub fn normal_address(input: &str) -> Option<String> {
    let input = input.trim();
    if let Some(rest) = input.strip_prefix("sip:") {
        let ok = input.len() <= MAX_SIP
            && rest.split_once('@').is_some_and(|(user, host)| !user.is_empty() && !host.is_empty())
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"@.-_:;=+%".contains(&b));
        return ok.then(|| input.to_owned());
    }
    let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let number = digits.strip_prefix('+')?;
    ((7..=15).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) && !number.starts_with('0'))
        .then(|| format!("+{number}"))
}

/// What a `<Dial>` calls for a stored address; None for one that no longer reads.
pub fn target(address: &str) -> Option<DialTarget> {
    let address = normal_address(address)?;
    Some(if address.starts_with("sip:") { DialTarget::Sip(address) } else { DialTarget::Number(address) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sip_addresses() {
        assert_eq!(normal_address(" +380 (44) 123-45-67 ").as_deref(), Some("+380441234567"));
        assert_eq!(normal_address("sip:op7@pbx.example.org").as_deref(), Some("sip:op7@pbx.example.org"));
        for bad in ["380441234567", "+12", "+0441234567", "sip:@x", "sip:a@b<Dial>", "call me", "", "+1234567890123456"]
        {
            assert_eq!(normal_address(bad), None, "{bad}");
        }
        assert_eq!(target("+15005550006"), Some(DialTarget::Number("+15005550006".into())));
        assert_eq!(target("sip:a@b.c"), Some(DialTarget::Sip("sip:a@b.c".into())));
    }
}
