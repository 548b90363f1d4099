//! The flows Safe Passage ships (`flows/safepassage.json`, a RapidPro export): they load with no
//! outside action allowed, every message is in Russian, Ukrainian and English, every question has
//! buttons, a way to a person and a polite end, and the conversations of the brief run end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "shipped_flows/harness.rs"]
mod harness;

#[path = "shipped_flows/handover.rs"]
mod handover;

use std::collections::BTreeSet;

use harness::*;
use safepassage_flows::definition::export::Export;
use safepassage_flows::definition::{ActionKind, LoadOptions, Router};
use safepassage_flows::engine::{Assets, Event, EventKind, RunStatus, SessionStatus};

const FLOWS: [&str; 5] = ["Intake", "Registration", "Relatives", "Questions", "Returning"];

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
        // Russian, the base language, is localised for the category names only (staff read them).
        assert_eq!(langs, BTreeSet::from(["eng", "rus", "ukr"]), "{}", flow.name);
        let mut items = BTreeSet::new();
        // A saved result's category carries its name in the staff's languages.
        let mut categories = BTreeSet::new();
        for node in &flow.nodes {
            for action in node.actions() {
                if let ActionKind::SetRunResult(r) = &action.kind {
                    if r.category.as_deref().is_some_and(|c| !c.is_empty()) {
                        categories.insert(action.uuid.to_string());
                    }
                }
            }
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
        for lang in ["eng", "ukr", "rus"] {
            let mut categories = categories.clone();
            for (uuid, props) in &loc.0[lang] {
                if categories.remove(uuid.as_str()) {
                    assert!(props.keys().all(|p| p == "category"), "{}: {uuid}", flow.name);
                    continue;
                }
                assert!(items.contains(uuid), "{}: translation of unknown item {uuid}", flow.name);
                assert!(props.keys().all(|p| p == "text" || p == "quick_replies"), "{}: {uuid}", flow.name);
            }
            assert!(categories.is_empty(), "{} [{lang}]: categories not translated: {categories:?}", flow.name);
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
