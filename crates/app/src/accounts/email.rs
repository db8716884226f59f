//! Accounts by e-mail: sign-up that reveals nothing about who is
//! registered, verification of an address, and password reset. Every link
//! is a 256-bit secret stored as its SHA-256, expires, and works once (a
//! conditional update whose row count is checked). The messages go through
//! the outbox in the same transaction as the link, so a link exists only
//! if its message was queued, and the other way round.

use runcoach_store::mail::{self, EmailToken, Purpose};
use runcoach_store::users::{self, Role, User};
use runcoach_store::{Db, StoreError, Tx, limits, now_ms};
use serde::{Deserialize, Serialize};

use crate::mail::MailConfig;
use crate::secrets;

/// A sign-up link works for a day, so does a verification link; a reset
/// link for an hour (it is worth more to whoever reads the mailbox).
pub const SIGNUP_TTL_MS: i64 = 24 * 3600 * 1000;
pub const VERIFY_TTL_MS: i64 = 24 * 3600 * 1000;
pub const RESET_TTL_MS: i64 = 3600 * 1000;
/// Messages one address receives per hour at most, whoever asks: the
/// server cannot be made to flood a mailbox. Requests over it are answered
/// the same way and send nothing.
pub const MAILS_PER_ADDRESS_PER_HOUR: i64 = 5;
/// The window of that budget.
pub const MAIL_WINDOW_MS: i64 = 3600 * 1000;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Unknown, used, expired, or meant for something else: the page says
    /// the same for all of them.
    #[error("this link has expired or was already used; ask for a new one")]
    Invalid,
    /// A sign-up link for an address that got an account meanwhile.
    #[error("an account with this e-mail already exists; log in instead")]
    AccountExists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a sign-up link carries until it is followed.
#[derive(Serialize, Deserialize)]
struct PendingAccount {
    name: String,
    password_hash: String,
}

/// Counts a message to `email` against its hourly budget (the bucket
/// holds a hash: the limits table never lists addresses).
async fn within_budget(db: &Db, email: &str) -> Result<bool, StoreError> {
    let bucket = format!("mail:{}", secrets::hash(email));
    limits::hit(db, &bucket, MAIL_WINDOW_MS, MAILS_PER_ADDRESS_PER_HOUR).await
}

/// A new link for `token`'s purpose; returns the secret for the message.
async fn new_link(tx: &mut Tx, token: &EmailToken, ttl_ms: i64) -> Result<String, StoreError> {
    let secret = secrets::new_secret();
    mail::create_token(tx, &secrets::hash(&secret), token, ttl_ms).await?;
    Ok(secret)
}

/// Sign-up when the server sends e-mail: the same outcome for every
/// address. A new address gets a link that makes the account (name and
/// password hash wait in the link's row); a registered one gets a note
/// telling its owner someone tried, with the way to log in or reset. The
/// caller has checked the form.
pub async fn request_signup(
    db: &Db,
    mail_config: &MailConfig,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    let email = users::normalise_email(email);
    if !within_budget(db, &email).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    match users::by_email_tx(&mut tx, &email).await? {
        Some(owner) => {
            let body = format!(
                "Hello {name},\n\n\
                 Someone (perhaps you) tried to sign up to runcoach with this e-mail address, \
                 which already has an account. Nothing was changed.\n\n\
                 Log in: {login}\n\
                 Forgot your password? Set a new one: {forgot}\n\n\
                 If it was not you, you can ignore this message.\n",
                name = owner.name,
                login = mail_config.link("/login"),
                forgot = mail_config.link("/password/forgot"),
            );
            mail::enqueue(&mut tx, &email, "Your runcoach account", &body).await?;
        }
        None => {
            let pending = serde_json::to_string(&PendingAccount {
                name: name.trim().to_owned(),
                password_hash: password_hash.to_owned(),
            })
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let token = EmailToken {
                purpose: Purpose::Signup,
                email: email.clone(),
                user_id: None,
                payload: pending,
            };
            let secret = new_link(&mut tx, &token, SIGNUP_TTL_MS).await?;
            let body = format!(
                "Hello {name},\n\n\
                 Open this link to finish signing up to runcoach (it works once, for 24 hours):\n\n\
                 {link}\n\n\
                 If you did not sign up, ignore this message: no account is made without the link.\n",
                name = name.trim(),
                link = mail_config.link(&format!("/verify?token={secret}")),
            );
            mail::enqueue(&mut tx, &email, "Finish signing up to runcoach", &body).await?;
        }
    }
    tx.commit().await?;
    mail_config.wake.notify_one();
    Ok(())
}

/// "Forgot password": a reset link to a registered address; nothing to any
/// other (the caller answers alike either way).
pub async fn request_reset(
    db: &Db,
    mail_config: &MailConfig,
    email: &str,
) -> Result<(), StoreError> {
    let email = users::normalise_email(email);
    if email.len() > 254 || !within_budget(db, &email).await? {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let Some(user) = users::by_email_tx(&mut tx, &email).await? else {
        return Ok(());
    };
    let token = EmailToken {
        purpose: Purpose::Reset,
        email: user.email.clone(),
        user_id: Some(user.id.clone()),
        payload: String::new(),
    };
    let secret = new_link(&mut tx, &token, RESET_TTL_MS).await?;
    let body = format!(
        "Hello {name},\n\n\
         Open this link to set a new runcoach password (it works once, for one hour):\n\n\
         {link}\n\n\
         Setting it signs you out everywhere and revokes your API tokens. If you did not ask, \
         ignore this message: your password stays as it is.\n",
        name = user.name,
        link = mail_config.link(&format!("/password/reset?token={secret}")),
    );
    mail::enqueue(&mut tx, &user.email, "Set a new runcoach password", &body).await?;
    tx.commit().await?;
    mail_config.wake.notify_one();
    Ok(())
}

/// A link that proves the signed-in user's address. `false` when the
/// hourly budget for the address is spent (nothing sent).
pub async fn request_verification(
    db: &Db,
    mail_config: &MailConfig,
    user: &User,
) -> Result<bool, StoreError> {
    if !within_budget(db, &user.email).await? {
        return Ok(false);
    }
    let mut tx = db.begin().await?;
    let token = EmailToken {
        purpose: Purpose::Verify,
        email: user.email.clone(),
        user_id: Some(user.id.clone()),
        payload: String::new(),
    };
    let secret = new_link(&mut tx, &token, VERIFY_TTL_MS).await?;
    let body = format!(
        "Hello {name},\n\n\
         Open this link to confirm this is your e-mail address on runcoach (it works once, for 24 hours):\n\n\
         {link}\n",
        name = user.name,
        link = mail_config.link(&format!("/verify?token={secret}")),
    );
    mail::enqueue(
        &mut tx,
        &user.email,
        "Confirm your e-mail for runcoach",
        &body,
    )
    .await?;
    tx.commit().await?;
    mail_config.wake.notify_one();
    Ok(true)
}

/// The address a reset link is for, without spending it (the new
/// password is checked against the address first).
pub async fn reset_link_email(db: &Db, secret: &str) -> Result<String, LinkError> {
    match mail::peek_token(db, &secrets::hash(secret)).await? {
        Some(t) if t.purpose == Purpose::Reset => Ok(t.email),
        _ => Err(LinkError::Invalid),
    }
}

/// Spends a reset link and sets the new password (already hashed): every
/// session and API token of the account ends, failed-login backoff is
/// forgotten, and the address counts as proved.
pub async fn reset_password(db: &Db, secret: &str, password_hash: &str) -> Result<User, LinkError> {
    let mut tx = db.begin().await?;
    let token = mail::consume_token(
        &mut tx,
        &secrets::hash(secret),
        Purpose::Reset,
        Purpose::Reset,
    )
    .await?
    .ok_or(LinkError::Invalid)?;
    let user_id = token.user_id.ok_or(LinkError::Invalid)?;
    users::reset_password_tx(&mut tx, &user_id, password_hash).await?;
    users::mark_verified_tx(&mut tx, &user_id, now_ms()).await?;
    tx.commit().await?;
    limits::clear_failures(db, &token.email).await?;
    let (user, _) = users::by_id(db, &user_id)
        .await?
        .ok_or(LinkError::Invalid)?;
    Ok(user)
}

/// What following a sign-up or verification link did.
#[derive(Debug)]
pub enum Confirmed {
    /// A sign-up link: the account now exists (the caller signs it in).
    NewAccount(User),
    /// A verification link: the account's address is proved.
    Verified(User),
}

/// Spends a sign-up or verification link.
pub async fn confirm_email(db: &Db, secret: &str) -> Result<Confirmed, LinkError> {
    let mut tx = db.begin().await?;
    let token = mail::consume_token(
        &mut tx,
        &secrets::hash(secret),
        Purpose::Signup,
        Purpose::Verify,
    )
    .await?
    .ok_or(LinkError::Invalid)?;
    let now = now_ms();
    let confirmed = match (token.purpose, token.user_id) {
        (Purpose::Verify, Some(user_id)) => {
            users::mark_verified_tx(&mut tx, &user_id, now).await?;
            tx.commit().await?;
            let (user, _) = users::by_id(db, &user_id)
                .await?
                .ok_or(LinkError::Invalid)?;
            Confirmed::Verified(user)
        }
        (Purpose::Signup, None) => {
            let pending: PendingAccount = serde_json::from_str(&token.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let user = match users::create_tx(
                &mut tx,
                &token.email,
                &pending.name,
                &pending.password_hash,
                Role::Athlete,
                Some(now),
            )
            .await
            {
                Ok(user) => user,
                // Two sign-ups of one address, both followed: the second
                // finds the first's account (its link stays unspent, as the
                // transaction rolls back).
                Err(StoreError::Conflict) => return Err(LinkError::AccountExists),
                Err(e) => return Err(e.into()),
            };
            tx.commit().await?;
            Confirmed::NewAccount(user)
        }
        _ => return Err(LinkError::Invalid),
    };
    Ok(confirmed)
}
