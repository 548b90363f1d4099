//! The webhook parser on the documented body and on hostile ones: an error, never a panic.

use safepassage_voice::form::FormError;
use safepassage_voice::webhook::{parse_webhook, Direction, WebhookError, MAX_WEBHOOK_BYTES};
use safepassage_voice::CallStatus;

const INCOMING: &str = include_str!("../fixtures/incoming_call.form");

#[test]
fn the_documented_first_request_is_read() {
    let (call, params) = parse_webhook(INCOMING.as_bytes()).unwrap();
    assert_eq!(call.call_sid, "CAe0f1a2b3c4d5e6f708192a3b4c5d6e7f");
    assert_eq!(call.account_sid, "AC0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_eq!(call.from, "+15005550006");
    assert_eq!(call.to, "+15005550001");
    assert_eq!(call.status, Some(CallStatus::Ringing));
    assert_eq!(call.direction, Some(Direction::Inbound));
    assert_eq!(params.len(), INCOMING.split('&').count());
    assert!(params.contains(&("CalledCity".into(), "SAN FRANCISCO".into())));
    assert!(params.contains(&("CallToken".into(), "{\"parentCallInfoToken\":\"x\"}".into())));
}

#[test]
fn hostile_bodies_are_refused() {
    let too_large = format!("{INCOMING}&Pad={}", "x".repeat(MAX_WEBHOOK_BYTES));
    let too_many = format!("{INCOMING}{}", "&a=1".repeat(100));
    let cases: Vec<(String, WebhookError)> = vec![
        (too_large, WebhookError::Form(FormError::TooLarge)),
        (too_many, WebhookError::Form(FormError::TooManyParameters)),
        (format!("{INCOMING}&Digits=%2"), WebhookError::Form(FormError::BadPercentEncoding)),
        (format!("{INCOMING}&Digits=%G1"), WebhookError::Form(FormError::BadPercentEncoding)),
        (format!("{INCOMING}&Digits=1%0A2"), WebhookError::Form(FormError::ControlCharacter)),
        (format!("{INCOMING}&Digits=1+2"), WebhookError::BadValue("Digits")),
        (format!("{INCOMING}&Digits=%EF%BC%91"), WebhookError::BadValue("Digits")),
        (format!("{INCOMING}&Digits=12&Digits=3"), WebhookError::Repeated("Digits")),
        (INCOMING.replace("&From=", "&From=1&From="), WebhookError::Repeated("From")),
        (INCOMING.replace("Direction=inbound", "Direction=sideways"), WebhookError::BadValue("Direction")),
        (String::new(), WebhookError::Missing("CallSid")),
    ];
    for (body, expected) in cases {
        let got = parse_webhook(body.as_bytes()).unwrap_err();
        assert_eq!(got, expected);
        let shown = format!("{got} {got:?}");
        assert!(!shown.contains("5005550006"), "{shown}");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A small deterministic generator: every body of random bytes from a hostile alphabet.
    let alphabet = b"=&%+0aF\xd0\x90\xff\x00#*CallSid";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = (state % 64) as usize;
        let body: Vec<u8> = (0..len).map(|i| alphabet[((state >> (i % 56)) as usize + i) % alphabet.len()]).collect();
        let _ = parse_webhook(&body);
    }
    let mut prefixed = b"CallSid=CA1&AccountSid=AC1&Digits=".to_vec();
    prefixed.extend_from_slice(&[0xff; 3]);
    assert!(parse_webhook(&prefixed).is_err());
}
