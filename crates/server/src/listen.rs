//! Accepting connections, with the limits a slow or greedy client meets
//! before any handler runs: a deadline for each request's headers (which
//! also closes idle keep-alive connections), a deadline for each pause in
//! a request body, and caps on open connections per client address and in
//! all. Without them a few hundred connections that trickle a byte a
//! minute hold the server without signing in.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How patient the server is, and how many connections it keeps open.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's headers, counted from when
    /// the server starts waiting for them: so it is also how long an idle
    /// keep-alive connection stays open.
    pub header_read_timeout: Duration,
    /// Longest pause while a request body arrives (between chunks, so a
    /// large upload over a slow link still works).
    pub body_read_timeout: Duration,
    /// Open connections per client address; proxies the server trusts
    /// (see [`crate::client`]) are exempt, as they carry many clients.
    pub per_address: usize,
    /// Open connections in all.
    pub total: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            per_address: 64,
            total: 1024,
        }
    }
}

/// Open connections, in all and per address.
struct Open {
    limits: ConnectionLimits,
    counts: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One open connection's place; freed when the connection ends.
struct Slot {
    open: Arc<Open>,
    /// `None` for an exempt peer (counted in the total only).
    ip: Option<IpAddr>,
}

impl Open {
    fn take(self: &Arc<Self>, ip: IpAddr, exempt: bool) -> Option<Slot> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per) = &mut *counts;
        if *total >= self.limits.total {
            return None;
        }
        let ip = if exempt {
            None
        } else {
            let n = per.entry(ip).or_default();
            if *n >= self.limits.per_address {
                return None;
            }
            *n += 1;
            Some(ip)
        };
        *total += 1;
        Some(Slot {
            open: self.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.open.counts.lock().unwrap_or_else(|e| e.into_inner());
        let (total, per) = &mut *counts;
        *total -= 1;
        if let Some(ip) = self.ip
            && let Some(n) = per.get_mut(&ip)
        {
            *n -= 1;
            if *n == 0 {
                per.remove(&ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish. A connection over a cap is closed at once,
/// unread.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    exempt: impl Fn(IpAddr) -> bool,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let open = Arc::new(Open {
        limits: limits.clone(),
        counts: Mutex::default(),
    });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = peer.ip().to_canonical();
        let Some(slot) = open.take(ip, exempt(ip)) else {
            tracing::debug!(%peer, "connection refused: too many open");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(TokioIo::new(stream), service(router.clone(), peer));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The router for one connection, told who the peer is.
fn service(
    router: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Send,
> + Clone {
    hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        router.clone().oneshot(req)
    })
}
