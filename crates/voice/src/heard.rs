//! What a caller hears from a TwiML document: the test phone's reading of our answers.
//!
//! The test phone reads TwiML as the provider would (quick-xml's reader, entities resolved)
//! and keeps what a test asserts on: what was said and played, and where the call goes next
//! (a `<Gather>` action, a `<Redirect>`, an `<Enqueue>`, a `<Dial>`, or the end). A verb the
//! provider would not know is an error, so a typo in our TwiML fails a test instead of a call.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// A `<Gather>` as seen by the phone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GatherSeen {
    pub action: String,
    pub input: Option<String>,
    pub method: Option<String>,
    pub num_digits: Option<u8>,
    pub finish_on_key: Option<String>,
    pub timeout_s: Option<u32>,
}

/// An `<Enqueue>` as seen by the phone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnqueueSeen {
    pub queue: String,
    pub wait_url: String,
    pub action: Option<String>,
}

/// A `<Dial>` as seen by the phone: the target it names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DialSeen {
    pub caller_id: Option<String>,
    pub number: Option<String>,
    pub sip: Option<String>,
    pub queue: Option<String>,
}

/// Everything one TwiML document makes the caller hear, and where the call goes next.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Heard {
    /// `(language, text)` of every `<Say>`, inside a `<Gather>` or not, in order.
    pub said: Vec<(String, String)>,
    /// The URL of every `<Play>`, in order.
    pub played: Vec<String>,
    /// Seconds of `<Pause>` in all.
    pub paused_s: u32,
    pub gather: Option<GatherSeen>,
    pub redirect: Option<String>,
    pub enqueue: Option<EnqueueSeen>,
    pub dial: Option<DialSeen>,
    pub leave: bool,
    pub hangup: bool,
    /// The names of the top-level verbs, in order.
    pub verbs: Vec<String>,
}

impl Heard {
    /// Every text said, joined by newlines: handy for `contains` assertions.
    pub fn all_said(&self) -> String {
        self.said.iter().map(|(_, text)| text.as_str()).collect::<Vec<_>>().join("\n")
    }
}

/// Why a document could not be read as TwiML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeardError {
    #[error("not well-formed XML: {0}")]
    Xml(String),
    #[error("the root element is not <Response>")]
    NotResponse,
    #[error("unknown TwiML element <{0}>")]
    UnknownElement(String),
    #[error("bad value in attribute {0}")]
    BadAttribute(&'static str),
}

struct Open {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
}

impl Open {
    fn attribute(&self, name: &str) -> Option<String> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

fn xml_error(e: impl std::fmt::Display) -> HeardError {
    HeardError::Xml(e.to_string())
}

/// Reads a TwiML document.
pub fn parse_twiml(xml: &str) -> Result<Heard, HeardError> {
    let mut reader = Reader::from_str(xml);
    let mut heard = Heard::default();
    let mut dial = DialSeen::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut seen_root = false;
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Eof => break,
            Event::Start(start) => {
                let open = open(&start, &stack, &mut seen_root)?;
                stack.push(open);
            }
            Event::Empty(start) => {
                let open = open(&start, &stack, &mut seen_root)?;
                let depth = stack.len();
                close(open, depth, &mut heard, &mut dial)?;
            }
            Event::End(_) => {
                if let Some(open) = stack.pop() {
                    let depth = stack.len();
                    close(open, depth, &mut heard, &mut dial)?;
                }
            }
            Event::Text(text) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&text.decode().map_err(xml_error)?);
                }
            }
            Event::CData(text) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&text.decode().map_err(xml_error)?);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(xml_error)? {
                    Some(ch) => ch.to_string(),
                    None => {
                        let name = reference.decode().map_err(xml_error)?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| HeardError::Xml(format!("unknown entity &{name};")))?
                            .to_owned()
                    }
                };
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&resolved);
                }
            }
            Event::DocType(_) => return Err(HeardError::Xml("DOCTYPE in TwiML".into())),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if !seen_root {
        return Err(HeardError::NotResponse);
    }
    if let Some(open) = stack.last() {
        return Err(HeardError::Xml(format!("<{}> is never closed", open.name)));
    }
    Ok(heard)
}

fn open(start: &BytesStart<'_>, stack: &[Open], seen_root: &mut bool) -> Result<Open, HeardError> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    if stack.is_empty() {
        if name != "Response" || *seen_root {
            return Err(HeardError::NotResponse);
        }
        *seen_root = true;
    }
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(xml_error)?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute.unescape_value().map_err(xml_error)?.into_owned();
        attributes.push((key, value));
    }
    Ok(Open { name, attributes, text: String::new() })
}

/// Records a finished element; `depth` is the number of elements still open around it.
fn close(open: Open, depth: usize, heard: &mut Heard, dial: &mut DialSeen) -> Result<(), HeardError> {
    if depth == 1 {
        heard.verbs.push(open.name.clone());
    }
    let text = open.text.trim().to_owned();
    match open.name.as_str() {
        "Response" => {}
        "Say" => heard.said.push((open.attribute("language").unwrap_or_default(), text)),
        "Play" => heard.played.push(text),
        "Pause" => {
            let length = match open.attribute("length") {
                None => 1,
                Some(v) => v.parse().map_err(|_| HeardError::BadAttribute("length"))?,
            };
            heard.paused_s += length;
        }
        "Gather" => {
            let num_digits = match open.attribute("numDigits") {
                None => None,
                Some(v) => Some(v.parse().map_err(|_| HeardError::BadAttribute("numDigits"))?),
            };
            let timeout_s = match open.attribute("timeout") {
                None => None,
                Some(v) => Some(v.parse().map_err(|_| HeardError::BadAttribute("timeout"))?),
            };
            heard.gather = Some(GatherSeen {
                action: open.attribute("action").unwrap_or_default(),
                input: open.attribute("input"),
                method: open.attribute("method"),
                num_digits,
                finish_on_key: open.attribute("finishOnKey"),
                timeout_s,
            });
        }
        "Redirect" => heard.redirect = Some(text),
        "Enqueue" => {
            heard.enqueue = Some(EnqueueSeen {
                queue: text,
                wait_url: open.attribute("waitUrl").unwrap_or_default(),
                action: open.attribute("action"),
            })
        }
        "Number" => dial.number = Some(text),
        "Sip" => dial.sip = Some(text),
        "Queue" => dial.queue = Some(text),
        "Dial" => {
            let mut seen = std::mem::take(dial);
            seen.caller_id = open.attribute("callerId");
            if seen.number.is_none() && seen.sip.is_none() && seen.queue.is_none() && !text.is_empty() {
                seen.number = Some(text);
            }
            heard.dial = Some(seen);
        }
        "Leave" => heard.leave = true,
        "Hangup" | "Reject" => heard.hangup = true,
        other => return Err(HeardError::UnknownElement(other.to_owned())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twiml::{DialTarget, Response, Verb, VoiceLanguage};

    #[test]
    fn reads_back_what_twiml_writes() {
        let xml = Response(vec![
            Verb::Gather {
                action: "/menu?a=1&b=2".into(),
                num_digits: Some(1),
                finish_on_key: None,
                timeout_s: 7,
                prompts: vec![Verb::Say { text: "Say <&\"'> it".into(), language: VoiceLanguage::RuRu }],
            },
            Verb::Play { url: "https://x/a.mp3".into() },
            Verb::Pause { seconds: 2 },
            Verb::Enqueue { queue: "q".into(), wait_url: "/wait".into(), action: Some("/left".into()) },
            Verb::Dial { number_or_sip: DialTarget::Queue("q".into()), caller_id: None },
            Verb::Redirect { url: "/next".into() },
            Verb::Hangup,
        ])
        .to_xml();
        let heard = parse_twiml(&xml).unwrap();
        assert_eq!(heard.said, vec![("ru-RU".into(), "Say <&\"'> it".into())]);
        let gather = heard.gather.unwrap();
        assert_eq!(gather.action, "/menu?a=1&b=2");
        assert_eq!(gather.num_digits, Some(1));
        assert_eq!(gather.input.as_deref(), Some("dtmf"));
        assert_eq!(gather.finish_on_key.as_deref(), Some(""));
        assert_eq!(heard.played, vec!["https://x/a.mp3".to_string()]);
        assert_eq!(heard.paused_s, 2);
        assert_eq!(heard.enqueue.unwrap().wait_url, "/wait");
        assert_eq!(heard.dial.unwrap().queue.as_deref(), Some("q"));
        assert_eq!(heard.redirect.as_deref(), Some("/next"));
        assert!(heard.hangup);
        assert_eq!(heard.verbs, ["Gather", "Play", "Pause", "Enqueue", "Dial", "Redirect", "Hangup"]);
    }

    #[test]
    fn refuses_what_the_provider_would_not_run() {
        assert_eq!(parse_twiml("<Other/>"), Err(HeardError::NotResponse));
        assert_eq!(parse_twiml(""), Err(HeardError::NotResponse));
        assert_eq!(parse_twiml("<Response><Sya>x</Sya></Response>"), Err(HeardError::UnknownElement("Sya".into())));
        assert!(matches!(parse_twiml("<Response><Say>"), Err(HeardError::Xml(_))));
        assert!(matches!(parse_twiml("<Response><Say></Play></Response>"), Err(HeardError::Xml(_))));
        assert!(matches!(parse_twiml("<!DOCTYPE x><Response/>"), Err(HeardError::Xml(_))));
        assert!(parse_twiml("<Response>&bogus;</Response>").is_err());
    }
}
