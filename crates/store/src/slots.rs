//! In-person coaching's tables: slots, the credits of in-person packages
//! and bookings. Places and credits only move by
//! conditional updates whose affected rows are checked (and CHECK
//! constraints stop anything past a limit), so two athletes racing for the
//! last place or the last credit cannot both have it, on either database.

use serde::Serialize;
use sqlx::FromRow;

use crate::{Db, StoreError, Tx, new_id, on_db, on_tx};

// ------------------------------------------------------------------ slots

/// A time a coach meets athletes in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Slot {
    pub id: String,
    pub coach_id: String,
    pub coach_name: String,
    /// Unix ms.
    pub starts_at: i64,
    pub duration_min: i64,
    pub location: String,
    pub capacity: i64,
    pub booked: i64,
    /// Raised by every booking and cancellation (the calendar's SEQUENCE).
    pub sequence: i64,
}

const SLOT_COLUMNS: &str = "s.id, s.coach_id, u.name AS coach_name, s.starts_at, s.duration_min, \
     s.location, s.capacity, s.booked, s.sequence";

#[derive(Debug, Clone)]
pub struct NewSlot<'a> {
    pub coach_id: &'a str,
    pub starts_at: i64,
    pub duration_min: i64,
    pub location: &'a str,
    pub capacity: i64,
}

pub async fn insert_slot(tx: &mut Tx, s: &NewSlot<'_>, now: i64) -> Result<Slot, StoreError> {
    let id = new_id();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO coach_slots (id, coach_id, starts_at, duration_min, location, capacity, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(s.coach_id)
    .bind(s.starts_at)
    .bind(s.duration_min)
    .bind(s.location)
    .bind(s.capacity)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_check)?;
    slot_in(tx, &id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("slot vanished".into()))
}

pub async fn slot_in(tx: &mut Tx, id: &str) -> Result<Option<Slot>, StoreError> {
    let sql = format!(
        "SELECT {SLOT_COLUMNS} FROM coach_slots s JOIN users u ON u.id = s.coach_id WHERE s.id = $1"
    );
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await)?,
    )
}

pub async fn slot(db: &Db, id: &str) -> Result<Option<Slot>, StoreError> {
    let sql = format!(
        "SELECT {SLOT_COLUMNS} FROM coach_slots s JOIN users u ON u.id = s.coach_id WHERE s.id = $1"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)?,
    )
}

/// A coach's slots that end after `from` (unix ms), soonest first.
pub async fn slots_of(db: &Db, coach_id: &str, from: i64) -> Result<Vec<Slot>, StoreError> {
    let sql = format!(
        "SELECT {SLOT_COLUMNS} FROM coach_slots s JOIN users u ON u.id = s.coach_id \
         WHERE s.coach_id = $1 AND s.starts_at + s.duration_min * 60000 > $2 \
         ORDER BY s.starts_at, s.id"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(coach_id).bind(from).fetch_all(pool).await)?,
    )
}

/// Takes one place if one is left; false when the slot is full.
pub async fn take_place(tx: &mut Tx, slot_id: &str) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE coach_slots SET booked = booked + 1, sequence = sequence + 1 \
         WHERE id = $1 AND booked < capacity",
    )
    .bind(slot_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_check)?;
    Ok(n == 1)
}

/// Gives a place back (a cancelled booking).
pub async fn give_place(tx: &mut Tx, slot_id: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE coach_slots SET booked = booked - 1, sequence = sequence + 1 \
         WHERE id = $1 AND booked > 0",
    )
    .bind(slot_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

// ---------------------------------------------------------------- credits

/// Makes the credit rows of every in-person package `athlete` owns that
/// has none yet (its sessions times the quantity ordered).
pub async fn open_credits(tx: &mut Tx, athlete: &str) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO session_credits (order_id, product_id, athlete_id, coach_id, granted, used) \
         SELECT e.order_id, e.product_id, e.athlete_id, p.coach_id, COALESCE(p.sessions, 0) * l.quantity, 0 \
         FROM entitlements e \
         JOIN products p ON p.id = e.product_id \
         JOIN order_lines l ON l.order_id = e.order_id AND l.product_id = e.product_id \
         WHERE e.athlete_id = $1 AND p.kind = 'coaching_package' \
         ON CONFLICT (order_id, product_id) DO NOTHING",
    )
    .bind(athlete)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Where a credit comes from: the package's entitlement.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CreditKey {
    pub order_id: String,
    pub product_id: String,
}

/// Packages with a credit left that `athlete` may spend with `coach` at
/// `now`, oldest first (the first bought is used up first).
pub async fn spendable(
    tx: &mut Tx,
    athlete: &str,
    coach: &str,
    now: i64,
) -> Result<Vec<CreditKey>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_as(
        "SELECT c.order_id, c.product_id FROM session_credits c \
         JOIN entitlements e ON e.order_id = c.order_id AND e.product_id = c.product_id \
         WHERE c.athlete_id = $1 AND (c.coach_id IS NULL OR c.coach_id = $2) \
           AND c.used < c.granted AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $3) \
         ORDER BY e.granted_at, c.order_id, c.product_id",
    )
    .bind(athlete)
    .bind(coach)
    .bind(now)
    .fetch_all(conn)
    .await)?)
}

/// Spends one credit of the package if one is left.
pub async fn spend(tx: &mut Tx, key: &CreditKey) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE session_credits SET used = used + 1 \
         WHERE order_id = $1 AND product_id = $2 AND used < granted",
    )
    .bind(&key.order_id)
    .bind(&key.product_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(StoreError::from_check)?;
    Ok(n == 1)
}

pub async fn refund_credit(tx: &mut Tx, key: &CreditKey) -> Result<(), StoreError> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE session_credits SET used = used - 1 WHERE order_id = $1 AND product_id = $2 AND used > 0",
    )
    .bind(&key.order_id)
    .bind(&key.product_id)
    .execute(conn)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Credits an athlete holds with one coach (or any coach).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Balance {
    pub coach_id: Option<String>,
    pub granted: i64,
    pub used: i64,
}

/// Credits left in `athlete`'s active packages, per coach. Packages never
/// booked with count in full (their rows are made at the first booking).
pub async fn balances(db: &Db, athlete: &str, now: i64) -> Result<Vec<Balance>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT p.coach_id, CAST(SUM(COALESCE(p.sessions, 0) * l.quantity) AS BIGINT) AS granted, \
                CAST(SUM(COALESCE(c.used, 0)) AS BIGINT) AS used \
         FROM entitlements e \
         JOIN products p ON p.id = e.product_id \
         JOIN order_lines l ON l.order_id = e.order_id AND l.product_id = e.product_id \
         LEFT JOIN session_credits c ON c.order_id = e.order_id AND c.product_id = e.product_id \
         WHERE e.athlete_id = $1 AND p.kind = 'coaching_package' \
           AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2) \
         GROUP BY p.coach_id ORDER BY p.coach_id",
    )
    .bind(athlete)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}

/// Coaches `athlete` holds an active in-person package with.
pub async fn package_coaches(db: &Db, athlete: &str, now: i64) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT p.coach_id FROM entitlements e JOIN products p ON p.id = e.product_id \
         WHERE e.athlete_id = $1 AND p.kind = 'coaching_package' AND p.coach_id IS NOT NULL \
           AND e.revoked_at IS NULL AND (e.ends_at IS NULL OR e.ends_at > $2) \
         ORDER BY p.coach_id",
    )
    .bind(athlete)
    .bind(now)
    .fetch_all(pool)
    .await)?)
}

// --------------------------------------------------------------- bookings

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Booking {
    pub id: String,
    pub slot_id: String,
    pub athlete_id: String,
    pub athlete_name: String,
    pub created_at: i64,
    pub cancelled_at: Option<i64>,
    #[serde(skip)]
    pub credit_order_id: String,
    #[serde(skip)]
    pub credit_product_id: String,
}

impl Booking {
    pub fn credit(&self) -> CreditKey {
        CreditKey {
            order_id: self.credit_order_id.clone(),
            product_id: self.credit_product_id.clone(),
        }
    }
}

const BOOKING_COLUMNS: &str = "b.id, b.slot_id, b.athlete_id, a.name AS athlete_name, b.created_at, \
     b.cancelled_at, b.credit_order_id, b.credit_product_id";

/// The live booking `athlete` holds on `slot`, if any.
pub async fn live_booking(
    tx: &mut Tx,
    slot_id: &str,
    athlete: &str,
) -> Result<Option<String>, StoreError> {
    Ok(on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM slot_bookings WHERE slot_id = $1 AND athlete_id = $2 AND cancelled_at IS NULL",
    )
    .bind(slot_id)
    .bind(athlete)
    .fetch_optional(conn)
    .await)?)
}

/// Records a booking; [`StoreError::Conflict`] when the athlete already
/// holds a live one on the slot.
pub async fn insert_booking(
    tx: &mut Tx,
    slot_id: &str,
    athlete: &str,
    credit: &CreditKey,
    now: i64,
) -> Result<String, StoreError> {
    let id = new_id();
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO slot_bookings (id, slot_id, athlete_id, credit_order_id, credit_product_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(slot_id)
    .bind(athlete)
    .bind(&credit.order_id)
    .bind(&credit.product_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|_| ()))
    .map_err(StoreError::from_insert)?;
    Ok(id)
}

/// A booking of `athlete`'s, live or cancelled.
pub async fn booking_in(
    tx: &mut Tx,
    id: &str,
    athlete: &str,
) -> Result<Option<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM slot_bookings b JOIN users a ON a.id = b.athlete_id \
         WHERE b.id = $1 AND b.athlete_id = $2"
    );
    Ok(
        on_tx!(tx, conn => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(athlete).fetch_optional(conn).await)?,
    )
}

/// Marks a live booking cancelled; false when it was cancelled already.
pub async fn cancel_booking(
    tx: &mut Tx,
    id: &str,
    credit_returned: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, conn => sqlx::query(
        "UPDATE slot_bookings SET cancelled_at = $2, credit_returned = $3 \
         WHERE id = $1 AND cancelled_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(i64::from(credit_returned))
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Live bookings on a coach's slots that end after `from`.
pub async fn bookings_on_slots_of(
    db: &Db,
    coach_id: &str,
    from: i64,
) -> Result<Vec<Booking>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} FROM slot_bookings b JOIN users a ON a.id = b.athlete_id \
         JOIN coach_slots s ON s.id = b.slot_id \
         WHERE s.coach_id = $1 AND b.cancelled_at IS NULL AND s.starts_at + s.duration_min * 60000 > $2 \
         ORDER BY s.starts_at, a.name, b.id"
    );
    Ok(
        on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(coach_id).bind(from).fetch_all(pool).await)?,
    )
}

/// An athlete's live bookings with their slots, for slots ending after
/// `from`, soonest first.
pub async fn bookings_of(
    db: &Db,
    athlete: &str,
    from: i64,
) -> Result<Vec<(Booking, Slot)>, StoreError> {
    let sql = format!(
        "SELECT {BOOKING_COLUMNS}, s.coach_id, u.name AS coach_name, s.starts_at, s.duration_min, \
         s.location, s.capacity, s.booked, s.sequence FROM slot_bookings b \
         JOIN users a ON a.id = b.athlete_id \
         JOIN coach_slots s ON s.id = b.slot_id JOIN users u ON u.id = s.coach_id \
         WHERE b.athlete_id = $1 AND b.cancelled_at IS NULL AND s.starts_at + s.duration_min * 60000 > $2 \
         ORDER BY s.starts_at, b.id"
    );
    let rows: Vec<BookedRow> = on_db!(db, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(athlete).bind(from).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(BookedRow::split).collect())
}

#[derive(FromRow)]
struct BookedRow {
    #[sqlx(flatten)]
    booking: Booking,
    #[sqlx(flatten)]
    slot: SlotPart,
}

/// The slot half of a joined row (its id is the booking's `slot_id`).
#[derive(FromRow)]
struct SlotPart {
    coach_id: String,
    coach_name: String,
    starts_at: i64,
    duration_min: i64,
    location: String,
    capacity: i64,
    booked: i64,
    sequence: i64,
}

impl BookedRow {
    fn split(self) -> (Booking, Slot) {
        let s = self.slot;
        let slot = Slot {
            id: self.booking.slot_id.clone(),
            coach_id: s.coach_id,
            coach_name: s.coach_name,
            starts_at: s.starts_at,
            duration_min: s.duration_min,
            location: s.location,
            capacity: s.capacity,
            booked: s.booked,
            sequence: s.sequence,
        };
        (self.booking, slot)
    }
}
