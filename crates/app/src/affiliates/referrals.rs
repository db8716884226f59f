//! Clicks on referral links and binding a referred athlete to one
//! affiliate, once.

use runcoach_core::affiliate::{SelfReferral, Touch, credited, self_referral};
use runcoach_store::affiliates::{self as store, Click, Referral};
use runcoach_store::shop::Order;
use runcoach_store::{Db, StoreError, Tx};

use super::AffiliateError;

/// A click on `/r/{slug}` or `?ref={slug}`. Robots and prefetches
/// (`automated`) and unknown slugs change nothing. Every other click is
/// logged; only an approved affiliate's can be credited. Returns the click
/// id to put in the cookie and its lifetime in seconds, or `None` to leave
/// the cookie as it is (first touch keeps a still-valid earlier click).
pub async fn click(
    db: &Db,
    slug: &str,
    held: Option<&str>,
    address_hash: &str,
    automated: bool,
    now: i64,
) -> Result<Option<(String, i64)>, AffiliateError> {
    if automated || runcoach_core::affiliate::check_slug(slug).is_err() {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let Some(affiliate) = store::affiliate_by_slug(&mut tx, slug).await? else {
        return Ok(None);
    };
    let approved = affiliate.status == "approved";
    let id = store::insert_click(&mut tx, &affiliate.id, now, address_hash, approved).await?;
    let program = store::program(&mut tx).await?;
    let held_touch = match held {
        Some(h) => valid_click_in(&mut tx, h, now, program.cookie_days)
            .await?
            .map(|c| Touch {
                slug: c.id,
                at: c.clicked_at,
            }),
        None => None,
    };
    tx.commit().await?;
    if !approved {
        return Ok(None);
    }
    let new = Touch {
        slug: id.clone(),
        at: now,
    };
    let kept = credited(held_touch, new, program.attribution, program.cookie_days);
    Ok((kept.slug == id).then_some((id, program.cookie_days * 24 * 3600)))
}

/// The click a cookie names, if it can still be credited at `now`.
async fn valid_click_in(
    tx: &mut Tx,
    id: &str,
    now: i64,
    cookie_days: i64,
) -> Result<Option<Click>, StoreError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    Ok(store::click(tx, id).await?.filter(|c| {
        c.counted == 1
            && Touch {
                slug: c.slug.clone(),
                at: c.clicked_at,
            }
            .valid_at(now, cookie_days)
    }))
}

/// The click a cookie names, if it can still be credited at `now`.
pub async fn valid_click(db: &Db, id: &str, now: i64) -> Result<Option<Click>, AffiliateError> {
    let mut tx = db.begin().await?;
    let program = store::program(&mut tx).await?;
    let c = valid_click_in(&mut tx, id, now, program.cookie_days).await?;
    drop(tx);
    Ok(c)
}

fn reason(s: SelfReferral) -> &'static str {
    match s {
        SelfReferral::SameAccount => "same_account",
        SelfReferral::SameEmail => "same_email",
        SelfReferral::SameAddress => "same_address",
    }
}

/// Binds `athlete` to `affiliate_id` unless already bound to anyone, if the
/// affiliate is approved; a self-referral is bound flagged (it earns
/// nothing). Returns whether a binding was made.
async fn bind(
    tx: &mut Tx,
    athlete: &str,
    affiliate_id: &str,
    via: &str,
    click_id: Option<&str>,
    now: i64,
) -> Result<bool, StoreError> {
    if store::referral_of(tx, athlete).await?.is_some() {
        return Ok(false);
    }
    let Some(affiliate) = store::affiliate(tx, affiliate_id).await? else {
        return Ok(false);
    };
    if affiliate.status != "approved" {
        return Ok(false);
    }
    let email = store::user_email(tx, athlete).await?.unwrap_or_default();
    let address = store::signup_address(tx, athlete).await?;
    let flagged = self_referral(
        &affiliate.user_id,
        &affiliate.email_key,
        affiliate.address_hash.as_deref(),
        athlete,
        &email,
        address.as_deref(),
    );
    if let Some(f) = flagged {
        tracing::warn!(affiliate = %affiliate.id, athlete, reason = reason(f), "self-referral flagged");
    }
    store::bind(
        tx,
        &Referral {
            athlete_id: athlete.to_owned(),
            affiliate_id: affiliate.id,
            via: via.to_owned(),
            click_id: click_id.map(str::to_owned),
            self_referral: flagged.map(|f| reason(f).to_owned()),
            bound_at: now,
        },
    )
    .await
}

/// A new account: its hashed address is kept for self-referral checks, and
/// a valid referral cookie binds it to the affiliate at once.
pub async fn on_signup(
    db: &Db,
    user_id: &str,
    click_id: Option<&str>,
    address_hash: &str,
    now: i64,
) -> Result<bool, AffiliateError> {
    let mut tx = db.begin().await?;
    store::record_signup_address(&mut tx, user_id, address_hash, now).await?;
    let program = store::program(&mut tx).await?;
    let mut bound = false;
    if let Some(id) = click_id
        && let Some(c) = valid_click_in(&mut tx, id, now, program.cookie_days).await?
    {
        bound = bind(
            &mut tx,
            user_id,
            &c.affiliate_id,
            "signup",
            Some(&c.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(bound)
}

/// Remembers on a new order the referral click it was placed with, so the
/// payment can bind an athlete who signed up without one.
pub(crate) async fn on_order_placed(
    tx: &mut Tx,
    order_id: &str,
    click_id: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    let Some(id) = click_id else { return Ok(()) };
    let program = store::program(tx).await?;
    if let Some(c) = valid_click_in(tx, id, now, program.cookie_days).await? {
        store::set_order_click(tx, order_id, &c).await?;
    }
    Ok(())
}

/// At an athlete's paid order: bind them, if unbound, to the click the
/// order was placed with (still valid now), or else to the affiliate whose
/// coupon they used.
pub(crate) async fn bind_at_payment(
    tx: &mut Tx,
    order: &Order,
    now: i64,
) -> Result<(), StoreError> {
    if store::referral_of(tx, &order.athlete_id).await?.is_some() {
        return Ok(());
    }
    let program = store::program(tx).await?;
    if let Some(c) = store::order_click(tx, &order.id).await?
        && c.counted == 1
        && (Touch {
            slug: c.slug.clone(),
            at: c.clicked_at,
        })
        .valid_at(now, program.cookie_days)
        && bind(
            tx,
            &order.athlete_id,
            &c.affiliate_id,
            "order",
            Some(&c.id),
            now,
        )
        .await?
    {
        return Ok(());
    }
    if let Some(coupon) = &order.coupon_id
        && let Some(affiliate) = store::coupon_affiliate(tx, coupon).await?
    {
        bind(tx, &order.athlete_id, &affiliate, "coupon", None, now).await?;
    }
    Ok(())
}
