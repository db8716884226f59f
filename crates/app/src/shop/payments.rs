//! Payments, refunds and provider events moving orders along.

use runcoach_core::shop::{
    CouponUse, OrderEvent, OrderStatus, PaymentState, ProductKind, normalise_currency,
};
use runcoach_store::shop::{self as store, NewPayment, Order};
use runcoach_store::{Db, StoreError, Tx, new_id};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::signature::{self, SignatureError};
use super::{ShopConfig, ShopError, stripe};
use crate::{Actor, affiliates};

/// One billing period of a subscription when the provider names none.
const MONTH_MS: i64 = 31 * 24 * 3600 * 1000;

/// Applies `event` to `order`: the new state is stored, a coupon use is
/// released when the order closes unpaid, and what the order unlocked is
/// granted or revoked as its status says.
pub(crate) async fn transition(
    tx: &mut Tx,
    order: &Order,
    event: OrderEvent,
    now: i64,
) -> Result<PaymentState, StoreError> {
    let before = order.payment_state();
    let after = before.apply(event);
    if after == before {
        return Ok(after);
    }
    // A use given back stays given back (money for a closed order goes to
    // review without taking the offer again).
    let was = before.status.coupon_use();
    let use_after = if was.counts() {
        after.status.coupon_use()
    } else {
        CouponUse::Released
    };
    store::save_state(tx, order, after, use_after, now).await?;
    if let Some(coupon_id) = &order.coupon_id
        && was.counts()
        && !use_after.counts()
    {
        store::release_use(tx, coupon_id, &order.athlete_id).await?;
    }
    match (before.status.entitles(), after.status.entitles()) {
        (false, true) => store::grant(tx, order, None, now).await?,
        (true, false) => store::revoke(tx, &order.id, now).await?,
        _ => {}
    }
    // Money going back (or a dispute won) moves the referral's commission
    // in the same transaction.
    if before.returned_minor() != after.returned_minor() {
        affiliates::on_returned(tx, &order.id, after.returned_minor(), now).await?;
    }
    Ok(after)
}

/// A payment for `order` as a provider reported it: recorded once by its
/// reference, checked against the frozen order, then applied.
async fn pay(
    tx: &mut Tx,
    order: &Order,
    provider: &str,
    reference: &str,
    amount_minor: i64,
    currency: &str,
    now: i64,
) -> Result<(), StoreError> {
    let fresh = store::record_payment(
        tx,
        &NewPayment {
            order_id: &order.id,
            provider,
            provider_ref: reference,
            refund: false,
            amount_minor,
            currency,
        },
        now,
    )
    .await?;
    if !fresh {
        return Ok(());
    }
    let matches = amount_minor == order.total_minor
        && normalise_currency(currency).as_deref() == Some(order.currency.as_str());
    if !matches {
        tracing::warn!(order = %order.id, amount_minor, currency, "payment does not match the order: needs review");
        transition(tx, order, OrderEvent::Mismatch, now).await?;
        return Ok(());
    }
    let after = transition(tx, order, OrderEvent::Paid, now).await?;
    if after.status.was_paid() {
        // The referral's commission, in the payment's transaction.
        affiliates::on_payment(tx, order, provider, reference, amount_minor, currency, now).await?;
    }
    Ok(())
}

// ------------------------------------------------------------------ admin

/// Orders for the admin pages, optionally by status.
pub async fn admin_orders(
    db: &Db,
    actor: &Actor,
    status: Option<&str>,
) -> Result<Vec<Order>, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    let status = match status.filter(|s| !s.is_empty()) {
        Some(s) => Some(OrderStatus::parse(s).ok_or_else(|| {
            ShopError::invalid("status", format!("'{s}' is not an order status"))
        })?),
        None => None,
    };
    Ok(store::orders_by_status(db, status).await?)
}

/// An operator without Stripe (a club taking cash) marks an order paid.
pub async fn mark_paid(db: &Db, actor: &Actor, id: &str, now: i64) -> Result<Order, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .ok_or(ShopError::NotFound)?;
    if order.status != OrderStatus::PendingPayment {
        return Err(ShopError::Conflict(
            "order_not_pending",
            format!(
                "only an order awaiting payment can be marked paid; this one is {}",
                order.status.as_str()
            ),
        ));
    }
    pay(
        &mut tx,
        &order,
        "manual",
        &format!("manual:{}", order.id),
        order.total_minor,
        &order.currency,
        now,
    )
    .await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .ok_or(ShopError::NotFound)?;
    tx.commit().await?;
    Ok(order)
}

/// An operator refunds part or all of a paid order. Through Stripe when it
/// is configured and the order was paid there (the webhook then records
/// it); recorded at once otherwise.
pub async fn record_refund(
    db: &Db,
    config: &ShopConfig,
    actor: &Actor,
    id: &str,
    amount_minor: i64,
    now: i64,
) -> Result<Order, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .ok_or(ShopError::NotFound)?;
    if !order.status.was_paid() {
        return Err(ShopError::Conflict(
            "order_not_paid",
            format!(
                "only a paid order can be refunded; this one is {}",
                order.status.as_str()
            ),
        ));
    }
    let refundable = order.total_minor - order.refunded_minor;
    if !(1..=refundable).contains(&amount_minor) {
        return Err(ShopError::invalid(
            "amount_minor",
            format!("between 1 and {refundable} (what is left to refund), in minor units"),
        ));
    }
    let stripe_payment = store::payment_ref(&mut tx, &order.id, "stripe").await?;
    if let (Some(api), Some(payment_intent)) = (&config.stripe, stripe_payment) {
        drop(tx);
        stripe::create_refund(api, &payment_intent, amount_minor, &order.id)
            .await
            .map_err(ShopError::Payment)?;
        return store::order_of(db, &order.athlete_id, id)
            .await?
            .ok_or(ShopError::NotFound);
    }
    store::record_payment(
        &mut tx,
        &NewPayment {
            order_id: &order.id,
            provider: "manual",
            provider_ref: &new_id(),
            refund: true,
            amount_minor,
            currency: &order.currency,
        },
        now,
    )
    .await?;
    transition(
        &mut tx,
        &order,
        OrderEvent::Refunded {
            total_refunded_minor: order.refunded_minor + amount_minor,
        },
        now,
    )
    .await?;
    let order = store::order_in(&mut tx, id)
        .await?
        .ok_or(ShopError::NotFound)?;
    tx.commit().await?;
    Ok(order)
}

// ---------------------------------------------------------------- webhooks

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Answer 400: Stripe shows it in the dashboard; nothing was recorded.
    #[error("{0}")]
    Signature(SignatureError),
    #[error("the body is not a Stripe event: {0}")]
    NotAnEvent(String),
    /// No webhook secret configured: the endpoint does not exist here.
    #[error("Stripe webhooks are not configured")]
    NotConfigured,
    /// Answer 5xx so Stripe retries; nothing was recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    Handled,
    Duplicate,
    /// A valid event this shop does not act on (unknown type or order).
    Ignored,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Value,
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_str()
}

fn number(v: &Value, key: &str) -> Option<i64> {
    v.get(key)?.as_i64()
}

/// Verifies and applies one Stripe event. The event id is recorded in the
/// same transaction as its effect: a duplicate (even a concurrent one)
/// changes nothing, and a failure records nothing so Stripe's retry works.
pub async fn stripe_webhook(
    db: &Db,
    config: &ShopConfig,
    signature_header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<WebhookOutcome, WebhookError> {
    if config.webhook_secrets.is_empty() {
        return Err(WebhookError::NotConfigured);
    }
    signature::verify(
        signature_header,
        body,
        &config.webhook_secrets,
        now.div_euclid(1000),
    )
    .map_err(WebhookError::Signature)?;
    let event: Event =
        serde_json::from_slice(body).map_err(|e| WebhookError::NotAnEvent(e.to_string()))?;
    let mut tx = db.begin().await?;
    if !store::record_event(&mut tx, "stripe", &event.id, &event.kind, now).await? {
        return Ok(WebhookOutcome::Duplicate);
    }
    let outcome = apply(&mut tx, &event, now).await?;
    tx.commit().await?;
    tracing::info!(event = %event.id, kind = %event.kind, ?outcome, "Stripe event");
    Ok(outcome)
}

/// The order an event is about: our id in the metadata (sessions, payment
/// intents, subscriptions), the session's client reference, or the
/// payment intent a recorded payment came from.
async fn order_of(tx: &mut Tx, object: &Value) -> Result<Option<Order>, StoreError> {
    let direct = text(object, &["metadata", "order_id"])
        .or_else(|| text(object, &["client_reference_id"]))
        .or_else(|| text(object, &["subscription_details", "metadata", "order_id"]))
        .or_else(|| {
            text(
                object,
                &["parent", "subscription_details", "metadata", "order_id"],
            )
        })
        .map(str::to_owned);
    let id = match direct {
        Some(id) => Some(id),
        None => match text(object, &["payment_intent"]) {
            Some(pi) => store::order_for_payment(tx, "stripe", pi).await?,
            None => None,
        },
    };
    match id {
        Some(id) => store::order_in(tx, &id).await,
        None => Ok(None),
    }
}

async fn apply(tx: &mut Tx, event: &Event, now: i64) -> Result<WebhookOutcome, StoreError> {
    let object = &event.data.object;
    let Some(order) = order_of(tx, object).await? else {
        return Ok(WebhookOutcome::Ignored);
    };
    let currency = text(object, &["currency"]).unwrap_or("");
    match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            // Delayed methods complete unpaid and succeed later.
            if text(object, &["payment_status"]) != Some("paid") {
                return Ok(WebhookOutcome::Handled);
            }
            let reference = text(object, &["invoice"])
                .or_else(|| text(object, &["payment_intent"]))
                .or_else(|| text(object, &["id"]))
                .unwrap_or(&event.id);
            let amount = number(object, "amount_total").unwrap_or(-1);
            // Our id travels twice on a session; if the two disagree, the
            // money is not ours to match.
            let reference_id = text(object, &["client_reference_id"]);
            if reference_id.is_some_and(|r| r != order.id) {
                transition(tx, &order, OrderEvent::Mismatch, now).await?;
                return Ok(WebhookOutcome::Handled);
            }
            pay(tx, &order, "stripe", reference, amount, currency, now).await?;
        }
        "checkout.session.async_payment_failed" | "payment_intent.payment_failed" => {
            transition(tx, &order, OrderEvent::PaymentFailed, now).await?;
        }
        "checkout.session.expired" => {
            transition(tx, &order, OrderEvent::Expired, now).await?;
        }
        "charge.refunded" => {
            let total = number(object, "amount_refunded").unwrap_or(0);
            let reference = format!("{}:{total}", text(object, &["id"]).unwrap_or(&event.id));
            store::record_payment(
                tx,
                &NewPayment {
                    order_id: &order.id,
                    provider: "stripe",
                    provider_ref: &reference,
                    refund: true,
                    amount_minor: total,
                    currency,
                },
                now,
            )
            .await?;
            transition(
                tx,
                &order,
                OrderEvent::Refunded {
                    total_refunded_minor: total,
                },
                now,
            )
            .await?;
        }
        "charge.dispute.created" => {
            let amount = number(object, "amount").unwrap_or(order.total_minor);
            transition(
                tx,
                &order,
                OrderEvent::Disputed {
                    amount_minor: amount,
                },
                now,
            )
            .await?;
        }
        "charge.dispute.closed" if text(object, &["status"]) == Some("won") => {
            transition(tx, &order, OrderEvent::DisputeWon, now).await?;
        }
        "invoice.paid" => {
            let amount = number(object, "amount_paid").unwrap_or(-1);
            let invoice = text(object, &["id"]).unwrap_or(&event.id);
            let period_end = object
                .pointer("/lines/data/0/period/end")
                .and_then(Value::as_i64)
                .map(|s| s * 1000)
                .unwrap_or(now + MONTH_MS);
            if order.status == OrderStatus::PendingPayment {
                pay(tx, &order, "stripe", invoice, amount, currency, now).await?;
            } else {
                // A renewal: its own payment row, one more period, and
                // the referral's commission on it.
                let fresh = store::record_payment(
                    tx,
                    &NewPayment {
                        order_id: &order.id,
                        provider: "stripe",
                        provider_ref: invoice,
                        refund: false,
                        amount_minor: amount,
                        currency,
                    },
                    now,
                )
                .await?;
                if fresh && order.status.was_paid() {
                    affiliates::on_payment(tx, &order, "stripe", invoice, amount, currency, now)
                        .await?;
                }
            }
            if order_has(tx, &order, ProductKind::CoachingSubscription).await? {
                store::set_entitlement_end(tx, &order.id, period_end).await?;
            }
        }
        "customer.subscription.deleted" => {
            let end = number(object, "current_period_end")
                .or_else(|| {
                    object
                        .pointer("/items/data/0/current_period_end")
                        .and_then(Value::as_i64)
                })
                .map(|s| s * 1000)
                .unwrap_or(now);
            store::set_entitlement_end(tx, &order.id, end).await?;
        }
        _ => return Ok(WebhookOutcome::Ignored),
    }
    Ok(WebhookOutcome::Handled)
}

async fn order_has(tx: &mut Tx, order: &Order, kind: ProductKind) -> Result<bool, StoreError> {
    let ids: Vec<String> = order.lines.iter().map(|l| l.product_id.clone()).collect();
    Ok(store::products_by_id(tx, &ids)
        .await?
        .iter()
        .any(|p| p.kind == kind))
}
