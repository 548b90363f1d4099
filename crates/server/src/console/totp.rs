//! Second factor: TOTP as RFC 6238 and every authenticator app do it (SHA-1, 6 digits, 30-second
//! steps, one step of clock drift either way) and enrolment
//! (a new secret, its otpauth URI and a QR code drawn here, never by an outside service).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use totp_rs::{Algorithm, TOTP};
use zeroize::Zeroizing;

use super::csrf::ct_eq;

pub(crate) const ISSUER: &str = "Safe Passage";
const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;
/// 160 bits, the length RFC 4226 recommends for SHA-1.
const SECRET_LEN: usize = 20;

fn totp(secret: &[u8], account: &str) -> TOTP {
    // Unchecked: accounts made elsewhere (the CLI, tests) may have secrets of other lengths,
    // and refusing them here would only lock their owners out.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECS,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
}

/// The time step for which `code` is right, if it is right now or one step either side.
/// An empty secret (an account without TOTP enrolled) matches nothing.
pub(crate) fn matching_step(secret: &[u8], code: &str, now_secs: u64) -> Option<u64> {
    if secret.is_empty() {
        return None;
    }
    let generator = totp(secret, "");
    let now = now_secs / STEP_SECS;
    let mut found = None;
    // Every candidate is computed and compared, so the time taken says nothing about which one
    // matched or whether any did.
    for step in [now.saturating_sub(1), now, now + 1] {
        let expected = Zeroizing::new(generator.generate(step * STEP_SECS));
        if ct_eq(expected.as_bytes(), code.trim().as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// What a new account's owner needs to set up their authenticator.
pub(crate) struct Enrolment {
    /// For typing in by hand when the camera cannot be used.
    pub secret_base32: String,
    /// An inline `<svg>` element.
    pub qr_svg: String,
}

pub(crate) fn new_secret() -> Option<Zeroizing<Vec<u8>>> {
    let mut secret = Zeroizing::new(vec![0u8; SECRET_LEN]);
    getrandom::getrandom(secret.as_mut_slice()).ok()?;
    Some(secret)
}

pub(crate) fn enrolment(account: &str, secret: &[u8]) -> Option<Enrolment> {
    let generator = totp(secret, account);
    let uri = generator.get_url();
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok()?;
    let drawn = code.render::<svg::Color<'_>>().min_dimensions(240, 240).quiet_zone(true).build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    let qr_svg = drawn.find("<svg").map(|at| drawn[at..].to_owned())?;
    Some(Enrolment { secret_base32: generator.get_secret_base32(), qr_svg })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_vectors_match_at_their_step() {
        // RFC 6238, appendix B (SHA-1), last six digits.
        assert_eq!(matching_step(SECRET, "287082", 59), Some(1));
        assert_eq!(matching_step(SECRET, "081804", 1_111_111_109), Some(1_111_111_109 / 30));
    }

    #[test]
    fn one_step_of_drift_either_way_and_no_more() {
        let now = 1_111_111_109;
        let code = totp(SECRET, "").generate(now);
        assert!(matching_step(SECRET, &code, now + 30).is_some());
        assert!(matching_step(SECRET, &code, now - 30).is_some());
        assert!(matching_step(SECRET, &code, now + 90).is_none());
        assert!(matching_step(SECRET, "", now).is_none());
        assert!(matching_step(SECRET, "abcdef", now).is_none());
        let empty_code = totp(b"", "").generate(now);
        assert!(matching_step(b"", &empty_code, now).is_none(), "no secret, no match");
    }

    #[test]
    fn enrolment_gives_uri_and_inline_svg() {
        let e = enrolment("ops.anna", SECRET).unwrap();
        let uri = totp(SECRET, "ops.anna").get_url();
        assert!(uri.starts_with("otpauth://totp/Safe%20Passage:ops.anna?secret="), "{uri}");
        assert!(uri.contains("issuer=Safe%20Passage"));
        assert!(e.qr_svg.starts_with("<svg") && e.qr_svg.ends_with("</svg>"));
        assert!(!e.qr_svg.contains("style="));
    }
}
