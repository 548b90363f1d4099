//! Three answers not understood in a row at one question reach a person, at every question of
//! every shipped flow; an answer understood starts the count again.

use super::*;

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
