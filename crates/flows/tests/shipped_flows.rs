//! The flows Safe Passage ships (`flows/safepassage.json`, a RapidPro export): they load with no
//! outside action allowed, every message is in Russian, Ukrainian and English, every question has
//! buttons, a way to a person and a polite end, and the conversations of the brief run end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "shipped_flows/harness.rs"]
mod harness;

use std::collections::BTreeSet;

use harness::*;
use safepassage_flows::definition::export::Export;
use safepassage_flows::definition::{ActionKind, LoadOptions, Router};
use safepassage_flows::engine::{Assets, Event, EventKind, RunStatus, SessionStatus};

const FLOWS: [&str; 4] = ["Intake", "Registration", "Relatives", "Questions"];

/// Longest message, in characters: people read these on a small, often cracked screen.
const MAX_MESSAGE: usize = 300;
/// Longest button label.
const MAX_BUTTON: usize = 40;

#[test]
fn the_export_loads_with_no_outside_action_allowed() {
    let export = export();
    assert_eq!(export.version, "13");
    let names: Vec<&str> = export.flows.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, FLOWS);
    let assets = Assets::from_json(&export_json(), &LoadOptions::default());
    for flow in &export.flows {
        assert_eq!((flow.spec_version.as_str(), flow.language.as_str()), ("14.4.2", "rus"), "{}", flow.name);
        assert_eq!(flow.flow_type.as_str(), "messaging");
        assert!(assets.flow(&flow.uuid).is_ok());
        assert!(flow.expire_after() > 30, "{}: a run waits longer than its questions' timeouts", flow.name);
        for node in &flow.nodes {
            for action in node.actions() {
                match &action.kind {
                    ActionKind::Outside(o) => panic!("{}: outside action {}", flow.name, o.action_type),
                    ActionKind::EnterFlow(e) => {
                        assert!(
                            export.flows.iter().any(|f| f.uuid == e.flow.uuid),
                            "{} enters a flow it lacks",
                            flow.name
                        )
                    }
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn tickets_go_to_three_topics_named_the_same_everywhere() {
    // The platform maps topic names to queues: Urgent → the priority queue.
    let topics = topics_named(&export_json());
    let names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Operator", "Registration", "Urgent"], "one UUID per name, the same in every flow");
}

#[test]
fn a_ticket_whose_topic_is_missing_goes_to_the_default_queue_rather_than_nowhere() {
    let only_operator = topics_named(&export_json()).into_iter().filter(|t| t["name"] == "Operator").collect();
    let (mut chat, _) = Chat::start_on(assets_with_topics(only_operator).into(), false, "Intake", "eng");
    chat.say("English");
    chat.say("Serviceman");
    chat.say("Deployed");
    let events = chat.say("Urgent help");
    assert!(types(&events).contains(&"error".to_string()), "the missing topic is reported");
    assert_eq!(tickets(&events), ["Operator"]);
    assert!(texts(&events)[0].starts_with("Passing this on as urgent."));
}

#[test]
fn the_export_survives_load_and_export() {
    let original = export_json();
    let loaded = export();
    let written = loaded.to_json();
    assert_eq!(written, original, "load → export changes nothing, `_ui` included");
    let again = Export::from_json(&written, &LoadOptions::default()).unwrap();
    assert_eq!(again, loaded, "load → export → load gives the same flows");
}

#[test]
fn every_message_is_in_russian_ukrainian_and_english() {
    let export = export();
    for flow in &export.flows {
        let loc = flow.localization.as_ref().expect("localised");
        let langs: BTreeSet<&str> = loc.languages().map(String::as_str).collect();
        assert_eq!(langs, BTreeSet::from(["eng", "ukr"]), "{}", flow.name);
        let mut items = BTreeSet::new();
        for node in &flow.nodes {
            for (uuid, base, base_replies) in sends(node) {
                items.insert(uuid.to_string());
                for lang in LANGUAGES {
                    let text = text_in(flow, lang, uuid, base);
                    let at = format!("{} {uuid} [{lang}]", flow.name);
                    assert!(!text.trim().is_empty(), "{at}: no text");
                    assert!(text.chars().count() <= MAX_MESSAGE, "{at}: {} characters: {text}", text.chars().count());
                    assert!(!text.contains('@'), "{at}: no expressions in messages: {text}");
                    if lang != "rus" {
                        assert_ne!(text, base, "{at}: not translated");
                    }
                    let replies = replies_in(flow, lang, uuid, base_replies);
                    assert_eq!(replies.len(), base_replies.len(), "{at}: buttons");
                    for r in &replies {
                        assert!(!r.trim().is_empty() && r.chars().count() <= MAX_BUTTON, "{at}: button {r:?}");
                    }
                }
            }
        }
        // Nothing translated that is not in the flow: a stale translation would mislead an editor.
        for lang in ["eng", "ukr"] {
            for (uuid, props) in &loc.0[lang] {
                assert!(items.contains(uuid), "{}: translation of unknown item {uuid}", flow.name);
                assert!(props.keys().all(|p| p == "text" || p == "quick_replies"), "{}: {uuid}", flow.name);
            }
        }
    }
}

#[test]
fn nothing_says_surrender_before_the_person_chooses_to_read_on() {
    // The intake and the relatives' flow are what anyone sees first; captivity is explained only
    // in Registration and in answers a person picks.
    let export = export();
    let words = ["сда", "плен", "полон", "здат", "здач", "surrender", "prisoner", "captiv", "capture"];
    for name in ["Intake", "Relatives"] {
        let flow = flow(&export, name);
        for node in &flow.nodes {
            for (uuid, base, replies) in sends(node) {
                for lang in LANGUAGES {
                    let mut all = vec![text_in(flow, lang, uuid, base)];
                    all.extend(replies_in(flow, lang, uuid, replies));
                    for t in all {
                        let lower = t.to_lowercase();
                        assert!(!words.iter().any(|w| lower.contains(w)), "{name} [{lang}]: {t}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_question_has_buttons_a_person_and_a_timeout() {
    let export = export();
    for flow in &export.flows {
        for wait in waits(flow) {
            let router = wait.router.as_ref().unwrap();
            let at = format!("{} {}", flow.name, wait.uuid);
            let timeout = router.wait.as_ref().unwrap().timeout.as_ref().unwrap_or_else(|| panic!("{at}: no timeout"));
            assert_eq!(router.category(&timeout.category_uuid).unwrap().name, "No Response", "{at}");
            assert!(timeout.seconds >= 600 && timeout.seconds / 60 < flow.expire_after(), "{at}");
            let first = &router.cases()[0];
            assert_eq!(router.category(&first.category_uuid).unwrap().name, "Operator", "{at}: a person comes first");
            let into = leading_to(flow, &wait.uuid);
            assert!(!into.is_empty(), "{at}: unreachable");
            for node in into {
                let msgs = sends(node);
                let (_, _, replies) =
                    msgs.last().unwrap_or_else(|| panic!("{at}: reached from a node with no message"));
                assert!(!replies.is_empty(), "{at}: the question before it has no buttons");
            }
        }
    }
}

/// Every wait of every flow, in a chat positioned there (in `lang`).
fn at_every_wait(lang: &str, mut check: impl FnMut(&str, &str, &mut Chat)) {
    let export = export();
    for flow in &export.flows {
        for wait in waits(flow) {
            let (mut chat, _) = Chat::start(&flow.name, lang);
            chat.move_to_wait(&wait.uuid);
            check(&flow.name, &wait.uuid, &mut chat);
        }
    }
}

#[test]
fn a_person_is_one_word_away_at_every_wait() {
    for lang in LANGUAGES {
        for word in PERSON_WORDS.iter().copied().chain(["Оператор!", "HUMAN", "  живой   человек "])
        {
            at_every_wait(lang, |flow, wait, chat| {
                let events = chat.say(word);
                assert_eq!(tickets(&events), ["Operator"], "{flow} {wait} [{lang}]: {word:?}");
                assert_eq!(texts(&events).len(), 1, "{flow} {wait}: one message says a person will answer");
                assert_eq!(chat.status(), SessionStatus::Completed, "{flow} {wait}");
            });
        }
    }
}

#[test]
fn every_wait_ends_politely_when_no_answer_comes() {
    for lang in LANGUAGES {
        at_every_wait(lang, |flow, wait, chat| {
            let events = chat.time_out();
            assert_eq!(types(&events)[0], "wait_timed_out");
            let said = texts(&events);
            assert!(!said.is_empty(), "{flow} {wait}: a timeout says something");
            assert!(locales(&events).iter().all(|l| l == lang), "{flow} {wait} [{lang}]");
            assert_eq!(chat.status(), SessionStatus::Completed, "{flow} {wait}");
            assert!(chat.waiting_at().is_none());
        });
    }
}

#[test]
fn every_button_is_understood_in_every_language() {
    let export = export();
    for flow in &export.flows {
        for wait in waits(flow) {
            for lang in LANGUAGES {
                for node in leading_to(flow, &wait.uuid) {
                    let (uuid, _, base) = *sends(node).last().unwrap();
                    let labels = replies_in(flow, lang, uuid, base);
                    let mut picked = Vec::new();
                    for label in &labels {
                        let (mut chat, _) = Chat::start(&flow.name, lang);
                        chat.move_to_wait(&wait.uuid);
                        let (run, step) = chat.waiting_step();
                        chat.say(label);
                        let exit = chat.exit_taken_from(&run, step).expect("the wait routed");
                        let category = category_of(wait, &exit);
                        let at = format!("{} {} [{lang}] {label:?}", flow.name, wait.uuid);
                        assert!(category != "Other" && category != "No Response", "{at}: not understood");
                        picked.push(category);
                    }
                    let distinct: BTreeSet<&String> = picked.iter().collect();
                    assert_eq!(
                        distinct.len(),
                        picked.len(),
                        "{} [{lang}]: two buttons do the same: {picked:?}",
                        flow.name
                    );
                }
            }
        }
    }
}

#[test]
fn a_russian_serviceman_at_the_front_registers() {
    let (mut chat, events) = Chat::start("Intake", "");
    assert!(texts(&events)[0].starts_with("Здравствуйте."), "{events:?}");
    assert_eq!(buttons(&events), ["Русский", "Українська", "English"]);

    let events = chat.say("Русский");
    assert!(events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::ContactLanguageChanged { language } if language == "rus")));
    assert!(texts(&events)[0].starts_with("Кто вы?"));
    assert_eq!(buttons(&events), ["Военный", "Родственник", "Другое"]);

    let events = chat.say("Военный");
    assert_eq!(results(&events), [("role".into(), "serviceman".into(), "Serviceman".into())]);
    assert_eq!(buttons(&events), ["Ещё не призван", "Призван, на обучении", "На фронте", "Скрываюсь"]);

    let events = chat.say("На фронте");
    assert_eq!(results(&events), [("situation".into(), "deployed".into(), "Deployed".into())]);
    assert_eq!(buttons(&events), ["Задать вопрос", "Подать заявку", "Срочная помощь"]);

    let events = chat.say("Подать заявку");
    assert_eq!(results(&events), [("want".into(), "register".into(), "Register".into())]);
    assert_eq!(flows_started(&events), ["Registration"]);
    let said = texts(&events);
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(said[0].starts_with("Как это устроено"));
    assert!(said[1].contains("Женевским конвенциям") && said[1].contains("медицинская помощь"));
    assert!(said[2].contains("обмене"));
    assert_eq!(buttons(&events), ["Да, подать", "Пока нет", "Связаться с оператором"]);
    assert!(locales(&events).iter().all(|l| l == "rus"));

    // The codename: the bot says one is coming, asks the platform for it (the result), and only
    // then refers to "the message above": the platform puts its message where the result is.
    let events = chat.say("Да, подать");
    let coming = position(&events, |k| matches!(k, EventKind::MsgCreated { msg } if msg.text.contains("16 цифр")));
    let asked = position(
        &events,
        |k| matches!(k, EventKind::RunResultChanged { name, value, .. } if name == "codename" && value == "requested"),
    );
    let above =
        position(&events, |k| matches!(k, EventKind::MsgCreated { msg } if msg.text.contains("сообщении выше")));
    assert!(coming < asked && asked < above && above < events.len(), "{:?}", types(&events));
    let said = texts(&events);
    assert!(said.iter().any(|t| t.contains("Telegram") && t.contains("клавиатуре")), "how to come back");
    assert!(said.iter().any(|t| t.contains("в тайне") && t.contains("удалите")), "keep it secret");
    assert!(said.last().unwrap().contains("тревожная фраза"));
    assert_eq!(buttons(&events), ["Задать фразу", "Не сейчас"]);

    let events = chat.say("Задать фразу");
    assert!(texts(&events)[0].starts_with("Напишите фразу"));
    assert_eq!(buttons(&events), ["Не сейчас"]);

    let phrase = "передай привет дяде Коле";
    let events = chat.say(phrase);
    assert_eq!(results(&events), [("duress_phrase".into(), phrase.into(), String::new())]);
    assert_eq!(tickets(&events), ["Registration"]);
    assert!(texts(&events).last().unwrap().starts_with("Заявка принята."));
    assert_eq!(chat.status(), SessionStatus::Completed);

    assert_eq!(chat.result("Intake", "role").unwrap().0, "serviceman");
    assert_eq!(chat.result("Intake", "situation").unwrap().0, "deployed");
    assert_eq!(chat.result("Intake", "want").unwrap().0, "register");
    assert_eq!(chat.result("Registration", "codename").unwrap().0, "requested");
    assert_eq!(chat.result("Registration", "duress_phrase").unwrap().0, phrase);
    assert!(
        texts(&chat.transcript).iter().all(|t| !t.contains("дяде Коле")),
        "the bot never repeats the duress phrase"
    );
}

#[test]
fn a_ukrainian_relative_learns_how_to_tell_them_safely_and_reaches_a_person() {
    let (mut chat, _) = Chat::start("Intake", "");
    let events = chat.say("Українська");
    assert!(texts(&events)[0].starts_with("Хто ви?"));
    assert_eq!(locales(&events), ["ukr"]);

    let events = chat.say("Родич");
    assert_eq!(results(&events), [("role".into(), "relative".into(), "Relative".into())]);
    assert!(texts(&events)[0].contains("близькою людиною"));
    assert_eq!(
        buttons(&events),
        ["Ще не призваний", "Призваний, на навчанні", "На фронті", "Переховується", "Не знаю"]
    );

    let events = chat.say("На фронті");
    assert_eq!(results(&events), [("situation".into(), "deployed".into(), "Deployed".into())]);
    assert_eq!(flows_started(&events), ["Relatives"]);
    assert_eq!(texts(&events).len(), 2);
    assert_eq!(
        buttons(&events),
        ["Що я можу зробити", "Як розповісти безпечно", "Часті питання", "Зв'язатися з оператором"]
    );

    let events = chat.say("Як розповісти безпечно");
    let said = texts(&events);
    assert!(said[0].contains("не пересилайте"), "{said:?}");
    assert!(said[1].contains("без імені") || said[1].contains("Називати себе не потрібно"), "{said:?}");
    assert_eq!(said[2], "Що вас цікавить?");

    let events = chat.say("Що я можу зробити");
    assert!(texts(&events)[0].contains("кодове ім'я має знати тільки вона"));

    let events = chat.say("Зв'язатися з оператором");
    assert_eq!(tickets(&events), ["Operator"]);
    assert!(texts(&events)[0].contains("Оператор відповість"));
    assert_eq!(locales(&events), ["ukr"]);
    assert_eq!(chat.status(), SessionStatus::Completed);
    assert!(chat.result("Intake", "want").is_none(), "a relative is not asked what they want");
}

#[test]
fn someone_else_in_english_reads_an_answer_then_asks_for_an_operator() {
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("English");
    let events = chat.say("Someone else");
    assert_eq!(results(&events), [("role".into(), "other".into(), "Someone else".into())]);
    assert!(texts(&events)[0].starts_with("How can we help?"), "no situation asked of someone else");

    let events = chat.say("Ask a question");
    assert_eq!(results(&events), [("want".into(), "question".into(), "Question".into())]);
    assert_eq!(flows_started(&events), ["Questions"]);
    assert_eq!(buttons(&events).len(), 10);
    assert_eq!(buttons(&events).last().unwrap(), "Talk to an operator");

    let events = chat.say("Is it confidential?");
    let said = texts(&events);
    assert!(said[0].starts_with("Yes.") && said[0].contains("Tor Browser"), "{said:?}");
    assert_eq!(said[1], "Another question? Choose below.");

    let events = chat.say("What about officers?");
    assert!(texts(&events)[0].contains("every rank"));

    let events = chat.say("operator");
    assert_eq!(tickets(&events), ["Operator"]);
    assert_eq!(
        texts(&events),
        ["All right. An operator will answer you here as soon as they are free. You can write your question now."]
    );
    assert_eq!(chat.status(), SessionStatus::Completed);
}

#[test]
fn urgent_at_the_question_about_wants_goes_to_the_priority_queue_at_once() {
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("English");
    chat.say("Serviceman");
    chat.say("In hiding");
    let events = chat.say("urgent");
    assert_eq!(
        types(&events),
        ["run_result_changed", "ticket_opened", "msg_created", "run_ended"],
        "a ticket at once, then one message, and no further question"
    );
    assert_eq!(results(&events), [("want".into(), "urgent".into(), "Urgent".into())]);
    assert_eq!(tickets(&events), ["Urgent"]);
    assert!(texts(&events)[0].starts_with("Passing this on as urgent."));
    assert_eq!(chat.status(), SessionStatus::Completed);

    // The button in Russian, and the word at the very first question.
    let (mut chat, _) = Chat::start("Intake", "rus");
    chat.say("Русский");
    chat.say("Военный");
    chat.say("На фронте");
    assert_eq!(tickets(&chat.say("Срочная помощь")), ["Urgent"]);
    let (mut chat, _) = Chat::start("Intake", "");
    assert_eq!(tickets(&chat.say("СРОЧНО")), ["Urgent"]);
}

#[test]
fn a_question_left_unanswered_ends_politely() {
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("Русский");
    let events = chat.time_out();
    assert_eq!(types(&events), ["wait_timed_out", "msg_created", "run_ended"]);
    assert_eq!(texts(&events), ["Разговор приостановлен. Напишите в любое время — мы на связи."]);
    assert_eq!(chat.status(), SessionStatus::Completed);
}

#[test]
fn a_registration_left_after_the_codename_still_reaches_a_specialist() {
    let (mut chat, _) = Chat::start("Registration", "eng");
    chat.say("Yes, apply");
    let events = chat.time_out();
    assert_eq!(tickets(&events), ["Registration"]);
    assert!(texts(&events)[0].starts_with("Your application is received."));
    assert_eq!(chat.result("Registration", "codename").unwrap().0, "requested");
    assert!(chat.result("Registration", "duress_phrase").is_none());

    let (mut chat, _) = Chat::start("Registration", "eng");
    chat.say("Yes, apply");
    let events = chat.say("Not now");
    assert_eq!(tickets(&events), ["Registration"], "no phrase, still registered");
}

#[test]
fn not_now_ends_a_registration_without_a_codename() {
    let (mut chat, _) = Chat::start("Registration", "rus");
    let events = chat.say("Пока нет");
    assert!(texts(&events)[0].contains("Решение только за вами"));
    assert!(tickets(&events).is_empty() && results(&events).is_empty());
    assert_eq!(chat.status(), SessionStatus::Completed);
}

#[test]
fn the_duress_phrase_is_checked_before_it_is_kept() {
    let (mut chat, _) = Chat::start("Registration", "rus");
    chat.say("Да, подать");
    chat.say("Задать фразу");
    let wait = chat.waiting_at();
    assert!(texts(&chat.say("ромашка"))[0].starts_with("Нужно хотя бы два-три слова"));
    assert!(texts(&chat.say("зелёный чай 1234"))[0].starts_with("Пожалуйста, без цифр"));
    assert_eq!(chat.waiting_at(), wait, "still waiting for the phrase");
    // A phrase that happens to contain "человек" is a phrase, not a call for a person.
    let events = chat.say("  хороший человек всегда поможет ");
    assert_eq!(results(&events), [("duress_phrase".into(), "хороший человек всегда поможет".into(), String::new())]);
    assert_eq!(tickets(&events), ["Registration"]);
}

#[test]
fn the_first_message_starts_the_intake_without_answering_its_first_question() {
    // A conversation usually starts with a message ("привет"): the intake opens with a message
    // node, so that text is not taken as the answer to the language question.
    let (mut chat, events) = Chat::start_by_message("Intake", "привет");
    assert_eq!(types(&events), ["run_started", "msg_created", "msg_wait"]);
    assert!(chat.session.contact.language.is_empty());
    assert!(texts(&chat.say("Українська"))[0].starts_with("Хто ви?"));
}

#[test]
fn an_answer_not_understood_is_asked_again() {
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("Русский");
    let wait = chat.waiting_at();
    let events = chat.say("ну не знаю даже");
    assert!(texts(&events)[0].starts_with("Не понял ответ."));
    assert_eq!(buttons(&events), ["Военный", "Родственник", "Другое"]);
    assert_eq!(chat.waiting_at(), wait);
    assert!(chat.result("Intake", "role").is_none());
}

#[test]
fn a_language_is_recognised_from_the_letters_typed() {
    for (typed, language, first) in
        [("привет", "rus", "Кто вы?"), ("привіт", "ukr", "Хто ви?"), ("hi there", "eng", "Who are you?")]
    {
        let (mut chat, _) = Chat::start("Intake", "");
        let events = chat.say(typed);
        assert!(texts(&events)[0].starts_with(first), "{typed}");
        assert_eq!(chat.session.contact.language, language);
    }
    let (mut chat, _) = Chat::start("Intake", "");
    assert_eq!(texts(&chat.say("👍")).len(), 1, "no letters: asked again");
    assert_eq!(buttons(&chat.transcript), ["Русский", "Українська", "English"]);
}

#[test]
fn every_common_question_has_its_own_answer_in_every_language() {
    for lang in LANGUAGES {
        let (mut chat, events) = Chat::start("Questions", lang);
        let labels = buttons(&events);
        let mut answers = BTreeSet::new();
        for label in &labels[..8] {
            let said = texts(&chat.say(label));
            assert_eq!(said.len(), 2, "[{lang}] {label}: {said:?}");
            answers.insert(said[0].clone());
        }
        assert_eq!(answers.len(), 8, "[{lang}]");
        assert_eq!(flows_started(&chat.say(&labels[8])), ["Registration"], "[{lang}]");
    }
}

#[test]
fn a_flow_entered_from_another_expires_with_it() {
    let (mut chat, _) = Chat::start("Intake", "rus");
    chat.say("Русский");
    chat.say("Другое");
    chat.say("Задать вопрос");
    assert_eq!(chat.session.runs.len(), 2);
    let events = chat.expire();
    assert_eq!(types(&events), ["run_ended", "run_ended"]);
    assert_eq!(chat.status(), SessionStatus::Expired);
    assert!(chat.session.runs.iter().all(|r| r.status == RunStatus::Expired));
}

/// The local that counts the answers not understood in a row at one question.
const MISSES: &str = "@(default(locals.misses, 0) + 1)";

/// Says `text` at the current question, which does not understand it: asked again, no ticket.
fn missed(chat: &mut Chat, text: &str) -> Vec<Event> {
    let wait = chat.waiting_at();
    let events = chat.say(text);
    let at = format!("{wait:?} {text:?}");
    assert!(tickets(&events).is_empty(), "{at}: no ticket yet: {:?}", texts(&events));
    assert_eq!(chat.status(), SessionStatus::Waiting, "{at}");
    assert_eq!(chat.waiting_at(), wait, "{at}: asked again");
    assert!(!buttons(&events).is_empty(), "{at}: asked again with buttons");
    events
}

/// Says `text` a third time at a question that does not understand it: a person takes over.
fn handed_over(chat: &mut Chat, text: &str, lang: &str) -> Vec<Event> {
    let at = format!("{:?} {text:?} [{lang}]", chat.waiting_at());
    let events = chat.say(text);
    assert_eq!(tickets(&events), ["Operator"], "{at}");
    let said = texts(&events);
    assert_eq!(said.len(), 2, "{at}: we pass you on, then the operator's message: {said:?}");
    let first = &said[0];
    assert!(
        ["передаю разговор человеку", "передаю розмову людині", "passing you to a person", "to a person"]
            .iter()
            .any(|w| first.to_lowercase().contains(w)),
        "{at}: {first}"
    );
    if text.trim().chars().count() > 3 {
        assert!(said.iter().all(|t| !t.contains(text.trim())), "{at}: the answer is not repeated");
    }
    assert_eq!(chat.status(), SessionStatus::Completed, "{at}");
    assert!(chat.waiting_at().is_none());
    events
}

#[test]
fn three_answers_not_understood_in_a_row_reach_a_person_at_every_wait() {
    // "🤷" is understood nowhere: no letters for the language question, one word for the phrase.
    for lang in LANGUAGES {
        at_every_wait(lang, |flow, wait, chat| {
            missed(chat, "🤷");
            missed(chat, "🤷");
            let events = handed_over(chat, "🤷", lang);
            assert!(locales(&events).iter().all(|l| l == lang), "{flow} {wait} [{lang}]");
            assert!(results(&events).is_empty(), "{flow} {wait}: nothing saved");
        });
    }
}

#[test]
fn every_answer_not_understood_is_counted_and_every_new_question_starts_from_zero() {
    // How it is built, so that an edit in TextIt that loses it is caught: the exits a wait takes
    // for an answer it does not understand go through a switch on the count (no result saved),
    // the third one to a person; the messages that ask again count; every other way into a
    // question clears the count.
    let export = export();
    for flow in &export.flows {
        let node = |uuid: &str| flow.nodes.iter().find(|n| n.uuid == uuid).unwrap();
        for wait in waits(flow) {
            let router = wait.router.as_ref().unwrap();
            let operator = {
                let cat = router.categories.iter().find(|c| c.name == "Operator").unwrap();
                wait.exits.iter().find(|e| e.uuid == cat.exit_uuid).unwrap().destination().unwrap()
            };
            for cat in router.categories.iter().filter(|c| ["Other", "Digits"].contains(&c.name.as_str())) {
                let at = format!("{} {} {}", flow.name, wait.uuid, cat.name);
                let exit = wait.exits.iter().find(|e| e.uuid == cat.exit_uuid).unwrap();
                let check = node(exit.destination().unwrap_or_else(|| panic!("{at}: goes nowhere")));
                let r = check.router.as_ref().unwrap_or_else(|| panic!("{at}: not counted"));
                assert!(r.wait.is_none() && r.result_name().is_none(), "{at}: a plain switch that saves nothing");
                assert_eq!(r.operand.as_deref(), Some(MISSES), "{at}");
                let case = &r.cases()[0];
                assert_eq!((case.test.as_str(), case.arguments()), ("has_number_gte", &["3".to_string()][..]), "{at}");
                let to = |category: &str| {
                    let c = r.categories.iter().find(|c| c.uuid == category).unwrap();
                    node(check.exits.iter().find(|e| e.uuid == c.exit_uuid).unwrap().destination().unwrap())
                };
                let handover = to(&case.category_uuid);
                assert_eq!(handover.exits[0].destination(), Some(operator), "{at}: the operator's ticket");
                let again = to(router_default(r));
                assert_eq!(again.exits[0].destination(), Some(wait.uuid.as_str()), "{at}: asked again");
            }
        }
        let questions: BTreeSet<&str> = waits(flow).iter().map(|w| w.uuid.as_str()).collect();
        for n in &flow.nodes {
            if !n.exits.iter().any(|e| e.destination().is_some_and(|d| questions.contains(d))) {
                continue;
            }
            let counts: Vec<(String, Option<String>, Option<String>)> = n
                .actions()
                .iter()
                .filter_map(|a| match &a.kind {
                    ActionKind::SetRunLocal(l) => Some((l.local.clone(), l.value.clone(), l.operation.clone())),
                    _ => None,
                })
                .collect();
            let asks_again = flow.nodes.iter().any(|c| {
                c.router.as_ref().is_some_and(|r| r.operand.as_deref() == Some(MISSES))
                    && c.exits.iter().any(|e| e.destination() == Some(n.uuid.as_str()))
            });
            let expected = if asks_again {
                ("misses".to_string(), Some(MISSES.to_string()), None)
            } else {
                ("misses".to_string(), None, Some("clear".to_string()))
            };
            assert_eq!(counts, [expected], "{} {}", flow.name, n.uuid);
        }
    }
}

fn router_default(r: &Router) -> &str {
    r.default_category_uuid.as_deref().unwrap()
}

#[test]
fn the_intake_hands_over_after_three_answers_it_does_not_understand() {
    // The language question: no letters at all, three times.
    let (mut chat, _) = Chat::start("Intake", "");
    missed(&mut chat, "👍");
    missed(&mut chat, "123");
    let events = handed_over(&mut chat, "👍👍", "");
    assert!(texts(&events)[0].contains("Ничего страшного") && texts(&events)[0].contains("to a person"));

    // Who are you, in Russian.
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("Русский");
    let events = missed(&mut chat, "ну не знаю даже");
    assert!(texts(&events)[0].starts_with("Не понял ответ."));
    missed(&mut chat, "а что это");
    let events = handed_over(&mut chat, "хм", "rus");
    assert_eq!(
        texts(&events),
        [
            "Похоже, у нас не получается понять друг друга — ничего страшного. Передаю разговор человеку.",
            "Хорошо. Оператор ответит вам здесь, как только освободится. Можете сразу написать свой вопрос."
        ]
    );
    assert!(chat.result("Intake", "role").is_none());

    // The situation, in English.
    let (mut chat, _) = Chat::start("Intake", "");
    chat.say("English");
    chat.say("Serviceman");
    missed(&mut chat, "hmm");
    missed(&mut chat, "what?");
    let events = handed_over(&mut chat, "no idea", "eng");
    assert!(texts(&events)[0].starts_with("It seems we aren't understanding each other"));
    assert_eq!(locales(&events), ["eng", "eng"]);
}

#[test]
fn an_answer_understood_starts_the_count_again() {
    let (mut chat, _) = Chat::start("Intake", "");
    missed(&mut chat, "👍");
    missed(&mut chat, "👍");
    chat.say("Українська");
    missed(&mut chat, "ну");
    missed(&mut chat, "що");
    let events = chat.say("Військовий");
    assert_eq!(results(&events), [("role".into(), "serviceman".into(), "Serviceman".into())]);
    // Two more at the next question are two, not four.
    missed(&mut chat, "ну");
    missed(&mut chat, "що");
    let events = chat.say("На фронті");
    assert_eq!(results(&events), [("situation".into(), "deployed".into(), "Deployed".into())]);
    missed(&mut chat, "ну");
    missed(&mut chat, "що");
    // The third in a row at the same question is the one that hands over.
    handed_over(&mut chat, "а", "ukr");
    assert_eq!(chat.result("Intake", "situation").unwrap().0, "deployed");
}

#[test]
fn the_questions_menu_hands_over_after_three_questions_it_has_no_answer_for() {
    let (mut chat, _) = Chat::start("Questions", "eng");
    let events = missed(&mut chat, "what is the weather");
    assert!(texts(&events)[0].starts_with("There is no ready answer"));
    missed(&mut chat, "asdf");
    let events = chat.say("Is it confidential?");
    assert!(texts(&events)[0].starts_with("Yes."));
    missed(&mut chat, "what is the weather");
    missed(&mut chat, "asdf");
    let events = chat.say("What about officers?");
    assert!(texts(&events)[0].contains("every rank"));
    missed(&mut chat, "qwerty");
    missed(&mut chat, "zzz");
    handed_over(&mut chat, "???", "eng");

    // Entered from the intake: the child flow hands over, and the whole session ends.
    let (mut chat, _) = Chat::start("Intake", "rus");
    chat.say("Русский");
    chat.say("Другое");
    missed(&mut chat, "эээ");
    chat.say("Задать вопрос");
    missed(&mut chat, "ыыы");
    missed(&mut chat, "ааа");
    handed_over(&mut chat, "ооо", "rus");
    assert!(chat.session.runs.iter().all(|r| r.status == RunStatus::Completed));
}

#[test]
fn the_relatives_flow_hands_over_after_three_answers_it_does_not_understand() {
    let (mut chat, _) = Chat::start("Relatives", "ukr");
    missed(&mut chat, "ну");
    missed(&mut chat, "а");
    let events = chat.say("Як розповісти безпечно");
    assert!(texts(&events)[0].contains("не пересилайте"));
    missed(&mut chat, "ну");
    missed(&mut chat, "а");
    let events = handed_over(&mut chat, "що", "ukr");
    assert!(texts(&events)[0].starts_with("Схоже, нам не вдається зрозуміти одне одного"));
    assert!(texts(&events)[1].contains("Оператор відповість"));
}

#[test]
fn the_registration_hands_over_after_three_answers_it_does_not_understand() {
    // At the consent: no codename is asked for.
    let (mut chat, _) = Chat::start("Registration", "rus");
    missed(&mut chat, "а это законно?");
    missed(&mut chat, "ну");
    handed_over(&mut chat, "м", "rus");
    assert!(chat.result("Registration", "codename").is_none());

    // Two at the consent, then yes; two at the offer of a phrase, then yes.
    let (mut chat, _) = Chat::start("Registration", "rus");
    missed(&mut chat, "а это законно?");
    missed(&mut chat, "ну");
    chat.say("Да, подать");
    assert_eq!(chat.result("Registration", "codename").unwrap().0, "requested");
    missed(&mut chat, "что это");
    missed(&mut chat, "ммм");
    assert!(texts(&chat.say("Задать фразу"))[0].starts_with("Напишите фразу"));
    let events = chat.say("передай привет дяде Коле");
    assert_eq!(tickets(&events), ["Registration"]);
}

#[test]
fn three_phrases_that_cannot_be_kept_reach_a_person_and_none_of_them_is_kept_or_repeated() {
    let attempts = ["ромашка", "зелёный чай 1234", "тюльпан"];
    let (mut chat, _) = Chat::start("Registration", "rus");
    chat.say("Да, подать");
    chat.say("Задать фразу");
    let wait = chat.waiting_at();
    assert!(texts(&missed(&mut chat, attempts[0]))[0].starts_with("Нужно хотя бы два-три слова"));
    assert!(texts(&missed(&mut chat, attempts[1]))[0].starts_with("Пожалуйста, без цифр"));
    assert_eq!(chat.waiting_at(), wait);
    let events = handed_over(&mut chat, attempts[2], "rus");
    assert_eq!(tickets(&events), ["Operator"], "the same way as «оператор» at this question");
    // Nothing of what was written is in a result, in a message, or in the counter.
    for run in &chat.session.runs {
        for (name, result) in &run.results {
            assert!(name != "duress_phrase", "no phrase was kept");
            let input = result.input.as_deref().unwrap_or("");
            assert!(attempts.iter().all(|a| !result.value.contains(a) && !input.contains(a)), "{name}");
        }
        assert!(run.locals.values().all(|v| attempts.iter().all(|a| !v.contains(a))));
    }
    let said = texts(&chat.transcript);
    assert!(said.iter().all(|t| attempts.iter().all(|a| !t.contains(a))), "never repeated");
    assert!(results(&chat.transcript).iter().all(|(name, _, _)| name == "codename"));

    // Two that cannot be kept, then one that can: kept, and the registration goes on.
    let (mut chat, _) = Chat::start("Registration", "eng");
    chat.say("Yes, apply");
    chat.say("Set a phrase");
    missed(&mut chat, "daisy");
    missed(&mut chat, "green tea 1234");
    let events = chat.say("say hello to uncle Bob");
    assert_eq!(results(&events), [("duress_phrase".into(), "say hello to uncle Bob".into(), String::new())]);
    assert_eq!(tickets(&events), ["Registration"]);
}
