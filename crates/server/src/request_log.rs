//! One span per request, with an id the client sees: every log line of a
//! request (an internal error's cause included) carries `request_id`,
//! method and route, and the response's `X-Request-Id` lets an operator find
//! them from a user's report. Query strings are left out of the logs (they
//! can hold feed tokens and dates of someone's life).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Per-process counter behind a random-enough prefix: unique across app
/// servers without a coordination round trip.
static NEXT: AtomicU64 = AtomicU64::new(1);

fn new_id() -> String {
    let prefix = PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    });
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();

pub async fn span(req: Request<Body>, next: Next) -> Response {
    let id = new_id();
    // The route pattern (`/api/v1/plans/{id}`), not the path: ids and feed
    // tokens stay out of the logs.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_owned();
    let span =
        tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route);
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status().as_u16();
    span.in_scope(|| {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::warn!(status, ms, "request failed");
        } else {
            tracing::debug!(status, ms, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}
