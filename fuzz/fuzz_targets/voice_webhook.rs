//! Arbitrary bytes as a voice provider's webhook body (a form). The parser must end with a call
//! request or an error, never a panic; digits are only keypad keys, bounded; the parameters it
//! returns for the signature check are sorted; no error repeats the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safepassage_voice::webhook::{parse_webhook, MAX_DIGITS, MAX_WEBHOOK_BYTES};

fuzz_target!(|data: &[u8]| {
    match parse_webhook(data) {
        Ok((call, params)) => {
            assert!(data.len() <= MAX_WEBHOOK_BYTES, "an over-long body parsed");
            if let Some(digits) = &call.digits {
                assert!(digits.len() <= MAX_DIGITS && digits.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#'));
            }
            assert!(params.windows(2).all(|w| w[0] <= w[1]), "parameters not sorted");
            // A signature over them is always computable.
            let _ = safepassage_voice::signature::signature("token", "https://x.example/c", &params);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error without a message");
            assert!(message.len() < 200, "an error that may quote its input: {message}");
        }
    }
});
