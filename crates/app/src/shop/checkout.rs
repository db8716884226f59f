//! Quotes and orders. A quote and an order run the same steps (products
//! priced from the catalogue, the coupon judged with one `now`, the same
//! pricing), so what the runner was shown is what they are charged; the
//! order then takes the coupon's use by a conditional update and freezes
//! the totals, in one transaction.

use std::collections::BTreeMap;

use runcoach_core::shop::{CartLine, CouponError, OrderEvent, PaymentState, Quote, normalise_code};
use runcoach_store::shop::{self as store, NewOrder, Order, StoredCoupon, UseRefused};
use runcoach_store::{Db, Tx};
use serde::{Deserialize, Serialize};

use super::payments::transition;
use super::{ShopConfig, ShopError, stripe};
use crate::Actor;

/// The most lines and the most of one product in a cart.
const MAX_LINES: usize = 20;
const MAX_QUANTITY: i64 = 10;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartItem {
    pub product_id: String,
    #[serde(default = "one")]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRequest {
    pub items: Vec<CartItem>,
    pub coupon: Option<String>,
    /// The total the runner agreed to; a different one is refused (409).
    pub expected_total_minor: Option<i64>,
}

/// What became of the code in a quote.
#[derive(Debug, Clone, Serialize)]
pub struct CouponVerdict {
    pub code: String,
    pub applied: bool,
    pub error: Option<&'static str>,
    /// The reason in words, for the page.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricedQuote {
    #[serde(flatten)]
    pub quote: Quote,
    pub coupon: Option<CouponVerdict>,
}

/// Cart lines priced from the catalogue as it stands in `tx`.
async fn price_lines(
    tx: &mut Tx,
    items: &[CartItem],
) -> Result<(String, Vec<CartLine>), ShopError> {
    if items.is_empty() || items.len() > MAX_LINES {
        return Err(ShopError::invalid(
            "items",
            format!("1 to {MAX_LINES} products"),
        ));
    }
    // The same product twice is one line.
    let mut merged: BTreeMap<&str, i64> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for item in items {
        if !(1..=MAX_QUANTITY).contains(&item.quantity) {
            return Err(ShopError::invalid(
                "items",
                format!("a quantity from 1 to {MAX_QUANTITY}"),
            ));
        }
        let q = merged.entry(&item.product_id).or_insert_with(|| {
            order.push(&item.product_id);
            0
        });
        *q = (*q + item.quantity).min(MAX_QUANTITY);
    }
    let ids: Vec<String> = order.iter().map(|s| (*s).to_owned()).collect();
    let products = store::products_by_id(tx, &ids).await?;
    let mut lines = Vec::with_capacity(ids.len());
    for id in &ids {
        let product = products
            .iter()
            .find(|p| &p.id == id && p.active)
            .ok_or_else(|| ShopError::invalid("items", format!("no product {id} is for sale")))?;
        lines.push((
            product.currency.clone(),
            CartLine {
                product_id: product.id.clone(),
                kind: product.kind,
                unit_minor: product.price_minor,
                quantity: merged[id.as_str()],
            },
        ));
    }
    let currency = lines[0].0.clone();
    if lines.iter().any(|(c, _)| *c != currency) {
        return Err(ShopError::invalid(
            "items",
            "products in different currencies cannot share a cart",
        ));
    }
    Ok((currency, lines.into_iter().map(|(_, l)| l).collect()))
}

/// The coupon behind `code`, judged for this cart at `now`.
async fn judge(
    tx: &mut Tx,
    code: &str,
    athlete: Option<&str>,
    currency: &str,
    lines: &[CartLine],
    now: i64,
) -> Result<StoredCoupon, CouponError> {
    let code = normalise_code(code)?;
    let found = store::coupon_by_code(tx, &code).await.map_err(|e| {
        tracing::error!(error = %e, "coupon lookup failed");
        CouponError::NotFound
    });
    let stored = found?.ok_or(CouponError::NotFound)?;
    let usage = store::coupon_usage(tx, &stored, athlete)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "coupon usage lookup failed");
            CouponError::NotFound
        })?;
    stored.coupon.check(now, athlete, usage, currency, lines)?;
    Ok(stored)
}

/// A price for a cart: totals, lines, and what happened to the code (a
/// code that fails is reported with the undiscounted totals).
pub async fn quote(
    db: &Db,
    actor: Option<&Actor>,
    items: &[CartItem],
    code: Option<&str>,
    now: i64,
) -> Result<PricedQuote, ShopError> {
    let mut tx = db.begin().await?;
    let athlete = actor.map(|a| a.user_id.as_str());
    if let Some(a) = athlete {
        expire_in(&mut tx, now, Some(a)).await?;
    }
    let (currency, lines) = price_lines(&mut tx, items).await?;
    let (coupon, verdict) = match code.filter(|c| !c.trim().is_empty()) {
        None => (None, None),
        Some(code) => match judge(&mut tx, code, athlete, &currency, &lines, now).await {
            Ok(c) => {
                let v = CouponVerdict {
                    code: c.coupon.code.clone(),
                    applied: true,
                    error: None,
                    message: None,
                };
                (Some(c), Some(v))
            }
            Err(e) => (
                None,
                Some(CouponVerdict {
                    code: normalise_code(code).unwrap_or_else(|_| code.trim().to_owned()),
                    applied: false,
                    error: Some(e.code()),
                    message: Some(e.to_string()),
                }),
            ),
        },
    };
    tx.commit().await?;
    Ok(PricedQuote {
        quote: runcoach_core::shop::quote(&currency, &lines, coupon.as_ref().map(|c| &c.coupon)),
        coupon: verdict,
    })
}

/// Places an order for the actor: re-prices, re-judges the coupon and takes
/// its use in one transaction; then, with Stripe configured and something
/// to pay, opens a Checkout Session for it.
pub async fn place_order(
    db: &Db,
    config: &ShopConfig,
    actor: &Actor,
    request: &OrderRequest,
    now: i64,
) -> Result<Order, ShopError> {
    place_order_referred(db, config, actor, request, None, now).await
}

/// [`place_order`] for a visitor holding a referral cookie: the click it
/// names is kept on the order (if still valid), so the payment can bind
/// the athlete to that affiliate.
pub async fn place_order_referred(
    db: &Db,
    config: &ShopConfig,
    actor: &Actor,
    request: &OrderRequest,
    referral_click: Option<&str>,
    now: i64,
) -> Result<Order, ShopError> {
    let athlete = actor.user_id.as_str();
    let mut tx = db.begin().await?;
    expire_in(&mut tx, now, Some(athlete)).await?;
    let (currency, lines) = price_lines(&mut tx, &request.items).await?;
    let coupon = match request.coupon.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => Some(
            judge(&mut tx, code, Some(athlete), &currency, &lines, now)
                .await
                .map_err(ShopError::Coupon)?,
        ),
        None => None,
    };
    let quote = runcoach_core::shop::quote(&currency, &lines, coupon.as_ref().map(|c| &c.coupon));
    if request
        .expected_total_minor
        .is_some_and(|expected| expected != quote.total_minor)
    {
        return Err(ShopError::TotalChanged(Box::new(quote)));
    }
    if let Some(c) = &coupon {
        match store::reserve_use(&mut tx, c, athlete).await? {
            Ok(()) => {}
            Err(UseRefused::Global) => return Err(ShopError::Coupon(CouponError::UsedUp)),
            Err(UseRefused::Athlete) => {
                return Err(ShopError::Coupon(CouponError::AlreadyRedeemedByYou));
            }
        }
    }
    // Stripe's Checkout Sessions last at least 30 minutes: the order holds
    // its coupon use at least as long, so a payment never finds it released.
    let ttl = if config.stripe.is_some() {
        config.order_ttl_ms.max(stripe::MIN_SESSION_MS)
    } else {
        config.order_ttl_ms
    };
    let state = PaymentState::placed(quote.total_minor);
    let order = store::insert_order(
        &mut tx,
        &NewOrder {
            athlete_id: athlete,
            state,
            currency: &currency,
            subtotal_minor: quote.subtotal_minor,
            discount_minor: quote.discount_minor,
            coupon: coupon.as_ref(),
            lines: &quote.lines,
            expires_at: now + ttl,
            now,
        },
    )
    .await?;
    crate::affiliates::on_order_placed(&mut tx, &order.id, referral_click, now).await?;
    if order.status.entitles() {
        store::grant(&mut tx, &order, None, now).await?;
    }
    tx.commit().await?;
    match (&config.stripe, order.status) {
        (Some(api), runcoach_core::shop::OrderStatus::PendingPayment) => {
            open_checkout(db, config, api, order, now).await
        }
        _ => Ok(order),
    }
}

async fn open_checkout(
    db: &Db,
    config: &ShopConfig,
    api: &super::StripeApi,
    order: Order,
    now: i64,
) -> Result<Order, ShopError> {
    let mut tx = db.begin().await?;
    let names = store::products_by_id(
        &mut tx,
        &order
            .lines
            .iter()
            .map(|l| l.product_id.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    drop(tx);
    match stripe::create_checkout_session(api, &config.public_url, &order, &names).await {
        Ok(session) => {
            let mut tx = db.begin().await?;
            store::set_checkout(&mut tx, &order.id, &session.id, &session.url).await?;
            let order = store::order_in(&mut tx, &order.id)
                .await?
                .ok_or(ShopError::NotFound)?;
            tx.commit().await?;
            Ok(order)
        }
        Err(e) => {
            tracing::error!(order = %order.id, error = %e, "Stripe checkout session failed");
            // Give the coupon back: nothing was charged.
            let mut tx = db.begin().await?;
            if let Some(o) = store::order_in(&mut tx, &order.id).await? {
                transition(&mut tx, &o, OrderEvent::Cancelled, now).await?;
            }
            tx.commit().await?;
            Err(ShopError::Payment(e))
        }
    }
}

/// The runner cancels an order that awaits payment; its coupon use is
/// released.
pub async fn cancel_order(db: &Db, actor: &Actor, id: &str, now: i64) -> Result<Order, ShopError> {
    let mut tx = db.begin().await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .filter(|o| o.athlete_id == actor.user_id)
        .ok_or(ShopError::NotFound)?;
    if order.status != runcoach_core::shop::OrderStatus::PendingPayment {
        return Err(ShopError::Conflict(
            "order_not_pending",
            format!(
                "only an order awaiting payment can be cancelled; this one is {}",
                order.status.as_str()
            ),
        ));
    }
    transition(&mut tx, &order, OrderEvent::Cancelled, now).await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .ok_or(ShopError::NotFound)?;
    tx.commit().await?;
    Ok(order)
}

/// Releases unpaid orders past their time (all, or one athlete's).
async fn expire_in(tx: &mut Tx, now: i64, athlete: Option<&str>) -> Result<usize, ShopError> {
    let overdue = store::overdue_orders(tx, now, athlete).await?;
    for id in &overdue {
        if let Some(order) = store::order_in(tx, id).await? {
            transition(tx, &order, OrderEvent::Expired, now).await?;
        }
    }
    Ok(overdue.len())
}

/// The periodic sweep: every unpaid order past its time is expired and its
/// coupon use released. Returns how many.
pub async fn expire_overdue(db: &Db, now: i64) -> Result<usize, ShopError> {
    let mut tx = db.begin().await?;
    let n = expire_in(&mut tx, now, None).await?;
    tx.commit().await?;
    Ok(n)
}

/// The actor's orders, newest first (an order past its time shows expired
/// even before the sweep reaches it).
pub async fn orders(db: &Db, actor: &Actor, now: i64) -> Result<Vec<Order>, ShopError> {
    let mut tx = db.begin().await?;
    expire_in(&mut tx, now, Some(&actor.user_id)).await?;
    tx.commit().await?;
    Ok(store::orders_of(db, &actor.user_id).await?)
}

/// One of the actor's orders; another athlete's is not found.
pub async fn order(db: &Db, actor: &Actor, id: &str, now: i64) -> Result<Order, ShopError> {
    orders(db, actor, now)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(ShopError::NotFound)
}
