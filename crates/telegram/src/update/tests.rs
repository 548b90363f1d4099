//! One test per parser case, from the fixtures written from the Bot API docs, and the bad
//! inputs: none may panic, none may leak a value into an error or a `Debug`.

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../tests/fixtures/updates/", $name, ".json"))
    };
}

fn event_of(body: &[u8]) -> UpdateEvent {
    parse_update(body).unwrap().event
}

fn private(id: i64) -> Chat {
    Chat { id, private: true }
}

#[test]
fn text_message() {
    let update = parse_update(fixture!("text")).unwrap();
    assert_eq!(update.update_id, 914000101);
    let UpdateEvent::Text { chat, from, message_id, text, edited } = update.event else {
        panic!("not a text");
    };
    assert_eq!(chat, private(5120001234));
    let from = from.unwrap();
    assert_eq!(from.id, 5120001234);
    assert!(!from.is_bot);
    assert_eq!(from.language_code.as_deref(), Some("uk"));
    assert_eq!(message_id, 17);
    assert_eq!(text, "I need help, I am in Kharkiv");
    assert!(!edited);
}

#[test]
fn start_without_payload() {
    match event_of(fixture!("start")) {
        UpdateEvent::Start { chat, payload, message_id, .. } => {
            assert_eq!(chat, private(5120001234));
            assert_eq!(message_id, 16);
            assert_eq!(payload, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn start_with_payload() {
    match event_of(fixture!("start_with_payload")) {
        UpdateEvent::Start { payload, .. } => {
            assert_eq!(payload.as_deref(), Some("evac-kyiv_2026"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn start_variants() {
    let cases: &[(&str, Option<Option<&str>>)] = &[
        ("/start", Some(None)),
        ("/start   ", Some(None)),
        ("/start abc", Some(Some("abc"))),
        ("/start@safe_bot", Some(None)),
        ("/start@safe_bot abc", Some(Some("abc"))),
        ("/start\nabc", Some(Some("abc"))),
        ("/starting", None),
        ("/stop", None),
        ("hello /start", None),
        (" /start", None),
    ];
    for (text, expected) in cases {
        let body = serde_json::json!({
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": text}
        })
        .to_string();
        let event = event_of(body.as_bytes());
        match (expected, event) {
            (Some(want), UpdateEvent::Start { payload, .. }) => {
                assert_eq!(payload.as_deref(), *want, "{text:?}")
            }
            (None, UpdateEvent::Text { text: got, .. }) => assert_eq!(&got, text),
            (want, got) => panic!("{text:?}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn edited_text_is_marked() {
    match event_of(fixture!("edited_message")) {
        UpdateEvent::Text { text, edited, .. } => {
            assert!(edited);
            assert_eq!(text, "I need help, I am near Kharkiv");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn edited_start_is_only_text() {
    let body = br#"{"update_id":1,"edited_message":{"message_id":1,"date":0,"edit_date":1,
        "chat":{"id":5,"type":"private"},"text":"/start x"}}"#;
    assert!(matches!(event_of(body), UpdateEvent::Text { edited: true, .. }));
}

#[test]
fn location() {
    match event_of(fixture!("location")) {
        UpdateEvent::Location { latitude, longitude, horizontal_accuracy, edited, message_id, .. } => {
            assert_eq!(message_id, 18);
            assert!((latitude - 49.9935).abs() < 1e-9);
            assert!((longitude - 36.230383).abs() < 1e-9);
            assert_eq!(horizontal_accuracy, Some(65.0));
            assert!(!edited);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn live_location_update_is_an_edited_location() {
    assert!(matches!(
        event_of(fixture!("live_location_edit")),
        UpdateEvent::Location { edited: true, horizontal_accuracy: Some(a), .. } if a == 12.5
    ));
}

fn location_body(lat: &str, lon: &str, accuracy: &str) -> Vec<u8> {
    format!(
        r#"{{"update_id":1,"message":{{"message_id":1,"date":0,"chat":{{"id":5,"type":"private"}},
        "location":{{"latitude":{lat},"longitude":{lon}{accuracy}}}}}}}"#
    )
    .into_bytes()
}

#[test]
fn location_out_of_range() {
    let cases = [
        ("90.5", "0", "", "latitude"),
        ("-91", "0", "", "latitude"),
        ("0", "180.01", "", "longitude"),
        ("0", "-200", "", "longitude"),
        ("0", "0", r#","horizontal_accuracy":1500.5"#, "horizontal_accuracy"),
        ("0", "0", r#","horizontal_accuracy":-1"#, "horizontal_accuracy"),
    ];
    for (lat, lon, accuracy, field) in cases {
        assert_eq!(
            parse_update(&location_body(lat, lon, accuracy)),
            Err(UpdateError::OutOfRange(field)),
            "{lat} {lon} {accuracy}"
        );
    }
    // The edges are inside.
    assert!(matches!(
        event_of(&location_body("-90", "180", r#","horizontal_accuracy":1500"#)),
        UpdateEvent::Location { .. }
    ));
}

#[test]
fn location_as_string_is_wrong_type() {
    assert!(matches!(parse_update(&location_body("\"49.9\"", "36.2", "")), Err(UpdateError::WrongType { .. })));
}

#[test]
fn callback_query_finds_the_button_text() {
    match event_of(fixture!("callback_query")) {
        UpdateEvent::Pressed { callback_id, chat, from, message_id, data, button_text } => {
            assert_eq!(callback_id, "4382bfdwdsb323b2d9");
            assert_eq!(chat, private(5120001234));
            assert_eq!(from.id, 5120001234);
            assert_eq!(message_id, Some(19));
            assert_eq!(data, "1");
            assert_eq!(button_text.as_deref(), Some("No, I am in danger"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn callback_query_with_unknown_data_has_no_button_text() {
    let body = br#"{"update_id":1,"callback_query":{"id":"q","chat_instance":"1",
        "from":{"id":5,"is_bot":false,"first_name":"A"},
        "message":{"message_id":9,"date":0,"chat":{"id":5,"type":"private"}},
        "data":"7"}}"#;
    assert!(matches!(
        event_of(body),
        UpdateEvent::Pressed { button_text: None, ref data, .. } if data == "7"
    ));
}

#[test]
fn callback_query_on_inaccessible_message() {
    // An InaccessibleMessage has date 0 and only chat and message_id.
    let body = br#"{"update_id":1,"callback_query":{"id":"q","chat_instance":"1",
        "from":{"id":5,"is_bot":false,"first_name":"A"},
        "message":{"message_id":9,"date":0,"chat":{"id":5,"type":"private"}},
        "data":"0"}}"#;
    assert!(matches!(event_of(body), UpdateEvent::Pressed { .. }));
}

#[test]
fn callback_query_without_message_or_data_is_ignored() {
    let inline = br#"{"update_id":1,"callback_query":{"id":"q","chat_instance":"1",
        "from":{"id":5,"is_bot":false,"first_name":"A"},"inline_message_id":"x","data":"0"}}"#;
    assert_eq!(event_of(inline), UpdateEvent::Ignored { what: "callback_query_without_message" });
    let game = br#"{"update_id":1,"callback_query":{"id":"q","chat_instance":"1",
        "from":{"id":5,"is_bot":false,"first_name":"A"},
        "message":{"message_id":9,"date":0,"chat":{"id":5,"type":"private"}},
        "game_short_name":"g"}}"#;
    assert_eq!(event_of(game), UpdateEvent::Ignored { what: "callback_query_without_data" });
}

#[test]
fn callback_data_over_64_bytes_is_refused() {
    let data = "x".repeat(65);
    let body = format!(
        r#"{{"update_id":1,"callback_query":{{"id":"q","chat_instance":"1",
        "from":{{"id":5,"is_bot":false,"first_name":"A"}},
        "message":{{"message_id":9,"date":0,"chat":{{"id":5,"type":"private"}}}},
        "data":"{data}"}}}}"#
    );
    assert_eq!(parse_update(body.as_bytes()), Err(UpdateError::OutOfRange("callback_query.data")));
}

#[test]
fn media_is_refused() {
    for (body, what) in [
        (&fixture!("photo")[..], Unsupported::Photo),
        (&fixture!("voice")[..], Unsupported::Voice),
        (&fixture!("sticker")[..], Unsupported::Sticker),
        (&fixture!("contact")[..], Unsupported::Contact),
    ] {
        match event_of(body) {
            UpdateEvent::Refused { what: got, chat, .. } => {
                assert_eq!(got, what);
                assert_eq!(chat, private(5120001234));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn contact_phone_number_is_nowhere() {
    let update = parse_update(fixture!("contact")).unwrap();
    let printed = format!("{update:?}");
    assert!(!printed.contains("380501234567"), "{printed}");
    assert!(!printed.contains("5120001234"), "{printed}");
}

#[test]
fn venue_and_animation_are_not_location_and_document() {
    let venue = br#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},
        "location":{"latitude":1,"longitude":2},
        "venue":{"location":{"latitude":1,"longitude":2},"title":"T","address":"A"}}}"#;
    assert!(matches!(event_of(venue), UpdateEvent::Refused { what: Unsupported::Venue, .. }));
    let animation = br#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},
        "animation":{"file_id":"a"},"document":{"file_id":"a"}}}"#;
    assert!(matches!(event_of(animation), UpdateEvent::Refused { what: Unsupported::Animation, .. }));
}

#[test]
fn message_without_text_or_known_content_is_refused_as_other() {
    let body = br#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},
        "checklist":{"title":"x","tasks":[]}}}"#;
    assert!(matches!(event_of(body), UpdateEvent::Refused { what: Unsupported::Other, .. }));
}

#[test]
fn service_message_and_edited_media_are_ignored() {
    let pin = br#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},
        "pinned_message":{"message_id":2,"date":0,"chat":{"id":5,"type":"private"},"text":"x"}}}"#;
    assert_eq!(event_of(pin), UpdateEvent::Ignored { what: "service_message" });
    let caption = br#"{"update_id":1,"edited_message":{"message_id":1,"date":0,"edit_date":3,
        "chat":{"id":5,"type":"private"},"photo":[],"caption":"new"}}"#;
    assert_eq!(event_of(caption), UpdateEvent::Ignored { what: "edited_message_without_text" });
}

#[test]
fn other_update_kinds_are_ignored() {
    assert_eq!(event_of(fixture!("my_chat_member")), UpdateEvent::Ignored { what: "my_chat_member" });
    assert_eq!(event_of(fixture!("channel_post")), UpdateEvent::Ignored { what: "channel_post" });
    assert_eq!(
        event_of(br#"{"update_id":5,"inline_query":{"id":"1","from":{"id":1,"is_bot":false,"first_name":"a"},"query":"","offset":""}}"#),
        UpdateEvent::Ignored { what: "inline_query" }
    );
    assert_eq!(event_of(br#"{"update_id":5,"some_future_kind":{"x":1}}"#), UpdateEvent::Ignored { what: "unknown" });
}

#[test]
fn group_message_is_not_private() {
    match event_of(fixture!("group_message")) {
        UpdateEvent::Start { chat, payload, .. } => {
            assert_eq!(chat, Chat { id: -1001987654321, private: false });
            assert_eq!(payload, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn message_without_sender_has_none() {
    let body = br#"{"update_id":1,"message":{"message_id":1,"date":0,
        "sender_chat":{"id":-100,"type":"supergroup"},"chat":{"id":-100,"type":"supergroup"},"text":"hi"}}"#;
    assert!(matches!(event_of(body), UpdateEvent::Text { from: None, chat: Chat { private: false, .. }, .. }));
}

#[test]
fn overlong_language_code_is_dropped() {
    let code = "x".repeat(36);
    let body = format!(
        r#"{{"update_id":1,"message":{{"message_id":1,"date":0,"chat":{{"id":5,"type":"private"}},
        "from":{{"id":5,"is_bot":false,"first_name":"a","language_code":"{code}"}},"text":"hi"}}}}"#
    );
    assert!(matches!(
        event_of(body.as_bytes()),
        UpdateEvent::Text { from: Some(Sender { language_code: None, .. }), .. }
    ));
}

#[test]
fn text_length_bound() {
    let body = |text: &str| {
        serde_json::json!({
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": text}
        })
        .to_string()
    };
    // 4096 characters of two bytes each: inside.
    let longest = "я".repeat(MAX_TEXT_CHARS);
    assert!(matches!(event_of(body(&longest).as_bytes()), UpdateEvent::Text { .. }));
    let too_long = "a".repeat(MAX_TEXT_CHARS + 1);
    assert_eq!(
        parse_update(body(&too_long).as_bytes()),
        Err(UpdateError::TextTooLong { chars: MAX_TEXT_CHARS + 1, max: MAX_TEXT_CHARS })
    );
}

#[test]
fn huge_body_is_refused_before_parsing() {
    let body = vec![b' '; MAX_UPDATE_BYTES + 1];
    assert_eq!(parse_update(&body), Err(UpdateError::TooLarge { len: MAX_UPDATE_BYTES + 1, max: MAX_UPDATE_BYTES }));
}

#[test]
fn truncated_json_at_every_length() {
    let whole = fixture!("callback_query").trim_ascii_end();
    for end in 0..whole.len() {
        let result = parse_update(&whole[..end]);
        assert!(matches!(result, Err(UpdateError::NotJson { .. })), "{end}: {result:?}");
    }
}

#[test]
fn not_json() {
    for body in [&b""[..], b"hello", b"\xff\xfe", b"[1,2]", b"null", b"{\"update_id\":"] {
        assert!(parse_update(body).is_err(), "{body:?}");
    }
}

#[test]
fn missing_fields_are_named() {
    assert_eq!(
        parse_update(br#"{"message":{"message_id":1,"date":0,"chat":{"id":5,"type":"private"},"text":"x"}}"#),
        Err(UpdateError::MissingField("update_id".into()))
    );
    assert_eq!(
        parse_update(br#"{"update_id":1,"message":{"message_id":1,"date":0,"text":"x"}}"#),
        Err(UpdateError::MissingField("chat".into()))
    );
    assert_eq!(
        parse_update(br#"{"update_id":1,"callback_query":{"id":"q","data":"0"}}"#),
        Err(UpdateError::MissingField("from".into()))
    );
}

#[test]
fn wrong_types_do_not_quote_the_value() {
    let secret = "my secret words";
    let bodies = [
        format!(r#"{{"update_id":"{secret}"}}"#),
        format!(
            r#"{{"update_id":1,"message":{{"message_id":1,"date":0,"chat":{{"id":"{secret}","type":"private"}}}}}}"#
        ),
        format!(
            r#"{{"update_id":1,"message":{{"message_id":1,"date":0,"chat":{{"id":5,"type":"private"}},"text":["{secret}"]}}}}"#
        ),
        r#"{"update_id":1,"message":{"message_id":1,"date":0,"chat":{"id":5120001234.5,"type":"private"},"text":"x"}}"#
            .to_owned(),
    ];
    for body in bodies {
        let error = parse_update(body.as_bytes()).unwrap_err();
        assert!(matches!(error, UpdateError::WrongType { .. }), "{error:?}");
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(!printed.contains("5120001234"), "{printed}");
    }
}

#[test]
fn deep_nesting_is_no_crash() {
    // As deep as the size bound allows: in a skipped field it is skipped without recursion,
    // in a typed field it is a wrong type.
    let depth = MAX_UPDATE_BYTES / 2 - 100;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let skipped = format!(r#"{{"update_id":1,"poll":{nested}}}"#);
    assert_eq!(event_of(skipped.as_bytes()), UpdateEvent::Ignored { what: "poll" });
    let typed = format!(
        r#"{{"update_id":1,"message":{{"message_id":1,"date":0,"chat":{{"id":5,"type":"private"}},"text":{nested}}}}}"#
    );
    assert!(parse_update(typed.as_bytes()).is_err());
    let objects = format!("{}{}", r#"{"a":"#.repeat(depth / 3), "}".repeat(depth / 3));
    assert!(parse_update(objects.as_bytes()).is_err());
}

#[test]
fn debug_hides_ids_text_and_coordinates() {
    for body in
        [&fixture!("text")[..], fixture!("start_with_payload"), fixture!("location"), fixture!("callback_query")]
    {
        let printed = format!("{:?}", parse_update(body).unwrap());
        for secret in ["5120001234", "6220005678", "Kharkiv", "evac", "49.99", "36.23", "danger", "4382bf"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
    }
    assert_eq!(format!("{:?}", private(42)), "Chat { id: <hidden>, private: true }");
}
