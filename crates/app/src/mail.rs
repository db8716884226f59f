//! E-mail over SMTP, sent off the request path: use-cases put messages in
//! the `outbox` table in their own transaction, and [`run_sender`] hands
//! them to the SMTP server, retrying with backoff. Several app servers
//! may run a sender each: a message is claimed by a conditional update
//! before it is sent. Message bodies hold single-use links, so they are
//! never logged and their rows go once sent.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use runcoach_store::{Db, StoreError, mail, now_ms};
use tokio::sync::Notify;

/// Where and as whom mail goes out, and the site's address for links.
#[derive(Clone)]
pub struct MailConfig {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The base of every link in a message (`RUNCOACH_PUBLIC_URL`).
    pub public_url: String,
    /// Wakes the sender when a message is queued.
    pub wake: Arc<Notify>,
}

impl std::fmt::Debug for MailConfig {
    // The URL may hold SMTP credentials: show neither it nor the transport.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("from", &self.from.to_string())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl MailConfig {
    /// `smtp_url`: `smtp://host:port` (plain; STARTTLS with
    /// `?tls=required`), `smtps://host:port` (TLS), with `user:password@`
    /// when the server wants them. `from`: `runcoach <noreply@example.com>`
    /// or a bare address.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("RUNCOACH_SMTP_URL is not an SMTP URL ({e}); write smtp://host:port or smtps://user:password@host:465"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from: Mailbox = from.trim().parse().map_err(|e| {
            format!("RUNCOACH_MAIL_FROM '{from}' is not an address ({e}); write noreply@example.com or 'runcoach <noreply@example.com>'")
        })?;
        Ok(MailConfig {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
            wake: Arc::new(Notify::new()),
        })
    }

    /// A link to `path` (with its query) on this site.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    async fn send(&self, m: &mail::Outgoing) -> Result<(), String> {
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("recipient is not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .body(m.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Attempts before a message is dropped (about a day of retries).
pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claimed message is someone's before another sender may try.
const LEASE_MS: i64 = 5 * 60 * 1000;
/// The sender also looks for due retries this often.
const POLL: Duration = Duration::from_secs(5);

/// Wait before attempt `attempts + 1`: 30 s, doubling, at most 4 h.
fn backoff_ms(attempts: i64) -> i64 {
    (30_000_i64 << attempts.clamp(0, 9)).min(4 * 3600 * 1000)
}

/// Sends what is due once; how many messages the SMTP server took.
pub async fn deliver_due(db: &Db, mail: &MailConfig) -> Result<usize, StoreError> {
    let now = now_ms();
    let mut sent = 0;
    for m in mail::due(db, now, 50).await? {
        if !mail::claim(db, &m, now, now + LEASE_MS).await? {
            continue; // another sender has it
        }
        match mail.send(&m).await {
            Ok(()) => {
                mail::delete(db, &m.id).await?;
                sent += 1;
            }
            Err(cause) if m.attempts + 1 >= MAX_ATTEMPTS => {
                tracing::error!(id = %m.id, %cause, "giving up on an e-mail after {MAX_ATTEMPTS} attempts");
                mail::delete(db, &m.id).await?;
            }
            Err(cause) => {
                let wait = backoff_ms(m.attempts);
                tracing::warn!(id = %m.id, %cause, retry_in_s = wait / 1000, "e-mail not sent; will retry");
                mail::retry_at(db, &m.id, now_ms() + wait).await?;
            }
        }
    }
    Ok(sent)
}

/// The sender task: delivers when woken by a new message and every few
/// seconds for retries, until the task is dropped.
pub async fn run_sender(db: Db, mail: MailConfig) {
    loop {
        match deliver_due(&db, &mail).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "e-mail sent"),
            Err(e) => tracing::warn!(error = %e, "reading the outbox failed"),
        }
        let _ = tokio::time::timeout(POLL, mail.wake.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_ceiling() {
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(9), 4 * 3600 * 1000);
        assert_eq!(backoff_ms(500), 4 * 3600 * 1000);
    }

    #[test]
    fn bad_settings_are_named() {
        let e = MailConfig::new("http://x", "a@b.c", "http://h").unwrap_err();
        assert!(e.contains("RUNCOACH_SMTP_URL"), "{e}");
        let e = MailConfig::new("smtp://127.0.0.1:2525", "not an address", "http://h").unwrap_err();
        assert!(e.contains("RUNCOACH_MAIL_FROM"), "{e}");
        let ok = MailConfig::new(
            "smtp://127.0.0.1:2525",
            "runcoach <noreply@example.com>",
            "http://h/",
        )
        .unwrap();
        assert_eq!(ok.link("/verify?token=x"), "http://h/verify?token=x");
    }
}
