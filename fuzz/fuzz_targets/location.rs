//! Arbitrary bytes as a typed location (lossy UTF-8): decimal degrees, DMS, DDM, MGRS or words.
//! The parser must end with a place or an error, never a panic; a point is in range, finite and
//! writes back as decimal and MGRS that parse again to a point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safepassage_domain::location::{parse, write_point, Place, MAX_INPUT_BYTES};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Ok(Place::Point { lat, lon, accuracy_m, .. }) => {
            assert!(text.len() <= MAX_INPUT_BYTES, "over-long input parsed");
            assert!(lat.is_finite() && (-90.0..=90.0).contains(&lat), "latitude {lat}");
            assert!(lon.is_finite() && (-180.0..=180.0).contains(&lon), "longitude {lon}");
            assert!(accuracy_m.is_some_and(|a| a >= 1), "a point without an accuracy");
            match write_point(lat, lon, accuracy_m) {
                Ok(written) => {
                    assert!(matches!(parse(&written.decimal), Ok(Place::Point { .. })), "{}", written.decimal);
                    assert!(matches!(parse(&written.mgrs), Ok(Place::Point { .. })), "{}", written.mgrs);
                }
                Err(e) => panic!("a parsed point does not write: {e}"),
            }
        }
        Ok(Place::Described(words)) => {
            assert!(!words.is_empty() && words.len() <= MAX_INPUT_BYTES, "description of {} bytes", words.len());
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error without a message"),
    }
});
