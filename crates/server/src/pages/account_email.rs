//! The pages behind the links sent by e-mail: "forgot password", the reset
//! form and the confirmation of an address. A link opened (GET) only shows
//! a form; the link is spent by submitting it (POST), so mail scanners
//! that fetch every link spend nothing.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use runcoach_app::accounts::email::{self, Confirmed};
use runcoach_app::accounts::{CHECK_EMAIL, reset_with_link};
use serde::Deserialize;

use super::form::FormErrors;
use super::{Nav, message, render};
use crate::AppState;
use crate::auth::{self, MaybeUser, PageUser, form_token, form_token_ok, with_cookie};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::rate_limited;

#[derive(Template, Default)]
#[template(path = "account_email.html")]
struct LinkPage {
    nav: Nav,
    heading: String,
    /// `forgot`, `reset` or `verify`.
    mode: &'static str,
    csrf: String,
    token: String,
    email: String,
    /// A refusal with no field of its own (too many requests).
    error: String,
    /// Each problem beside its field (`email`, `password`).
    errors: FormErrors,
}

const NO_MAIL: &str = "This server sends no e-mail. Ask the person who runs it to set a new password for you (runcoach admin reset-password).";
const BAD_LINK: &str = "This link has expired or was already used. Ask for a new one.";

fn page(
    state: &AppState,
    user: &MaybeUser,
    headers: &HeaderMap,
    mode: &'static str,
    token: &str,
) -> (LinkPage, Option<String>) {
    let (csrf, cookie) = form_token(state, user, headers);
    let heading = match mode {
        "forgot" => "Forgot your password?",
        "reset" => "Set a new password",
        _ => "Confirm your e-mail",
    };
    let page = LinkPage {
        nav: Nav::of(user),
        heading: heading.into(),
        mode,
        csrf,
        token: token.to_owned(),
        ..Default::default()
    };
    (page, cookie)
}

fn refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; go back, reload the page and try again",
    )
        .into_response()
}

fn with_status(status: StatusCode, mut res: Response) -> Response {
    *res.status_mut() = status;
    res
}

pub async fn forgot_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
) -> Response {
    if state.config.mail.is_none() {
        return message(
            StatusCode::OK,
            Nav::of(&user),
            "Forgot your password?",
            NO_MAIL,
        );
    }
    let (p, cookie) = page(&state, &user, &headers, "forgot", "");
    with_cookie(cookie, render(&p))
}

#[derive(Deserialize)]
pub struct ForgotForm {
    csrf: String,
    email: String,
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    user: MaybeUser,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response, ApiError> {
    let Some(mail) = &state.config.mail else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            Nav::of(&user),
            "Forgot your password?",
            NO_MAIL,
        ));
    };
    if !form_token_ok(&user, &headers, &form.csrf) {
        return Ok(refused());
    }
    if let Err(ApiError::TooMany { retry_after_s }) = rate_limited(&state, &client, "forgot").await
    {
        let (mut p, _) = page(&state, &user, &headers, "forgot", "");
        p.email = form.email;
        p.error = format!("Too many requests; wait {retry_after_s} s and try again.");
        let mut res = with_status(StatusCode::TOO_MANY_REQUESTS, render(&p));
        res.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, retry_after_s.max(1).into());
        return Ok(res);
    }
    if form.email.trim().is_empty() {
        let (mut p, _) = page(&state, &user, &headers, "forgot", "");
        p.errors
            .add("email", "Enter the e-mail address of your account");
        return Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&p)));
    }
    email::request_reset(&state.db, mail, &form.email).await?;
    Ok(message(
        StatusCode::OK,
        Nav::of(&user),
        "Check your e-mail",
        CHECK_EMAIL,
    ))
}

fn token_of(q: &HashMap<String, String>) -> &str {
    q.get("token").map(String::as_str).unwrap_or("")
}

pub async fn reset_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if state.config.mail.is_none() {
        return Ok(message(
            StatusCode::NOT_FOUND,
            Nav::of(&user),
            "Set a new password",
            NO_MAIL,
        ));
    }
    // A dead link says so at once, not after a new password was typed.
    if email::reset_link_email(&state.db, token_of(&q))
        .await
        .is_err()
    {
        return Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            Nav::of(&user),
            "Set a new password",
            BAD_LINK,
        ));
    }
    let (p, cookie) = page(&state, &user, &headers, "reset", token_of(&q));
    Ok(with_cookie(cookie, render(&p)))
}

#[derive(Deserialize)]
pub struct ResetForm {
    csrf: String,
    token: String,
    password: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Form(form): Form<ResetForm>,
) -> Result<Response, ApiError> {
    if state.config.mail.is_none() {
        return Ok(message(
            StatusCode::NOT_FOUND,
            Nav::of(&user),
            "Set a new password",
            NO_MAIL,
        ));
    }
    if !form_token_ok(&user, &headers, &form.csrf) {
        return Ok(refused());
    }
    match reset_with_link(&state.db, &form.token, &form.password)
        .await
        .map_err(ApiError::from)
    {
        Ok(account) => {
            // The browser that proved the mailbox and chose the password
            // is signed in; every other session ended with the reset.
            let cookie = auth::start_session(&state, &account.id).await?;
            Ok((
                AppendHeaders([(SET_COOKIE, cookie)]),
                Redirect::to("/today"),
            )
                .into_response())
        }
        Err(ApiError::Invalid(fields)) if fields.iter().any(|f| f.field == "password") => {
            let (mut p, _) = page(&state, &user, &headers, "reset", &form.token);
            p.errors
                .extend_from(&fields, |_| "password", |_, m| m.to_owned());
            Ok(with_status(StatusCode::UNPROCESSABLE_ENTITY, render(&p)))
        }
        Err(ApiError::Invalid(_)) => Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            Nav::of(&user),
            "Set a new password",
            BAD_LINK,
        )),
        Err(e) => Err(e),
    }
}

pub async fn verify_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if state.config.mail.is_none() {
        return super::not_found(Nav::of(&user));
    }
    let (p, cookie) = page(&state, &user, &headers, "verify", token_of(&q));
    with_cookie(cookie, render(&p))
}

#[derive(Deserialize)]
pub struct VerifyForm {
    csrf: String,
    token: String,
}

pub async fn verify_submit(
    State(state): State<AppState>,
    user: MaybeUser,
    client: Client,
    headers: HeaderMap,
    Form(form): Form<VerifyForm>,
) -> Result<Response, ApiError> {
    if state.config.mail.is_none() {
        return Ok(super::not_found(Nav::of(&user)));
    }
    if !form_token_ok(&user, &headers, &form.csrf) {
        return Ok(refused());
    }
    let heading = "Confirm your e-mail";
    match email::confirm_email(&state.db, &form.token).await {
        Ok(Confirmed::NewAccount(account)) => {
            crate::web::referral::on_signup(&state, &account.id, &client, &headers).await;
            let cookie = auth::start_session(&state, &account.id).await?;
            Ok((
                AppendHeaders([(SET_COOKIE, cookie)]),
                Redirect::to("/onboarding"),
            )
                .into_response())
        }
        Ok(Confirmed::Verified(_)) => Ok(message(
            StatusCode::OK,
            Nav::of(&user),
            heading,
            "Thank you: your e-mail address is confirmed.",
        )),
        Err(e @ email::LinkError::AccountExists) => Ok(message(
            StatusCode::CONFLICT,
            Nav::of(&user),
            heading,
            &e.to_string(),
        )),
        Err(email::LinkError::Invalid) => Ok(message(
            StatusCode::UNPROCESSABLE_ENTITY,
            Nav::of(&user),
            heading,
            BAD_LINK,
        )),
        Err(email::LinkError::Store(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// Settings → "Send me a confirmation link".
pub async fn send_verification(
    State(state): State<AppState>,
    user: PageUser,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ApiError> {
    if !user.form_ok(&form.csrf) {
        return Ok(refused());
    }
    let nav = Nav::of(&MaybeUser(Some(user.0.clone())));
    let Some(mail) = &state.config.mail else {
        return Ok(super::not_found(nav));
    };
    let text = if user.0.user.email_verified_at.is_some() {
        "Your e-mail address is already confirmed."
    } else if email::request_verification(&state.db, mail, &user.0.user).await? {
        "A link is on its way to your address; open it to confirm."
    } else {
        "Enough links went to your address this hour; try again later."
    };
    Ok(message(StatusCode::OK, nav, "Confirm your e-mail", text))
}
