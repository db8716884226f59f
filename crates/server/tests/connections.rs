//! Slow and greedy clients cannot hold the server without signing in:
//! headers and body pauses have deadlines, idle connections close, and
//! open connections are capped per address and in all.

use crate::common;

use std::time::Duration;

use common::App;
use runcoach_server::Config;
use runcoach_server::listen::ConnectionLimits;
use runcoach_store::test_support::backends;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(per_address: usize, total: usize, deadline_ms: u64) -> Config {
    Config {
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_millis(deadline_ms),
            body_read_timeout: Duration::from_millis(deadline_ms),
            per_address,
            total,
        },
        ..Config::default()
    }
}

async fn connect(app: &App) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// What the server sends before closing, or `None` if it keeps the
/// connection open (and silent) for `wait`.
async fn until_closed(s: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let closed = tokio::time::timeout(wait, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    closed
        .ok()
        .map(|()| String::from_utf8_lossy(&got).into_owned())
}

async fn healthz_on(s: &mut TcpStream) -> String {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[tokio::test]
async fn slow_headers_slow_bodies_and_idle_connections_are_cut_off() {
    for backend in backends() {
        let app = App::start_with(backend, limits(64, 1024, 300)).await;
        // Headers that never finish.
        let mut s = connect(&app).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        assert!(
            until_closed(&mut s, Duration::from_secs(3)).await.is_some(),
            "{backend}: a half-sent request head is dropped"
        );
        // A body that stops halfway.
        let mut s = connect(&app).await;
        s.write_all(
            b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
        let answer = until_closed(&mut s, Duration::from_secs(3)).await;
        assert!(
            answer
                .as_deref()
                .is_some_and(|a| a.starts_with("HTTP/1.1 408")),
            "{backend}: a stalled body is refused: {answer:?}"
        );
        // A keep-alive connection left idle after its request.
        let mut s = connect(&app).await;
        assert!(healthz_on(&mut s).await.starts_with("HTTP/1.1 200"));
        assert!(
            until_closed(&mut s, Duration::from_secs(3)).await.is_some(),
            "{backend}: an idle connection is closed"
        );
    }
}

#[tokio::test]
async fn open_connections_are_capped_per_address_and_in_all() {
    for backend in backends() {
        let app = App::start_with(backend, limits(3, 1024, 2000)).await;
        // Idle connections, as a slow client holds them.
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(connect(&app).await);
        }
        let mut fourth = connect(&app).await;
        assert_eq!(
            until_closed(&mut fourth, Duration::from_millis(250))
                .await
                .as_deref(),
            Some(""),
            "{backend}: the fourth connection from one address is closed unread"
        );
        assert!(healthz_on(&mut held[0]).await.starts_with("HTTP/1.1 200"));
        drop(held);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut again = connect(&app).await;
        assert!(
            healthz_on(&mut again).await.starts_with("HTTP/1.1 200"),
            "{backend}: slots free up"
        );
        drop(again);

        let app = App::start_with(backend, limits(64, 2, 2000)).await;
        let _held = (connect(&app).await, connect(&app).await);
        let mut third = connect(&app).await;
        assert_eq!(
            until_closed(&mut third, Duration::from_millis(250))
                .await
                .as_deref(),
            Some(""),
            "{backend}: over the global cap"
        );

        // A trusted proxy carries many clients: it is not capped per address.
        let mut behind = limits(2, 1024, 2000);
        behind.trust_proxy = true;
        let app = App::start_with(backend, behind).await;
        let mut conns = Vec::new();
        for _ in 0..4 {
            conns.push(connect(&app).await);
        }
        for c in &mut conns {
            assert!(healthz_on(c).await.starts_with("HTTP/1.1 200"), "{backend}");
        }
    }
}
