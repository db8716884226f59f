//! The site's own address for absolute links (feeds, referral links,
//! Stripe's return pages).

use axum::http::{HeaderMap, header};

use crate::AppState;
use crate::client::Https;
use crate::error::ApiError;

/// The site's own address for links.
pub fn public_url(state: &AppState) -> &str {
    state
        .config
        .public_url
        .as_deref()
        .unwrap_or(&state.config.shop.public_url)
}

/// The site's address for absolute links: `RUNCOACH_PUBLIC_URL` when set
/// (never a Host header an attacker could choose); without it, as the
/// client reached us, which suits a server used on its own machine. The
/// scheme is `https` only when the server may believe it (`Https`: a
/// client that is no trusted proxy cannot claim it).
pub fn origin(state: &AppState, headers: &HeaderMap, https: Https) -> Result<String, ApiError> {
    if let Some(url) = &state.config.public_url {
        return Ok(url.clone());
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        })
        .ok_or_else(|| {
            ApiError::BadRequest(
                "send a Host header naming this server (e.g. localhost:8080)".into(),
            )
        })?;
    let scheme = if https.0 { "https" } else { "http" };
    Ok(format!("{scheme}://{host}"))
}

/// The same feed as a `webcal://` link: one tap on a phone opens the
/// calendar app's subscribe dialog instead of downloading the file once.
/// Calendar apps fetch `webcal://` over HTTPS or HTTP as the server offers.
pub fn webcal(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    Some(format!("webcal://{rest}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn webcal_keeps_host_and_path() {
        assert_eq!(
            super::webcal("https://run.example/feeds/abc.ics").as_deref(),
            Some("webcal://run.example/feeds/abc.ics")
        );
        assert_eq!(
            super::webcal("http://127.0.0.1:8080/feeds/abc.ics").as_deref(),
            Some("webcal://127.0.0.1:8080/feeds/abc.ics")
        );
        assert_eq!(super::webcal("ftp://x/feeds/a.ics"), None);
    }
}
