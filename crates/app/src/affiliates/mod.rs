//! The affiliate program's use-cases: settings, applications and their
//! review, referral clicks and bindings, commissions (made in the shop's
//! payment transaction), payouts and the affiliate's dashboard. Rules come
//! from `runcoach_core::affiliate`; every write is one transaction.

mod commissions;
mod payouts;
mod referrals;

pub use commissions::{approve_commission, commissions, sweep};
pub(crate) use commissions::{on_payment, on_returned};
pub use payouts::{PayoutLineView, payouts, payouts_csv, run_payouts};
pub(crate) use referrals::on_order_placed;
pub use referrals::{click, on_signup, valid_click};

use jiff::Timestamp;
use runcoach_core::affiliate::{CommissionStatus, Program, check_slug, email_key, weekly_counts};
use runcoach_core::plan::FieldError;
use runcoach_store::affiliates::{self as store, Affiliate};
use runcoach_store::{Db, StoreError, new_id, users};
use serde::{Deserialize, Serialize};

use crate::Actor;

pub(crate) const DAY_MS: i64 = 24 * 3600 * 1000;

/// Why an affiliate use-case said no.
#[derive(Debug, thiserror::Error)]
pub enum AffiliateError {
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("only an admin can do this")]
    Forbidden,
    /// A request that conflicts with the current state, with its code.
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AffiliateError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AffiliateError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }
}

fn admin(actor: &Actor) -> Result<(), AffiliateError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(AffiliateError::Forbidden)
    }
}

pub(crate) fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

// ----------------------------------------------------------------- program

pub async fn program(db: &Db, actor: &Actor) -> Result<Program, AffiliateError> {
    admin(actor)?;
    Ok(store::program_of(db).await?)
}

/// Replaces the settings; rate, cap and hold reach only commissions made
/// from now on (each commission keeps its own).
pub async fn set_program(
    db: &Db,
    actor: &Actor,
    program: Program,
    now: i64,
) -> Result<Program, AffiliateError> {
    admin(actor)?;
    let errors = program.check();
    if !errors.is_empty() {
        return Err(AffiliateError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    store::save_program(&mut tx, &program, now).await?;
    tx.commit().await?;
    Ok(program)
}

// ------------------------------------------------------------ applications

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    pub slug: String,
    pub payout_email: String,
    pub website: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub id: String,
    pub slug: String,
    pub status: String,
}

fn looks_like_email(s: &str) -> bool {
    let at = s.find('@');
    s.len() <= 254
        && at.is_some_and(|i| i > 0 && i + 1 < s.len() && s[i + 1..].contains('.'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A signed-in user applies; approved at once when the program says
/// "fast approval". `address_hash` is the client's hashed address, kept
/// for self-referral checks.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    application: Application,
    address_hash: Option<&str>,
    now: i64,
) -> Result<ApplicationView, AffiliateError> {
    let slug = application.slug.trim().to_owned();
    let payout_email = application.payout_email.trim().to_owned();
    let mut errors = Vec::new();
    if let Err(message) = check_slug(&slug) {
        errors.push(FieldError {
            field: "slug",
            message,
        });
    }
    if !looks_like_email(&payout_email) {
        errors.push(FieldError {
            field: "payout_email",
            message: "an e-mail address for payouts (PayPal or bank contact)".into(),
        });
    }
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let website = clean(application.website);
    let note = clean(application.note);
    if website
        .as_ref()
        .is_some_and(|w| w.len() > 300 || !(w.starts_with("https://") || w.starts_with("http://")))
    {
        errors.push(FieldError {
            field: "website",
            message: "an http(s) address of up to 300 characters".into(),
        });
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        errors.push(FieldError {
            field: "note",
            message: "up to 2000 characters".into(),
        });
    }
    if !errors.is_empty() {
        return Err(AffiliateError::Invalid(errors));
    }
    let (user, _) = users::by_id(db, &actor.user_id)
        .await?
        .ok_or(AffiliateError::Forbidden)?;
    let mut tx = db.begin().await?;
    if store::affiliate_of_user(&mut tx, &user.id).await?.is_some() {
        return Err(AffiliateError::Conflict(
            "already_applied",
            "you have applied already; see your dashboard".into(),
        ));
    }
    let program = store::program(&mut tx).await?;
    let status = if program.auto_approve {
        "approved"
    } else {
        "applied"
    };
    let affiliate = Affiliate {
        id: new_id(),
        user_id: user.id.clone(),
        slug,
        status: status.into(),
        payout_email,
        website,
        note,
        email_key: email_key(&user.email),
        address_hash: address_hash.map(str::to_owned),
        created_at: now,
        decided_at: program.auto_approve.then_some(now),
    };
    match store::insert_affiliate(&mut tx, &affiliate).await {
        Ok(()) => {}
        Err(StoreError::Conflict) => {
            return Err(AffiliateError::invalid(
                "slug",
                format!("'{}' is taken; choose another", affiliate.slug),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(ApplicationView {
        id: affiliate.id,
        slug: affiliate.slug,
        status: affiliate.status,
    })
}

pub async fn affiliates(db: &Db, actor: &Actor) -> Result<Vec<Affiliate>, AffiliateError> {
    admin(actor)?;
    Ok(store::affiliates(db).await?)
}

/// An admin's decision on an affiliate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
    Suspend,
    Reinstate,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "approve" => Decision::Approve,
            "reject" => Decision::Reject,
            "suspend" => Decision::Suspend,
            "reinstate" => Decision::Reinstate,
            _ => return None,
        })
    }

    /// The statuses it applies to and the one it leads to.
    fn moves(self) -> (&'static [&'static str], &'static str) {
        match self {
            Decision::Approve => (&["applied", "rejected"], "approved"),
            Decision::Reject => (&["applied"], "rejected"),
            Decision::Suspend => (&["approved"], "suspended"),
            Decision::Reinstate => (&["suspended"], "approved"),
        }
    }
}

pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: &str,
    decision: Decision,
    now: i64,
) -> Result<Affiliate, AffiliateError> {
    admin(actor)?;
    let mut tx = db.begin().await?;
    let current = store::affiliate(&mut tx, id)
        .await?
        .ok_or(AffiliateError::NotFound)?;
    let (from, to) = decision.moves();
    if !store::set_status(&mut tx, id, from, to, now).await? {
        return Err(AffiliateError::Conflict(
            "affiliate_status",
            format!(
                "an affiliate who is {} cannot become {to} this way",
                current.status
            ),
        ));
    }
    let updated = store::affiliate(&mut tx, id)
        .await?
        .ok_or(AffiliateError::NotFound)?;
    tx.commit().await?;
    Ok(updated)
}

// --------------------------------------------------------------- dashboard

#[derive(Debug, Clone, Serialize)]
pub struct Balance {
    pub pending_minor: i64,
    pub approved_minor: i64,
    pub paid_minor: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommissionView {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affiliate_id: Option<String>,
    pub order_id: String,
    pub base_minor: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub status: CommissionStatus,
    pub kind: String,
    pub approve_after: String,
    pub needs_review: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub(crate) fn view(c: &store::Commission, now: i64, admin: bool) -> CommissionView {
    let stored = CommissionStatus::parse(&c.status).unwrap_or(CommissionStatus::Voided);
    CommissionView {
        id: c.id.clone(),
        affiliate_id: admin.then(|| c.affiliate_id.clone()),
        order_id: c.order_id.clone(),
        base_minor: c.base_minor,
        amount_minor: c.amount_minor,
        currency: c.currency.clone(),
        status: stored.at(now, c.approve_after, c.needs_review != 0),
        kind: c.kind.clone(),
        approve_after: rfc3339(c.approve_after),
        needs_review: c.needs_review != 0,
        reason: c.reason.clone(),
    }
}

/// One week of the dashboard's chart.
#[derive(Debug, Clone, Serialize)]
pub struct WeekCounts {
    /// The first day of the seven (`YYYY-MM-DD`, UTC).
    pub week_from: String,
    pub clicks: i64,
    pub signups: i64,
    pub conversions: i64,
}

/// Weeks on the dashboard's chart.
pub const CHART_WEEKS: usize = 12;

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub id: String,
    pub slug: String,
    pub status: String,
    pub link: String,
    pub clicks: i64,
    pub signups: i64,
    pub conversions: i64,
    pub balance: Balance,
    pub commissions: Vec<CommissionView>,
    pub payouts: Vec<PayoutLineView>,
    /// Clicks, sign-ups and conversions per week, oldest first.
    pub weeks: Vec<WeekCounts>,
}

/// What an affiliate sees: their link, counts (never who), money by status
/// as of `now`, commissions and payouts.
pub async fn dashboard(
    db: &Db,
    actor: &Actor,
    public_url: &str,
    now: i64,
) -> Result<Dashboard, AffiliateError> {
    let mut tx = db.begin().await?;
    let affiliate = store::affiliate_of_user(&mut tx, &actor.user_id)
        .await?
        .ok_or(AffiliateError::NotFound)?;
    drop(tx);
    let (clicks, signups, conversions) = store::counts(db, &affiliate.id).await?;
    let commissions: Vec<CommissionView> = store::commissions(db, Some(&affiliate.id))
        .await?
        .iter()
        .map(|c| view(c, now, false))
        .collect();
    let mut balance = Balance {
        pending_minor: 0,
        approved_minor: 0,
        paid_minor: 0,
    };
    for c in &commissions {
        match c.status {
            CommissionStatus::Pending => balance.pending_minor += c.amount_minor,
            CommissionStatus::Approved => balance.approved_minor += c.amount_minor,
            CommissionStatus::Paid => balance.paid_minor += c.amount_minor,
            CommissionStatus::Voided => {}
        }
    }
    let payouts = payouts::lines(db, Some(&affiliate.id)).await?;
    let week_ms = 7 * DAY_MS;
    let since = now - CHART_WEEKS as i64 * week_ms;
    let (c, s, v) = store::activity(db, &affiliate.id, since).await?;
    let (c, s, v) = (
        weekly_counts(&c, now, CHART_WEEKS),
        weekly_counts(&s, now, CHART_WEEKS),
        weekly_counts(&v, now, CHART_WEEKS),
    );
    let weeks = (0..CHART_WEEKS)
        .map(|i| WeekCounts {
            week_from: rfc3339(now - (CHART_WEEKS - i) as i64 * week_ms + 1)
                .get(..10)
                .unwrap_or("")
                .to_owned(),
            clicks: c[i],
            signups: s[i],
            conversions: v[i],
        })
        .collect();
    Ok(Dashboard {
        link: format!("{}/r/{}", public_url.trim_end_matches('/'), affiliate.slug),
        id: affiliate.id,
        slug: affiliate.slug,
        status: affiliate.status,
        clicks,
        signups,
        conversions,
        balance,
        commissions,
        payouts,
        weeks,
    })
}

/// The actor's affiliate record, if they applied.
pub async fn mine(db: &Db, actor: &Actor) -> Result<Option<Affiliate>, AffiliateError> {
    let mut tx = db.begin().await?;
    let found = store::affiliate_of_user(&mut tx, &actor.user_id).await?;
    drop(tx);
    Ok(found)
}
