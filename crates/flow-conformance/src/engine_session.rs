//! The evaluation context of a case that names a session fixture, made by the engine itself:
//! start the fixture's trigger flow, resume it with its message, take the first run's context.
//! Webhooks go to a stand-in for the reference's test server; nothing leaves the process.

use safepassage_flows::definition::LoadOptions;
use safepassage_flows::engine::{self, Assets, Config, Contact, Engine, HttpRequest, HttpResponse, Resume, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::locations::LocationTree;
use safepassage_flows::{Env, XValue};
use serde_json::Value as J;

/// Answers like the reference's test server: `?content=X` returns X, `?cmd=success` returns
/// `{ "ok": "true" }`. Nothing leaves the process.
pub struct MockWebhooks;

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
        {
            (b'%', Some(h), Some(l)) => Some(h * 16 + l),
            _ => None,
        };
        match (decoded, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl engine::WebhookService for MockWebhooks {
    fn call(&self, request: &HttpRequest) -> HttpResponse {
        let query = request.url.split_once('?').map(|(_, q)| q).unwrap_or("");
        for kv in query.split('&') {
            if let Some(c) = kv.strip_prefix("content=") {
                return HttpResponse { status: 200, body: percent_decode(c) };
            }
            if kv == "cmd=success" {
                return HttpResponse { status: 200, body: "{ \"ok\": \"true\" }".into() };
            }
        }
        HttpResponse { status: 200, body: String::new() }
    }
}

/// The context and the location tree of a fixture.
pub struct SessionContext {
    pub context: XValue,
    pub locations: Option<LocationTree>,
}

pub fn build(env: &Env, fixture: &J) -> Result<SessionContext, String> {
    let assets_json = fixture.get("sessionAssets").cloned().unwrap_or(J::Null);
    let assets = Assets::from_json(&assets_json, &LoadOptions::allowing(["call_webhook", "call_resthook"]));
    let contact: Contact = serde_json::from_value(fixture.get("sessionContact").cloned().unwrap_or(J::Null))
        .map_err(|e| format!("fixture contact: {e}"))?;
    let trigger = Trigger::from_json(fixture.get("sessionTrigger").unwrap_or(&J::Null))?;
    let engine = Engine::new(Config::default()).with_webhooks(Box::new(MockWebhooks));
    let mut rng = SplitMix64::new(123_456);
    let mut started = engine.start(&assets, env, contact, trigger, &mut rng).map_err(|e| e.to_string())?;
    if let Some(r) = fixture.get("sessionResume") {
        let resume = Resume::from_json(r)?;
        engine.resume(&assets, env, &mut started.session, resume, &mut rng).map_err(|e| e.to_string())?;
    }
    let context: XValue = engine::context_of(&assets, env, &started.session, 0);
    let locations = assets_json.get("locations").and_then(|l| LocationTree::from_json(l).ok());
    Ok(SessionContext { context, locations })
}
