//! Headers on every response, a same-origin check on every request that
//! changes something, and NUL characters refused at the door.

use axum::body::Body;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;
use axum::extract::State;
use http_body_util::{BodyExt, LengthLimitError, Limited};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// A cross-site request that changes state is refused before any handler
/// runs: browsers send `Origin` (or `Sec-Fetch-Site`) on such requests.
/// The origin must be the site's: `RUNCOACH_PUBLIC_URL` when the operator
/// set it (a proxy may rewrite Host), or the Host the request names.
fn cross_site(req: &Request<Body>, public_url: Option<&str>) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        if origin == "null" {
            return true;
        }
        if public_url.is_some_and(|site| site.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
            return false;
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        return origin_host != host;
    }
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
}

/// An API write riding on the session cookie from a client that sent
/// neither `Origin` nor `Sec-Fetch-Site` (old browsers, plugins, forms
/// from other sites in clients that omit both) must say it is ours with
/// `X-Requested-With: runcoach`, which a cross-site form cannot send.
/// Bearer tokens are not sent by browsers on their own and need nothing.
fn unmarked_cookie_write(req: &Request<Body>) -> bool {
    let headers = req.headers();
    !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && req.uri().path().starts_with("/api/")
        && !headers.contains_key(header::AUTHORIZATION)
        && crate::auth::cookie(headers, crate::auth::SESSION_COOKIE).is_some_and(|c| !c.is_empty())
        && !headers.contains_key(header::ORIGIN)
        && !headers.contains_key("sec-fetch-site")
        && headers
            .get("x-requested-with")
            .is_none_or(|v| !v.as_bytes().eq_ignore_ascii_case(b"runcoach"))
}

pub async fn headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    if cross_site(&req, state.config.public_url.as_deref()) {
        return ApiError::coded(
            StatusCode::FORBIDDEN,
            "cross_site",
            "cross-site request refused: writes come from this site's own pages or from scripts",
        )
        .into_response();
    }
    if unmarked_cookie_write(&req) {
        return ApiError::coded(
            StatusCode::FORBIDDEN,
            "missing_request_header",
            "API calls signed in with the session cookie must send X-Requested-With: runcoach (or use an API token)",
        )
        .into_response();
    }
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let proxied_https = crate::client::forwarded_https(&state.config, peer, req.headers());
    let https = state.config.secure_cookies || proxied_https;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if proxied_https && !state.config.secure_cookies {
        secure_cookies(h);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Served over HTTPS (the operator said so with --secure-cookies, or a
    // trusted proxy did): browsers keep to HTTPS for a year, so no first
    // request goes out plain.
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// Marks every cookie set on a response `Secure` (the request came over
/// HTTPS through a trusted proxy): the cookies are never sent in plain.
fn secure_cookies(h: &mut axum::http::HeaderMap) {
    let cookies: Vec<HeaderValue> = h
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| match v.to_str() {
            Ok(text)
                if !text
                    .split(';')
                    .any(|a| a.trim().eq_ignore_ascii_case("secure")) =>
            {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| v.clone())
            }
            _ => v.clone(),
        })
        .collect();
    if cookies.is_empty() {
        return;
    }
    h.remove(header::SET_COOKIE);
    for c in cookies {
        h.append(header::SET_COOKIE, c);
    }
}

/// NUL characters have no use in any field, and PostgreSQL cannot store
/// them in TEXT where SQLite can: refused here, before any handler, so
/// both databases answer alike. A NUL in the path is 404 (no such thing
/// exists), in the query or in a JSON or form body 422.
pub async fn refuse_nul(req: Request<Body>, next: Next) -> Response {
    // A NUL reaches a URI only percent-encoded: the parser refuses raw ones.
    if req.uri().path().contains("%00") {
        return ApiError::NotFound.into_response();
    }
    if req.uri().query().is_some_and(|q| q.contains("%00")) {
        return nul_refused("query");
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let (field, has_nul): (&str, fn(&[u8]) -> bool) =
        if essence == "application/json" || essence.ends_with("+json") {
            ("body", json_has_nul)
        } else if essence == "application/x-www-form-urlencoded" {
            ("form", form_has_nul)
        } else {
            return next.run(req).await;
        };
    let (parts, body) = req.into_parts();
    // Both kinds of body are small: the API reads at most BODY_LIMIT and
    // the pages' forms are a few KiB.
    let bytes = match Limited::new(body, crate::api::BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return ApiError::coded(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "request body is larger than {} KiB",
                    crate::api::BODY_LIMIT / 1024
                ),
            )
            .into_response();
        }
        // The body stopped arriving (the pause deadline) or broke off.
        Err(_) => {
            return ApiError::coded(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "the request body stopped arriving; send it again",
            )
            .into_response();
        }
    };
    if has_nul(&bytes) {
        return nul_refused(field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn nul_refused(field: &'static str) -> Response {
    ApiError::invalid(field, "NUL characters (\\u0000, %00) are not accepted").into_response()
}

/// Whether JSON text holds `\u0000`. Backslashes occur only in strings,
/// where each starts a two-character escape, so `\\u0000` (a backslash,
/// then text) is told apart; a raw NUL byte is not JSON at all.
fn json_has_nul(json: &[u8]) -> bool {
    let mut i = 0;
    while i < json.len() {
        match json[i] {
            0 => return true,
            b'\\' if json[i + 1..].starts_with(b"u0000") => return true,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    false
}

/// Whether a form body holds a NUL, encoded (`%00`) or raw.
fn form_has_nul(form: &[u8]) -> bool {
    form.contains(&0) || form.windows(3).any(|w| w == b"%00")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_in_json_and_forms_but_not_in_lookalikes() {
        assert!(json_has_nul(br#"{"name":"a\u0000"}"#));
        assert!(json_has_nul(br#"{"a\u0000":1}"#));
        assert!(
            json_has_nul(b"{\"a\":\"\\\\\\u0000\"}"),
            "\\\\ then \\u0000"
        );
        assert!(
            !json_has_nul(br#"{"name":"a\\u0000"}"#),
            "an escaped backslash"
        );
        assert!(!json_has_nul(br#"{"name":"a\u0001"}"#));
        assert!(!json_has_nul(br#"{"name":"a\"}"#));
        assert!(form_has_nul(b"name=a%00b"));
        assert!(form_has_nul(b"name=a\0b"));
        assert!(!form_has_nul(b"name=a%2500b"), "an encoded '%' then 00");
    }
}
