//! Commissions: made in the shop's payment transaction, recomputed when
//! money goes back, approved after the hold (and review), locked once paid.

use runcoach_core::affiliate::{CommissionStatus, after_return, allocate_returned, commission_for};
use runcoach_core::shop::normalise_currency;
use runcoach_store::affiliates::{self as store, Commission};
use runcoach_store::shop::Order;
use runcoach_store::{Db, StoreError, Tx, new_id};

use super::referrals::bind_at_payment;
use super::{AffiliateError, CommissionView, DAY_MS, admin, view};
use crate::Actor;

/// A payment of `amount_minor` landed on `order` (the first one or a
/// renewal), recorded under the provider's `reference`: the athlete is
/// bound if they can be, and their affiliate earns a commission on it
/// within the athlete's lifetime cap. Runs inside the payment's
/// transaction; the (order, payment, kind) key makes a duplicate a no-op.
pub(crate) async fn on_payment(
    tx: &mut Tx,
    order: &Order,
    provider: &str,
    reference: &str,
    amount_minor: i64,
    currency: &str,
    now: i64,
) -> Result<(), StoreError> {
    let Some((payment_id, paid_at)) = store::payment_by_ref(tx, provider, reference).await? else {
        return Ok(());
    };
    bind_at_payment(tx, order, now).await?;
    let Some(referral) = store::referral_of(tx, &order.athlete_id).await? else {
        return Ok(());
    };
    if amount_minor <= 0 {
        return Ok(());
    }
    let Some(affiliate) = store::affiliate(tx, &referral.affiliate_id).await? else {
        return Ok(());
    };
    let program = store::program(tx).await?;
    let currency = normalise_currency(currency).unwrap_or_else(|| currency.to_owned());
    let reason = if currency != program.currency {
        Some("currency")
    } else if referral.self_referral.is_some() {
        Some("self_referral")
    } else if affiliate.status != "approved" {
        Some("suspended")
    } else {
        None
    };
    let amount = match reason {
        Some(_) => 0,
        None => {
            let earned = store::earned_for_athlete(tx, &order.athlete_id).await?;
            commission_for(
                program.commission_bps,
                amount_minor,
                earned,
                program.cap_minor,
            )
        }
    };
    if reason.is_none() && amount == 0 {
        // The cap is reached (or the rate is zero): nothing to record.
        return Ok(());
    }
    let status = if reason.is_some() {
        CommissionStatus::Voided
    } else {
        CommissionStatus::Pending
    };
    let needs_review =
        reason.is_none() && program.review_threshold_minor.is_some_and(|t| amount >= t);
    let made = store::insert_commission(
        tx,
        &Commission {
            id: new_id(),
            affiliate_id: affiliate.id.clone(),
            athlete_id: order.athlete_id.clone(),
            order_id: order.id.clone(),
            payment_id,
            kind: "commission".into(),
            currency,
            base_minor: amount_minor,
            original_minor: amount,
            amount_minor: amount,
            bps: program.commission_bps,
            cap_minor: program.cap_minor,
            hold_days: program.hold_days,
            status: status.as_str().into(),
            reason: reason.map(str::to_owned),
            needs_review: i64::from(needs_review),
            reviewed_at: None,
            paid_at,
            approve_after: paid_at + program.hold_days * DAY_MS,
            payout_id: None,
            created_at: now,
        },
    )
    .await?;
    if made {
        tracing::info!(affiliate = %affiliate.id, order = %order.id, amount, ?reason, "commission");
    }
    Ok(())
}

/// The money `order` gave back (refunds and open disputes) is now
/// `returned_minor`: before payout each commission is recomputed on what
/// stayed (zero voids it; a won dispute restores it), after payout a
/// clawback (approved at once) takes the difference back from the next
/// payout. Runs inside the refund's transaction.
pub(crate) async fn on_returned(
    tx: &mut Tx,
    order_id: &str,
    returned_minor: i64,
    now: i64,
) -> Result<(), StoreError> {
    let all = store::commissions_of_order(tx, order_id).await?;
    let earning: Vec<&Commission> = all.iter().filter(|c| c.kind == "commission").collect();
    let bases: Vec<i64> = earning.iter().map(|c| c.base_minor).collect();
    let shares = allocate_returned(&bases, returned_minor);
    for (c, returned) in earning.into_iter().zip(shares) {
        if c.reason.is_some() {
            continue;
        }
        let paid_out = (c.status == "paid").then_some(c.amount_minor);
        let (amount, clawback) =
            after_return(c.original_minor, c.bps, c.base_minor, returned, paid_out);
        if paid_out.is_none() {
            let status = if amount == 0 {
                "voided"
            } else if c.status == "voided" {
                "pending"
            } else {
                c.status.as_str()
            };
            if amount != c.amount_minor || status != c.status {
                store::set_commission(tx, &c.id, amount, status).await?;
            }
            continue;
        }
        let existing = all
            .iter()
            .find(|k| k.kind == "clawback" && k.payment_id == c.payment_id);
        match existing {
            Some(k) if k.status == "paid" && k.amount_minor != clawback => {
                tracing::warn!(commission = %c.id, clawback = %k.id, "a paid clawback cannot change; left for an admin");
            }
            Some(k) if k.status == "paid" => {}
            Some(k) => {
                let status = if clawback == 0 { "voided" } else { "approved" };
                if k.amount_minor != clawback || k.status != status {
                    store::set_commission(tx, &k.id, clawback, status).await?;
                }
            }
            None if clawback < 0 => {
                store::insert_commission(
                    tx,
                    &Commission {
                        id: new_id(),
                        kind: "clawback".into(),
                        original_minor: clawback,
                        amount_minor: clawback,
                        status: "approved".into(),
                        reason: None,
                        needs_review: 0,
                        reviewed_at: None,
                        approve_after: now,
                        payout_id: None,
                        created_at: now,
                        ..c.clone()
                    },
                )
                .await?;
                tracing::info!(commission = %c.id, clawback, "clawback after payout");
            }
            None => {}
        }
    }
    Ok(())
}

/// An admin approves a commission that waited for review (at or above
/// the threshold); it is then payable once its hold is over.
pub async fn approve_commission(
    db: &Db,
    actor: &Actor,
    id: &str,
    now: i64,
) -> Result<CommissionView, AffiliateError> {
    admin(actor)?;
    let mut tx = db.begin().await?;
    let c = store::commission(&mut tx, id)
        .await?
        .ok_or(AffiliateError::NotFound)?;
    match c.status.as_str() {
        "paid" => {
            return Err(AffiliateError::Conflict(
                "commission_paid",
                "this commission was paid out and is locked".into(),
            ));
        }
        "voided" => {
            return Err(AffiliateError::Conflict(
                "commission_voided",
                "this commission was voided".into(),
            ));
        }
        _ => {}
    }
    store::mark_reviewed(&mut tx, id, now).await?;
    let c = store::commission(&mut tx, id)
        .await?
        .ok_or(AffiliateError::NotFound)?;
    tx.commit().await?;
    Ok(view(&c, now, true))
}

/// Every commission for the admin pages, status as of `now`.
pub async fn commissions(
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<CommissionView>, AffiliateError> {
    admin(actor)?;
    Ok(store::commissions(db, None)
        .await?
        .iter()
        .map(|c| view(c, now, true))
        .collect())
}

/// The periodic job: pending commissions past their hold (and not waiting
/// for review) become approved. Reads already show them so.
pub async fn sweep(db: &Db, now: i64) -> Result<u64, AffiliateError> {
    let mut tx = db.begin().await?;
    let n = store::approve_due(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}
