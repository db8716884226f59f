//! Coupons as admins define them.

use jiff::Timestamp;
use runcoach_core::plan::FieldError;
use runcoach_core::shop::{Coupon, CouponDraft, Discount, ProductKind};
use runcoach_store::shop::{self as store, CouponPatch, StoredCoupon};
use runcoach_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

use super::ShopError;
use crate::Actor;

/// A coupon definition; times are RFC 3339 (`2026-12-31T23:59:59Z`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponInput {
    pub code: String,
    pub percent_off_bps: Option<i64>,
    pub amount_off_minor: Option<i64>,
    pub currency: Option<String>,
    pub starts_at: Option<String>,
    pub expires_at: String,
    pub max_redemptions: Option<i64>,
    pub per_athlete_limit: Option<i64>,
    pub min_subtotal_minor: Option<i64>,
    #[serde(default)]
    pub first_order_only: bool,
    #[serde(default)]
    pub applies_to: Vec<String>,
    pub athlete_id: Option<String>,
    /// The affiliate who hands this coupon out: it binds an unbound
    /// athlete who pays with it.
    #[serde(default)]
    pub affiliate_id: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouponUpdate {
    pub active: Option<bool>,
    pub expires_at: Option<String>,
    pub max_redemptions: Option<i64>,
}

/// A coupon as admins read it, with its uses.
#[derive(Debug, Clone, Serialize)]
pub struct CouponSummary {
    pub id: String,
    pub code: String,
    #[serde(flatten)]
    pub discount: Discount,
    pub starts_at: String,
    pub expires_at: String,
    pub max_redemptions: Option<i64>,
    pub per_athlete_limit: Option<i64>,
    pub min_subtotal_minor: Option<i64>,
    pub first_order_only: bool,
    pub applies_to: Vec<ProductKind>,
    pub athlete_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliate_id: Option<String>,
    pub active: bool,
    /// Uses held by orders awaiting payment.
    pub reserved: i64,
    /// Uses by paid orders (refunded ones included: a refund does not
    /// give the offer back).
    pub confirmed: i64,
}

fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn summary(c: StoredCoupon, reserved: i64, confirmed: i64) -> CouponSummary {
    CouponSummary {
        id: c.id,
        starts_at: rfc3339(c.coupon.starts_at),
        expires_at: rfc3339(c.coupon.expires_at),
        code: c.coupon.code,
        discount: c.coupon.discount,
        max_redemptions: c.coupon.max_redemptions,
        per_athlete_limit: c.coupon.per_athlete_limit,
        min_subtotal_minor: c.coupon.min_subtotal_minor,
        first_order_only: c.coupon.first_order_only,
        applies_to: c.coupon.applies_to,
        athlete_id: c.coupon.athlete_id,
        affiliate_id: None,
        active: c.coupon.active,
        reserved,
        confirmed,
    }
}

fn instant(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match raw.parse::<Timestamp>() {
        Ok(t) => Some(t.as_millisecond()),
        Err(_) => {
            errors.push(FieldError {
                field,
                message: format!("'{raw}' is not an RFC 3339 time such as 2026-12-31T23:59:59Z"),
            });
            None
        }
    }
}

pub async fn create_coupon(
    db: &Db,
    actor: &Actor,
    input: CouponInput,
    now: i64,
) -> Result<CouponSummary, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    let mut errors = Vec::new();
    let starts_at = match &input.starts_at {
        Some(raw) => instant("starts_at", raw, &mut errors),
        None => Some(now),
    };
    let expires_at = instant("expires_at", &input.expires_at, &mut errors);
    let mut applies_to = Vec::new();
    for kind in &input.applies_to {
        match ProductKind::parse(kind) {
            Some(k) => applies_to.push(k),
            None => errors.push(FieldError {
                field: "applies_to",
                message: format!("'{kind}' is not a product kind"),
            }),
        }
    }
    let draft = CouponDraft {
        code: input.code,
        percent_off_bps: input.percent_off_bps,
        amount_off_minor: input.amount_off_minor,
        currency: input.currency,
        starts_at: starts_at.unwrap_or(0),
        expires_at: expires_at.unwrap_or(i64::MAX),
        max_redemptions: input.max_redemptions,
        per_athlete_limit: input.per_athlete_limit,
        min_subtotal_minor: input.min_subtotal_minor,
    };
    let checked = draft.validate();
    if let Err(e) = &checked {
        errors.extend(e.iter().cloned());
    }
    let (Ok((code, discount)), true) = (checked, errors.is_empty()) else {
        return Err(ShopError::Invalid(errors));
    };
    let coupon = Coupon {
        code,
        discount,
        starts_at: draft.starts_at,
        expires_at: draft.expires_at,
        max_redemptions: draft.max_redemptions,
        per_athlete_limit: draft.per_athlete_limit,
        min_subtotal_minor: draft.min_subtotal_minor,
        first_order_only: input.first_order_only,
        applies_to,
        athlete_id: input.athlete_id,
        active: input.active,
    };
    let mut tx = db.begin().await?;
    let affiliate_id = input.affiliate_id.filter(|a| !a.trim().is_empty());
    if let Some(a) = &affiliate_id
        && runcoach_store::affiliates::affiliate(&mut tx, a)
            .await?
            .is_none()
    {
        return Err(ShopError::invalid(
            "affiliate_id",
            format!("no affiliate {a}"),
        ));
    }
    let stored = store::insert_coupon(&mut tx, &coupon, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                ShopError::Conflict("code_taken", "another coupon has this code".into())
            }
            e => e.into(),
        })?;
    if let Some(a) = &affiliate_id {
        runcoach_store::affiliates::set_coupon_affiliate(&mut tx, &stored.id, a).await?;
    }
    tx.commit().await?;
    let mut made = summary(stored, 0, 0);
    made.affiliate_id = affiliate_id;
    Ok(made)
}

pub async fn coupons(db: &Db, actor: &Actor) -> Result<Vec<CouponSummary>, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    Ok(store::coupons(db)
        .await?
        .into_iter()
        .map(|(c, reserved, confirmed)| summary(c, reserved, confirmed))
        .collect())
}

pub async fn update_coupon(
    db: &Db,
    actor: &Actor,
    id: &str,
    update: CouponUpdate,
) -> Result<CouponSummary, ShopError> {
    if !actor.is_admin() {
        return Err(ShopError::Forbidden);
    }
    let mut errors = Vec::new();
    let expires_at = update
        .expires_at
        .as_deref()
        .and_then(|raw| instant("expires_at", raw, &mut errors));
    if update.max_redemptions.is_some_and(|m| m < 1) {
        errors.push(FieldError {
            field: "max_redemptions",
            message: "at least 1".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ShopError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    let patch = CouponPatch {
        active: update.active,
        expires_at,
        max_redemptions: update.max_redemptions,
    };
    let found = store::update_coupon(&mut tx, id, &patch).await.map_err(|e| match e {
        StoreError::Conflict => ShopError::Conflict(
            "limit_below_uses",
            "the expiry must stay after the start and the limit at or above the uses already made".into(),
        ),
        e => e.into(),
    })?;
    if !found {
        return Err(ShopError::NotFound);
    }
    tx.commit().await?;
    coupons(db, actor)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(ShopError::NotFound)
}
