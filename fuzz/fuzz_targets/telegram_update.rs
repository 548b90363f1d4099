//! Arbitrary bytes as a Telegram webhook body. The parser must end with an update or an error,
//! never a panic; what it reads is within its bounds, and no error repeats the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safepassage_telegram::{parse_update, UpdateEvent, MAX_TEXT_CHARS, MAX_UPDATE_BYTES};

fuzz_target!(|data: &[u8]| {
    match parse_update(data) {
        Ok(update) => {
            assert!(data.len() <= MAX_UPDATE_BYTES, "an over-long body parsed");
            match update.event {
                UpdateEvent::Text { text, .. } => assert!(text.chars().count() <= MAX_TEXT_CHARS),
                UpdateEvent::Location { latitude, longitude, horizontal_accuracy, .. } => {
                    assert!(latitude.is_finite() && (-90.0..=90.0).contains(&latitude), "latitude {latitude}");
                    assert!(longitude.is_finite() && (-180.0..=180.0).contains(&longitude), "longitude {longitude}");
                    assert!(horizontal_accuracy.is_none_or(|a| a.is_finite() && (0.0..=1500.0).contains(&a)));
                }
                UpdateEvent::Pressed { data, .. } => assert!(data.len() <= 64, "callback data of {} bytes", data.len()),
                _ => {}
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error without a message");
            assert!(message.len() < 200, "an error that may quote its input: {message}");
        }
    }
});
