//! The `http_mocks` of a case as a webhook service: each URL (optionally written after its
//! method, `POST http://…`) answers with its listed responses in turn. A request with no mock
//! left gets no response at all (status 0), as a connection that failed. Nothing leaves the
//! process.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use safepassage_flows::engine::{HttpRequest, HttpResponse, WebhookService};
use serde_json::Value as J;

#[derive(Debug, Default)]
pub struct HttpMocks {
    queued: Mutex<HashMap<String, VecDeque<HttpResponse>>>,
}

fn response_of(v: &J) -> HttpResponse {
    let status = v.get("status").and_then(J::as_u64).and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
    let body = match v.get("body") {
        Some(J::String(s)) => s.clone(),
        Some(J::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let repeat = v.get("body_repeat").and_then(J::as_u64).unwrap_or(1).clamp(1, 10_000);
    let body = if repeat > 1 { body.repeat(usize::try_from(repeat).unwrap_or(1)) } else { body };
    HttpResponse { status, body }
}

impl HttpMocks {
    pub fn from_json(v: &J) -> HttpMocks {
        let mut queued = HashMap::new();
        for (key, list) in v.as_object().into_iter().flatten() {
            let responses: VecDeque<HttpResponse> = list.as_array().into_iter().flatten().map(response_of).collect();
            queued.insert(key.clone(), responses);
        }
        HttpMocks { queued: Mutex::new(queued) }
    }
}

impl WebhookService for HttpMocks {
    fn call(&self, request: &HttpRequest) -> HttpResponse {
        let none = HttpResponse { status: 0, body: String::new() };
        let Ok(mut queued) = self.queued.lock() else { return none };
        let keys = [format!("{} {}", request.method.to_uppercase(), request.url), request.url.clone()];
        keys.iter().find_map(|k| queued.get_mut(k).and_then(VecDeque::pop_front)).unwrap_or(none)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mocks_answer_in_turn_then_fail() {
        let m = HttpMocks::from_json(&serde_json::json!({
            "http://example.invalid/a": [{"status": 200, "body": "one"}, {"status": 500, "body": {"x": 1}}]
        }));
        let req = HttpRequest {
            method: "GET".into(),
            url: "http://example.invalid/a".into(),
            headers: vec![],
            body: String::new(),
        };
        assert_eq!(m.call(&req), HttpResponse { status: 200, body: "one".into() });
        assert_eq!(m.call(&req), HttpResponse { status: 500, body: "{\"x\":1}".into() });
        assert_eq!(m.call(&req).status, 0);
    }
}
