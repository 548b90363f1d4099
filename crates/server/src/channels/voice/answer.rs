//! The TwiML a call is answered with at each step, from the core's `CallPrompt`: the flow's
//! lines inside a `<Gather>` of keys while it waits (with a `<Redirect>` back, so silence hears
//! them again), a calm word and the line's queue once the caller waits for a person, else the
//! lines and the end of the call. Every URL is the line's public one, which the provider signs.

use fluent_bundle::FluentValue;
use safepassage_conversation::channel::call::{CallPrompt, Keys};
use safepassage_conversation::I18n;
use safepassage_domain::Language;
use safepassage_voice::{Response, Verb, VoiceLanguage};

use super::settings::VoiceLine;

/// Seconds a `<Gather>` waits for the first key (and between keys).
const KEYS_TIMEOUT_S: u8 = 8;
/// Seconds of silence between two "please stay on the line" while the caller waits.
const WAIT_PAUSE_S: u8 = 20;

/// The voice a language is spoken in.
pub fn voice_language(language: Language) -> VoiceLanguage {
    match language {
        Language::Ru => VoiceLanguage::RuRu,
        Language::Uk => VoiceLanguage::UkUa,
        Language::En => VoiceLanguage::EnUs,
    }
}

fn say(text: String, language: Language) -> Verb {
    Verb::Say { text, language: voice_language(language) }
}

/// The answer to a step of the call.
pub fn step(line: &VoiceLine, i18n: &I18n, prompt: &CallPrompt) -> Response {
    let lines: Vec<Verb> = prompt.lines.iter().map(|(text, language)| say(text.clone(), *language)).collect();
    if let Some(keys) = prompt.keys {
        let (num_digits, finish_on_key) = match keys {
            Keys::Count(n) => (Some(n), None),
            Keys::Until(key) => (None, Some(key)),
        };
        let gather = Verb::Gather {
            action: line.url("gather"),
            num_digits,
            finish_on_key,
            timeout_s: KEYS_TIMEOUT_S,
            prompts: lines,
        };
        return Response(vec![gather, Verb::Redirect { url: line.url("gather") }]);
    }
    let mut verbs = lines;
    if prompt.queued {
        // The flow's handover line says it already; otherwise the platform does.
        if verbs.is_empty() {
            verbs.push(say(i18n.text(prompt.language, "voice-stay-on-line"), prompt.language));
        }
        verbs.push(Verb::Enqueue { queue: line.queue(), wait_url: line.url("wait"), action: Some(line.url("status")) });
        return Response(verbs);
    }
    if verbs.is_empty() {
        verbs.push(say(i18n.text(prompt.language, "voice-goodbye"), prompt.language));
    }
    verbs.push(Verb::Hangup);
    Response(verbs)
}

/// What a caller hears while waiting in the queue (the provider plays it again and again):
/// their place in line, when the provider says it, and silence; no outside audio.
pub fn waiting(i18n: &I18n, language: Language, position: Option<u32>) -> Response {
    let text = match position {
        Some(position) => i18n.text_with(language, "voice-waiting", &[("position", FluentValue::from(position))]),
        None => i18n.text(language, "voice-waiting-no-position"),
    };
    Response(vec![say(text, language), Verb::Pause { seconds: WAIT_PAUSE_S }])
}

/// The answer when nothing can be done for the call (no conversation, the core failed): a
/// calm word and the end, rather than the provider's own error message.
pub fn goodbye(i18n: &I18n, language: Language) -> Response {
    Response(vec![say(i18n.text(language, "voice-goodbye"), language), Verb::Hangup])
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn line() -> VoiceLine {
        VoiceLine::new("main", "AC1", Zeroizing::new("t".into()), "https://hotline.example")
    }

    fn prompt(keys: Option<Keys>, queued: bool, lines: &[(&str, Language)]) -> CallPrompt {
        let lines = lines.iter().map(|(t, l)| ((*t).to_owned(), *l)).collect();
        CallPrompt { lines, language: Language::Uk, keys, queued }
    }

    #[test]
    fn a_waiting_flow_gathers_keys_around_its_lines_and_comes_back_on_silence() {
        let i18n = crate::i18n::load();
        let xml = step(&line(), &i18n, &prompt(Some(Keys::Until('#')), false, &[("Наберите", Language::Ru)])).to_xml();
        assert!(xml.contains(r#"<Gather input="dtmf" action="https://hotline.example/channels/voice/main/gather""#));
        assert!(xml.contains(
            r##"finishOnKey="#"><Say voice="Google.ru-RU-Standard-A" language="ru-RU">Наберите</Say></Gather>"##
        ));
        assert!(xml.ends_with(
            r#"<Redirect method="POST">https://hotline.example/channels/voice/main/gather</Redirect></Response>"#
        ));
    }

    #[test]
    fn a_queued_caller_hears_a_calm_word_and_waits_in_the_line_s_queue() {
        let i18n = crate::i18n::load();
        let xml = step(&line(), &i18n, &prompt(None, true, &[])).to_xml();
        assert!(xml.contains("Залишайтеся на лінії"), "{xml}");
        assert!(xml.contains(r#"<Enqueue waitUrl="https://hotline.example/channels/voice/main/wait" waitUrlMethod="POST" action="https://hotline.example/channels/voice/main/status" method="POST">safepassage-main</Enqueue>"#), "{xml}");
        let done = step(&line(), &i18n, &prompt(None, false, &[("Bye", Language::En)])).to_xml();
        assert!(
            done.ends_with(r#"<Say voice="Google.en-US-Standard-C" language="en-US">Bye</Say><Hangup/></Response>"#),
            "{done}"
        );
        let wait = waiting(&i18n, Language::En, Some(3)).to_xml();
        assert!(wait.contains("number 3 in line") && wait.contains(r#"<Pause length="20"/>"#), "{wait}");
    }
}
