//! The webhook service of flows an administrator allowed to call one (`call_webhook`): only to
//! hosts and ports the deployment lists and to public addresses (`webhook_hosts.rs`), over
//! `http`/`https`, bounded in time and size, never following a redirect; and the one place a
//! bot step may wait for it, off the async threads.
//!
//! What a webhook sends and receives carries applicants' answers: the URL, headers and bodies
//! are never logged, only that a call happened and the class of its status.

use std::sync::Arc;
use std::time::Duration;

use safepassage_flows::engine::{Engine, HttpRequest, HttpResponse, WebhookService};
use safepassage_store::StoreError;
use tokio::runtime::Handle;

use crate::bot::webhook_hosts::{normal_host, parse_listed, Allowed, CheckedResolver};

/// The longest a call may take, connection, request and response together.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The most of a response body kept; the rest is cut.
pub const MAX_RESPONSE: usize = 64 * 1024;

/// The HTTP client and the hosts it may reach; cheap to clone.
#[derive(Clone, Default)]
pub struct Webhooks {
    /// None when no host is listed (or the client could not be built): every call then fails
    /// as a connection error, and the flow takes its Failure exit.
    client: Option<reqwest::Client>,
    allowed: Arc<Allowed>,
}

/// What went wrong, for the log: no details, they may name the host or quote the data.
#[derive(Debug, Clone, Copy)]
enum Failed {
    NotListed,
    BadRequest,
    Connection,
}

impl Failed {
    fn as_str(self) -> &'static str {
        match self {
            Failed::NotListed => "host not listed",
            Failed::BadRequest => "request not valid",
            Failed::Connection => "connection error",
        }
    }
}

impl Webhooks {
    /// The service for the listed hosts (names or IP addresses as in a webhook's URL, each
    /// with an extra port it may use; entries that do not read are left out, the settings
    /// refuse them earlier). With none listed, no client is built and no call is ever made.
    pub fn new(hosts: &[String]) -> Webhooks {
        let allowed = Arc::new(Allowed::new(hosts.iter().filter_map(|h| parse_listed(h).ok().flatten())));
        if allowed.is_empty() {
            return Webhooks::default();
        }
        // No proxy from the environment: the request goes to the listed host and nowhere else;
        // names resolve through the checking resolver, which hands over only the addresses it
        // checked, so the connection goes to one of those.
        let built = reqwest::Client::builder()
            .dns_resolver(Arc::new(CheckedResolver(Arc::clone(&allowed))))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .no_proxy()
            .build();
        match built {
            Ok(client) => Webhooks { client: Some(client), allowed },
            Err(e) => {
                tracing::error!(error = %e, "flow webhooks: no HTTP client; every call will fail");
                Webhooks::default()
            }
        }
    }

    /// Makes one call and reads the response up to [`MAX_RESPONSE`]; a status of 0 when there
    /// was no complete response (not listed, not valid, no connection, timed out).
    async fn call(&self, request: &HttpRequest) -> HttpResponse {
        let outcome = self.exchange(request).await;
        match &outcome {
            Ok(response) => tracing::info!(status = %status_class(response.status), "flow webhook called"),
            Err(why) => tracing::info!(status = why.as_str(), "flow webhook failed"),
        }
        outcome.unwrap_or(HttpResponse { status: 0, body: String::new() })
    }

    async fn exchange(&self, request: &HttpRequest) -> Result<HttpResponse, Failed> {
        let client = self.client.as_ref().ok_or(Failed::NotListed)?;
        let url = reqwest::Url::parse(&request.url).map_err(|_| Failed::BadRequest)?;
        let port = url.port_or_known_default().unwrap_or(0);
        let listed = url.host_str().is_some_and(|h| self.allowed.admits(h, port));
        if !matches!(url.scheme(), "http" | "https") || !listed {
            return Err(Failed::NotListed);
        }
        // An address in the URL is not resolved: it is checked here (a listed internal address
        // is reached because it is listed).
        let literal = url.host_str().and_then(|h| normal_host(h).parse::<std::net::IpAddr>().ok());
        if literal.is_some_and(|address| !self.allowed.reaches(address)) {
            return Err(Failed::NotListed);
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| Failed::BadRequest)?;
        let mut builder = client.request(method, url);
        for (name, value) in &request.headers {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| Failed::BadRequest)?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| Failed::BadRequest)?;
            builder = builder.header(name, value);
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body.clone());
        }
        let mut response = builder.send().await.map_err(|_| Failed::Connection)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while body.len() < MAX_RESPONSE {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(MAX_RESPONSE - body.len())]),
                Ok(None) => break,
                Err(_) => return Err(Failed::Connection),
            }
        }
        // A body cut inside a character ends with a replacement character.
        Ok(HttpResponse { status, body: String::from_utf8_lossy(&body).into_owned() })
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The engine's side of the service: it calls synchronously, from a blocking thread (see
/// [`step`]), and waits there for the async client on the runtime.
struct OnRuntime {
    webhooks: Webhooks,
    handle: Handle,
}

impl WebhookService for OnRuntime {
    fn call(&self, request: &HttpRequest) -> HttpResponse {
        self.handle.block_on(self.webhooks.call(request))
    }
}

/// Runs one engine step. When no flow of the session can reach a webhook (the usual case) it
/// runs right here, as it always did: no task, no allocation. Otherwise it runs on a blocking
/// thread with the webhook service, so that waiting up to [`TIMEOUT`] for a webhook holds up
/// no async worker.
pub async fn step<T: Send + 'static>(
    webhooks: &Webhooks,
    calls_out: bool,
    engine: Engine,
    run: impl FnOnce(&Engine) -> T + Send + 'static,
) -> Result<T, StoreError> {
    if !calls_out {
        return Ok(run(&engine));
    }
    let service = OnRuntime { webhooks: webhooks.clone(), handle: Handle::current() };
    let engine = engine.with_webhooks(Box::new(service));
    Ok(tokio::task::spawn_blocking(move || run(&engine)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert_eq!(status_class(204), "2xx");
        assert_eq!(status_class(302), "3xx");
    }

    #[tokio::test]
    async fn nothing_listed_nothing_called() {
        let none = Webhooks::new(&[" ".to_owned()]);
        assert!(none.client.is_none());
        let request = HttpRequest {
            method: "GET".into(),
            url: "http://127.0.0.1:9/".into(),
            headers: Vec::new(),
            body: String::new(),
        };
        assert_eq!(none.call(&request).await.status, 0);
        let listed = Webhooks::new(&["example.org".to_owned()]);
        for url in ["http://127.0.0.1:9/", "ftp://example.org/", "not a url", "http://example.org.evil.test/"] {
            let request = HttpRequest { url: url.into(), ..request.clone() };
            assert!(matches!(listed.exchange(&request).await, Err(Failed::NotListed | Failed::BadRequest)), "{url}");
        }
    }
}
