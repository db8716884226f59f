//! A real SMTP server for tests: Python's aiosmtpd, started here on a free
//! port with its Maildir handler, so a test reads what the server really
//! received (headers, transfer encoding and all) and follows its links.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SmtpServer {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    /// `None` (the test is skipped) when aiosmtpd is not installed, unless
    /// RUNCOACH_REQUIRE_PYTHON_CHECKS says it must be (CI installs it).
    pub async fn start() -> Option<SmtpServer> {
        let available = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !available {
            assert!(
                std::env::var_os("RUNCOACH_REQUIRE_PYTHON_CHECKS").is_none(),
                "RUNCOACH_REQUIRE_PYTHON_CHECKS is set but aiosmtpd is not importable"
            );
            eprintln!("skipped: Python aiosmtpd is not installed (pip install aiosmtpd)");
            return None;
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts");
        // Ready when it answers with its 220 greeting.
        for _ in 0..200 {
            if let Ok(s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                let mut buf = [0u8; 3];
                if s.readable().await.is_ok()
                    && s.try_read(&mut buf).is_ok_and(|n| n == 3)
                    && &buf == b"220"
                {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(SmtpServer { port, child, dir })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("box").join("new")
    }

    /// Every message received for `to` so far: (subject, decoded body).
    pub fn messages_to(&self, to: &str) -> Vec<(String, String)> {
        let Ok(entries) = std::fs::read_dir(self.maildir()) else {
            return Vec::new();
        };
        let mut found: Vec<(String, String, String)> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                let raw = std::fs::read_to_string(e.path()).ok()?;
                let name = e.file_name().to_string_lossy().into_owned();
                Some((name, raw))
            })
            .filter_map(|(name, raw)| {
                let (head, body) = raw
                    .split_once("\n\n")
                    .or_else(|| raw.split_once("\r\n\r\n"))?;
                let header = |h: &str| {
                    head.lines()
                        .find_map(|l| l.strip_prefix(h).map(|v| v.trim().to_owned()))
                        .unwrap_or_default()
                };
                if !header("To:").contains(to) {
                    return None;
                }
                let body = if header("Content-Transfer-Encoding:")
                    .eq_ignore_ascii_case("quoted-printable")
                {
                    quoted_printable(body)
                } else {
                    body.to_owned()
                };
                Some((name, header("Subject:"), body))
            })
            .collect();
        found.sort(); // Maildir names start with the delivery time
        found.into_iter().map(|(_, s, b)| (s, b)).collect()
    }

    /// Waits (at most 20 s) until `to` has received `n` messages; returns
    /// them all.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<(String, String)> {
        for _ in 0..400 {
            let got = self.messages_to(to);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{to} received {} message(s), expected {n}",
            self.messages_to(to).len()
        );
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// RFC 2045 quoted-printable: soft line breaks go, `=XX` become bytes.
fn quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = (b[i] == b'=' && i + 2 < b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(v) = escaped {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The secret of the first link to `path` (`/verify`, `/password/reset`)
/// in a message body.
pub fn token_in(body: &str, path: &str) -> String {
    let marker = format!("{path}?token=");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {path} link in: {body}"))
        + marker.len();
    body[i..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}
