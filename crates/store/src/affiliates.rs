//! The affiliate program's tables: settings, affiliates, clicks, bindings,
//! commissions and payouts. Writes take a [`Tx`] so a payment and the
//! commission it earns are one unit of work; the keys of 0011 make a
//! duplicate a no-op, never a second commission or payout.

use runcoach_core::affiliate::{Attribution, Program};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, Tx, new_id, on_db, on_tx};

fn lock(tx: &Tx) -> &'static str {
    if matches!(tx, Tx::Postgres(_)) {
        " FOR UPDATE"
    } else {
        ""
    }
}

// ----------------------------------------------------------------- program

#[derive(FromRow)]
struct ProgramRow {
    commission_bps: i64,
    cap_minor: i64,
    currency: String,
    cookie_days: i64,
    hold_days: i64,
    min_payout_minor: i64,
    auto_approve: i64,
    attribution: String,
    review_threshold_minor: Option<i64>,
}

impl From<ProgramRow> for Program {
    fn from(r: ProgramRow) -> Self {
        Program {
            commission_bps: r.commission_bps,
            cap_minor: r.cap_minor,
            currency: r.currency,
            cookie_days: r.cookie_days,
            hold_days: r.hold_days,
            min_payout_minor: r.min_payout_minor,
            auto_approve: r.auto_approve != 0,
            attribution: if r.attribution == "last" {
                Attribution::Last
            } else {
                Attribution::First
            },
            review_threshold_minor: r.review_threshold_minor,
        }
    }
}

const PROGRAM_SQL: &str = "SELECT commission_bps, cap_minor, currency, cookie_days, hold_days, \
    min_payout_minor, auto_approve, attribution, review_threshold_minor FROM affiliate_program WHERE id = 1";

/// The program as set, or the defaults.
pub async fn program(tx: &mut Tx) -> Result<Program, StoreError> {
    let row: Option<ProgramRow> =
        on_tx!(tx, conn => sqlx::query_as(PROGRAM_SQL).fetch_optional(conn).await)?;
    Ok(row.map(Program::from).unwrap_or_default())
}

pub async fn program_of(db: &Db) -> Result<Program, StoreError> {
    let row: Option<ProgramRow> =
        on_db!(db, pool => sqlx::query_as(PROGRAM_SQL).fetch_optional(pool).await)?;
    Ok(row.map(Program::from).unwrap_or_default())
}

pub async fn save_program(tx: &mut Tx, p: &Program, now: i64) -> Result<(), StoreError> {
    let attribution = match p.attribution {
        Attribution::First => "first",
        Attribution::Last => "last",
    };
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO affiliate_program (id, commission_bps, cap_minor, currency, cookie_days, hold_days, \
         min_payout_minor, auto_approve, attribution, review_threshold_minor, updated_at) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE SET \
         commission_bps = $1, cap_minor = $2, currency = $3, cookie_days = $4, hold_days = $5, \
         min_payout_minor = $6, auto_approve = $7, attribution = $8, review_threshold_minor = $9, \
         updated_at = $10",
    )
    .bind(p.commission_bps)
    .bind(p.cap_minor)
    .bind(&p.currency)
    .bind(p.cookie_days)
    .bind(p.hold_days)
    .bind(p.min_payout_minor)
    .bind(i64::from(p.auto_approve))
    .bind(attribution)
    .bind(p.review_threshold_minor)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_check)
}

// -------------------------------------------------------------- affiliates

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Affiliate {
    pub id: String,
    pub user_id: String,
    pub slug: String,
    pub status: String,
    pub payout_email: String,
    pub website: Option<String>,
    pub note: Option<String>,
    #[serde(skip)]
    pub email_key: String,
    #[serde(skip)]
    pub address_hash: Option<String>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const AFFILIATE_COLUMNS: &str = "id, user_id, slug, status, payout_email, website, note, \
    email_key, address_hash, created_at, decided_at";

pub async fn insert_affiliate(tx: &mut Tx, a: &Affiliate) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO affiliates (id, user_id, slug, status, payout_email, website, note, email_key, \
         address_hash, created_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&a.id)
    .bind(&a.user_id)
    .bind(&a.slug)
    .bind(&a.status)
    .bind(&a.payout_email)
    .bind(&a.website)
    .bind(&a.note)
    .bind(&a.email_key)
    .bind(&a.address_hash)
    .bind(a.created_at)
    .bind(a.decided_at)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)
}

async fn affiliate_where(
    tx: &mut Tx,
    column: &str,
    value: &str,
) -> Result<Option<Affiliate>, StoreError> {
    let sql = format!("SELECT {AFFILIATE_COLUMNS} FROM affiliates WHERE {column} = $1");
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(value).fetch_optional(conn).await)?,
    )
}

pub async fn affiliate(tx: &mut Tx, id: &str) -> Result<Option<Affiliate>, StoreError> {
    affiliate_where(tx, "id", id).await
}

pub async fn affiliate_by_slug(tx: &mut Tx, slug: &str) -> Result<Option<Affiliate>, StoreError> {
    affiliate_where(tx, "slug", slug).await
}

pub async fn affiliate_of_user(tx: &mut Tx, user: &str) -> Result<Option<Affiliate>, StoreError> {
    affiliate_where(tx, "user_id", user).await
}

pub async fn affiliates(db: &Db) -> Result<Vec<Affiliate>, StoreError> {
    let sql = format!("SELECT {AFFILIATE_COLUMNS} FROM affiliates ORDER BY created_at DESC, id");
    Ok(on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)?)
}

/// Moves an affiliate from one of `from` to `to`; `false` if it was not in
/// one of them.
pub async fn set_status(
    tx: &mut Tx,
    id: &str,
    from: &[&str],
    to: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE affiliates SET status = $2, decided_at = $3 WHERE id = $1 AND status IN ($4, $5)",
    )
    .bind(id)
    .bind(to)
    .bind(now)
    .bind(from.first().copied().unwrap_or(""))
    .bind(from.get(1).copied().unwrap_or(""))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

// ------------------------------------------------------------------ clicks

/// A remembered click with its affiliate.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Click {
    pub id: String,
    pub affiliate_id: String,
    pub slug: String,
    pub clicked_at: i64,
    pub counted: i64,
}

pub async fn insert_click(
    tx: &mut Tx,
    affiliate_id: &str,
    at: i64,
    address_hash: &str,
    counted: bool,
) -> Result<String, StoreError> {
    let id = new_id();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO referral_clicks (id, affiliate_id, clicked_at, address_hash, counted) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(affiliate_id)
    .bind(at)
    .bind(address_hash)
    .bind(i64::from(counted))
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(id)
}

pub async fn click(tx: &mut Tx, id: &str) -> Result<Option<Click>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "SELECT c.id, c.affiliate_id, a.slug, c.clicked_at, c.counted FROM referral_clicks c \
         JOIN affiliates a ON a.id = c.affiliate_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await)?)
}

// ---------------------------------------------------------------- bindings

pub async fn record_signup_address(
    tx: &mut Tx,
    user: &str,
    address_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO signup_addresses (user_id, address_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user)
    .bind(address_hash)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

pub async fn signup_address(tx: &mut Tx, user: &str) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT address_hash FROM signup_addresses WHERE user_id = $1",
    )
    .bind(user)
    .fetch_optional(conn)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Referral {
    pub athlete_id: String,
    pub affiliate_id: String,
    pub via: String,
    pub click_id: Option<String>,
    pub self_referral: Option<String>,
    pub bound_at: i64,
}

/// The athlete's binding, locked on PostgreSQL so two payments of one
/// athlete take their share of the cap one after the other.
pub async fn referral_of(tx: &mut Tx, athlete: &str) -> Result<Option<Referral>, StoreError> {
    let sql = format!(
        "SELECT athlete_id, affiliate_id, via, click_id, self_referral, bound_at FROM referrals \
         WHERE athlete_id = $1{}",
        lock(tx)
    );
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(athlete).fetch_optional(conn).await)?,
    )
}

/// Binds the athlete unless already bound; `false` if they were.
pub async fn bind(tx: &mut Tx, r: &Referral) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO referrals (athlete_id, affiliate_id, via, click_id, self_referral, bound_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (athlete_id) DO NOTHING",
    )
    .bind(&r.athlete_id)
    .bind(&r.affiliate_id)
    .bind(&r.via)
    .bind(&r.click_id)
    .bind(&r.self_referral)
    .bind(r.bound_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Remembers the referral click an order was placed with.
pub async fn set_order_click(tx: &mut Tx, order_id: &str, c: &Click) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE orders SET ref_click_id = $2, ref_affiliate_id = $3, ref_clicked_at = $4 WHERE id = $1",
    )
    .bind(order_id)
    .bind(&c.id)
    .bind(&c.affiliate_id)
    .bind(c.clicked_at)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The click an order was placed with, if any.
pub async fn order_click(tx: &mut Tx, order_id: &str) -> Result<Option<Click>, StoreError> {
    let id: Option<Option<String>> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT ref_click_id FROM orders WHERE id = $1",
    )
    .bind(order_id)
    .fetch_optional(conn)
    .await)?;
    match id.flatten() {
        Some(id) => click(tx, &id).await,
        None => Ok(None),
    }
}

pub async fn coupon_affiliate(tx: &mut Tx, coupon_id: &str) -> Result<Option<String>, StoreError> {
    let id: Option<Option<String>> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT affiliate_id FROM coupons WHERE id = $1",
    )
    .bind(coupon_id)
    .fetch_optional(conn)
    .await)?;
    Ok(id.flatten())
}

pub async fn set_coupon_affiliate(
    tx: &mut Tx,
    coupon_id: &str,
    affiliate_id: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE coupons SET affiliate_id = $2 WHERE id = $1")
        .bind(coupon_id)
        .bind(affiliate_id)
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The id and time of a recorded payment.
pub async fn payment_by_ref(
    tx: &mut Tx,
    provider: &str,
    reference: &str,
) -> Result<Option<(String, i64)>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, created_at FROM payments WHERE provider = $1 AND provider_ref = $2 AND kind = 'payment'",
    )
    .bind(provider)
    .bind(reference)
    .fetch_optional(conn)
    .await)?)
}

// ------------------------------------------------------------- commissions

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Commission {
    pub id: String,
    pub affiliate_id: String,
    #[serde(skip)]
    pub athlete_id: String,
    pub order_id: String,
    #[serde(skip)]
    pub payment_id: String,
    pub kind: String,
    pub currency: String,
    pub base_minor: i64,
    #[serde(skip)]
    pub original_minor: i64,
    pub amount_minor: i64,
    #[serde(skip)]
    pub bps: i64,
    #[serde(skip)]
    pub cap_minor: i64,
    #[serde(skip)]
    pub hold_days: i64,
    pub status: String,
    pub reason: Option<String>,
    pub needs_review: i64,
    #[serde(skip)]
    pub reviewed_at: Option<i64>,
    #[serde(skip)]
    pub paid_at: i64,
    pub approve_after: i64,
    pub payout_id: Option<String>,
    #[serde(skip)]
    pub created_at: i64,
}

const COMMISSION_COLUMNS: &str = "id, affiliate_id, athlete_id, order_id, payment_id, kind, \
    currency, base_minor, original_minor, amount_minor, bps, cap_minor, hold_days, status, reason, \
    needs_review, reviewed_at, paid_at, approve_after, payout_id, created_at";

/// Records a commission once per (order, payment, kind); `false` if it
/// was there already (a duplicate or concurrent webhook).
pub async fn insert_commission(tx: &mut Tx, c: &Commission) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO affiliate_commissions (id, affiliate_id, athlete_id, order_id, payment_id, kind, \
         currency, base_minor, original_minor, amount_minor, bps, cap_minor, hold_days, status, reason, \
         needs_review, reviewed_at, paid_at, approve_after, payout_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
         ON CONFLICT (order_id, payment_id, kind) DO NOTHING",
    )
    .bind(&c.id)
    .bind(&c.affiliate_id)
    .bind(&c.athlete_id)
    .bind(&c.order_id)
    .bind(&c.payment_id)
    .bind(&c.kind)
    .bind(&c.currency)
    .bind(c.base_minor)
    .bind(c.original_minor)
    .bind(c.amount_minor)
    .bind(c.bps)
    .bind(c.cap_minor)
    .bind(c.hold_days)
    .bind(&c.status)
    .bind(&c.reason)
    .bind(c.needs_review)
    .bind(c.reviewed_at)
    .bind(c.paid_at)
    .bind(c.approve_after)
    .bind(&c.payout_id)
    .bind(c.created_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_check)?;
    Ok(done == 1)
}

/// What a referred athlete has earned their affiliate so far (net of
/// refunds and clawbacks), against the lifetime cap.
pub async fn earned_for_athlete(tx: &mut Tx, athlete: &str) -> Result<i64, StoreError> {
    let sum: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT CAST(SUM(amount_minor) AS BIGINT) FROM affiliate_commissions \
         WHERE athlete_id = $1 AND status <> 'voided'",
    )
    .bind(athlete)
    .fetch_one(conn)
    .await)?;
    Ok(sum.unwrap_or(0))
}

pub async fn commissions_of_order(
    tx: &mut Tx,
    order_id: &str,
) -> Result<Vec<Commission>, StoreError> {
    let sql = format!(
        "SELECT {COMMISSION_COLUMNS} FROM affiliate_commissions WHERE order_id = $1 \
         ORDER BY paid_at, payment_id, kind"
    );
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(order_id).fetch_all(conn).await)?,
    )
}

pub async fn commission(tx: &mut Tx, id: &str) -> Result<Option<Commission>, StoreError> {
    let sql = format!("SELECT {COMMISSION_COLUMNS} FROM affiliate_commissions WHERE id = $1");
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await)?,
    )
}

/// Commissions, newest first: one affiliate's, or everyone's for `None`.
pub async fn commissions(db: &Db, affiliate: Option<&str>) -> Result<Vec<Commission>, StoreError> {
    let sql = format!(
        "SELECT {COMMISSION_COLUMNS} FROM affiliate_commissions WHERE ($1 = '' OR affiliate_id = $1) \
         ORDER BY created_at DESC, id DESC LIMIT 1000"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(affiliate.unwrap_or("")).fetch_all(pool).await)?,
    )
}

/// Sets an unpaid commission's amount and status; `false` if it is paid
/// (locked) or gone.
pub async fn set_commission(
    tx: &mut Tx,
    id: &str,
    amount_minor: i64,
    status: &str,
) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE affiliate_commissions SET amount_minor = $2, status = $3 WHERE id = $1 AND status <> 'paid'",
    )
    .bind(id)
    .bind(amount_minor)
    .bind(status)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_check)?;
    Ok(done == 1)
}

/// An admin's review of a commission at or above the threshold.
pub async fn mark_reviewed(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE affiliate_commissions SET needs_review = 0, reviewed_at = $2 \
         WHERE id = $1 AND status IN ('pending', 'approved')",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Approves every pending commission past its hold that needs no review
/// (reads already show them approved); how many.
pub async fn approve_due(tx: &mut Tx, now: i64) -> Result<u64, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query(
        "UPDATE affiliate_commissions SET status = 'approved' \
         WHERE status = 'pending' AND approve_after <= $1 AND needs_review = 0",
    )
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Approved commissions and clawbacks not yet paid out, with whether their
/// affiliate can be paid and where.
#[derive(Debug, Clone, FromRow)]
pub struct PayableRow {
    pub id: String,
    pub affiliate_id: String,
    pub currency: String,
    pub amount_minor: i64,
    pub payout_email: String,
    pub affiliate_status: String,
}

pub async fn payable(tx: &mut Tx) -> Result<Vec<PayableRow>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "SELECT c.id, c.affiliate_id, c.currency, c.amount_minor, a.payout_email, \
         a.status AS affiliate_status FROM affiliate_commissions c \
         JOIN affiliates a ON a.id = c.affiliate_id \
         WHERE c.status = 'approved' AND c.payout_id IS NULL ORDER BY c.paid_at, c.id",
    )
    .fetch_all(conn)
    .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Payout {
    pub id: String,
    pub affiliate_id: String,
    pub currency: String,
    pub period: String,
    pub amount_minor: i64,
    pub payout_email: String,
    pub created_at: i64,
}

/// A payout line; `None` when the affiliate already has one for this
/// currency and period (a second run).
pub async fn insert_payout(tx: &mut Tx, p: &Payout) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO affiliate_payouts (id, affiliate_id, currency, period, amount_minor, payout_email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (affiliate_id, currency, period) DO NOTHING",
    )
    .bind(&p.id)
    .bind(&p.affiliate_id)
    .bind(&p.currency)
    .bind(&p.period)
    .bind(p.amount_minor)
    .bind(&p.payout_email)
    .bind(p.created_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks an approved commission paid in `payout`; `false` if it was not
/// approved and unpaid any more.
pub async fn mark_paid(tx: &mut Tx, id: &str, payout: &str) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE affiliate_commissions SET status = 'paid', payout_id = $2 \
         WHERE id = $1 AND status = 'approved' AND payout_id IS NULL",
    )
    .bind(id)
    .bind(payout)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Payouts, newest first: one affiliate's or everyone's.
pub async fn payouts(db: &Db, affiliate: Option<&str>) -> Result<Vec<Payout>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, affiliate_id, currency, period, amount_minor, payout_email, created_at \
         FROM affiliate_payouts WHERE ($1 = '' OR affiliate_id = $1) ORDER BY period DESC, created_at DESC, id",
    )
    .bind(affiliate.unwrap_or(""))
    .fetch_all(pool)
    .await)?)
}

/// The commissions a payout paid.
pub async fn payout_commission_ids(db: &Db, payout: &str) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM affiliate_commissions WHERE payout_id = $1 ORDER BY paid_at, id",
    )
    .bind(payout)
    .fetch_all(pool)
    .await)?)
}

/// Counts an affiliate sees: counted clicks, sign-ups bound to them, and
/// referred athletes who paid.
pub async fn counts(db: &Db, affiliate: &str) -> Result<(i64, i64, i64), StoreError> {
    let clicks: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM referral_clicks WHERE affiliate_id = $1 AND counted = 1",
    )
    .bind(affiliate)
    .fetch_one(pool)
    .await)?;
    let signups: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM referrals WHERE affiliate_id = $1 AND via = 'signup'",
    )
    .bind(affiliate)
    .fetch_one(pool)
    .await)?;
    let conversions: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT athlete_id) FROM affiliate_commissions \
         WHERE affiliate_id = $1 AND kind = 'commission'",
    )
    .bind(affiliate)
    .fetch_one(pool)
    .await)?;
    Ok((clicks, signups, conversions))
}

/// A user's e-mail inside `tx` (self-referral checks at payment time).
pub async fn user_email(tx: &mut Tx, user: &str) -> Result<Option<String>, StoreError> {
    Ok(
        on_tx!(tx, conn => sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(conn)
        .await)?,
    )
}

/// The installation's secret called `name`: `candidate` the first time it
/// is asked for, the stored one ever after (every app server agrees).
pub async fn installation_secret(
    db: &Db,
    name: &str,
    candidate: &str,
    now: i64,
) -> Result<String, StoreError> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO installation_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(
        on_db!(db, pool => sqlx::query_scalar("SELECT value FROM installation_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await)?,
    )
}

/// When an affiliate's counted clicks, sign-ups and first conversions (one
/// per referred athlete) happened, since `since`: for the weekly chart.
pub async fn activity(
    db: &Db,
    affiliate: &str,
    since: i64,
) -> Result<(Vec<i64>, Vec<i64>, Vec<i64>), StoreError> {
    let clicks: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT clicked_at FROM referral_clicks WHERE affiliate_id = $1 AND counted = 1 AND clicked_at >= $2",
    )
    .bind(affiliate)
    .bind(since)
    .fetch_all(pool)
    .await)?;
    let signups: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT bound_at FROM referrals WHERE affiliate_id = $1 AND via = 'signup' AND bound_at >= $2",
    )
    .bind(affiliate)
    .bind(since)
    .fetch_all(pool)
    .await)?;
    let conversions: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(MIN(paid_at) AS BIGINT) FROM affiliate_commissions \
         WHERE affiliate_id = $1 AND kind = 'commission' GROUP BY athlete_id HAVING MIN(paid_at) >= $2",
    )
    .bind(affiliate)
    .bind(since)
    .fetch_all(pool)
    .await)?;
    Ok((clicks, signups, conversions))
}
