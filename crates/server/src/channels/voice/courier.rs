//! Connects a waiting caller to the operator who took the call: the outbox's `ConnectCall`
//! becomes a call update (`<Dial>` to the operator's number or SIP address) through the line's
//! REST API. A row's address is `LINE:CALLSID`, sealed on its conversation.

use std::collections::HashMap;
use std::sync::Arc;

use safepassage_conversation::channel::outbound::Outbound;
use safepassage_conversation::channel::outbox::{Courier, Delivered, Undelivered};
use safepassage_voice::{CallControl, CallControlError, Response, Verb};

use super::dial;
use super::settings::VoiceLine;

/// The call-update API of every configured line.
pub struct VoiceCourier {
    lines: HashMap<String, Line>,
}

struct Line {
    api: CallControl,
    caller_id: Option<String>,
}

impl VoiceCourier {
    /// The courier for `lines`; a line whose settings do not make a client is left out (and
    /// said so).
    pub fn new(lines: &[VoiceLine]) -> Option<Arc<VoiceCourier>> {
        let mut out = HashMap::new();
        for line in lines {
            match CallControl::new(&line.api_base_url, &line.account_sid, &line.auth_token) {
                Ok(api) => {
                    out.insert(line.name.clone(), Line { api, caller_id: line.caller_id.clone() });
                }
                Err(e) => {
                    tracing::error!(line = %line.name, error = %e, "a voice line's settings do not make a client")
                }
            }
        }
        (!out.is_empty()).then(|| Arc::new(VoiceCourier { lines: out }))
    }
}

fn parse_address(address: &str) -> Option<(&str, &str)> {
    address.split_once(':')
}

#[async_trait::async_trait]
impl Courier for VoiceCourier {
    async fn deliver(&self, address: &str, what: &Outbound) -> Result<Delivered, Undelivered> {
        let Some((name, call_sid)) = parse_address(address) else { return Err(Undelivered::Refused) };
        let Some(line) = self.lines.get(name) else { return Err(Undelivered::Refused) };
        let Outbound::ConnectCall { to } = what else { return Err(Undelivered::Refused) };
        let Some(target) = dial::target(to) else { return Err(Undelivered::Refused) };
        let twiml = Response(vec![Verb::Dial { number_or_sip: target, caller_id: line.caller_id.clone() }]).to_xml();
        match line.api.update_call_twiml(call_sid, &twiml).await {
            Ok(()) => Ok(Delivered::default()),
            Err(CallControlError::Timeout | CallControlError::Connect | CallControlError::Request) => {
                Err(Undelivered::Transient)
            }
            Err(CallControlError::Status(status)) if status == 429 || status >= 500 => Err(Undelivered::Transient),
            // The caller hung up meanwhile, or the line's credentials are wrong.
            Err(e) => {
                tracing::info!(error = %e, "a call could not be connected to its operator");
                Err(Undelivered::Refused)
            }
        }
    }
}
