//! Stripe's webhook signature scheme, verified before the body is parsed.
//!
//! The `Stripe-Signature` header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`
//! (other keys such as `v0` are ignored). Each `v1` is HMAC-SHA256, keyed
//! with an endpoint secret, over `"<t>." + raw body`. Any `v1` matching any
//! configured secret (several during a rotation) is accepted, compared in
//! constant time, and only while `t` is within the tolerance of now in
//! either direction, which bounds replays.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Stripe's default tolerance.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing Stripe-Signature header")]
    Missing,
    #[error("malformed Stripe-Signature header")]
    Malformed,
    #[error("signature timestamp outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    NoMatch,
}

/// Checks `header` over `body` against `secrets` at `now_secs`.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[String],
    now_secs: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed)?;
        match key {
            "t" => {
                let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
                let t: i64 = value
                    .parse()
                    .ok()
                    .filter(|_| digits)
                    .ok_or(SignatureError::Malformed)?;
                if timestamp.replace((value, t)).is_some() {
                    return Err(SignatureError::Malformed);
                }
            }
            "v1" => signatures.push(decode_hex(value).ok_or(SignatureError::Malformed)?),
            _ => {}
        }
    }
    let (t_text, t) = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now_secs - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(t_text.as_bytes());
        mac.update(b".");
        mac.update(body);
        if signatures
            .iter()
            .any(|sig| mac.clone().verify_slice(sig).is_ok())
        {
            return Ok(());
        }
    }
    Err(SignatureError::NoMatch)
}

/// A header as Stripe would send it, for tests and the local fake.
pub fn sign(body: &[u8], secret: &str, t_secs: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(format!("{t_secs}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t_secs},v1={hex}")
}

/// Lower-case hex only, as Stripe writes it.
fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    s.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"checkout.session.completed"}"#;
    const NOW: i64 = 1_790_000_000;

    fn secrets() -> Vec<String> {
        vec!["whsec_old".into(), "whsec_new".into()]
    }

    #[test]
    fn a_signature_from_either_rotated_secret_is_accepted() {
        for secret in ["whsec_old", "whsec_new"] {
            let h = sign(BODY, secret, NOW);
            assert_eq!(verify(Some(&h), BODY, &secrets(), NOW), Ok(()));
        }
    }

    #[test]
    fn any_v1_may_match_and_v0_and_unknown_keys_are_ignored() {
        let good = sign(BODY, "whsec_new", NOW);
        let v1 = good.split_once(",v1=").unwrap().1;
        let h = format!(
            "t={NOW},v0=deadbeef,v1={},v1={v1},scheme=x",
            "ab".repeat(32)
        );
        assert_eq!(verify(Some(&h), BODY, &secrets(), NOW), Ok(()));
    }

    #[test]
    fn the_timestamp_window_is_five_minutes_either_way() {
        let h = sign(BODY, "whsec_old", NOW);
        assert_eq!(verify(Some(&h), BODY, &secrets(), NOW + 300), Ok(()));
        assert_eq!(verify(Some(&h), BODY, &secrets(), NOW - 300), Ok(()));
        assert_eq!(
            verify(Some(&h), BODY, &secrets(), NOW + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&h), BODY, &secrets(), NOW - 301),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn tampering_and_bad_headers_are_refused() {
        let h = sign(BODY, "whsec_old", NOW);
        let mut body = BODY.to_vec();
        body[5] ^= 1;
        assert_eq!(
            verify(Some(&h), &body, &secrets(), NOW),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(Some(&h), BODY, &["other".into()], NOW),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            verify(None, BODY, &secrets(), NOW),
            Err(SignatureError::Missing)
        );
        let upper = h.to_uppercase().replace("T=", "t=").replace("V1=", "v1=");
        for bad in [
            "",
            "garbage",
            "v1=abcd",
            &format!("t={NOW}"),
            &format!("t=+{NOW},v1=ab"),
            "t=1e9,v1=ab",
            &format!("t={NOW},v1=xyz1"),
            &format!("t={NOW},t={NOW},v1=ab"),
            &upper,
        ] {
            assert_eq!(
                verify(Some(bad), BODY, &secrets(), NOW),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
