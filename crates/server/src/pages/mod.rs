//! Server-rendered pages (askama). Every form posts as a plain HTML form,
//! so everything works without JavaScript.

mod account;
mod account_email;
mod activities;
mod affiliates;
pub mod charts;
pub mod coaching;
mod edits;
pub mod figure;
mod follow;
pub mod form;
mod imports;
mod library;
mod log;
mod onboarding;
mod pacing;
mod plan;
mod progress;
mod shop;
mod slots;
pub mod view;
pub mod workout;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::auth::{MaybeUser, Via};

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub csrf: String,
    /// The navigation entry this page belongs to (`today`, `plans`, …),
    /// marked `aria-current="page"`; empty when none.
    pub current: &'static str,
    /// The footer's invitation to refer runners, from the program's cap.
    pub offer: String,
    /// A coach account: the navigation links the roster.
    pub coach: bool,
}

impl Nav {
    /// The phone tab bar's entry for this page: the five tabs stand for
    /// the header's seven entries, the rarer ones gathered under "More".
    pub fn tab(&self) -> &'static str {
        match self.current {
            "today" | "plans" | "log" | "progress" | "" => self.current,
            _ => "more",
        }
    }

    pub fn referral_offer(&self) -> &str {
        if self.offer.is_empty() {
            "Earn by referring runners"
        } else {
            &self.offer
        }
    }
}

/// "Earn up to $100 per referral": whole amounts without cents, so the
/// footer reads as the program's own cap, whatever an admin set it to.
pub fn offer_text(cap_minor: i64, currency: &str) -> String {
    if cap_minor <= 0 {
        return "Earn by referring runners".into();
    }
    let amount = shop::money(cap_minor, currency);
    let amount = amount.replace(".00", "");
    format!("Earn up to {amount} per referral")
}

/// What the layout knows about the request without every handler passing
/// it along.
struct PageContext {
    /// The path of the page being rendered, to mark its navigation entry.
    path: String,
    /// The footer's referral offer.
    offer: String,
}

tokio::task_local! {
    static PAGE: PageContext;
}

/// Middleware: remembers the request path and the referral offer for
/// [`Nav`] while the page handler runs (the handler runs inside this
/// future, on this task). Files (CSS, icons) skip the program lookup.
async fn remember_path(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let is_file = path.starts_with("/static/") || path.contains('.');
    let offer = if is_file {
        String::new()
    } else {
        match runcoach_store::affiliates::program_of(&state.db).await {
            Ok(p) => offer_text(p.cap_minor, &p.currency),
            Err(e) => {
                tracing::warn!(error = %e, "affiliate program for the footer");
                String::new()
            }
        }
    };
    PAGE.scope(PageContext { path, offer }, next.run(req)).await
}

/// The navigation entry a path sits under: a session page is part of the
/// plan, logging an extra activity part of Today.
pub fn section(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "today" => "today",
        "log" | "logs" => "log",
        "plans" | "sessions" | "onboarding" => "plans",
        "activities" => "activities",
        "more" => "more",
        "progress" => "progress",
        "exercises" => "exercises",
        "imports" => "imports",
        "settings" => "settings",
        "coach" => "coach",
        "login" => "login",
        "signup" => "signup",
        _ => "",
    }
}

fn current_section() -> &'static str {
    PAGE.try_with(|p| section(&p.path)).unwrap_or("")
}

fn current_offer() -> String {
    PAGE.try_with(|p| p.offer.clone()).unwrap_or_default()
}

impl Nav {
    /// The layout for a signed-in page.
    pub fn page(user: &crate::auth::PageUser) -> Self {
        Self::of(&MaybeUser(Some(user.0.clone())))
    }

    pub fn of(user: &MaybeUser) -> Self {
        let coach = user.0.as_ref().is_some_and(|u| {
            u.user.role == runcoach_store::users::Role::Coach
                || u.user.roles.contains(&runcoach_store::users::Role::Coach)
        });
        Nav {
            coach,
            ..Self::without_roles(user)
        }
    }

    fn without_roles(user: &MaybeUser) -> Self {
        match user.0.as_ref().map(|u| &u.via) {
            Some(Via::Session { csrf, .. }) => Nav {
                signed_in: true,
                csrf: csrf.clone(),
                current: current_section(),
                offer: current_offer(),
                coach: false,
            },
            Some(Via::Bearer { .. }) => Nav {
                signed_in: true,
                csrf: String::new(),
                current: current_section(),
                offer: current_offer(),
                coach: false,
            },
            None => Nav {
                current: current_section(),
                offer: current_offer(),
                ..Nav::default()
            },
        }
    }
}

/// Renders a template, or logs and answers 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::error::ApiError::internal(e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct Message {
    pub nav: Nav,
    pub heading: String,
    pub message: String,
}

pub fn message(status: StatusCode, nav: Nav, heading: &str, message: &str) -> Response {
    let mut res = render(&Message {
        nav,
        heading: heading.into(),
        message: message.into(),
    });
    *res.status_mut() = status;
    res
}

#[derive(Template)]
#[template(path = "more.html")]
struct More {
    nav: Nav,
}

/// The phone's "More" tab: the pages the tab bar has no room for.
async fn more(user: crate::auth::PageUser) -> Response {
    render(&More {
        nav: Nav::page(&user),
    })
}

pub fn not_found(nav: Nav) -> Response {
    message(
        StatusCode::NOT_FOUND,
        nav,
        "Not found",
        "There is nothing here, or it belongs to someone else.",
    )
}

const CSS: &str = include_str!("../../static/app.css");

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// The follow-along player (progressive: the page works without it).
const FOLLOW_JS: &str = include_str!("../../static/follow.js");
/// Fills an empty time-zone field with the browser's zone.
const ZONE_JS: &str = include_str!("../../static/zone.js");
const COPY_JS: &str = include_str!("../../static/copy.js");

const ICON_SVG: &str = include_str!("../../static/icon.svg");
/// The same mark as a 32×32 PNG inside an ICO, for clients that only ask
/// for `/favicon.ico` (without it every visit logged a 404).
const FAVICON_ICO: &[u8] = include_bytes!("../../static/favicon.ico");
/// Lets a phone add runcoach to its home screen, opening on Today.
const MANIFEST: &str = include_str!("../../static/manifest.webmanifest");

/// A file built into the binary, cached for a day.
fn asset(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(account::landing))
        .route(
            "/signup",
            get(account::signup_page).post(account::signup_submit),
        )
        .route(
            "/login",
            get(account::login_page).post(account::login_submit),
        )
        .route("/logout", post(account::logout))
        .route(
            "/password/forgot",
            get(account_email::forgot_page).post(account_email::forgot_submit),
        )
        .route(
            "/password/reset",
            get(account_email::reset_page).post(account_email::reset_submit),
        )
        .route(
            "/verify",
            get(account_email::verify_page).post(account_email::verify_submit),
        )
        .route(
            "/settings/email/verify",
            post(account_email::send_verification),
        )
        .route(
            "/settings",
            get(account::settings_page).post(account::settings_submit),
        )
        .route("/settings/password", post(account::password_submit))
        .route("/settings/feeds", post(account::feed_create))
        .route("/settings/schedule", post(account::schedule_submit))
        .route("/settings/feeds/{id}/revoke", post(account::feed_revoke))
        .route("/settings/tokens/{id}/revoke", post(account::token_revoke))
        .route(
            "/onboarding",
            get(onboarding::page).post(onboarding::submit),
        )
        .route("/plans", get(plan::list))
        .route("/plans/{id}", get(plan::calendar))
        .route("/sessions/{id}", get(plan::session))
        .route("/today", get(plan::today))
        .route("/sessions/{id}/log", post(log::log_session))
        .route("/sessions/{id}/follow", get(follow::page))
        .route("/sessions/{id}/edit", post(edits::session_edit))
        .route(
            "/plans/{id}/weeks/{n}/edit",
            get(edits::week_page).post(edits::week_submit),
        )
        .route("/log", get(log::extra_page).post(log::extra_submit))
        .route("/progress", get(progress::page))
        .route("/more", get(more))
        .route("/activities", get(activities::list))
        .route("/activities/{id}", get(activities::detail))
        .route(
            "/logs/{id}/edit",
            get(log::edit_page).post(log::edit_submit),
        )
        .route("/logs/{id}/delete", get(log::delete_page).post(log::delete))
        .route(
            "/plans/{id}/adjustments/{adj}/{action}",
            post(log::adjustment),
        )
        .route(
            "/imports",
            get(imports::page)
                .post(imports::submit)
                .layer(axum::extract::DefaultBodyLimit::max(
                    runcoach_app::imports::UPLOAD_LIMIT,
                )),
        )
        .route("/imports/{id}", get(imports::status))
        .route("/exercises", get(library::index))
        .route("/exercises/{id}", get(library::exercise))
        .route("/store", get(shop::store))
        .route("/store/{slug}", get(shop::product))
        .route(
            "/checkout",
            get(shop::checkout_page).post(shop::checkout_submit),
        )
        .route("/orders", get(shop::orders))
        .route("/orders/{id}", get(shop::order))
        .route("/orders/{id}/cancel", post(shop::cancel))
        .route("/admin/shop", get(shop::admin))
        .route("/admin/shop/{action}", post(shop::admin_action))
        .route("/affiliate", get(affiliates::page).post(affiliates::apply))
        .route("/affiliate/qr.svg", get(affiliates::qr))
        .route("/admin/affiliates", get(affiliates::admin))
        .route("/admin/affiliates/{id}/{action}", post(affiliates::decide))
        .route(
            "/admin/commissions/{id}/approve",
            post(affiliates::approve_commission),
        )
        .route("/admin/payouts", post(affiliates::run_payouts))
        .route(
            "/coach/slots",
            get(slots::coach_slots).post(slots::coach_slots_submit),
        )
        .route("/coach/day/{date}", get(slots::coach_day))
        .route("/bookings", get(slots::bookings))
        .route("/slots/{id}/book", post(slots::book_submit))
        .route("/bookings/{id}/cancel", post(slots::cancel_submit))
        .route("/coach", get(coaching::roster))
        .route("/coach/invitations", post(coaching::invite))
        .route(
            "/coach/profile",
            get(coaching::profile).post(coaching::profile_submit),
        )
        .route("/coach/athletes/{id}", get(coaching::athlete))
        .route("/sessions/{id}/comments", post(coaching::comment))
        .route(
            "/coaching/invitations/{id}",
            get(coaching::invitation).post(coaching::accept),
        )
        .route("/settings/grants", post(coaching::create_grant))
        .route("/settings/grants/{id}/revoke", post(coaching::revoke_grant))
        .route(
            "/admin/coaches",
            get(coaching::admin).post(coaching::create_coach),
        )
        .route("/static/app.css", get(stylesheet))
        .route(
            "/static/follow.js",
            get(|| async { asset("text/javascript; charset=utf-8", FOLLOW_JS) }),
        )
        .route(
            "/static/zone.js",
            get(|| async { asset("text/javascript; charset=utf-8", ZONE_JS) }),
        )
        .route(
            "/static/copy.js",
            get(|| async { asset("text/javascript; charset=utf-8", COPY_JS) }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { asset("image/svg+xml", ICON_SVG) }),
        )
        .route(
            "/favicon.ico",
            get(|| async { asset("image/x-icon", FAVICON_ICO) }),
        )
        .route(
            "/manifest.webmanifest",
            get(|| async { asset("application/manifest+json", MANIFEST) }),
        )
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(state, remember_path))
}

async fn fallback(user: MaybeUser) -> Response {
    not_found(Nav::of(&user))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_belong_to_their_navigation_entry() {
        for (path, want) in [
            ("/today", "today"),
            ("/log", "log"),
            ("/more", "more"),
            ("/activities/abc", "activities"),
            ("/plans", "plans"),
            ("/plans/abc", "plans"),
            ("/sessions/abc", "plans"),
            ("/settings", "settings"),
            ("/exercises/clamshell", "exercises"),
            ("/store", ""),
            ("/", ""),
        ] {
            assert_eq!(super::section(path), want, "{path}");
        }
    }

    #[test]
    fn the_tab_bar_gathers_the_rarer_pages_under_more() {
        for (current, tab) in [
            ("today", "today"),
            ("log", "log"),
            ("settings", "more"),
            ("activities", "more"),
            ("more", "more"),
            ("", ""),
        ] {
            let nav = super::Nav {
                current,
                ..Default::default()
            };
            assert_eq!(nav.tab(), tab, "{current}");
        }
    }

    #[test]
    fn the_referral_offer_is_the_programs_cap() {
        assert_eq!(
            super::offer_text(10_000, "USD"),
            "Earn up to $100 per referral"
        );
        assert_eq!(
            super::offer_text(7_550, "EUR"),
            "Earn up to €75.50 per referral"
        );
        assert_eq!(super::offer_text(0, "USD"), "Earn by referring runners");
    }
}
