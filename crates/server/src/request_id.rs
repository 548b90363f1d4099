//! Every request gets an id: it goes back in `X-Request-Id`, into the logs of its errors and
//! onto error pages, so a report from an operator can be matched to the log without any
//! personal data in either.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub uuid::Uuid);

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.simple())
    }
}

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = RequestId(uuid::Uuid::new_v4());
    request.extensions_mut().insert(id);
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
