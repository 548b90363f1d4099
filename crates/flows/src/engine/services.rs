//! Services outside the engine that an administrator may allow (webhooks only, for now). The
//! engine stays pure: the caller passes the service in, and it is called only for allowed flows.

/// A request to make: method, URL, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What came back; a `status` of 0 means no response at all (connection failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// Calls webhooks for `call_webhook` actions of flows that were allowed to have them.
pub trait WebhookService: Send + Sync {
    fn call(&self, request: &HttpRequest) -> HttpResponse;
}
