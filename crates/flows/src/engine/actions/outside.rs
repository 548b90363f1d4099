//! Outside actions of flows an administrator allowed. Only `call_webhook` runs, through the
//! service the caller injected; the others report that they are not supported here.

use serde_json::{json, Value};

use super::super::evaluate;
use super::super::events::EventKind;
use super::super::results::{self, NewResult};
use super::super::services::HttpRequest;
use super::super::sprint::Sprint;
use crate::definition::actions::Outside;
use crate::definition::Node;

/// Escapes an expression's output for a URL query, as Go's `url.QueryEscape` does.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Longest URL a webhook is called with, in bytes.
const MAX_URL_BYTES: usize = 8192;
/// How much of a refused URL an error shows.
const MAX_SHOWN_URL: usize = 256;

/// An absolute `http` or `https` URL with a host, of a sendable length.
fn is_valid_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    url.len() <= MAX_URL_BYTES && host.is_some_and(|h| !h.is_empty() && !h.contains(char::is_whitespace))
}

fn text_prop<'o>(o: &'o Outside, key: &str) -> &'o str {
    o.props.get(key).and_then(Value::as_str).unwrap_or("")
}

pub fn execute(sp: &mut Sprint<'_>, run: usize, node: &Node, step: &str, o: &Outside) {
    if o.action_type != "call_webhook" {
        sp.error(Some(step), format!("action type '{}' is not supported by this engine", o.action_type));
        return;
    }
    call_webhook(sp, run, node, step, o);
}

fn call_webhook(sp: &mut Sprint<'_>, run: usize, node: &Node, step: &str, o: &Outside) {
    let method = text_prop(o, "method").to_string();
    let (limits, assets) = (sp.engine.config.expression_limits, sp.assets);
    let (url, errors) = sp.with_context(run, |env, ctx| {
        evaluate::text_with(env, ctx, &assets.templates, text_prop(o, "url"), limits, Some(&query_escape))
    });
    for e in errors {
        sp.error(Some(step), e);
    }
    let url = url.trim().to_string();
    if url.is_empty() {
        sp.error(Some(step), "webhook URL evaluated to empty string");
        return;
    }
    if !is_valid_url(&url) {
        let shown: String = url.chars().take(MAX_SHOWN_URL).collect();
        let shown = if shown.len() < url.len() { format!("{shown}...") } else { shown };
        sp.error(Some(step), format!("webhook URL evaluated to an invalid URL: '{shown}'"));
        return;
    }
    let mut headers = Vec::new();
    if let Some(h) = o.props.get("headers").and_then(Value::as_object) {
        for (k, v) in h {
            let value = sp.eval_text(run, Some(step), v.as_str().unwrap_or(""));
            headers.push((k.clone(), value));
        }
    }
    let body = sp.eval_text(run, Some(step), text_prop(o, "body"));
    let Some(service) = sp.engine.webhooks.as_deref() else {
        sp.error(Some(step), "no webhook service is available to this engine");
        return;
    };
    let request = HttpRequest { method: method.clone(), url: url.clone(), headers, body };
    let response = service.call(&request);
    let status = match response.status {
        0 => "connection_error",
        200..=299 => "success",
        _ => "response_error",
    };
    let parsed: Option<Value> = serde_json::from_str(&response.body).ok();
    sp.event(
        Some(step),
        EventKind::WebhookCalled {
            url: url.clone(),
            status: status.into(),
            status_code: (response.status != 0).then_some(response.status),
            request: Some(format!("{method} {url}")),
            response: (response.status != 0).then(|| response.body.clone()),
        },
    );
    if let Some(r) = sp.session.runs.get_mut(run) {
        r.webhook = Some(json!({"status": response.status, "json": parsed.clone().unwrap_or(Value::Null)}));
    }
    sp.invalidate();
    if let Some(name) = o.props.get("result_name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
        let category = if status == "success" { "Success" } else { "Failure" };
        results::save(
            sp,
            run,
            Some(step),
            NewResult {
                name: name.to_string(),
                value: response.status.to_string(),
                category: category.into(),
                category_localized: None,
                node_uuid: node.uuid.clone(),
                input: Some(format!("{method} {url}")),
                extra: parsed,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::query_escape;

    #[test]
    fn escapes_like_go() {
        assert_eq!(query_escape("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }
}
