//! The store, checkout, orders and the shop's admin page: plain HTML forms
//! over `runcoach_app::shop`. Paying sends the runner to Stripe by a link
//! (a GET), so the page's `form-action 'self'` policy stays as it is.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use runcoach_app::Actor;
use runcoach_app::shop::{self, CartItem, CouponSummary, OrderRequest, PricedQuote, ShopError};
use runcoach_core::shop::{OrderStatus, ProductKind};
use runcoach_store::now_ms;
use runcoach_store::shop::{Order, Product};
use serde::Deserialize;

use super::form::FormErrors;
use super::{Nav, message, not_found, render};
use crate::AppState;
use crate::auth::{MaybeUser, PageUser};
use crate::client::Client;
use crate::error::ApiError;
use crate::web::limits::CodeGuard;

/// `$19.85`, `€19.85`, `£19.85`, or `19.85 CHF`: integer minor units as
/// people read them.
pub fn money(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let (units, cents) = (minor.abs() / 100, minor.abs() % 100);
    match currency {
        "USD" => format!("{sign}${units}.{cents:02}"),
        "EUR" => format!("{sign}€{units}.{cents:02}"),
        "GBP" => format!("{sign}£{units}.{cents:02}"),
        other => format!("{sign}{units}.{cents:02} {other}"),
    }
}

fn kind_label(kind: ProductKind) -> &'static str {
    match kind {
        ProductKind::TrainingPlan => "Training plan",
        ProductKind::CoachingSubscription => "Online coaching, monthly",
        ProductKind::CoachingPackage => "In-person coaching",
    }
}

fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingPayment => "Awaiting payment",
        OrderStatus::Paid => "Paid",
        OrderStatus::PaymentFailed => "Payment failed",
        OrderStatus::Expired => "Expired unpaid",
        OrderStatus::Cancelled => "Cancelled",
        OrderStatus::Refunded => "Refunded",
        OrderStatus::PartiallyRefunded => "Partly refunded",
        OrderStatus::NeedsReview => "Being checked by the coach",
    }
}

/// What a product gives, in words.
fn contents(p: &Product) -> String {
    match p.kind {
        ProductKind::TrainingPlan => {
            let races: Vec<String> = p.races.iter().map(|r| format!("the {}", race_label(r))).collect();
            let races = match races.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => races.join(""),
            };
            format!(
                "A plan for {races}, fitted to your week and fitness, with two or three short hip and \
                 core sessions a week placed around your hard days. Buy once, plan as often as you like."
            )
        }
        ProductKind::CoachingSubscription => {
            "A coach reads your log, adjusts your plan and answers your questions; renews monthly, cancel any time."
                .into()
        }
        ProductKind::CoachingPackage => format!(
            "{} in-person sessions with a coach: running form, strength technique and pacing.",
            p.sessions.unwrap_or(1)
        ),
    }
}

fn race_label(key: &str) -> &str {
    match key {
        "5k" => "5K",
        "10k" => "10K",
        "half" => "half marathon",
        "marathon" => "marathon",
        other => other,
    }
}

struct Card {
    slug: String,
    name: String,
    kind: &'static str,
    price: String,
    description: String,
}

fn card(p: &Product) -> Card {
    Card {
        slug: p.slug.clone(),
        name: p.name.clone(),
        kind: kind_label(p.kind),
        price: money(p.price_minor, &p.currency),
        description: if p.description.is_empty() {
            contents(p)
        } else {
            p.description.clone()
        },
    }
}

#[derive(Template)]
#[template(path = "store.html")]
struct StorePage {
    nav: Nav,
    plans: Vec<Card>,
    coaching: Vec<Card>,
}

pub async fn store(State(state): State<AppState>, user: MaybeUser) -> Result<Response, ApiError> {
    let products = shop::products(&state.db, None).await?;
    let (plans, coaching): (Vec<&Product>, Vec<&Product>) = products
        .iter()
        .partition(|p| p.kind == ProductKind::TrainingPlan);
    Ok(render(&StorePage {
        nav: Nav::of(&user),
        plans: plans.into_iter().map(card).collect(),
        coaching: coaching.into_iter().map(card).collect(),
    }))
}

#[derive(Template)]
#[template(path = "product.html")]
struct ProductPage {
    nav: Nav,
    p: Card,
    contents: String,
    from_onboarding: bool,
    owned: bool,
}

#[derive(Deserialize)]
pub struct ProductQuery {
    #[serde(rename = "for")]
    from: Option<String>,
}

pub async fn product(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(slug): Path<String>,
    Query(q): Query<ProductQuery>,
) -> Result<Response, ApiError> {
    let p = match shop::product(&state.db, &slug).await {
        Ok(p) => p,
        Err(ShopError::NotFound) => return Ok(not_found(Nav::of(&user))),
        Err(e) => return Err(e.into()),
    };
    let owned = match &user.0 {
        Some(u) => shop::entitlements(&state.db, &Actor::of(&u.user), now_ms())
            .await?
            .iter()
            .any(|e| e.active && e.product_id == p.id),
        None => false,
    };
    Ok(render(&ProductPage {
        nav: Nav::of(&user),
        contents: contents(&p),
        p: card(&p),
        from_onboarding: q.from.as_deref() == Some("onboarding"),
        owned,
    }))
}

struct Line {
    name: String,
    quantity: i64,
    price: String,
}

fn lines(
    lines: &[runcoach_core::shop::QuoteLine],
    currency: &str,
    products: &[Product],
) -> Vec<Line> {
    lines
        .iter()
        .map(|l| Line {
            name: products
                .iter()
                .find(|p| p.id == l.product_id)
                .map_or_else(|| "A product no longer sold".to_owned(), |p| p.name.clone()),
            quantity: l.quantity,
            price: money(l.unit_minor * l.quantity, currency),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "checkout.html")]
struct CheckoutPage {
    nav: Nav,
    slug: String,
    lines: Vec<Line>,
    subtotal: String,
    discount: String,
    saving: String,
    total: String,
    total_minor: i64,
    code: String,
    applied: bool,
    /// Why the code does not apply, beside the coupon field.
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct CheckoutQuery {
    product: String,
    coupon: Option<String>,
}

async fn priced(
    state: &AppState,
    actor: &Actor,
    slug: &str,
    code: Option<&str>,
) -> Result<Option<(Product, PricedQuote)>, ApiError> {
    let p = match shop::product(&state.db, slug).await {
        Ok(p) => p,
        Err(ShopError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let items = [CartItem {
        product_id: p.id.clone(),
        quantity: 1,
    }];
    let quote = shop::quote(&state.db, Some(actor), &items, code, now_ms()).await?;
    Ok(Some((p, quote)))
}

fn checkout_view(nav: Nav, p: &Product, q: &PricedQuote, code: &str) -> CheckoutPage {
    let c = &q.quote.currency;
    let code = q
        .coupon
        .as_ref()
        .map_or_else(|| code.to_owned(), |v| v.code.clone());
    let mut errors = FormErrors::new();
    if let Some(why) = q.coupon.as_ref().and_then(|v| v.message.as_deref()) {
        errors.add("coupon", format!("{code}: {why}"));
    }
    CheckoutPage {
        nav,
        slug: p.slug.clone(),
        lines: lines(&q.quote.lines, c, std::slice::from_ref(p)),
        subtotal: money(q.quote.subtotal_minor, c),
        discount: money(-q.quote.discount_minor, c),
        saving: money(q.quote.discount_minor, c),
        total: money(q.quote.total_minor, c),
        total_minor: q.quote.total_minor,
        code,
        applied: q.coupon.as_ref().is_some_and(|v| v.applied),
        errors,
    }
}

/// The checkout page: the price, and a coupon field that shows the
/// discount or the exact reason a code does not apply.
pub async fn checkout_page(
    State(state): State<AppState>,
    user: PageUser,
    client: Client,
    Query(q): Query<CheckoutQuery>,
) -> Result<Response, ApiError> {
    let actor = Actor::of(&user.0.user);
    let code = q.coupon.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let guard = CodeGuard::new(&state, &client, Some(&actor), code.is_some()).await?;
    match priced(&state, &actor, &q.product, code).await? {
        Some((p, quote)) => {
            if let Some(error) = quote.coupon.as_ref().and_then(|c| c.error) {
                guard.failed(&state, error).await?;
            }
            Ok(render(&checkout_view(
                Nav::page(&user),
                &p,
                &quote,
                code.unwrap_or(""),
            )))
        }
        None => Ok(not_found(Nav::page(&user))),
    }
}

/// Places the order at the total the runner saw; a changed total shows the
/// checkout again with the new price instead of charging it.
pub async fn checkout_submit(
    State(state): State<AppState>,
    user: PageUser,
    client: Client,
    headers: axum::http::HeaderMap,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    let actor = Actor::of(&user.0.user);
    let slug = posted.get("product").map_or("", String::as_str);
    let code = posted
        .get("coupon")
        .map(|c| c.trim())
        .filter(|c| !c.is_empty());
    let expected = posted.get("expected_total").and_then(|t| t.parse().ok());
    let p = match shop::product(&state.db, slug).await {
        Ok(p) => p,
        Err(ShopError::NotFound) => return Ok(not_found(Nav::page(&user))),
        Err(e) => return Err(e.into()),
    };
    let guard = CodeGuard::new(&state, &client, Some(&actor), code.is_some()).await?;
    let request = OrderRequest {
        items: vec![CartItem {
            product_id: p.id.clone(),
            quantity: 1,
        }],
        coupon: code.map(str::to_owned),
        expected_total_minor: expected,
    };
    match shop::place_order_referred(
        &state.db,
        &state.config.shop,
        &actor,
        &request,
        crate::web::referral::held_click(&headers),
        now_ms(),
    )
    .await
    {
        Ok(order) => Ok(Redirect::to(&format!("/orders/{}", order.id)).into_response()),
        Err(e @ (ShopError::Coupon(_) | ShopError::TotalChanged(_))) => {
            if let ShopError::Coupon(c) = &e {
                guard.failed(&state, c.code()).await?;
            }
            // Show the page again: the quote now says what changed.
            let (p, quote) = priced(&state, &actor, slug, code)
                .await?
                .ok_or(ApiError::NotFound)?;
            let mut page = render(&checkout_view(
                Nav::page(&user),
                &p,
                &quote,
                code.unwrap_or(""),
            ));
            *page.status_mut() = StatusCode::CONFLICT;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

fn expired() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the form expired; reload the page and try again",
    )
        .into_response()
}

struct OrderRow {
    id: String,
    date: String,
    status: &'static str,
    total: String,
    names: String,
}

fn date_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%-d %B %Y").to_string())
        .unwrap_or_default()
}

fn row(o: &Order, products: &[Product]) -> OrderRow {
    OrderRow {
        id: o.id.clone(),
        date: date_of(o.created_at),
        status: status_label(o.status),
        total: money(o.total_minor, &o.currency),
        names: lines(&o.lines, &o.currency, products)
            .into_iter()
            .map(|l| l.name)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    nav: Nav,
    orders: Vec<OrderRow>,
}

pub async fn orders(State(state): State<AppState>, user: PageUser) -> Result<Response, ApiError> {
    let actor = Actor::of(&user.0.user);
    let orders = shop::orders(&state.db, &actor, now_ms()).await?;
    let products = shop::product_names(&state.db).await?;
    Ok(render(&OrdersPage {
        nav: Nav::page(&user),
        orders: orders.iter().map(|o| row(o, &products)).collect(),
    }))
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    nav: Nav,
    o: OrderRow,
    pending: bool,
    unlocked: bool,
    pay_url: String,
    back_from_stripe: bool,
    plan_bought: bool,
    lines: Vec<Line>,
    subtotal: String,
    discount: String,
    coupon: String,
    refunded: String,
}

#[derive(Deserialize)]
pub struct OrderQuery {
    paid: Option<String>,
}

pub async fn order(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<OrderQuery>,
) -> Result<Response, ApiError> {
    let actor = Actor::of(&user.0.user);
    let o = match shop::order(&state.db, &actor, &id, now_ms()).await {
        Ok(o) => o,
        Err(ShopError::NotFound) => return Ok(not_found(Nav::page(&user))),
        Err(e) => return Err(e.into()),
    };
    let products = shop::product_names(&state.db).await?;
    let plan_bought = o.lines.iter().any(|l| {
        products
            .iter()
            .any(|p| p.id == l.product_id && p.kind == ProductKind::TrainingPlan)
    });
    Ok(render(&OrderPage {
        nav: Nav::page(&user),
        pending: o.status == OrderStatus::PendingPayment,
        unlocked: o.status.entitles(),
        pay_url: o.checkout_url.clone().unwrap_or_default(),
        back_from_stripe: q.paid.is_some(),
        plan_bought,
        lines: lines(&o.lines, &o.currency, &products),
        subtotal: money(o.subtotal_minor, &o.currency),
        discount: if o.discount_minor > 0 {
            money(-o.discount_minor, &o.currency)
        } else {
            String::new()
        },
        coupon: o.coupon.clone().unwrap_or_default(),
        refunded: if o.refunded_minor > 0 {
            money(o.refunded_minor, &o.currency)
        } else {
            String::new()
        },
        o: row(&o, &products),
    }))
}

pub async fn cancel(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    match shop::cancel_order(&state.db, &Actor::of(&user.0.user), &id, now_ms()).await {
        Ok(_) | Err(ShopError::Conflict(..)) => {
            Ok(Redirect::to(&format!("/orders/{id}")).into_response())
        }
        Err(ShopError::NotFound) => Ok(not_found(Nav::page(&user))),
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------ admin

struct AdminOrder {
    row: OrderRow,
    email_or_id: String,
    pending: bool,
    refundable: i64,
    currency: String,
}

struct CouponRow {
    code: String,
    discount: String,
    window: String,
    limits: String,
    reserved: i64,
    confirmed: i64,
    active: bool,
}

fn coupon_row(c: &CouponSummary) -> CouponRow {
    let discount = match &c.discount {
        runcoach_core::shop::Discount::Percent { percent_off_bps } => {
            format!("{}% off", *percent_off_bps as f64 / 100.0)
        }
        runcoach_core::shop::Discount::Amount {
            amount_off_minor,
            currency,
        } => format!("{} off", money(*amount_off_minor, currency)),
    };
    let mut limits = Vec::new();
    if let Some(n) = c.per_athlete_limit {
        limits.push(format!("{n} per athlete"));
    }
    if let Some(n) = c.max_redemptions {
        limits.push(format!("{n} in all"));
    }
    CouponRow {
        code: c.code.clone(),
        discount,
        window: format!(
            "{} to {}",
            &c.starts_at[..10.min(c.starts_at.len())],
            &c.expires_at[..10.min(c.expires_at.len())]
        ),
        limits: if limits.is_empty() {
            "no limit".into()
        } else {
            limits.join(", ")
        },
        reserved: c.reserved,
        confirmed: c.confirmed,
        active: c.active,
    }
}

#[derive(Template)]
#[template(path = "admin_shop.html")]
struct AdminPage {
    nav: Nav,
    products: Vec<Card>,
    coupons: Vec<CouponRow>,
    orders: Vec<AdminOrder>,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    notice: String,
}

#[derive(Deserialize)]
pub struct AdminQuery {
    status: Option<String>,
    notice: Option<String>,
}

fn staff_only(user: &PageUser) -> Option<Response> {
    (!Actor::of(&user.0.user).is_admin()).then(|| {
        message(
            StatusCode::FORBIDDEN,
            Nav::page(user),
            "Admins only",
            "This page is for the people who run the shop.",
        )
    })
}

pub async fn admin(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<AdminQuery>,
) -> Result<Response, ApiError> {
    if let Some(refused) = staff_only(&user) {
        return Ok(refused);
    }
    let actor = Actor::of(&user.0.user);
    let products = shop::product_names(&state.db).await?;
    let coupons = shop::coupons(&state.db, &actor).await?;
    let status = q.status.unwrap_or_default();
    let orders = shop::admin_orders(&state.db, &actor, Some(&status)).await?;
    Ok(render(&AdminPage {
        nav: Nav::page(&user),
        products: products.iter().map(card).collect(),
        coupons: coupons.iter().map(coupon_row).collect(),
        orders: orders
            .iter()
            .map(|o| AdminOrder {
                row: row(o, &products),
                email_or_id: o
                    .athlete_email
                    .clone()
                    .unwrap_or_else(|| o.athlete_id.clone()),
                pending: o.status == OrderStatus::PendingPayment,
                refundable: if o.status.was_paid() {
                    o.total_minor - o.refunded_minor
                } else {
                    0
                },
                currency: o.currency.clone(),
            })
            .collect(),
        status,
        statuses: OrderStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_label(*s)))
            .collect(),
        notice: q.notice.unwrap_or_default(),
    }))
}

/// The admin page's forms: mark paid, refund, new coupon.
pub async fn admin_action(
    State(state): State<AppState>,
    user: PageUser,
    Path(action): Path<String>,
    Form(posted): Form<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if !user.form_ok(posted.get("csrf").map_or("", String::as_str)) {
        return Ok(expired());
    }
    if let Some(refused) = staff_only(&user) {
        return Ok(refused);
    }
    let actor = Actor::of(&user.0.user);
    let field = |k: &str| {
        posted
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let done = match action.as_str() {
        "mark-paid" => shop::mark_paid(&state.db, &actor, &field("order"), now_ms())
            .await
            .map(|_| "Order marked paid.".to_owned()),
        "refund" => {
            let amount = parse_money(&field("amount"));
            match amount {
                Some(minor) => shop::record_refund(
                    &state.db,
                    &state.config.shop,
                    &actor,
                    &field("order"),
                    minor,
                    now_ms(),
                )
                .await
                .map(|o| {
                    format!(
                        "Refunded; the order is now {}.",
                        status_label(o.status).to_lowercase()
                    )
                }),
                None => Ok("Write the refund as an amount such as 19.85.".to_owned()),
            }
        }
        "coupon" => {
            let input = shop::CouponInput {
                code: field("code"),
                percent_off_bps: field("percent")
                    .parse::<f64>()
                    .ok()
                    .map(|p| (p * 100.0).round() as i64),
                amount_off_minor: None,
                currency: None,
                starts_at: None,
                expires_at: format!("{}T00:00:00Z", field("expires")),
                max_redemptions: field("max").parse().ok(),
                per_athlete_limit: field("per_athlete").parse().ok(),
                min_subtotal_minor: None,
                first_order_only: false,
                applies_to: vec!["training_plan".into()],
                athlete_id: None,
                affiliate_id: None,
                active: true,
            };
            shop::create_coupon(&state.db, &actor, input, now_ms())
                .await
                .map(|c| format!("Coupon {} created.", c.code))
        }
        "product" if parse_money(&field("price")).is_none() => {
            Ok("Write the price as an amount such as 19.85.".to_owned())
        }
        "product" => {
            let input = shop::ProductInput {
                slug: field("slug"),
                name: field("name"),
                description: field("description"),
                kind: field("kind"),
                price_minor: parse_money(&field("price")).unwrap_or(-1),
                currency: field("currency"),
                races: field("races")
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect(),
                coach_id: None,
                sessions: field("sessions").parse().ok(),
            };
            shop::create_product(&state.db, &actor, input, now_ms())
                .await
                .map(|p| format!("{} is in the store.", p.name))
        }
        _ => return Ok(not_found(Nav::page(&user))),
    };
    let notice = match done {
        Ok(n) => n,
        Err(ShopError::Invalid(fields)) => fields
            .into_iter()
            .map(|f| f.message)
            .collect::<Vec<_>>()
            .join("; "),
        Err(e @ (ShopError::Conflict(..) | ShopError::NotFound | ShopError::Payment(_))) => {
            e.to_string()
        }
        Err(e) => return Err(e.into()),
    };
    let to = format!("/admin/shop?notice={}", super::view::urlencode(&notice));
    Ok(Redirect::to(&to).into_response())
}

/// `19.85` or `19` as minor units.
fn parse_money(raw: &str) -> Option<i64> {
    let (units, cents) = raw.split_once('.').unwrap_or((raw, "0"));
    let units: i64 = units.parse().ok()?;
    let cents: i64 = match cents.len() {
        1 => cents.parse::<i64>().ok()? * 10,
        2 => cents.parse().ok()?,
        _ => return None,
    };
    (units >= 0).then_some(units * 100 + cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_people_write_it() {
        assert_eq!(money(1985, "USD"), "$19.85");
        assert_eq!(money(-199, "USD"), "-$1.99");
        assert_eq!(money(24000, "EUR"), "€240.00");
        assert_eq!(money(5, "CHF"), "0.05 CHF");
    }

    #[test]
    fn refund_amounts() {
        assert_eq!(parse_money("19.85"), Some(1985));
        assert_eq!(parse_money("19.8"), Some(1980));
        assert_eq!(parse_money("19"), Some(1900));
        assert_eq!(parse_money("19.855"), None);
        assert_eq!(parse_money("-1"), None);
        assert_eq!(parse_money("ten"), None);
    }
}
