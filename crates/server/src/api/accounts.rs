//! Sign-up, login, logout, password change, personal access tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use runcoach_core::plan::FieldError;
use runcoach_store::users::{self, Role, User};
use runcoach_store::{StoreError, limits, sessions};
use serde::Deserialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::{self, CurrentUser, MaybeUser, Via, password, secrets};
use crate::client::Client;
use crate::error::ApiError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    pub email: String,
    pub password: String,
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub email: String,
    pub password: String,
}

/// Sign-up and login attempts allowed per client address per minute.
pub const ATTEMPTS_PER_MINUTE: i64 = 10;
const ADDRESS_WINDOW_MS: i64 = 60_000;
/// Failed logins to one account that cost nothing; each further failure
/// locks the account for twice as long as the last (1 s, 2 s, 4 s, …), up
/// to [`MAX_LOCK_MS`], from however many addresses the guesses come.
pub const FREE_FAILURES: i64 = 5;
pub const MAX_LOCK_MS: i64 = 15 * 60 * 1000;
/// Failures a day old no longer count.
const FORGET_FAILURES_MS: i64 = 24 * 3600 * 1000;

fn backoff_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    (1000_i64 << doublings).min(MAX_LOCK_MS)
}

/// Counts an attempt against the client address's budget for `what`
/// (`login`, `signup`); a trusted proxy's own address is exempt.
pub async fn rate_limited(state: &AppState, client: &Client, what: &str) -> Result<(), ApiError> {
    let Some(bucket) = client.bucket(what) else {
        return Ok(());
    };
    if limits::hit(&state.db, &bucket, ADDRESS_WINDOW_MS, ATTEMPTS_PER_MINUTE).await? {
        Ok(())
    } else {
        Err(ApiError::TooMany {
            retry_after_s: ADDRESS_WINDOW_MS / 1000,
        })
    }
}

/// Deletes what has expired: sessions, tokens, rate-limit windows and old
/// login failures (run periodically by the server).
pub async fn purge_expired(db: &runcoach_store::Db) -> Result<u64, StoreError> {
    let now = runcoach_store::now_ms();
    // Windows are kept as long as the longest of them (mail's hour).
    let longest_window = runcoach_app::accounts::email::MAIL_WINDOW_MS.max(ADDRESS_WINDOW_MS);
    let limits = limits::purge(db, now - longest_window, now - FORGET_FAILURES_MS).await?;
    let links = runcoach_store::mail::purge_expired_tokens(db, now).await?;
    Ok(limits + links + sessions::purge_expired(db).await?)
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
pub fn check_signup(s: &Signup) -> Result<(), ApiError> {
    let mut fields = Vec::new();
    let email = s.email.trim();
    let at = email.find('@');
    if email.chars().any(invisible) {
        fields.push(runcoach_core::plan::FieldError {
            field: "email",
            message: "the email contains invisible characters (zero-width spaces, joiners or controls); type it again".into(),
        });
    } else if email.len() > MAX_EMAIL_LEN
        || at.is_none_or(|i| i == 0 || i + 1 >= email.len() || !email[i + 1..].contains('.'))
    {
        fields.push(runcoach_core::plan::FieldError {
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
        fields.push(runcoach_core::plan::FieldError {
            field: "name",
            message: "enter your name (up to 100 characters)".into(),
        });
    }
    if let Err(m) = password::policy(&s.password, &s.email) {
        fields.push(runcoach_core::plan::FieldError {
            field: "password",
            message: m,
        });
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(fields))
    }
}

/// Creates an athlete account; the caller starts the session.
pub async fn register(state: &AppState, s: &Signup) -> Result<User, ApiError> {
    check_signup(s)?;
    let hash = password::hash_pooled(&s.password).await;
    match users::create(&state.db, &s.email, &s.name, &hash, Role::Athlete).await {
        Ok(u) => Ok(u),
        Err(StoreError::Conflict) => Err(ApiError::invalid(
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
pub async fn authenticate(
    state: &AppState,
    email: &str,
    pw: &str,
) -> Result<Option<User>, ApiError> {
    let account = users::normalise_email(email);
    if account.len() > MAX_EMAIL_LEN {
        return Ok(None); // no account has one; not worth a row
    }
    let found = users::by_email(&state.db, &account).await?;
    let stored = found.as_ref().map(|(_, hash)| hash.as_str());
    let right = verify_for_account(state, &account, pw, stored).await?;
    Ok(found.filter(|_| right).map(|(user, _)| user))
}

/// Checks a password of `account` under its backoff: refused (429) while
/// the account is locked; each attempt counts as a failure until it turns
/// out right, which forgets them. Logins and password changes both go
/// through here, so the current password cannot be guessed through
/// either faster than the other.
async fn verify_for_account(
    state: &AppState,
    account: &str,
    pw: &str,
    stored: Option<&str>,
) -> Result<bool, ApiError> {
    let attempt = limits::claim_attempt(&state.db, account, FORGET_FAILURES_MS, backoff_ms).await?;
    if let limits::Attempt::Locked { until } = attempt {
        let ms = until - runcoach_store::now_ms();
        return Err(ApiError::TooMany {
            retry_after_s: (ms + 999) / 1000,
        });
    }
    let right = password::verify_pooled(pw, stored).await;
    if right {
        limits::clear_failures(&state.db, account).await?;
    }
    Ok(right)
}

pub async fn signup(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Signup>,
) -> Result<axum::response::Response, ApiError> {
    rate_limited(&state, &client, "signup").await?;
    // With e-mail, every sign-up is answered alike (202): the account is
    // made when the link sent to the address is followed, and a registered
    // address's owner is told by e-mail instead.
    if let Some(mail) = &state.config.mail {
        super::email::signup_by_email(&state, mail, &body).await?;
        return Ok(super::email::check_email());
    }
    let user = register(&state, &body).await?;
    super::affiliates::on_signup(&state, &user.id, &client, &headers).await;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(SET_COOKIE, cookie)]),
        Json(user),
    )
        .into_response())
}

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    rate_limited(&state, &client, "login").await?;
    let user = authenticate(&state, &body.email, &body.password)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let cookie = auth::start_session(&state, &user.id).await?;
    Ok((AppendHeaders([(SET_COOKIE, cookie)]), Json(user)))
}

/// Ends the cookie session, or revokes the token a script logs out with.
pub async fn logout(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(CurrentUser {
        user,
        via: Via::Bearer { token_id },
    }) = &user.0
    {
        sessions::delete_token(&state.db, &user.id, token_id).await?;
    }
    let cookie = auth::end_session(&state, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(SET_COOKIE, cookie)]),
    ))
}

/// The signed-in user, with `roles` as a set beside the account's own
/// `role` (an athlete who is an approved affiliate has both).
#[derive(serde::Serialize)]
pub struct Me {
    #[serde(flatten)]
    user: User,
    roles: Vec<Role>,
}

pub async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    Ok(Json(me_of(&state, user.user).await?))
}

async fn me_of(state: &AppState, user: User) -> Result<Me, ApiError> {
    let roles = runcoach_app::accounts::roles(&state.db, &runcoach_app::Actor::of(&user)).await?;
    Ok(Me { user, roles })
}

/// `PATCH /api/v1/me`: any of the preferences the settings page edits;
/// fields left out keep their value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub units: Option<String>,
    pub time_zone: Option<String>,
    pub week_start: Option<String>,
    pub start_times: Option<String>,
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
    if !crate::schedule::DAYS.contains(&week_start) {
        bad.push(FieldError {
            field: "week_start",
            message: format!("'{week_start}': expected a weekday like mon or sun"),
        });
    }
    bad
}

/// Every field is checked and every problem named before anything is saved.
pub async fn update_me(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<Me>, ApiError> {
    let mut u = user.user;
    if let Some(name) = patch.name {
        u.name = name.trim().to_owned();
    }
    if let Some(units) = patch.units {
        u.units = units;
    }
    if let Some(day) = patch.week_start {
        u.week_start = day;
    }
    let mut bad = check_preferences(&u.name, &u.units, &u.week_start);
    if let Some(zone) = patch.time_zone {
        match crate::schedule::zone(&zone) {
            Ok(z) => u.time_zone = z,
            Err(message) => bad.push(FieldError {
                field: "time_zone",
                message,
            }),
        }
    }
    if let Some(times) = patch.start_times {
        match crate::schedule::parse_strict(&times) {
            Ok(t) => u.start_times = crate::schedule::format(&t),
            Err(message) => bad.push(FieldError {
                field: "start_times",
                message,
            }),
        }
    }
    if !bad.is_empty() {
        return Err(ApiError::Invalid(bad));
    }
    users::set_profile(&state.db, &u).await?;
    Ok(Json(me_of(&state, u).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    /// Keep the personal access tokens working; by default a new password
    /// revokes them, since whoever had the old one may have minted some.
    #[serde(default)]
    pub keep_tokens: bool,
}

/// Changes the password and ends every other session of the user, and
/// every token unless asked to keep them.
pub async fn change_password_for(
    state: &AppState,
    user: &CurrentUser,
    body: &PasswordChange,
) -> Result<(), ApiError> {
    let (_, hash) = users::by_id(&state.db, &user.user.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let account = users::normalise_email(&user.user.email);
    if !verify_for_account(state, &account, &body.current, Some(&hash)).await? {
        return Err(ApiError::invalid(
            "current",
            "the current password is not right",
        ));
    }
    password::policy(&body.new, &user.user.email).map_err(|m| ApiError::invalid("new", m))?;
    let new_hash = password::hash_pooled(&body.new).await;
    users::set_password(&state.db, &user.user.id, &new_hash).await?;
    let keep = match &user.via {
        Via::Session { token_hash, .. } => token_hash.as_str(),
        Via::Bearer { .. } => "",
    };
    sessions::delete_other_sessions(&state.db, &user.user.id, keep).await?;
    if !body.keep_tokens {
        sessions::delete_tokens(&state.db, &user.user.id).await?;
    }
    Ok(())
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    change_password_for(&state, &user, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// Days until the token stops working; none: until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

/// Longest expiry a token can be given, in days.
pub const MAX_TOKEN_DAYS: i64 = 3650;

/// A personal access token for scripts; shown once, stored hashed. Only a
/// signed-in session can mint one.
pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<impl IntoResponse, ApiError> {
    user.require_session()?;
    let name = body.name.trim();
    let mut fields = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        fields.push(runcoach_core::plan::FieldError {
            field: "name",
            message: "give the token a name of 1–100 characters".into(),
        });
    }
    if body
        .expires_in_days
        .is_some_and(|d| !(1..=MAX_TOKEN_DAYS).contains(&d))
    {
        fields.push(runcoach_core::plan::FieldError {
            field: "expires_in_days",
            message: format!("give 1–{MAX_TOKEN_DAYS} days, or leave it out for no expiry"),
        });
    }
    if !fields.is_empty() {
        return Err(ApiError::Invalid(fields));
    }
    let ttl_ms = body.expires_in_days.map(|d| d * 24 * 3600 * 1000);
    let token = secrets::new_secret();
    let stored = sessions::create_token(
        &state.db,
        &user.user.id,
        name,
        &secrets::hash(&token),
        ttl_ms,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": stored.id,
            "name": stored.name,
            "created_at": stored.created_at,
            "expires_at": stored.expires_at,
            "token": token,
        })),
    ))
}

/// The user's tokens: name, when created, last used and expiring; never
/// the secret (only its hash is stored anyway).
pub async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<sessions::ApiToken>>, ApiError> {
    Ok(Json(sessions::list_tokens(&state.db, &user.user.id).await?))
}

/// Revokes a token of the user's; someone else's or unknown → 404.
pub async fn delete_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if sessions::delete_token(&state.db, &user.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
