//! Accounts by password: sign-up (straight, or by e-mailed link), login
//! under a per-account backoff, password change and reset by link,
//! profile preferences. The API and the pages both call these.

use runcoach_core::plan::FieldError;
use runcoach_store::users::{self, Role, User};
use runcoach_store::{Db, StoreError, limits, sessions};
use serde::Deserialize;

use super::email::{self, LinkError};
use super::{password, schedule};
use crate::mail::MailConfig;

/// Why an account use-case refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Fields to fix, each named.
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    /// The account is locked by its backoff for this many seconds more.
    #[error("too many failed attempts; try again in {retry_after_s} s")]
    Locked { retry_after_s: i64 },
    /// The signed-in account no longer exists.
    #[error("no such account")]
    Unknown,
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AccountError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}

/// What every sign-up and "forgot password" request hears when the server
/// sends e-mail, whoever the address belongs to.
pub const CHECK_EMAIL: &str = "If that address can receive mail, a message with a link is on its way; open it to go on. The link works once.";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub name: String,
}

/// Failed logins to one account that cost nothing; each further failure
/// locks the account for twice as long as the last (1 s, 2 s, 4 s, …), up
/// to [`MAX_LOCK_MS`], from however many addresses the guesses come.
pub const FREE_FAILURES: i64 = 5;
pub const MAX_LOCK_MS: i64 = 15 * 60 * 1000;
/// Failures a day old no longer count.
pub const FORGET_FAILURES_MS: i64 = 24 * 3600 * 1000;

fn backoff_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    (1000_i64 << doublings).min(MAX_LOCK_MS)
}

pub const MAX_EMAIL_LEN: usize = 254;

/// Characters that show as nothing: in an email they make a second account
/// that looks like the first.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Checks a sign-up form; every problem is reported.
pub fn check_signup(s: &Signup) -> Result<(), AccountError> {
    let mut fields = Vec::new();
    let email = s.email.trim();
    let at = email.find('@');
    if email.chars().any(invisible) {
        fields.push(FieldError {
            field: "email",
            message: "the email contains invisible characters (zero-width spaces, joiners or controls); type it again".into(),
        });
    } else if email.len() > MAX_EMAIL_LEN
        || at.is_none_or(|i| i == 0 || i + 1 >= email.len() || !email[i + 1..].contains('.'))
    {
        fields.push(FieldError {
            field: "email",
            message: if email.is_empty() {
                "enter your e-mail address".into()
            } else {
                format!(
                    "“{email}” is not an e-mail address: it needs a name, an @ and a domain, like ann@example.com"
                )
            },
        });
    }
    if s.name.trim().is_empty() || s.name.chars().count() > 100 {
        fields.push(FieldError {
            field: "name",
            message: "enter your name (up to 100 characters)".into(),
        });
    }
    if let Err(m) = password::policy(&s.password, &s.email) {
        fields.push(FieldError {
            field: "password",
            message: m,
        });
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AccountError::Invalid(fields))
    }
}

/// Creates an athlete account; the caller starts the session.
pub async fn register(db: &Db, s: &Signup) -> Result<User, AccountError> {
    check_signup(s)?;
    let hash = password::hash_pooled(&s.password).await;
    match users::create(db, &s.email, &s.name, &hash, Role::Athlete).await {
        Ok(u) => Ok(u),
        Err(StoreError::Conflict) => Err(AccountError::invalid(
            "email",
            "an account with this email already exists; log in instead",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The user whose email and password match; `None` otherwise. Unknown
/// emails cost the same argon2 time as wrong passwords, and count against
/// the account's backoff the same way, so neither reveals which exist. A
/// locked account is refused before any password is checked.
pub async fn authenticate(db: &Db, email: &str, pw: &str) -> Result<Option<User>, AccountError> {
    let account = users::normalise_email(email);
    if account.len() > MAX_EMAIL_LEN {
        return Ok(None); // no account has one; not worth a row
    }
    let found = users::by_email(db, &account).await?;
    let stored = found.as_ref().map(|(_, hash)| hash.as_str());
    let right = verify_for_account(db, &account, pw, stored).await?;
    Ok(found.filter(|_| right).map(|(user, _)| user))
}

/// Checks a password of `account` under its backoff: refused (429) while
/// the account is locked; each attempt counts as a failure until it turns
/// out right, which forgets them. Logins and password changes both go
/// through here, so the current password cannot be guessed through
/// either faster than the other.
async fn verify_for_account(
    db: &Db,
    account: &str,
    pw: &str,
    stored: Option<&str>,
) -> Result<bool, AccountError> {
    let attempt = limits::claim_attempt(db, account, FORGET_FAILURES_MS, backoff_ms).await?;
    if let limits::Attempt::Locked { until } = attempt {
        let ms = until - runcoach_store::now_ms();
        return Err(AccountError::Locked {
            retry_after_s: (ms + 999) / 1000,
        });
    }
    let right = password::verify_pooled(pw, stored).await;
    if right {
        limits::clear_failures(db, account).await?;
    }
    Ok(right)
}

/// The rules for a name, units and week start, shared with the settings
/// form so the page and the API accept exactly the same profiles.
pub fn check_preferences(name: &str, units: &str, week_start: &str) -> Vec<FieldError> {
    let mut bad = Vec::new();
    let n = name.trim().chars().count();
    if n == 0 || n > 100 {
        bad.push(FieldError {
            field: "name",
            message: "give a name of 1–100 characters".into(),
        });
    }
    if !matches!(units, "km" | "mi") {
        bad.push(FieldError {
            field: "units",
            message: format!("'{units}': expected km or mi"),
        });
    }
    if !schedule::DAYS.contains(&week_start) {
        bad.push(FieldError {
            field: "week_start",
            message: format!("'{week_start}': expected a weekday like mon or sun"),
        });
    }
    bad
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    /// Keep the personal access tokens working; by default a new password
    /// revokes them, since whoever had the old one may have minted some.
    #[serde(default)]
    pub keep_tokens: bool,
}

/// Changes the password and ends every other session of the user (all but
/// the one whose token hash is `keep_session`; `""` keeps none), and every
/// token unless asked to keep them.
pub async fn change_password_for(
    db: &Db,
    user: &User,
    keep_session: &str,
    body: &PasswordChange,
) -> Result<(), AccountError> {
    let (_, hash) = users::by_id(db, &user.id)
        .await?
        .ok_or(AccountError::Unknown)?;
    let account = users::normalise_email(&user.email);
    if !verify_for_account(db, &account, &body.current, Some(&hash)).await? {
        return Err(AccountError::invalid(
            "current",
            "the current password is not right",
        ));
    }
    password::policy(&body.new, &user.email).map_err(|m| AccountError::invalid("new", m))?;
    let new_hash = password::hash_pooled(&body.new).await;
    users::set_password(db, &user.id, &new_hash).await?;
    sessions::delete_other_sessions(db, &user.id, keep_session).await?;
    if !body.keep_tokens {
        sessions::delete_tokens(db, &user.id).await?;
    }
    Ok(())
}

/// Sign-up when the server sends e-mail: a checked form, then the same
/// 202 for a new address and a registered one (the link or the note goes
/// by e-mail).
pub async fn signup_by_email(db: &Db, mail: &MailConfig, s: &Signup) -> Result<(), AccountError> {
    check_signup(s)?;
    let hash = password::hash_pooled(&s.password).await;
    email::request_signup(db, mail, &s.email, &s.name, &hash).await?;
    Ok(())
}

/// Checks the link and the new password, then spends the link. The link
/// is looked at before any hashing, so a made-up one costs no argon2.
pub async fn reset_with_link(db: &Db, token: &str, new: &str) -> Result<User, AccountError> {
    let address = email::reset_link_email(db, token).await?;
    password::policy(new, &address).map_err(|m| AccountError::invalid("password", m))?;
    let hash = password::hash_pooled(new).await;
    Ok(email::reset_password(db, token, &hash).await?)
}
