//! The provider's request signature (`X-Twilio-Signature`).
//!
//! Our webhook URLs are public, so anyone could post a forged "caller pressed 1" to them. The
//! provider signs every request with the account's auth token: base64 of HMAC-SHA1 over the
//! full URL it requested followed, for each POST parameter sorted by name, by the name and the
//! value with no separator (<https://www.twilio.com/docs/usage/security#validating-requests>).
//! We recompute it and compare in constant time so the comparison leaks nothing of the
//! expected value.

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use sha1::Sha1;
use subtle::ConstantTimeEq as _;

/// The header the provider puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

type HmacSha1 = Hmac<Sha1>;

/// The signature the provider computes for a POST to `url` with `params` (decoded form
/// parameters, in any order: they are sorted here by name, then by value for repeated names,
/// as Twilio's own SDKs do).
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    // HMAC takes a key of any length, so this never fails; an empty string never validates.
    let Ok(mut mac) = HmacSha1::new_from_slice(auth_token.as_bytes()) else {
        return String::new();
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header` (the `X-Twilio-Signature` value, `None` if absent) is the provider's
/// signature of this request. A missing or empty header is invalid. Constant time in the
/// content of the header.
pub fn signature_is_valid(auth_token: &str, url: &str, params: &[(String, String)], header: Option<&str>) -> bool {
    let Some(header) = header else {
        return false;
    };
    let expected = signature(auth_token, url, params);
    if expected.is_empty() || header.is_empty() {
        return false;
    }
    expected.as_bytes().ct_eq(header.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parameter_order_does_not_matter() {
        let a = pairs(&[("To", "x"), ("From", "y")]);
        let b = pairs(&[("From", "y"), ("To", "x")]);
        assert_eq!(signature("t", "https://a/b", &a), signature("t", "https://a/b", &b));
    }

    #[test]
    fn empty_header_is_invalid() {
        assert!(!signature_is_valid("t", "https://a/b", &[], Some("")));
        assert!(!signature_is_valid("t", "https://a/b", &[], None));
    }
}
