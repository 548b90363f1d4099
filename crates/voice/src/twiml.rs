//! TwiML: the instructions we answer a call's webhook with
//! (<https://www.twilio.com/docs/voice/twiml>).
//!
//! Written with quick-xml so every text and attribute is escaped by the library, never by
//! hand: a caller-influenced string must not be able to add a verb. `<Gather>` always asks for
//! keys only (`input="dtmf"`): speech recognition would send a caller's voice to a third party.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// A TwiML document: the verbs the provider runs in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response(pub Vec<Verb>);

/// The language `<Say>` speaks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceLanguage {
    RuRu,
    UkUa,
    EnUs,
}

impl VoiceLanguage {
    /// The provider's tag (`ru-RU`, …).
    pub fn as_tag(self) -> &'static str {
        match self {
            VoiceLanguage::RuRu => "ru-RU",
            VoiceLanguage::UkUa => "uk-UA",
            VoiceLanguage::EnUs => "en-US",
        }
    }
}

/// The `voice` written on each `<Say>`, by language. The provider's default voice (`man`)
/// speaks only a few languages and an unsupported pair makes `<Say>` fail
/// (<https://www.twilio.com/docs/voice/twiml/say>), so a voice that speaks the language is
/// named. The default is Twilio's Google voices; other providers name their voices otherwise
/// (SignalWire `gcloud.…`), hence a setting. `None` writes no `voice` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SayVoices {
    pub ru_ru: Option<String>,
    pub uk_ua: Option<String>,
    pub en_us: Option<String>,
}

impl Default for SayVoices {
    fn default() -> Self {
        SayVoices {
            ru_ru: Some("Google.ru-RU-Standard-A".into()),
            uk_ua: Some("Google.uk-UA-Standard-A".into()),
            en_us: Some("Google.en-US-Standard-C".into()),
        }
    }
}

impl SayVoices {
    /// No `voice` attribute at all: the account's default voice speaks.
    pub fn none() -> Self {
        SayVoices { ru_ru: None, uk_ua: None, en_us: None }
    }

    fn for_language(&self, language: VoiceLanguage) -> Option<&str> {
        match language {
            VoiceLanguage::RuRu => self.ru_ru.as_deref(),
            VoiceLanguage::UkUa => self.uk_ua.as_deref(),
            VoiceLanguage::EnUs => self.en_us.as_deref(),
        }
    }
}

/// Whom a `<Dial>` connects the call to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialTarget {
    /// A phone number (`<Number>`), E.164.
    Number(String),
    /// A SIP address (`<Sip>`), `sip:…`.
    Sip(String),
    /// The caller waiting longest in a queue (`<Queue>`): how an operator takes a call.
    Queue(String),
}

/// One TwiML verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verb {
    /// Speaks `text`.
    Say { text: String, language: VoiceLanguage },
    /// Plays the audio at `url`.
    Play { url: String },
    /// Silence.
    Pause { seconds: u8 },
    /// Waits for keys and posts them (`Digits`) to `action`. `finish_on_key: None` means no
    /// key ends the input (written `finishOnKey=""`, since the provider's default is `#`); a
    /// key other than `0-9`, `*`, `#` is written the same way. `prompts` are played while
    /// waiting; only `Say`, `Play` and `Pause` are allowed there, others are left out.
    Gather { action: String, num_digits: Option<u8>, finish_on_key: Option<char>, timeout_s: u8, prompts: Vec<Verb> },
    /// Fetches the next TwiML from `url` (POST).
    Redirect { url: String },
    /// Puts the caller in the queue `queue`; `wait_url` is fetched for what to play while
    /// waiting, `action` is told how the wait ended.
    Enqueue { queue: String, wait_url: String, action: Option<String> },
    /// Connects the call to another party.
    Dial { number_or_sip: DialTarget, caller_id: Option<String> },
    /// Takes the caller out of its queue (in a wait URL's TwiML).
    Leave,
    /// Ends the call.
    Hangup,
}

impl Verb {
    fn is_prompt(&self) -> bool {
        matches!(self, Verb::Say { .. } | Verb::Play { .. } | Verb::Pause { .. })
    }
}

impl Response {
    /// The document, with its XML declaration, without whitespace between elements, with
    /// the default [`SayVoices`].
    pub fn to_xml(&self) -> String {
        self.to_xml_with(&SayVoices::default())
    }

    /// The document, naming `voices` on each `<Say>`.
    pub fn to_xml_with(&self, voices: &SayVoices) -> String {
        let mut writer = Writer::new(Vec::new());
        let written = write_response(&mut writer, self, voices);
        match written.map(|()| String::from_utf8(writer.into_inner())) {
            Ok(Ok(xml)) => xml,
            // Writing to memory does not fail and quick-xml writes UTF-8; should it ever, the
            // caller hears the call end rather than a half document.
            _ => {
                tracing::error!("TwiML could not be written");
                String::from(FALLBACK)
            }
        }
    }
}

const FALLBACK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#;

type Written = Result<(), quick_xml::Error>;

fn write_response(w: &mut Writer<Vec<u8>>, response: &Response, voices: &SayVoices) -> Written {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(BytesStart::new("Response")))?;
    for verb in &response.0 {
        write_verb(w, verb, voices)?;
    }
    w.write_event(Event::End(BytesEnd::new("Response")))?;
    Ok(())
}

fn write_verb(w: &mut Writer<Vec<u8>>, verb: &Verb, voices: &SayVoices) -> Written {
    match verb {
        Verb::Say { text, language } => match voices.for_language(*language) {
            Some(voice) => element(w, "Say", &[("voice", voice), ("language", language.as_tag())], text),
            None => element(w, "Say", &[("language", language.as_tag())], text),
        },
        Verb::Play { url } => element(w, "Play", &[], url),
        Verb::Pause { seconds } => {
            let mut start = BytesStart::new("Pause");
            start.push_attribute(("length", seconds.to_string().as_str()));
            w.write_event(Event::Empty(start))?;
            Ok(())
        }
        Verb::Gather { action, num_digits, finish_on_key, timeout_s, prompts } => {
            let timeout = timeout_s.to_string();
            let num_digits = num_digits.map(|n| n.to_string());
            let finish_on_key = match finish_on_key {
                Some(key @ ('0'..='9' | '*' | '#')) => key.to_string(),
                _ => String::new(),
            };
            let mut start = BytesStart::new("Gather");
            start.push_attribute(("input", "dtmf"));
            start.push_attribute(("action", action.as_str()));
            start.push_attribute(("method", "POST"));
            start.push_attribute(("timeout", timeout.as_str()));
            if let Some(n) = &num_digits {
                start.push_attribute(("numDigits", n.as_str()));
            }
            start.push_attribute(("finishOnKey", finish_on_key.as_str()));
            let prompts: Vec<&Verb> = prompts.iter().filter(|v| v.is_prompt()).collect();
            if prompts.is_empty() {
                w.write_event(Event::Empty(start))?;
                return Ok(());
            }
            w.write_event(Event::Start(start))?;
            for prompt in prompts {
                write_verb(w, prompt, voices)?;
            }
            w.write_event(Event::End(BytesEnd::new("Gather")))?;
            Ok(())
        }
        Verb::Redirect { url } => element(w, "Redirect", &[("method", "POST")], url),
        Verb::Enqueue { queue, wait_url, action } => {
            let mut attributes = vec![("waitUrl", wait_url.as_str()), ("waitUrlMethod", "POST")];
            if let Some(action) = action {
                attributes.push(("action", action.as_str()));
                attributes.push(("method", "POST"));
            }
            element(w, "Enqueue", &attributes, queue)
        }
        Verb::Dial { number_or_sip, caller_id } => {
            let mut start = BytesStart::new("Dial");
            if let Some(caller_id) = caller_id {
                start.push_attribute(("callerId", caller_id.as_str()));
            }
            w.write_event(Event::Start(start))?;
            match number_or_sip {
                DialTarget::Number(number) => element(w, "Number", &[], number)?,
                DialTarget::Sip(address) => element(w, "Sip", &[], address)?,
                DialTarget::Queue(queue) => element(w, "Queue", &[], queue)?,
            }
            w.write_event(Event::End(BytesEnd::new("Dial")))?;
            Ok(())
        }
        Verb::Leave => empty(w, "Leave"),
        Verb::Hangup => empty(w, "Hangup"),
    }
}

/// `<name attributes…>text</name>`, text and attributes escaped by quick-xml.
fn element(w: &mut Writer<Vec<u8>>, name: &str, attributes: &[(&str, &str)], text: &str) -> Written {
    let mut start = BytesStart::new(name);
    for attribute in attributes {
        start.push_attribute(*attribute);
    }
    w.write_event(Event::Start(start))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))?;
    Ok(())
}

fn empty(w: &mut Writer<Vec<u8>>, name: &str) -> Written {
    w.write_event(Event::Empty(BytesStart::new(name)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    fn xml(verbs: Vec<Verb>) -> String {
        Response(verbs).to_xml()
    }

    #[test]
    fn empty_response() {
        assert_eq!(xml(vec![]), format!("{DECL}<Response></Response>"));
    }

    #[test]
    fn say_escapes_markup() {
        let said = xml(vec![Verb::Say { text: r#"a<b>&"c'</Say><Dial>"#.into(), language: VoiceLanguage::RuRu }]);
        assert_eq!(
            said,
            format!(
                "{DECL}<Response><Say voice=\"Google.ru-RU-Standard-A\" language=\"ru-RU\">a&lt;b&gt;&amp;&quot;c&apos;\
                 &lt;/Say&gt;&lt;Dial&gt;</Say></Response>"
            )
        );
    }

    #[test]
    fn gather_with_prompts() {
        let gathered = xml(vec![
            Verb::Gather {
                action: "/voice/menu?step=1&x=\"y\"".into(),
                num_digits: Some(1),
                finish_on_key: None,
                timeout_s: 5,
                prompts: vec![
                    Verb::Say { text: "Нажмите 1".into(), language: VoiceLanguage::RuRu },
                    Verb::Pause { seconds: 1 },
                    Verb::Play { url: "https://example.org/a.mp3".into() },
                    Verb::Hangup,
                ],
            },
            Verb::Redirect { url: "/voice/menu".into() },
        ]);
        assert_eq!(
            gathered,
            format!(
                "{DECL}<Response><Gather input=\"dtmf\" action=\"/voice/menu?step=1&amp;x=&quot;y&quot;\" \
                 method=\"POST\" timeout=\"5\" numDigits=\"1\" finishOnKey=\"\">\
                 <Say voice=\"Google.ru-RU-Standard-A\" language=\"ru-RU\">Нажмите 1</Say><Pause length=\"1\"/>\
                 <Play>https://example.org/a.mp3</Play></Gather>\
                 <Redirect method=\"POST\">/voice/menu</Redirect></Response>"
            )
        );
    }

    #[test]
    fn gather_without_prompts_and_with_a_finish_key() {
        let gathered = xml(vec![Verb::Gather {
            action: "/g".into(),
            num_digits: None,
            finish_on_key: Some('#'),
            timeout_s: 10,
            prompts: vec![],
        }]);
        assert_eq!(
            gathered,
            format!(
                "{DECL}<Response><Gather input=\"dtmf\" action=\"/g\" method=\"POST\" \
                 timeout=\"10\" finishOnKey=\"#\"/></Response>"
            )
        );
    }

    #[test]
    fn enqueue_dial_leave_hangup() {
        let written = xml(vec![
            Verb::Say { text: "Hold on".into(), language: VoiceLanguage::EnUs },
            Verb::Enqueue {
                queue: "hotline".into(),
                wait_url: "/voice/wait".into(),
                action: Some("/voice/left".into()),
            },
            Verb::Enqueue { queue: "other".into(), wait_url: "/w".into(), action: None },
            Verb::Dial { number_or_sip: DialTarget::Queue("hotline".into()), caller_id: Some("+15005550006".into()) },
            Verb::Dial { number_or_sip: DialTarget::Number("+15005550001".into()), caller_id: None },
            Verb::Dial { number_or_sip: DialTarget::Sip("sip:op@example.org".into()), caller_id: None },
            Verb::Leave,
            Verb::Hangup,
        ]);
        assert_eq!(
            written,
            format!(
                "{DECL}<Response><Say voice=\"Google.en-US-Standard-C\" language=\"en-US\">Hold on</Say>\
                 <Enqueue waitUrl=\"/voice/wait\" waitUrlMethod=\"POST\" action=\"/voice/left\" \
                 method=\"POST\">hotline</Enqueue>\
                 <Enqueue waitUrl=\"/w\" waitUrlMethod=\"POST\">other</Enqueue>\
                 <Dial callerId=\"+15005550006\"><Queue>hotline</Queue></Dial>\
                 <Dial><Number>+15005550001</Number></Dial>\
                 <Dial><Sip>sip:op@example.org</Sip></Dial>\
                 <Leave/><Hangup/></Response>"
            )
        );
    }

    #[test]
    fn voices_are_a_setting() {
        let response = Response(vec![Verb::Say { text: "Hi".into(), language: VoiceLanguage::EnUs }]);
        assert_eq!(
            response.to_xml_with(&SayVoices::none()),
            format!("{DECL}<Response><Say language=\"en-US\">Hi</Say></Response>")
        );
        let signalwire = SayVoices { en_us: Some("gcloud.en-US-Standard-C".into()), ..SayVoices::none() };
        assert!(response
            .to_xml_with(&signalwire)
            .contains("<Say voice=\"gcloud.en-US-Standard-C\" language=\"en-US\">"));
    }

    #[test]
    fn ukrainian_tag() {
        assert!(xml(vec![Verb::Say { text: "Так".into(), language: VoiceLanguage::UkUa }])
            .contains("<Say voice=\"Google.uk-UA-Standard-A\" language=\"uk-UA\">Так</Say>"));
    }
}
