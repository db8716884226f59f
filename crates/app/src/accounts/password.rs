//! Passwords: argon2id with the crate's defaults (19 MiB, 2 passes, one
//! lane — OWASP's recommended minimum), PHC strings in the database.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

/// Fewer different characters than this is a pattern, not a password
/// (ten spaces, `aaaaaaaaaa`, `ababababab`).
pub const MIN_DISTINCT: usize = 4;

/// The commonest passwords long enough to pass the length rule: the first
/// ones any guesser tries.
fn common() -> &'static HashSet<&'static str> {
    static COMMON: OnceLock<HashSet<&'static str>> = OnceLock::new();
    COMMON.get_or_init(|| {
        include_str!("../../data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Why a new password for the account `email` is refused, in words for
/// the runner.
pub fn policy(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(format!(
            "choose a password of at least {MIN_LEN} characters (this one has {n})"
        ));
    }
    if n > MAX_LEN {
        return Err(format!("use at most {MAX_LEN} characters"));
    }
    let lowered = password.trim().to_lowercase();
    let distinct: HashSet<char> = lowered.chars().collect();
    if distinct.len() < MIN_DISTINCT {
        return Err(format!(
            "use at least {MIN_DISTINCT} different characters, not a repeated pattern"
        ));
    }
    if common().contains(lowered.as_str()) {
        return Err("this is one of the most common passwords; choose another".into());
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or("");
    if lowered == email || lowered == local {
        return Err("do not use your email address as the password".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashes any password within the length policy")
        .to_string()
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Argon2 costs ~19 MiB and tens of milliseconds of CPU per call, so the
/// server runs it on the blocking pool (never on the async workers, where
/// it would stall every other request) and at most one call per core but
/// one at a time (so a burst of logins queues instead of multiplying
/// memory, and the server keeps a core to answer everyone else).
fn slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS
        .get_or_init(|| {
            // One core stays free for everything else: with every core
            // hashing, a login flood pushed /healthz p99 to ~100 ms on 2
            // cores (bench/abuse.sh).
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            Arc::new(Semaphore::new(cores.saturating_sub(1).max(1)))
        })
        .clone()
}

async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let permit = slots()
        .acquire_owned()
        .await
        .expect("the hashing semaphore is never closed");
    // The permit moves into the job: a client that hangs up mid-login
    // cannot free its slot while its hash still runs.
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await
    .expect("argon2 does not panic")
}

/// [`hash`] on the bounded blocking pool, for request handlers.
pub async fn hash_pooled(password: &str) -> String {
    let password = password.to_owned();
    off_workers(move || hash(&password)).await
}

/// [`verify`] on the bounded blocking pool, for request handlers; `None`
/// (no such account) verifies against the decoy, so it takes as long.
pub async fn verify_pooled(password: &str, stored: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored = stored.map(str::to_owned);
    off_workers(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify(&password, decoy());
            false
        }
    })
    .await
}

/// A hash to verify against when the email is unknown, so a wrong email
/// takes as long as a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("no-such-user-decoy-password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pooled_hashing_verifies_like_the_plain_functions() {
        let h = hash_pooled("correct horse battery").await;
        assert!(verify_pooled("correct horse battery", Some(&h)).await);
        assert!(!verify_pooled("wrong horse battery", Some(&h)).await);
        assert!(!verify_pooled("correct horse battery", None).await);
    }

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong horse battery", &h));
        assert!(!verify("x", "not a phc string"));
        assert_ne!(hash("same password"), hash("same password"), "salted");
        assert!(policy("short", "a@example.com").is_err());
        assert!(policy("long enough!", "a@example.com").is_ok());
    }

    #[test]
    fn the_policy_refuses_common_passwords_patterns_and_the_email() {
        let email = "ana.runner@example.com";
        for weak in [
            "password12",
            "PASSWORD123",
            " qwertyuiop ",
            "          ",
            "aaaaaaaaaaaa",
            "ababababab",
            "Ana.Runner@example.com",
            "ana.runner",
        ] {
            assert!(policy(weak, email).is_err(), "{weak:?} accepted");
        }
        assert!(policy("ana.runner likes hills", email).is_ok());
        assert!(common().len() >= 200, "{}", common().len());
        assert!(common().iter().all(|p| p.chars().count() >= MIN_LEN));
    }
}
