//! Who is on the other end of a request, for per-address limits.
//!
//! Without `--trust-proxy` that is the socket peer. With it, the peer is a
//! reverse proxy (any peer, or only those in `RUNCOACH_TRUSTED_PROXIES`),
//! and the client is the rightmost `X-Forwarded-For` entry that no trusted
//! proxy added: entries further left are whatever the client chose to send,
//! so trusting them would let anyone pick their own address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::{AppState, Config};

/// The client's address as far as it can be known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `None` only without connection info (in-process callers).
    pub ip: Option<IpAddr>,
    /// A listed trusted proxy talking for itself (health checks, its own
    /// retries): per-address limits would throttle every client behind it.
    pub exempt: bool,
}

impl Client {
    pub fn resolve(config: &Config, peer: Option<IpAddr>, headers: &HeaderMap) -> Client {
        let Some(peer) = peer else {
            return Client {
                ip: None,
                exempt: false,
            };
        };
        let listed = |ip: &IpAddr| config.trusted_proxies.iter().any(|net| net.contains(ip));
        if !peer_is_proxy(config, peer) {
            return Client {
                ip: Some(peer),
                exempt: false,
            };
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // An entry that is no address was not written by a proxy we
            // trust; the last good hop is as far as the chain can be followed.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !listed(&ip) {
                break;
            }
        }
        Client {
            ip: Some(client),
            exempt: listed(&client),
        }
    }

    /// The rate-limit bucket of this client for `what`; `None` when exempt.
    pub fn bucket(&self, what: &str) -> Option<String> {
        if self.exempt {
            return None;
        }
        Some(match self.ip {
            Some(ip) => format!("{what}:{ip}"),
            None => format!("{what}:unknown"),
        })
    }
}

/// Whether the socket peer is a reverse proxy speaking for its clients
/// (`--trust-proxy`, narrowed by `RUNCOACH_TRUSTED_PROXIES`).
pub fn peer_is_proxy(config: &Config, peer: IpAddr) -> bool {
    config.trust_proxy
        && (config.trusted_proxies.is_empty()
            || config.trusted_proxies.iter().any(|net| net.contains(&peer)))
}

/// Whether the request reached the proxy over HTTPS: only a trusted proxy
/// may say so (`X-Forwarded-Proto: https`, the last value, the one it
/// added); a client talking to us directly cannot.
pub fn forwarded_https(config: &Config, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
    peer.is_some_and(|p| peer_is_proxy(config, p.to_canonical()))
        && headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// Whether this request reached the site over HTTPS, as far as the server
/// may believe it: `--secure-cookies`, or a trusted proxy peer's
/// `X-Forwarded-Proto: https` (see [`forwarded_https`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Https(pub bool);

impl FromRequestParts<AppState> for Https {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Https(
            state.config.secure_cookies
                || forwarded_https(&state.config, peer_of(parts), &parts.headers),
        ))
    }
}

/// The socket peer, when the server was given connection info.
fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
}

/// An `X-Forwarded-For` entry: a bare address, or one with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        // IPv4 clients of a dual-stack proxy appear as ::ffff:a.b.c.d.
        .map(|ip| ip.to_canonical())
}

/// A `RUNCOACH_TRUSTED_PROXIES` entry: a CIDR block or a single address.
pub fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("'{text}' is not a CIDR block (e.g. 10.0.0.0/8) or an address"))
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client::resolve(
            &state.config,
            peer_of(parts),
            &parts.headers,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(trust_proxy: bool, nets: &[&str]) -> Config {
        Config {
            trust_proxy,
            trusted_proxies: nets.iter().map(|n| parse_cidr(n).unwrap()).collect(),
            ..Config::default()
        }
    }

    fn resolve(config: &Config, peer: &str, xff: &[&str]) -> (String, bool) {
        let mut headers = HeaderMap::new();
        for v in xff {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        let c = Client::resolve(config, Some(peer.parse().unwrap()), &headers);
        (c.ip.unwrap().to_string(), c.exempt)
    }

    #[test]
    fn the_client_is_the_rightmost_entry_no_trusted_proxy_added() {
        let direct = config(false, &[]);
        assert_eq!(
            resolve(&direct, "203.0.113.9", &["1.1.1.1"]),
            ("203.0.113.9".into(), false)
        );

        // Any peer is the proxy: the entry it appended is the client.
        let one = config(true, &[]);
        assert_eq!(
            resolve(&one, "10.0.0.2", &["6.6.6.6, 203.0.113.7"]),
            ("203.0.113.7".into(), false)
        );
        assert_eq!(resolve(&one, "10.0.0.2", &[]), ("10.0.0.2".into(), false));

        // A chain of listed proxies is walked from the right.
        let chain = config(true, &["10.0.0.0/8", "192.0.2.1"]);
        assert_eq!(
            resolve(
                &chain,
                "10.0.0.2",
                &["6.6.6.6, 203.0.113.7", "192.0.2.1, 10.9.9.9"]
            ),
            ("203.0.113.7".into(), false)
        );
        // A peer outside the list is the client, whatever it claims.
        assert_eq!(
            resolve(&chain, "198.51.100.4", &["203.0.113.7"]),
            ("198.51.100.4".into(), false)
        );
        // A listed proxy speaking for itself is exempt from address limits.
        assert_eq!(resolve(&chain, "10.0.0.2", &[]), ("10.0.0.2".into(), true));
        assert_eq!(
            resolve(&chain, "10.0.0.2", &["10.0.0.3"]),
            ("10.0.0.3".into(), true)
        );
        // Garbage stops the walk at the last trustworthy hop.
        assert_eq!(
            resolve(&chain, "10.0.0.2", &["203.0.113.7, unknown"]),
            ("10.0.0.2".into(), true)
        );
        assert_eq!(
            resolve(&one, "10.0.0.2", &["[2001:db8::1]:443"]),
            ("2001:db8::1".into(), false)
        );
        assert_eq!(
            resolve(&one, "10.0.0.2", &["::ffff:203.0.113.7"]),
            ("203.0.113.7".into(), false)
        );
    }

    #[test]
    fn cidr_lists_parse_blocks_and_addresses() {
        assert_eq!(parse_cidr(" 10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_cidr("::1").unwrap().to_string(), "::1/128");
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("proxy.local").is_err());
    }
}
