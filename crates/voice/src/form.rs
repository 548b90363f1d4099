//! A strict, bounded reader of `application/x-www-form-urlencoded` bodies.
//!
//! The provider posts its webhooks as forms. `form_urlencoded::parse` is lenient (a stray `%`
//! passes through, bad UTF-8 becomes U+FFFD), which would let a forged body decode to values
//! the signature check then sees differently from what we act on. Here every `%` must be
//! followed by two hex digits, every name and value must be UTF-8 without control characters,
//! and sizes are bounded before anything is allocated for them.

/// The largest body accepted. Twilio's voice webhooks are a few hundred bytes to about 2 KiB.
pub const MAX_FORM_BYTES: usize = 16 * 1024;
/// The most parameters accepted in one body (Twilio sends about 20 to 30).
pub const MAX_FORM_PARAMS: usize = 100;
/// The longest parameter name accepted, in bytes after decoding.
pub const MAX_NAME_BYTES: usize = 64;
/// The longest parameter value accepted, in bytes after decoding.
pub const MAX_VALUE_BYTES: usize = 1024;

/// Why a form body was refused. Never carries the body's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("form body larger than {MAX_FORM_BYTES} bytes")]
    TooLarge,
    #[error("more than {MAX_FORM_PARAMS} form parameters")]
    TooManyParameters,
    #[error("form parameter name longer than {MAX_NAME_BYTES} bytes")]
    NameTooLong,
    #[error("form parameter value longer than {MAX_VALUE_BYTES} bytes")]
    ValueTooLong,
    #[error("empty form parameter name")]
    EmptyName,
    #[error("bad percent-encoding in form body")]
    BadPercentEncoding,
    #[error("form parameter is not UTF-8")]
    NotUtf8,
    #[error("control character in form parameter")]
    ControlCharacter,
}

/// Decodes `body` into its (name, value) pairs in the order they came. Empty segments
/// (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    if body.len() > MAX_FORM_BYTES {
        return Err(FormError::TooLarge);
    }
    let mut params = Vec::new();
    for segment in body.split(|b| *b == b'&') {
        if segment.is_empty() {
            continue;
        }
        if params.len() == MAX_FORM_PARAMS {
            return Err(FormError::TooManyParameters);
        }
        let (raw_name, raw_value) = match segment.iter().position(|b| *b == b'=') {
            Some(at) => (&segment[..at], &segment[at + 1..]),
            None => (segment, &[][..]),
        };
        let name = decode_component(raw_name, MAX_NAME_BYTES, FormError::NameTooLong)?;
        if name.is_empty() {
            return Err(FormError::EmptyName);
        }
        let value = decode_component(raw_value, MAX_VALUE_BYTES, FormError::ValueTooLong)?;
        params.push((name, value));
    }
    Ok(params)
}

/// Percent-decodes one name or value (`+` is a space), refusing more than `max` decoded bytes.
fn decode_component(raw: &[u8], max: usize, too_long: FormError) -> Result<String, FormError> {
    let mut out = Vec::with_capacity(raw.len().min(max));
    let mut i = 0;
    while i < raw.len() {
        let byte = match raw[i] {
            b'+' => b' ',
            b'%' => {
                let high = raw.get(i + 1).and_then(|b| hex_value(*b));
                let low = raw.get(i + 2).and_then(|b| hex_value(*b));
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(FormError::BadPercentEncoding);
                };
                i += 2;
                high << 4 | low
            }
            other => other,
        };
        if out.len() == max {
            return Err(too_long);
        }
        out.push(byte);
        i += 1;
    }
    let text = String::from_utf8(out).map_err(|_| FormError::NotUtf8)?;
    if text.chars().any(char::is_control) {
        return Err(FormError::ControlCharacter);
    }
    Ok(text)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent() {
        let params = parse_form(b"From=%2B14155550100&Say=a+b%20c&Empty=&Bare").unwrap();
        assert_eq!(
            params,
            vec![
                ("From".into(), "+14155550100".into()),
                ("Say".into(), "a b c".into()),
                ("Empty".into(), String::new()),
                ("Bare".into(), String::new()),
            ]
        );
    }

    #[test]
    fn decodes_utf8() {
        let params = parse_form("Name=%D0%90%D0%BD%D1%8F".as_bytes()).unwrap();
        assert_eq!(params[0].1, "Аня");
    }

    #[test]
    fn refuses_bad_inputs_without_panicking() {
        assert_eq!(parse_form(b"a=%"), Err(FormError::BadPercentEncoding));
        assert_eq!(parse_form(b"a=%4"), Err(FormError::BadPercentEncoding));
        assert_eq!(parse_form(b"a=%zz"), Err(FormError::BadPercentEncoding));
        assert_eq!(parse_form(b"a=%FF"), Err(FormError::NotUtf8));
        assert_eq!(parse_form(b"a=%00"), Err(FormError::ControlCharacter));
        assert_eq!(parse_form(b"=1"), Err(FormError::EmptyName));
        let long_value = format!("a={}", "x".repeat(MAX_VALUE_BYTES + 1));
        assert_eq!(parse_form(long_value.as_bytes()), Err(FormError::ValueTooLong));
        let long_name = format!("{}=1", "x".repeat(MAX_NAME_BYTES + 1));
        assert_eq!(parse_form(long_name.as_bytes()), Err(FormError::NameTooLong));
        let many = vec!["a=1"; MAX_FORM_PARAMS + 1].join("&");
        assert_eq!(parse_form(many.as_bytes()), Err(FormError::TooManyParameters));
        let huge = vec![b'a'; MAX_FORM_BYTES + 1];
        assert_eq!(parse_form(&huge), Err(FormError::TooLarge));
    }

    #[test]
    fn every_short_byte_string_is_handled_without_panic() {
        let alphabet = [b'a', b'=', b'&', b'%', b'+', b'0', b'F', 0xD0, 0x90, 0x00];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        let _ = parse_form(&[a, b, c, d]);
                    }
                }
            }
        }
    }
}
