//! The affiliate pages: apply and the dashboard (`/affiliate`), and the
//! admin page for applications, commissions and payouts. Plain forms over
//! `runcoach_app::affiliates`.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use runcoach_app::Actor;
use runcoach_app::affiliates::{self, AffiliateError, Application, Dashboard, Decision};
use runcoach_core::affiliate::CommissionStatus;
use runcoach_store::now_ms;
use serde::Deserialize;

use super::charts::{Chart, Series};
use super::form::FormErrors;
use super::shop::money;
use super::{Nav, message, not_found, render};
use crate::AppState;
use crate::auth::{MaybeUser, PageUser};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::links::public_url;
use crate::web::referral::address_hash;

#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

struct CommissionRow {
    order: String,
    base: String,
    amount: String,
    status: &'static str,
    after: String,
}

#[derive(Template)]
#[template(path = "affiliate.html")]
struct AffiliatePage {
    nav: Nav,
    signed_in: bool,
    notice: String,
    dash: Option<Dashboard>,
    rows: Vec<CommissionRow>,
    payouts: Vec<(String, String)>,
    pending: String,
    approved: String,
    paid: String,
    rate: String,
    cap: String,
    cookie_days: i64,
    hold_days: i64,
    auto_approve: bool,
    slug: String,
    payout_email: String,
    website: String,
    note: String,
    /// The application's problems, each beside its field.
    errors: FormErrors,
    chart: String,
    legend: String,
    qr: String,
}

/// Clicks, sign-ups and paying runners per week, as bars.
fn weekly_chart(d: &Dashboard) -> (String, String) {
    let series = |name, class, f: fn(&affiliates::WeekCounts) -> i64| Series {
        name,
        class,
        values: d.weeks.iter().map(|w| Some(f(w) as f64)).collect(),
        bars: true,
    };
    let sum = |f: fn(&affiliates::WeekCounts) -> i64| d.weeks.iter().map(f).sum::<i64>();
    let chart = Chart {
        id: "referrals",
        title: "Your referrals by week",
        desc: format!(
            "Clicks, sign-ups and paying runners over the last {} weeks: {} clicks, {} sign-ups, {} paying runners.",
            d.weeks.len(),
            sum(|w| w.clicks),
            sum(|w| w.signups),
            sum(|w| w.conversions)
        ),
        labels: d
            .weeks
            .iter()
            .map(|w| w.week_from.get(5..).unwrap_or("").to_owned())
            .collect(),
        series: vec![
            series("clicks", "c-planned", |w| w.clicks),
            series("sign-ups", "c-done", |w| w.signups),
            series("paying runners", "c-load", |w| w.conversions),
        ],
        guides: vec![],
        unit: "",
        axis: "people a week",
    };
    (chart.render(), chart.legend())
}

fn status_label(s: CommissionStatus) -> &'static str {
    match s {
        CommissionStatus::Pending => "pending",
        CommissionStatus::Approved => "approved",
        CommissionStatus::Paid => "paid",
        CommissionStatus::Voided => "voided",
    }
}

fn short(id: &str) -> String {
    id.chars()
        .rev()
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

/// The apply form, or the dashboard once applied.
pub async fn page(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    Ok(render(
        &affiliate_page(&state, &user, q.notice.unwrap_or_default()).await?,
    ))
}

async fn affiliate_page(
    state: &AppState,
    user: &MaybeUser,
    notice: String,
) -> Result<AffiliatePage, ApiError> {
    let program = runcoach_store::affiliates::program_of(&state.db).await?;
    let currency = program.currency.clone();
    let mut page = AffiliatePage {
        nav: Nav::of(user),
        signed_in: user.0.is_some(),
        notice,
        dash: None,
        rows: Vec::new(),
        payouts: Vec::new(),
        pending: String::new(),
        approved: String::new(),
        paid: String::new(),
        rate: format!("{}%", program.commission_bps as f64 / 100.0),
        cap: money(program.cap_minor, &currency),
        cookie_days: program.cookie_days,
        hold_days: program.hold_days,
        auto_approve: program.auto_approve,
        slug: String::new(),
        website: String::new(),
        note: String::new(),
        errors: FormErrors::new(),
        chart: String::new(),
        legend: String::new(),
        qr: String::new(),
        payout_email: user
            .0
            .as_ref()
            .map(|u| u.user.email.clone())
            .unwrap_or_default(),
    };
    if let Some(u) = &user.0 {
        match affiliates::dashboard(&state.db, &Actor::of(&u.user), public_url(state), now_ms())
            .await
        {
            Ok(d) => {
                page.pending = money(d.balance.pending_minor, &currency);
                page.approved = money(d.balance.approved_minor, &currency);
                page.paid = money(d.balance.paid_minor, &currency);
                page.rows = d
                    .commissions
                    .iter()
                    .map(|c| CommissionRow {
                        order: short(&c.order_id),
                        base: money(c.base_minor, &c.currency),
                        amount: money(c.amount_minor, &c.currency),
                        status: if c.kind == "clawback" {
                            "clawback"
                        } else {
                            status_label(c.status)
                        },
                        after: c.approve_after.get(..10).unwrap_or("").to_owned(),
                    })
                    .collect();
                page.payouts = d
                    .payouts
                    .iter()
                    .map(|p| (p.period.clone(), money(p.amount_minor, &p.currency)))
                    .collect();
                (page.chart, page.legend) = weekly_chart(&d);
                page.qr = qr_svg(&d.link).unwrap_or_default();
                page.dash = Some(d);
            }
            Err(AffiliateError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(page)
}

pub(super) fn back(to: &str, notice: &str) -> Response {
    let encoded: String = notice
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    Redirect::to(&format!("{to}?notice={encoded}")).into_response()
}

pub(super) fn expired() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; reload the page and try again",
    )
        .into_response()
}

fn said(e: AffiliateError) -> Result<String, ApiError> {
    match e {
        AffiliateError::Invalid(fields) => Ok(fields
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")),
        e @ (AffiliateError::Conflict(..) | AffiliateError::NotFound) => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

/// The application's rules (app::affiliates) say what a field must be;
/// the page turns that into what to do.
fn application_words(field: &str, message: &str) -> String {
    match field {
        "slug" => format!("Choose a link name: {message}"),
        "payout_email" => "Enter an e-mail address for payouts (PayPal or bank contact)".into(),
        "website" => {
            "Enter your website as an address starting with https://, up to 300 characters".into()
        }
        "note" => "Keep the note to 2000 characters".into(),
        _ => message.to_owned(),
    }
}

/// The application form.
pub async fn apply(
    State(state): State<AppState>,
    user: PageUser,
    client: Client,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let field = |k: &str| {
        posted
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let application = Application {
        slug: field("slug").unwrap_or_default(),
        payout_email: field("payout_email").unwrap_or_default(),
        website: field("website"),
        note: field("note"),
    };
    let typed = application.clone();
    let address = address_hash(&state, &client).await?;
    let notice = match affiliates::apply(
        &state.db,
        &Actor::of(&user.0.user),
        application,
        Some(&address),
        now_ms(),
    )
    .await
    {
        Ok(a) if a.status == "approved" => "You are in: share your link below.".to_owned(),
        Ok(_) => "Thank you: an admin will look at your application soon.".to_owned(),
        // The form again, each problem beside its field, nothing lost.
        Err(AffiliateError::Invalid(fields)) => {
            let mut page =
                affiliate_page(&state, &MaybeUser(Some(user.0.clone())), String::new()).await?;
            page.errors.extend_from(&fields, |f| f, application_words);
            page.slug = typed.slug;
            page.payout_email = typed.payout_email;
            page.website = typed.website.unwrap_or_default();
            page.note = typed.note.unwrap_or_default();
            let mut res = render(&page);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
        Err(e) => said(e)?,
    };
    Ok(back("/affiliate", &notice))
}

// ------------------------------------------------------------------ admin

struct AffiliateRow {
    id: String,
    slug: String,
    status: String,
    payout_email: String,
    website: String,
    note: String,
    actions: Vec<&'static str>,
}

struct AdminCommission {
    id: String,
    affiliate: String,
    order: String,
    base: String,
    amount: String,
    status: &'static str,
    review: bool,
}

#[derive(Template)]
#[template(path = "admin_affiliates.html")]
struct AdminPage {
    nav: Nav,
    notice: String,
    summary: String,
    affiliates: Vec<AffiliateRow>,
    commissions: Vec<AdminCommission>,
    payouts: Vec<String>,
}

fn admin_only(user: &PageUser) -> Option<Response> {
    (!Actor::of(&user.0.user).is_admin()).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Nav::page(user),
            "Admins only",
            "This page is for the people who run the affiliate program.",
        )
    })
}

pub async fn admin(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, ApiError> {
    if let Some(refused) = admin_only(&user) {
        return Ok(refused);
    }
    let actor = Actor::of(&user.0.user);
    let now = now_ms();
    let program = affiliates::program(&state.db, &actor).await?;
    let list = affiliates::affiliates(&state.db, &actor).await?;
    let slug_of = |id: &str| {
        list.iter()
            .find(|a| a.id == id)
            .map(|a| a.slug.clone())
            .unwrap_or_default()
    };
    let commissions = affiliates::commissions(&state.db, &actor, now).await?;
    let payouts = affiliates::payouts(&state.db, &actor).await?;
    Ok(render(&AdminPage {
        nav: Nav::page(&user),
        notice: q.notice.unwrap_or_default(),
        summary: format!(
            "{}% of what referred runners pay, up to {} per runner; {}-day cookie, {}-day hold, payouts from {}; {} touch; {}.",
            program.commission_bps as f64 / 100.0,
            money(program.cap_minor, &program.currency),
            program.cookie_days,
            program.hold_days,
            money(program.min_payout_minor, &program.currency),
            if program.attribution == runcoach_core::affiliate::Attribution::First {
                "first"
            } else {
                "last"
            },
            if program.auto_approve {
                "applications approved at once"
            } else {
                "applications reviewed"
            },
        ),
        affiliates: list
            .iter()
            .map(|a| AffiliateRow {
                id: a.id.clone(),
                slug: a.slug.clone(),
                status: a.status.clone(),
                payout_email: a.payout_email.clone(),
                website: a.website.clone().unwrap_or_default(),
                note: a.note.clone().unwrap_or_default(),
                actions: match a.status.as_str() {
                    "applied" => vec!["approve", "reject"],
                    "rejected" => vec!["approve"],
                    "approved" => vec!["suspend"],
                    "suspended" => vec!["reinstate"],
                    _ => vec![],
                },
            })
            .collect(),
        commissions: commissions
            .iter()
            .map(|c| AdminCommission {
                id: c.id.clone(),
                affiliate: slug_of(c.affiliate_id.as_deref().unwrap_or("")),
                order: short(&c.order_id),
                base: money(c.base_minor, &c.currency),
                amount: money(c.amount_minor, &c.currency),
                status: if c.kind == "clawback" {
                    "clawback"
                } else {
                    status_label(c.status)
                },
                review: c.needs_review
                    && matches!(
                        c.status,
                        CommissionStatus::Pending | CommissionStatus::Approved
                    ),
            })
            .collect(),
        payouts: payouts
            .iter()
            .map(|p| {
                format!(
                    "{} · {} · {} ({} commissions)",
                    p.period,
                    slug_of(&p.affiliate_id),
                    money(p.amount_minor, &p.currency),
                    p.commission_ids.len()
                )
            })
            .collect(),
    }))
}

enum AdminForm {
    Decide(String, String),
    Approve(String),
    Payouts,
}

/// The admin page's forms: decisions, review approvals, payout runs.
async fn admin_form(
    state: &AppState,
    user: &PageUser,
    form: AdminForm,
    posted: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    if let Some(refused) = admin_only(user) {
        return Ok(refused);
    }
    let actor = Actor::of(&user.0.user);
    let now = now_ms();
    let done = match form {
        AdminForm::Decide(id, action) => match Decision::parse(&action) {
            Some(d) => affiliates::decide(&state.db, &actor, &id, d, now)
                .await
                .map(|a| format!("{} is now {}.", a.slug, a.status)),
            None => return Ok(not_found(Nav::page(user))),
        },
        AdminForm::Approve(id) => affiliates::approve_commission(&state.db, &actor, &id, now)
            .await
            .map(|_| "Commission approved.".to_owned()),
        AdminForm::Payouts => {
            let period = posted.get("period").map_or("", |p| p.trim());
            affiliates::run_payouts(&state.db, &actor, period, now)
                .await
                .map(|lines| format!("{} payout lines for {period}.", lines.len()))
        }
    };
    let notice = match done {
        Ok(n) => n,
        Err(e) => said(e)?,
    };
    Ok(back("/admin/affiliates", &notice))
}

pub async fn decide(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    admin_form(&state, &user, AdminForm::Decide(id, action), &posted).await
}

pub async fn approve_commission(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    admin_form(&state, &user, AdminForm::Approve(id), &posted).await
}

pub async fn run_payouts(
    State(state): State<AppState>,
    user: PageUser,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    admin_form(&state, &user, AdminForm::Payouts, &posted).await
}

/// `text` as a QR code in SVG (medium error correction, a four-module quiet
/// zone), black on white so it prints on club flyers.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" height="240" role="img" aria-labelledby="qr-title" shape-rendering="crispEdges"><title id="qr-title">QR code for {}</title><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##,
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    ))
}

/// The affiliate's QR code as an SVG file, for printing.
pub async fn qr(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let d = match affiliates::dashboard(
        &state.db,
        &Actor::of(&user.0.user),
        public_url(&state),
        now_ms(),
    )
    .await
    {
        Ok(d) => d,
        Err(AffiliateError::NotFound) => return Ok(not_found(Nav::page(&user))),
        Err(e) => return Err(e.into()),
    };
    let svg = qr_svg(&d.link).ok_or_else(|| ApiError::internal("link too long for a QR code"))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"runcoach-referral-qr.svg\"",
            ),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_a_square_svg_with_a_quiet_zone() {
        let svg = qr_svg("https://coach.example/r/trail-club").unwrap();
        // 37 bytes fit version 3 at medium correction: 29 modules + 8.
        assert!(svg.contains("viewBox=\"0 0 37 37\""), "{svg}");
        assert!(svg.contains("QR code for https://coach.example/r/trail-club"));
        assert!(svg.contains("M4,4h1v1h-1z"), "the finder pattern's corner");
    }
}
