//! The shop's tables: products, coupons and their use counters, orders
//! with their lines, payments, provider events and entitlements. Writes
//! take a [`Tx`] so a use-case (place an order, handle a webhook) is one
//! unit of work; limits are enforced here by conditional updates whose
//! affected-row counts are checked, on both databases alike.

use runcoach_core::shop::{
    Coupon, CouponUsage, CouponUse, Discount, OrderStatus, PaymentState, ProductKind, QuoteLine,
};
use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, Tx, new_id, on_db, on_tx};

fn list(csv: &str) -> Vec<String> {
    csv.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("unknown {what} '{value}'"))
}

// ---------------------------------------------------------------- products

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: ProductKind,
    pub price_minor: i64,
    pub currency: String,
    pub active: bool,
    /// Race distances a training plan unlocks.
    pub races: Vec<String>,
    pub coach_id: Option<String>,
    /// In-person sessions in a coaching package.
    pub sessions: Option<i64>,
}

#[derive(FromRow)]
struct ProductRow {
    id: String,
    slug: String,
    name: String,
    description: String,
    kind: String,
    price_minor: i64,
    currency: String,
    active: i64,
    races: String,
    coach_id: Option<String>,
    sessions: Option<i64>,
}

impl TryFrom<ProductRow> for Product {
    type Error = StoreError;
    fn try_from(r: ProductRow) -> Result<Self, StoreError> {
        Ok(Product {
            kind: ProductKind::parse(&r.kind).ok_or_else(|| corrupt("product kind", &r.kind))?,
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            price_minor: r.price_minor,
            currency: r.currency,
            active: r.active != 0,
            races: list(&r.races),
            coach_id: r.coach_id,
            sessions: r.sessions,
        })
    }
}

const PRODUCT_COLUMNS: &str =
    "id, slug, name, description, kind, price_minor, currency, active, races, coach_id, sessions";

/// A product as an admin defines it (the id is made here).
#[derive(Debug, Clone)]
pub struct NewProduct {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: ProductKind,
    pub price_minor: i64,
    pub currency: String,
    pub races: Vec<String>,
    pub coach_id: Option<String>,
    pub sessions: Option<i64>,
}

pub async fn insert_product(tx: &mut Tx, p: &NewProduct, now: i64) -> Result<Product, StoreError> {
    let id = new_id();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO products (id, slug, name, description, kind, price_minor, currency, active, \
         races, coach_id, sessions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&p.slug)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.kind.as_str())
    .bind(p.price_minor)
    .bind(&p.currency)
    .bind(p.races.join(","))
    .bind(&p.coach_id)
    .bind(p.sessions)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    product_in(tx, &id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("product vanished".into()))
}

/// Changes to a product; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_minor: Option<i64>,
    pub active: Option<bool>,
    pub races: Option<Vec<String>>,
}

pub async fn update_product(
    tx: &mut Tx,
    id: &str,
    patch: &ProductPatch,
) -> Result<Option<Product>, StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE products SET name = COALESCE($2, name), description = COALESCE($3, description), \
         price_minor = COALESCE($4, price_minor), active = COALESCE($5, active), \
         races = COALESCE($6, races) WHERE id = $1",
    )
    .bind(id)
    .bind(&patch.name)
    .bind(&patch.description)
    .bind(patch.price_minor)
    .bind(patch.active.map(i64::from))
    .bind(patch.races.as_ref().map(|r| r.join(",")))
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    product_in(tx, id).await
}

async fn product_in(tx: &mut Tx, id: &str) -> Result<Option<Product>, StoreError> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = $1");
    let row: Option<ProductRow> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await)?;
    row.map(Product::try_from).transpose()
}

/// The catalogue, active products only unless `all`.
pub async fn products(db: &Db, all: bool) -> Result<Vec<Product>, StoreError> {
    let sql = format!(
        "SELECT {PRODUCT_COLUMNS} FROM products WHERE active = 1 OR $1 = 1 ORDER BY kind, price_minor, slug"
    );
    let rows: Vec<ProductRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(i64::from(all)).fetch_all(pool).await)?;
    rows.into_iter().map(Product::try_from).collect()
}

/// Products by id, as they stand inside `tx` (prices are read where the
/// order is placed, never from the client).
pub async fn products_by_id(tx: &mut Tx, ids: &[String]) -> Result<Vec<Product>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(p) = product_in(tx, id).await? {
            found.push(p);
        }
    }
    Ok(found)
}

pub async fn product_by_slug(db: &Db, slug: &str) -> Result<Option<Product>, StoreError> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE slug = $1");
    let row: Option<ProductRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(pool).await)?;
    row.map(Product::try_from).transpose()
}

// ----------------------------------------------------------------- coupons

/// A coupon with its id and how often it is in use.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCoupon {
    pub id: String,
    pub coupon: Coupon,
    /// Reserved and confirmed uses by everyone.
    pub uses: i64,
}

#[derive(FromRow)]
struct CouponRow {
    id: String,
    code: String,
    percent_off_bps: Option<i64>,
    amount_off_minor: Option<i64>,
    currency: Option<String>,
    starts_at: i64,
    expires_at: i64,
    max_redemptions: Option<i64>,
    per_athlete_limit: Option<i64>,
    min_subtotal_minor: Option<i64>,
    first_order_only: i64,
    applies_to: String,
    athlete_id: Option<String>,
    active: i64,
    uses: i64,
}

const COUPON_COLUMNS: &str = "id, code, percent_off_bps, amount_off_minor, currency, starts_at, \
    expires_at, max_redemptions, per_athlete_limit, min_subtotal_minor, first_order_only, \
    applies_to, athlete_id, active, uses";

impl TryFrom<CouponRow> for StoredCoupon {
    type Error = StoreError;
    fn try_from(r: CouponRow) -> Result<Self, StoreError> {
        let discount = match (r.percent_off_bps, r.amount_off_minor, r.currency) {
            (Some(bps), None, _) => Discount::Percent {
                percent_off_bps: bps,
            },
            (None, Some(amount), Some(currency)) => Discount::Amount {
                amount_off_minor: amount,
                currency,
            },
            _ => return Err(corrupt("coupon discount of", &r.code)),
        };
        let applies_to = list(&r.applies_to)
            .iter()
            .map(|k| ProductKind::parse(k).ok_or_else(|| corrupt("product kind", k)))
            .collect::<Result<_, _>>()?;
        Ok(StoredCoupon {
            id: r.id,
            uses: r.uses,
            coupon: Coupon {
                code: r.code,
                discount,
                starts_at: r.starts_at,
                expires_at: r.expires_at,
                max_redemptions: r.max_redemptions,
                per_athlete_limit: r.per_athlete_limit,
                min_subtotal_minor: r.min_subtotal_minor,
                first_order_only: r.first_order_only != 0,
                applies_to,
                athlete_id: r.athlete_id,
                active: r.active != 0,
            },
        })
    }
}

pub async fn insert_coupon(tx: &mut Tx, c: &Coupon, now: i64) -> Result<StoredCoupon, StoreError> {
    let id = new_id();
    let (bps, amount, currency) = match &c.discount {
        Discount::Percent { percent_off_bps } => (Some(*percent_off_bps), None, None),
        Discount::Amount {
            amount_off_minor,
            currency,
        } => (None, Some(*amount_off_minor), Some(currency.clone())),
    };
    let kinds: Vec<&str> = c.applies_to.iter().map(|k| k.as_str()).collect();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO coupons (id, code, percent_off_bps, amount_off_minor, currency, starts_at, \
         expires_at, max_redemptions, per_athlete_limit, min_subtotal_minor, first_order_only, \
         applies_to, athlete_id, active, uses, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15)",
    )
    .bind(&id)
    .bind(&c.code)
    .bind(bps)
    .bind(amount)
    .bind(currency)
    .bind(c.starts_at)
    .bind(c.expires_at)
    .bind(c.max_redemptions)
    .bind(c.per_athlete_limit)
    .bind(c.min_subtotal_minor)
    .bind(i64::from(c.first_order_only))
    .bind(kinds.join(","))
    .bind(&c.athlete_id)
    .bind(i64::from(c.active))
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(StoredCoupon {
        id,
        coupon: c.clone(),
        uses: 0,
    })
}

/// The coupon with this canonical code, as it stands inside `tx`.
pub async fn coupon_by_code(tx: &mut Tx, code: &str) -> Result<Option<StoredCoupon>, StoreError> {
    let sql = format!("SELECT {COUPON_COLUMNS} FROM coupons WHERE code = $1");
    let row: Option<CouponRow> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(conn).await)?;
    row.map(StoredCoupon::try_from).transpose()
}

/// Every coupon with its reserved and confirmed use counts, for admins.
pub async fn coupons(db: &Db) -> Result<Vec<(StoredCoupon, i64, i64)>, StoreError> {
    let sql = format!("SELECT {COUPON_COLUMNS} FROM coupons ORDER BY created_at DESC");
    let rows: Vec<CouponRow> =
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)?;
    let counts: Vec<(String, String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT coupon_id, coupon_use, COUNT(*) FROM orders WHERE coupon_id IS NOT NULL \
         GROUP BY coupon_id, coupon_use",
    )
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| {
            let c = StoredCoupon::try_from(r)?;
            let count = |state: &str| {
                counts
                    .iter()
                    .filter(|(id, s, _)| *id == c.id && s == state)
                    .map(|(_, _, n)| *n)
                    .sum()
            };
            let (reserved, confirmed) = (count("reserved"), count("confirmed"));
            Ok((c, reserved, confirmed))
        })
        .collect()
}

/// Changes to a coupon; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CouponPatch {
    pub active: Option<bool>,
    pub expires_at: Option<i64>,
    pub max_redemptions: Option<i64>,
}

/// Applies `patch`; `Ok(false)` when no such coupon. Lowering
/// `max_redemptions` below the uses already made is refused by the table.
pub async fn update_coupon(tx: &mut Tx, id: &str, patch: &CouponPatch) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE coupons SET active = COALESCE($2, active), expires_at = COALESCE($3, expires_at), \
         max_redemptions = COALESCE($4, max_redemptions) WHERE id = $1",
    )
    .bind(id)
    .bind(patch.active.map(i64::from))
    .bind(patch.expires_at)
    .bind(patch.max_redemptions)
    .execute(conn)
    .await.map(|r| r.rows_affected()))
    .map_err(StoreError::from_check)?;
    Ok(done == 1)
}

/// How much `coupon_id` is in use overall and by `athlete`.
pub async fn coupon_usage(
    tx: &mut Tx,
    coupon: &StoredCoupon,
    athlete: Option<&str>,
) -> Result<CouponUsage, StoreError> {
    let Some(athlete) = athlete else {
        return Ok(CouponUsage {
            total: coupon.uses,
            ..CouponUsage::default()
        });
    };
    let by_athlete: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT uses FROM coupon_athlete_uses WHERE coupon_id = $1 AND athlete_id = $2",
    )
    .bind(&coupon.id)
    .bind(athlete)
    .fetch_optional(conn)
    .await)?;
    Ok(CouponUsage {
        total: coupon.uses,
        by_athlete: by_athlete.unwrap_or(0),
        athlete_has_paid_order: has_paid_order(tx, athlete).await?,
    })
}

async fn has_paid_order(tx: &mut Tx, athlete: &str) -> Result<bool, StoreError> {
    let n: i64 = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE athlete_id = $1 AND paid_at IS NOT NULL",
    )
    .bind(athlete)
    .fetch_one(conn)
    .await)?;
    Ok(n > 0)
}

/// Why a use could not be reserved: the limit that was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseRefused {
    /// The coupon's `max_redemptions`.
    Global,
    /// The athlete's `per_athlete_limit`.
    Athlete,
}

/// Takes one use of the coupon for `athlete`, if both limits allow: each
/// counter moves only by an update conditioned on being below its limit,
/// and the rows it touched are checked.
pub async fn reserve_use(
    tx: &mut Tx,
    coupon: &StoredCoupon,
    athlete: &str,
) -> Result<Result<(), UseRefused>, StoreError> {
    let global = on_tx!(tx, conn => sqlx::query(
        "UPDATE coupons SET uses = uses + 1 \
         WHERE id = $1 AND (max_redemptions IS NULL OR uses < max_redemptions)",
    )
    .bind(&coupon.id)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    if global != 1 {
        return Ok(Err(UseRefused::Global));
    }
    let limit = coupon.coupon.per_athlete_limit.unwrap_or(i64::MAX);
    let mine = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO coupon_athlete_uses (coupon_id, athlete_id, uses) VALUES ($1, $2, 1) \
         ON CONFLICT (coupon_id, athlete_id) DO UPDATE SET uses = coupon_athlete_uses.uses + 1 \
         WHERE coupon_athlete_uses.uses < $3",
    )
    .bind(&coupon.id)
    .bind(athlete)
    .bind(limit)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    // The caller rolls the transaction back, undoing the global count too.
    Ok(if mine == 1 {
        Ok(())
    } else {
        Err(UseRefused::Athlete)
    })
}

/// Gives a reserved use back (payment failed, order cancelled or expired).
pub async fn release_use(tx: &mut Tx, coupon_id: &str, athlete: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE coupons SET uses = uses - 1 WHERE id = $1 AND uses > 0")
        .bind(coupon_id)
        .execute(conn)
        .await.map(|r| r.rows_affected()))?;
    on_tx!(tx, conn => sqlx::query(
        "UPDATE coupon_athlete_uses SET uses = uses - 1 \
         WHERE coupon_id = $1 AND athlete_id = $2 AND uses > 0",
    )
    .bind(coupon_id)
    .bind(athlete)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

// ------------------------------------------------------------------ orders

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: String,
    pub athlete_id: String,
    pub status: OrderStatus,
    pub currency: String,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub refunded_minor: i64,
    #[serde(skip)]
    pub disputed_minor: i64,
    pub coupon: Option<String>,
    /// The buyer's e-mail, on the admins' lists only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athlete_email: Option<String>,
    #[serde(skip)]
    pub coupon_id: Option<String>,
    pub checkout_url: Option<String>,
    #[serde(skip)]
    pub checkout_ref: Option<String>,
    /// Unix ms after which an unpaid order is released.
    #[serde(skip)]
    pub expires_at: i64,
    #[serde(skip)]
    pub created_at: i64,
    #[serde(skip)]
    pub paid_at: Option<i64>,
    pub lines: Vec<QuoteLine>,
}

impl Order {
    pub fn payment_state(&self) -> PaymentState {
        PaymentState {
            status: self.status,
            total_minor: self.total_minor,
            refunded_minor: self.refunded_minor,
            disputed_minor: self.disputed_minor,
        }
    }
}

#[derive(FromRow)]
struct OrderRow {
    id: String,
    athlete_id: String,
    status: String,
    currency: String,
    subtotal_minor: i64,
    discount_minor: i64,
    total_minor: i64,
    refunded_minor: i64,
    disputed_minor: i64,
    coupon_id: Option<String>,
    coupon_code: Option<String>,
    checkout_ref: Option<String>,
    checkout_url: Option<String>,
    expires_at: i64,
    created_at: i64,
    paid_at: Option<i64>,
}

#[derive(FromRow)]
struct LineRow {
    order_id: String,
    product_id: String,
    quantity: i64,
    unit_minor: i64,
    discount_minor: i64,
    total_minor: i64,
}

const ORDER_COLUMNS: &str = "id, athlete_id, status, currency, subtotal_minor, discount_minor, \
    total_minor, refunded_minor, disputed_minor, coupon_id, coupon_code, checkout_ref, \
    checkout_url, expires_at, created_at, paid_at";

fn assemble(rows: Vec<OrderRow>, lines: Vec<LineRow>) -> Result<Vec<Order>, StoreError> {
    rows.into_iter()
        .map(|r| {
            Ok(Order {
                status: OrderStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("order status", &r.status))?,
                lines: lines
                    .iter()
                    .filter(|l| l.order_id == r.id)
                    .map(|l| QuoteLine {
                        product_id: l.product_id.clone(),
                        quantity: l.quantity,
                        unit_minor: l.unit_minor,
                        discount_minor: l.discount_minor,
                        total_minor: l.total_minor,
                    })
                    .collect(),
                id: r.id,
                athlete_id: r.athlete_id,
                currency: r.currency,
                subtotal_minor: r.subtotal_minor,
                discount_minor: r.discount_minor,
                total_minor: r.total_minor,
                refunded_minor: r.refunded_minor,
                disputed_minor: r.disputed_minor,
                coupon: r.coupon_code,
                athlete_email: None,
                coupon_id: r.coupon_id,
                checkout_url: r.checkout_url,
                checkout_ref: r.checkout_ref,
                expires_at: r.expires_at,
                created_at: r.created_at,
                paid_at: r.paid_at,
            })
        })
        .collect()
}

/// An order about to be placed: frozen totals and lines.
#[derive(Debug, Clone)]
pub struct NewOrder<'a> {
    pub athlete_id: &'a str,
    pub state: PaymentState,
    pub currency: &'a str,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub coupon: Option<&'a StoredCoupon>,
    pub lines: &'a [QuoteLine],
    pub expires_at: i64,
    pub now: i64,
}

pub async fn insert_order(tx: &mut Tx, o: &NewOrder<'_>) -> Result<Order, StoreError> {
    let id = new_id();
    let coupon_use = o.coupon.map(|_| o.state.status.coupon_use().as_str());
    let paid_at = o.state.status.was_paid().then_some(o.now);
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO orders (id, athlete_id, status, currency, subtotal_minor, discount_minor, \
         total_minor, coupon_id, coupon_code, coupon_use, expires_at, created_at, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&id)
    .bind(o.athlete_id)
    .bind(o.state.status.as_str())
    .bind(o.currency)
    .bind(o.subtotal_minor)
    .bind(o.discount_minor)
    .bind(o.state.total_minor)
    .bind(o.coupon.map(|c| c.id.as_str()))
    .bind(o.coupon.map(|c| c.coupon.code.as_str()))
    .bind(coupon_use)
    .bind(o.expires_at)
    .bind(o.now)
    .bind(paid_at)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    for (no, l) in o.lines.iter().enumerate() {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_minor, \
             discount_minor, total_minor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(no as i64)
        .bind(&l.product_id)
        .bind(l.quantity)
        .bind(l.unit_minor)
        .bind(l.discount_minor)
        .bind(l.total_minor)
        .execute(conn)
        .await.map(|r| r.rows_affected()))?;
    }
    order_in(tx, &id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("order vanished".into()))
}

/// The order inside `tx`, locked against concurrent changes on PostgreSQL
/// (SQLite's write transaction already excludes other writers).
pub async fn order_in(tx: &mut Tx, id: &str) -> Result<Option<Order>, StoreError> {
    let lock = if matches!(tx, Tx::Postgres(_)) {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = $1{lock}");
    let rows: Vec<OrderRow> = on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(conn).await)?;
    let lines: Vec<LineRow> = on_tx!(tx, conn => sqlx::query_as(
        "SELECT order_id, product_id, quantity, unit_minor, discount_minor, total_minor \
         FROM order_lines WHERE order_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(conn)
    .await)?;
    Ok(assemble(rows, lines)?.pop())
}

/// One athlete's orders, newest first.
pub async fn orders_of(db: &Db, athlete: &str) -> Result<Vec<Order>, StoreError> {
    orders_where(db, "athlete_id = $1", athlete).await
}

/// An athlete's order, or `None` if it is not theirs.
pub async fn order_of(db: &Db, athlete: &str, id: &str) -> Result<Option<Order>, StoreError> {
    Ok(orders_of(db, athlete)
        .await?
        .into_iter()
        .find(|o| o.id == id))
}

/// Orders in a status (every order for `None`), newest first, with the
/// buyer's e-mail, for admins.
pub async fn orders_by_status(
    db: &Db,
    status: Option<OrderStatus>,
) -> Result<Vec<Order>, StoreError> {
    let mut orders = match status {
        Some(s) => orders_where(db, "status = $1", s.as_str()).await?,
        None => orders_where(db, "$1 = $1", "").await?,
    };
    let emails: Vec<(String, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT DISTINCT u.id, u.email FROM users u JOIN orders o ON o.athlete_id = u.id",
    )
    .fetch_all(pool)
    .await)?;
    for o in &mut orders {
        o.athlete_email = emails
            .iter()
            .find(|(id, _)| *id == o.athlete_id)
            .map(|(_, e)| e.clone());
    }
    Ok(orders)
}

async fn orders_where(db: &Db, filter: &str, value: &str) -> Result<Vec<Order>, StoreError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE {filter} ORDER BY created_at DESC, id DESC LIMIT 500"
    );
    let lines_sql = format!(
        "SELECT order_id, product_id, quantity, unit_minor, discount_minor, total_minor \
         FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE {filter}) \
         ORDER BY order_id, line_no"
    );
    let rows: Vec<OrderRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(value).fetch_all(pool).await)?;
    let lines: Vec<LineRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(lines_sql)).bind(value).fetch_all(pool).await)?;
    assemble(rows, lines)
}

/// Stores an order's new payment state and what its coupon use counts as.
pub async fn save_state(
    tx: &mut Tx,
    order: &Order,
    state: PaymentState,
    coupon_use: CouponUse,
    now: i64,
) -> Result<(), StoreError> {
    let coupon_use = order.coupon_id.as_ref().map(|_| coupon_use.as_str());
    let paid_at = order.paid_at.or(state.status.was_paid().then_some(now));
    on_tx!(tx, conn => sqlx::query(
        "UPDATE orders SET status = $2, refunded_minor = $3, disputed_minor = $4, \
         coupon_use = $5, paid_at = $6 WHERE id = $1",
    )
    .bind(&order.id)
    .bind(state.status.as_str())
    .bind(state.refunded_minor)
    .bind(state.disputed_minor)
    .bind(coupon_use)
    .bind(paid_at)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Where the runner pays: the provider's session id and URL.
pub async fn set_checkout(
    tx: &mut Tx,
    order_id: &str,
    reference: &str,
    url: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE orders SET checkout_ref = $2, checkout_url = $3 WHERE id = $1")
        .bind(order_id)
        .bind(reference)
        .bind(url)
        .execute(conn)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Unpaid orders past their time, oldest first; `athlete` narrows it.
pub async fn overdue_orders(
    tx: &mut Tx,
    now: i64,
    athlete: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM orders WHERE status = 'pending_payment' AND expires_at <= $1 \
         AND ($2 = '' OR athlete_id = $2) ORDER BY expires_at LIMIT 200",
    )
    .bind(now)
    .bind(athlete.unwrap_or(""))
    .fetch_all(conn)
    .await)?)
}

/// The order a provider's payment reference (e.g. a PaymentIntent) paid.
pub async fn order_for_payment(
    tx: &mut Tx,
    provider: &str,
    reference: &str,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT order_id FROM payments WHERE provider = $1 AND provider_ref = $2 AND kind = 'payment'",
    )
    .bind(provider)
    .bind(reference)
    .fetch_optional(conn)
    .await)?)
}

// ---------------------------------------------------------------- payments

/// The provider's reference of an order's payment (e.g. Stripe's
/// PaymentIntent), to refund it there.
pub async fn payment_ref(
    tx: &mut Tx,
    order_id: &str,
    provider: &str,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT provider_ref FROM payments WHERE order_id = $1 AND provider = $2 AND kind = 'payment' \
         ORDER BY created_at LIMIT 1",
    )
    .bind(order_id)
    .bind(provider)
    .fetch_optional(conn)
    .await)?)
}

/// A payment or refund as the provider reported it.
#[derive(Debug, Clone)]
pub struct NewPayment<'a> {
    pub order_id: &'a str,
    pub provider: &'a str,
    pub provider_ref: &'a str,
    pub refund: bool,
    pub amount_minor: i64,
    pub currency: &'a str,
}

/// A recorded payment or refund.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct Payment {
    pub id: String,
    pub order_id: String,
    pub provider: String,
    pub provider_ref: String,
    pub kind: String,
    pub amount_minor: i64,
    pub currency: String,
    pub created_at: i64,
}

/// An order's payments and refunds, oldest first (renewals of a
/// subscription are one payment each; commissions will refer to them).
pub async fn payments(db: &Db, order_id: &str) -> Result<Vec<Payment>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT id, order_id, provider, provider_ref, kind, amount_minor, currency, created_at \
         FROM payments WHERE order_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(pool)
    .await)?)
}

/// Records a payment once per provider reference; `false` if it was
/// already there.
pub async fn record_payment(tx: &mut Tx, p: &NewPayment<'_>, now: i64) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO payments (id, order_id, provider, provider_ref, kind, amount_minor, currency, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, kind, provider_ref) DO NOTHING",
    )
    .bind(new_id())
    .bind(p.order_id)
    .bind(p.provider)
    .bind(p.provider_ref)
    .bind(if p.refund { "refund" } else { "payment" })
    .bind(p.amount_minor)
    .bind(p.currency)
    .bind(now)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks a provider event handled; `false` if it had been already (the
/// caller then does nothing). Concurrent duplicates wait on the key.
pub async fn record_event(
    tx: &mut Tx,
    provider: &str,
    event_id: &str,
    kind: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO webhook_events (provider, event_id, type, received_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (provider, event_id) DO NOTHING",
    )
    .bind(provider)
    .bind(event_id)
    .bind(kind)
    .bind(now)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

// ------------------------------------------------------------ entitlements

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entitlement {
    pub product_id: String,
    pub slug: String,
    pub kind: ProductKind,
    pub order_id: String,
    pub granted_at: i64,
    pub ends_at: Option<i64>,
    pub active: bool,
    #[serde(skip)]
    pub races: Vec<String>,
}

/// Unlocks every product of `order` for its athlete (again, if it had been
/// revoked); `ends_at` for subscriptions.
pub async fn grant(
    tx: &mut Tx,
    order: &Order,
    ends_at: Option<i64>,
    now: i64,
) -> Result<(), StoreError> {
    for line in &order.lines {
        on_tx!(tx, conn => sqlx::query(
            "INSERT INTO entitlements (athlete_id, product_id, order_id, granted_at, ends_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id, product_id) \
             DO UPDATE SET revoked_at = NULL, ends_at = COALESCE($5, entitlements.ends_at)",
        )
        .bind(&order.athlete_id)
        .bind(&line.product_id)
        .bind(&order.id)
        .bind(now)
        .bind(ends_at)
        .execute(conn)
        .await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Moves the end of what `order` unlocked (a subscription renewed or
/// cancelled at its period's end).
pub async fn set_entitlement_end(
    tx: &mut Tx,
    order_id: &str,
    ends_at: i64,
) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query("UPDATE entitlements SET ends_at = $2 WHERE order_id = $1")
        .bind(order_id)
        .bind(ends_at)
        .execute(conn)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Takes away what `order` unlocked (plans made already stay).
pub async fn revoke(tx: &mut Tx, order_id: &str, now: i64) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE entitlements SET revoked_at = $2 WHERE order_id = $1 AND revoked_at IS NULL",
    )
    .bind(order_id)
    .bind(now)
    .execute(conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(FromRow)]
struct EntitlementRow {
    product_id: String,
    slug: String,
    kind: String,
    races: String,
    order_id: String,
    granted_at: i64,
    ends_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// What an athlete has bought, active or not, newest first.
pub async fn entitlements(
    db: &Db,
    athlete: &str,
    now: i64,
) -> Result<Vec<Entitlement>, StoreError> {
    let rows: Vec<EntitlementRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT e.product_id, p.slug, p.kind, p.races, e.order_id, e.granted_at, e.ends_at, e.revoked_at \
         FROM entitlements e JOIN products p ON p.id = e.product_id \
         WHERE e.athlete_id = $1 ORDER BY e.granted_at DESC",
    )
    .bind(athlete)
    .fetch_all(pool)
    .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Entitlement {
                kind: ProductKind::parse(&r.kind)
                    .ok_or_else(|| corrupt("product kind", &r.kind))?,
                active: r.revoked_at.is_none() && r.ends_at.is_none_or(|end| now < end),
                product_id: r.product_id,
                slug: r.slug,
                races: list(&r.races),
                order_id: r.order_id,
                granted_at: r.granted_at,
                ends_at: r.ends_at,
            })
        })
        .collect()
}
