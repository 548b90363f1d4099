//! The shipped voice intake (`flows/safepassage.json`, the flow named "Intake" of type `voice`),
//! run by the real engine on the library the bot builds: a caller keys a language, a caller
//! type and, if they have one, their codename, and always ends with a person.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_conversation::flow_library::{check_file, shipped_export, Library};
use safepassage_domain::Channel;
use safepassage_flows::definition::{ActionKind, FlowType};
use safepassage_flows::engine::{Contact, Engine, Event, EventKind, MsgIn, Resume, Session, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;

/// What the caller hears of one step: each `ivr_created` text with its locale.
type Heard = Vec<(String, String)>;

/// One call in progress through the voice intake.
struct Call {
    library: Library,
    session: Session,
    rng: SplitMix64,
}

/// The environment the bot runs flows in (`bot::env`): the three languages allowed.
fn env() -> Env {
    let mut env = Env::new(Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap());
    env.allowed_languages = ["rus", "ukr", "eng"].iter().map(|l| (*l).to_owned()).collect();
    env
}

fn library() -> Library {
    Library::build(&[], Vec::new(), 0).unwrap()
}

impl Call {
    /// A call starts the voice channel's intake for an anonymous contact whose conversation is
    /// in `language` (the engine's code), as `start_intake` does.
    fn start(language: &str) -> (Call, Vec<Event>) {
        let library = library();
        let intake = library.intake(Channel::Voice).expect("the voice channel has an intake");
        let mut rng = SplitMix64::new(7);
        let contact = Contact::anonymous("5d1c7b0e-3f2a-4c6d-9e8f-0a1b2c3d4e5f", language);
        let started =
            Engine::default().start(&library.assets, &env(), contact, Trigger::manual(intake), &mut rng).unwrap();
        (Call { library, session: started.session, rng }, started.events)
    }

    /// The caller presses `keys` (what the provider posts as `Digits`; "" when the gather
    /// ended without a key).
    fn press(&mut self, keys: &str) -> Vec<Event> {
        assert_eq!(self.session.status, SessionStatus::Waiting, "the call waits for keys");
        let msg =
            MsgIn { uuid: "8e6f2b1a-0c3d-4e5f-9a7b-1c2d3e4f5a6b".into(), text: keys.into(), ..Default::default() };
        Engine::default()
            .resume(&self.library.assets, &env(), &mut self.session, Resume::Msg(msg), &mut self.rng)
            .unwrap()
    }
}

fn heard(events: &[Event]) -> Heard {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::IvrCreated { msg } => Some((msg.text.clone(), msg.locale.clone().unwrap_or_default())),
            _ => None,
        })
        .collect()
}

/// The value and category of result `name`, if the step set it.
fn result(events: &[Event], name: &str) -> Option<(String, String)> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::RunResultChanged { name: n, value, category, .. } if n == name => {
            Some((value.clone(), category.clone()))
        }
        _ => None,
    })
}

/// The topic of the ticket the step opened, if it opened one.
fn ticket_topic(events: &[Event]) -> Option<String> {
    events.iter().find_map(|e| match &e.kind {
        EventKind::TicketOpened { ticket, .. } => {
            Some(ticket.topic.as_ref().map(|t| t.name.clone()).unwrap_or_default())
        }
        _ => None,
    })
}

fn errors(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Error { text } | EventKind::Failure { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn cyrillic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// A call taken to the caller-type menu in `key`'s language (1 Russian, 2 Ukrainian, 3 English).
fn at_caller_type(key: &str) -> Call {
    let (mut call, _) = Call::start("rus");
    call.press(key);
    call
}

/// A call taken to the codename entry: Russian, serviceman, "I have a codename".
fn at_codename_entry() -> Call {
    let mut call = at_caller_type("1");
    call.press("1");
    let asked = heard(&call.press("1"));
    assert!(asked.iter().any(|(t, _)| t.contains("шестнадцать цифр") && t.contains("решётку")), "{asked:?}");
    call
}

#[test]
fn the_voice_channel_has_its_own_intake_that_waits_only_for_keys() {
    // The file passes the loader's check (what `safepassage flows check` runs).
    let checked = check_file(shipped_export().as_bytes(), &[] as &[&str]).unwrap();
    assert!(checked.flows.iter().any(|f| f.name == "Intake" && f.flow_type == "voice"));
    assert!(checked.flows.iter().any(|f| f.name == "Intake" && f.flow_type == "messaging"));

    let library = library();
    let voice = library.intake(Channel::Voice).unwrap();
    let web = library.intake(Channel::Web).unwrap();
    assert_ne!(voice.uuid, web.uuid, "the web chat keeps its messaging intake");
    let flow = library.flow(&voice.uuid).unwrap();
    assert_eq!((flow.name.as_str(), flow.flow_type, flow.language.as_str()), ("Intake", FlowType::Voice, "rus"));

    let mut waits = Vec::new();
    for node in &flow.nodes {
        for action in node.actions() {
            match &action.kind {
                ActionKind::SayMsg(_) => {
                    for lang in ["ukr", "eng"] {
                        let text = flow.translation(lang, &action.uuid, "text").unwrap_or_default();
                        assert!(text.iter().any(|t| !t.trim().is_empty()), "say {} has no {lang} text", action.uuid);
                    }
                }
                ActionKind::SendMsg(_) => panic!("a call speaks: send_msg {} in the voice intake", action.uuid),
                _ => {}
            }
        }
        if let Some(wait) = node.router.as_ref().and_then(|r| r.wait.as_ref()) {
            let hint = wait.hint.as_ref().unwrap_or_else(|| panic!("wait at {} has no hint", node.uuid));
            assert_eq!(hint.kind, "digits", "wait at {}", node.uuid);
            assert!(wait.timeout.is_none(), "the call's gather times out, not the flow's timer: {}", node.uuid);
            waits.push((hint.count, hint.terminated_by.clone()));
        }
    }
    let menus = waits.iter().filter(|w| **w == (Some(1), None)).count();
    let entries = waits.iter().filter(|w| **w == (None, Some("#".to_owned()))).count();
    assert_eq!((menus, entries, waits.len()), (3, 1, 4), "{waits:?}");
}

#[test]
fn the_language_menu_speaks_each_line_in_its_own_language() {
    for starting in ["rus", "ukr", "eng"] {
        let (call, events) = Call::start(starting);
        assert_eq!(
            heard(&events),
            [
                ("Для русского языка нажмите 1.".to_owned(), "rus".to_owned()),
                ("Для української мови натисніть 2.".to_owned(), "ukr".to_owned()),
                ("For English, press 3.".to_owned(), "eng".to_owned()),
            ],
            "a call from a {starting} conversation"
        );
        assert!(errors(&events).is_empty(), "{:?}", errors(&events));
        let wait = events.iter().find_map(|e| match &e.kind {
            EventKind::MsgWait { hint, timeout_seconds, .. } => Some((hint.clone(), *timeout_seconds)),
            _ => None,
        });
        let (hint, timeout) = wait.unwrap();
        let hint = hint.unwrap();
        assert_eq!((hint.kind.as_str(), hint.count, timeout), ("digits", Some(1), None));
        assert_eq!(call.session.status, SessionStatus::Waiting);
    }
}

#[test]
fn each_language_key_greets_the_caller_in_that_language() {
    let cases = [
        ("1", "rus", ["Здравствуйте", "не записывается", "нажмите 0"]),
        ("2", "ukr", ["Добрий день", "не записується", "натисніть 0"]),
        ("3", "eng", ["Hello", "not recorded", "press 0"]),
    ];
    for (key, language, words) in cases {
        let (mut call, _) = Call::start("rus");
        let events = call.press(key);
        assert!(errors(&events).is_empty(), "{:?}", errors(&events));
        assert_eq!(call.session.contact.language, language);
        let said = heard(&events);
        let (greeting, locale) = &said[0];
        assert_eq!(locale, language, "{said:?}");
        for word in words {
            assert!(greeting.contains(word), "{key}: {greeting}");
        }
        match language {
            "eng" => assert!(said.iter().all(|(t, _)| !cyrillic(t)), "{said:?}"),
            "ukr" => assert!(greeting.contains('і') && cyrillic(greeting), "{greeting}"),
            _ => assert!(!greeting.contains('і') && cyrillic(greeting), "{greeting}"),
        }
        // The caller-type menu follows, in the same language, and nothing asks who they are.
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said.iter().all(|(_, l)| l == language), "{said:?}");
        assert!(said[1].0.contains('4') && said[1].0.contains('0'), "{said:?}");
        let all = said.iter().map(|(t, _)| t.to_lowercase()).collect::<Vec<_>>().join(" ");
        for asked in ["ваше имя", "ваш номер", "ваше ім", "your name", "your number"] {
            assert!(!all.contains(asked), "{all}");
        }
    }
}

#[test]
fn no_key_or_a_wrong_key_repeats_the_language_menu_once_then_russian() {
    let (mut call, _) = Call::start("ukr");
    let again = heard(&call.press(""));
    assert_eq!(again.len(), 3, "the menu again: {again:?}");
    assert_eq!(again[2].1, "eng");
    let events = call.press("7");
    let said = heard(&events);
    assert!(said[0].0.starts_with("Здравствуйте") && said[0].1 == "rus", "{said:?}");
    assert_eq!(call.session.contact.language, "rus");
    assert!(ticket_topic(&events).is_none());
}

#[test]
fn the_caller_type_key_sets_caller_type_in_the_messaging_intakes_words() {
    let cases = [
        ("1", "Serviceman", Some(("serviceman", "Serviceman")), None),
        ("2", "Mobilised", Some(("serviceman", "Serviceman")), Some(("called_up", "Called up"))),
        ("3", "Relative", Some(("relative", "Relative")), None),
        ("4", "Someone else", Some(("other", "Someone else")), None),
    ];
    for (key, category, role, situation) in cases {
        let mut call = at_caller_type("2");
        let events = call.press(key);
        assert!(errors(&events).is_empty(), "{:?}", errors(&events));
        assert_eq!(result(&events, "caller_type"), Some((key.to_owned(), category.to_owned())));
        let owned = |r: Option<(&str, &str)>| r.map(|(v, c)| (v.to_owned(), c.to_owned()));
        assert_eq!(result(&events, "role"), owned(role), "key {key}");
        assert_eq!(result(&events, "situation"), owned(situation), "key {key}");
        // Then the codename question, in Ukrainian.
        let said = heard(&events);
        assert!(said.iter().any(|(t, l)| t.contains("кодове ім'я") && l == "ukr"), "{said:?}");
        assert!(ticket_topic(&events).is_none());
    }
}

#[test]
fn zero_at_the_caller_type_menu_goes_straight_to_a_person() {
    let mut call = at_caller_type("3");
    let events = call.press("0");
    assert_eq!(result(&events, "caller_type"), Some(("0".to_owned(), "Operator".to_owned())));
    assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"));
    let said = heard(&events);
    assert_eq!(said, [("Please stay on the line: a person will answer.".to_owned(), "eng".to_owned())]);
    assert_eq!(call.session.status, SessionStatus::Completed);
    assert!(result(&events, "codename_entered").is_none());
}

#[test]
fn zero_at_the_language_menu_hands_over_in_all_three_languages() {
    let (mut call, _) = Call::start("rus");
    let events = call.press("0");
    let said = heard(&events);
    let locales: Vec<&str> = said.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(locales, ["rus", "ukr", "eng"], "{said:?}");
    assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"));
    assert_eq!(call.session.contact.language, "rus", "a person answers; Russian until they learn otherwise");
    assert_eq!(call.session.status, SessionStatus::Completed);
}

#[test]
fn a_keyed_codename_is_saved_as_codename_entered_and_a_person_answers() {
    for keys in ["1234567890123452#", "1234567890123452"] {
        let mut call = at_codename_entry();
        let events = call.press(keys);
        assert!(errors(&events).is_empty(), "{:?}", errors(&events));
        assert_eq!(result(&events, "codename_entered"), Some(("1234567890123452".to_owned(), "Entered".to_owned())));
        let said = heard(&events);
        assert_eq!(said, [("Спасибо. Оставайтесь на линии: вам ответит человек.".to_owned(), "rus".to_owned())]);
        assert!(said.iter().all(|(t, _)| !t.chars().any(|c| c.is_ascii_digit())), "the digits are never spoken back");
        assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"));
        assert_eq!(call.session.status, SessionStatus::Completed);
    }
}

#[test]
fn a_wrong_number_of_digits_is_asked_again_once_and_never_saved() {
    let mut call = at_codename_entry();
    let events = call.press("12345#");
    assert!(result(&events, "codename_entered").is_none());
    assert!(heard(&events)[0].0.contains("ровно шестнадцать"), "{:?}", heard(&events));
    assert!(ticket_topic(&events).is_none());

    let events = call.press("12345678901234567#");
    assert!(result(&events, "codename_entered").is_none());
    assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"), "a person helps after two slips");
    assert_eq!(call.session.status, SessionStatus::Completed);

    // A lone 0 there is a request for a person, not a codename.
    let mut call = at_codename_entry();
    let events = call.press("0#");
    assert!(result(&events, "codename_entered").is_none());
    assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"));
}

#[test]
fn without_a_codename_the_caller_waits_for_a_person() {
    let mut call = at_caller_type("1");
    call.press("4");
    let events = call.press("2");
    assert_eq!(heard(&events), [("Оставайтесь на линии: вам ответит человек.".to_owned(), "rus".to_owned())]);
    assert_eq!(ticket_topic(&events).as_deref(), Some("Operator"));
    assert!(result(&events, "codename_entered").is_none());
    assert_eq!(call.session.status, SessionStatus::Completed);
}
