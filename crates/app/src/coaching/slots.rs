//! In-person sessions: a coach publishes slots, athletes with a package
//! (or access) see and book them with one credit each, and cancel. A place
//! and a credit are taken in the booking's transaction by conditional
//! updates (rows checked), so the last place and the last credit go to
//! exactly one request however many race for them.

use std::collections::HashMap;

use jiff::Timestamp;
use runcoach_core::plan::FieldError;
use runcoach_store::slots::{self as store, Booking, NewSlot, Slot};
use runcoach_store::users;
use runcoach_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

use super::CoachingError;
use super::seam::coached_by;
use crate::Actor;

/// Cancelling at least this long before the start gives the credit back.
pub const FREE_CANCEL_MS: i64 = 24 * 60 * 60 * 1000;
/// How far ahead a slot may be published.
const HORIZON_MS: i64 = 366 * 24 * 60 * 60 * 1000;
const MAX_LOCATION_CHARS: usize = 200;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    /// RFC 3339 with an offset, e.g. `2026-12-01T07:00:00Z`.
    pub starts_at: String,
    pub duration_min: i64,
    pub location: String,
    pub capacity: i64,
}

/// Who booked, as the slot's coach sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Attendee {
    pub booking_id: String,
    pub athlete_id: String,
    pub name: String,
}

/// A slot as its viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SlotView {
    pub id: String,
    pub coach_id: String,
    pub coach_name: String,
    pub starts_at: String,
    pub ends_at: String,
    #[serde(skip)]
    pub starts_at_ms: i64,
    pub duration_min: i64,
    pub location: String,
    pub capacity: i64,
    pub booked: i64,
    pub places_left: i64,
    #[serde(skip)]
    pub sequence: i64,
    /// The viewer's live booking on it.
    pub my_booking_id: Option<String>,
    /// Who booked: for the slot's coach only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendees: Option<Vec<Attendee>>,
}

fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl SlotView {
    fn of(s: Slot, my_booking_id: Option<String>, attendees: Option<Vec<Attendee>>) -> Self {
        SlotView {
            starts_at: rfc3339(s.starts_at),
            ends_at: rfc3339(s.starts_at + s.duration_min * 60_000),
            starts_at_ms: s.starts_at,
            places_left: (s.capacity - s.booked).max(0),
            id: s.id,
            coach_id: s.coach_id,
            coach_name: s.coach_name,
            duration_min: s.duration_min,
            location: s.location,
            capacity: s.capacity,
            booked: s.booked,
            sequence: s.sequence,
            my_booking_id,
            attendees,
        }
    }
}

fn check(input: &SlotInput, now: i64) -> Result<(i64, String), CoachingError> {
    let mut fields = Vec::new();
    let mut field = |field: &'static str, message: String| {
        fields.push(FieldError { field, message });
    };
    let starts_at = match input.starts_at.trim().parse::<Timestamp>() {
        Ok(t) if t.as_millisecond() <= now => {
            field("starts_at", format!("{t} has passed: choose a time ahead"));
            0
        }
        Ok(t) if t.as_millisecond() > now + HORIZON_MS => {
            field("starts_at", "at most a year ahead".into());
            0
        }
        Ok(t) => t.as_millisecond(),
        Err(_) => {
            field(
                "starts_at",
                format!(
                    "'{}' is not a time with an offset: expected e.g. 2026-12-01T07:00:00Z",
                    input.starts_at
                ),
            );
            0
        }
    };
    if !(5..=480).contains(&input.duration_min) {
        field("duration_min", "5 to 480 minutes".into());
    }
    let location = input.location.trim().to_owned();
    if location.is_empty() || location.chars().count() > MAX_LOCATION_CHARS {
        field(
            "location",
            format!("where to meet, 1 to {MAX_LOCATION_CHARS} characters"),
        );
    } else if location.chars().any(char::is_control) {
        field("location", "one line of text".into());
    }
    if !(1..=100).contains(&input.capacity) {
        field("capacity", "1 to 100 athletes".into());
    }
    if fields.is_empty() {
        Ok((starts_at, location))
    } else {
        Err(CoachingError::Invalid(fields))
    }
}

/// `POST /coach/slots`: a coach publishes a slot.
pub async fn publish(
    db: &Db,
    actor: &Actor,
    input: &SlotInput,
    now: i64,
) -> Result<SlotView, CoachingError> {
    if !actor.is_coach() {
        return Err(CoachingError::Forbidden(
            "only a coach publishes in-person slots",
        ));
    }
    let (starts_at, location) = check(input, now)?;
    let mut tx = db.begin().await?;
    let slot = store::insert_slot(
        &mut tx,
        &NewSlot {
            coach_id: &actor.user_id,
            starts_at,
            duration_min: input.duration_min,
            location: &location,
            capacity: input.capacity,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(SlotView::of(slot, None, Some(Vec::new())))
}

/// Whether `actor` may see `coach_id`'s slots: the coach, an admin, or an
/// athlete the coach works with. Anyone else is told there is nothing.
async fn may_see(db: &Db, actor: &Actor, coach_id: &str) -> Result<bool, StoreError> {
    Ok(actor.user_id == coach_id
        || actor.is_admin()
        || coached_by(db, &actor.user_id, coach_id).await?)
}

async fn is_coach(db: &Db, id: &str) -> Result<bool, StoreError> {
    Ok(users::by_id(db, id)
        .await?
        .is_some_and(|(u, _)| Actor::of(&u).is_coach()))
}

fn attendees(bookings: Vec<Booking>) -> HashMap<String, Vec<Attendee>> {
    let mut by_slot: HashMap<String, Vec<Attendee>> = HashMap::new();
    for b in bookings {
        by_slot.entry(b.slot_id).or_default().push(Attendee {
            booking_id: b.id,
            athlete_id: b.athlete_id,
            name: b.athlete_name,
        });
    }
    by_slot
}

/// `GET /coaches/{id}/slots`: the coach's slots that have not ended.
pub async fn list(
    db: &Db,
    actor: &Actor,
    coach_id: &str,
    now: i64,
) -> Result<Vec<SlotView>, CoachingError> {
    list_from(db, actor, coach_id, now).await
}

/// The coach's own slots on one day (`from`..`to`, unix ms), ended or
/// not: the coach's day view.
pub async fn day(
    db: &Db,
    actor: &Actor,
    from: i64,
    to: i64,
) -> Result<Vec<SlotView>, CoachingError> {
    let mut slots = list_from(db, actor, &actor.user_id, from).await?;
    slots.retain(|s| s.starts_at_ms < to);
    Ok(slots)
}

/// The coach's slots ending after `from`.
async fn list_from(
    db: &Db,
    actor: &Actor,
    coach_id: &str,
    from: i64,
) -> Result<Vec<SlotView>, CoachingError> {
    if !is_coach(db, coach_id).await? || !may_see(db, actor, coach_id).await? {
        return Err(CoachingError::NotFound);
    }
    let slots = store::slots_of(db, coach_id, from).await?;
    let mine: HashMap<String, String> = store::bookings_of(db, &actor.user_id, from)
        .await?
        .into_iter()
        .map(|(b, s)| (s.id, b.id))
        .collect();
    let mut who = if actor.user_id == coach_id || actor.is_admin() {
        Some(attendees(
            store::bookings_on_slots_of(db, coach_id, from).await?,
        ))
    } else {
        None
    };
    Ok(slots
        .into_iter()
        .map(|s| {
            let seen = who.as_mut().map(|w| w.remove(&s.id).unwrap_or_default());
            let my = mine.get(&s.id).cloned();
            SlotView::of(s, my, seen)
        })
        .collect())
}

/// A booking as the athlete sees it.
#[derive(Debug, Clone, Serialize)]
pub struct BookingView {
    pub id: String,
    pub slot: SlotView,
    pub created_at: String,
    /// Until when cancelling gives the credit back.
    pub free_cancel_until: String,
}

impl BookingView {
    fn of(b: Booking, slot: Slot) -> Self {
        let free_until = slot.starts_at - FREE_CANCEL_MS;
        BookingView {
            created_at: rfc3339(b.created_at),
            free_cancel_until: rfc3339(free_until),
            slot: SlotView::of(slot, Some(b.id.clone()), None),
            id: b.id,
        }
    }
}

/// `POST /slots/{id}/bookings`: one place and one credit, or nothing.
pub async fn book(
    db: &Db,
    actor: &Actor,
    slot_id: &str,
    now: i64,
) -> Result<BookingView, CoachingError> {
    // Who may book is read before the transaction, which then holds only
    // its own connection (on SQLite, the write lock).
    let slot = store::slot(db, slot_id)
        .await?
        .ok_or(CoachingError::NotFound)?;
    if !coached_by(db, &actor.user_id, &slot.coach_id).await? {
        return Err(CoachingError::NotFound);
    }
    if slot.starts_at <= now {
        return Err(CoachingError::Conflict(
            "slot_started",
            "this session has started; book a later one".into(),
        ));
    }
    let already = || {
        CoachingError::Conflict(
            "already_booked",
            "you have a place on this session already".into(),
        )
    };
    let mut tx = db.begin().await?;
    if store::live_booking(&mut tx, slot_id, &actor.user_id)
        .await?
        .is_some()
    {
        return Err(already());
    }
    if !store::take_place(&mut tx, slot_id).await? {
        return Err(CoachingError::Conflict(
            "slot_full",
            "every place on this session is taken".into(),
        ));
    }
    store::open_credits(&mut tx, &actor.user_id).await?;
    let mut credit = None;
    for key in store::spendable(&mut tx, &actor.user_id, &slot.coach_id, now).await? {
        if store::spend(&mut tx, &key).await? {
            credit = Some(key);
            break;
        }
    }
    let Some(credit) = credit else {
        return Err(CoachingError::PaymentRequired(
            "no_credit",
            "no in-person session is left in your packages; buy another package to book".into(),
        ));
    };
    let id = match store::insert_booking(&mut tx, slot_id, &actor.user_id, &credit, now).await {
        Ok(id) => id,
        Err(StoreError::Conflict) => return Err(already()),
        Err(e) => return Err(e.into()),
    };
    let booking = store::booking_in(&mut tx, &id, &actor.user_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("booking vanished".into()))?;
    let slot = store::slot_in(&mut tx, slot_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("slot vanished".into()))?;
    tx.commit().await?;
    Ok(BookingView::of(booking, slot))
}

#[derive(Debug, Clone, Serialize)]
pub struct Cancelled {
    pub id: String,
    pub cancelled_at: String,
    /// Whether the credit went back to the package (cancelled at least 24
    /// hours ahead).
    pub credit_returned: bool,
}

/// `DELETE /bookings/{id}`: the place goes back; the credit too when it is
/// at least 24 hours before the start.
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    booking_id: &str,
    now: i64,
) -> Result<Cancelled, CoachingError> {
    let mut tx = db.begin().await?;
    let booking = store::booking_in(&mut tx, booking_id, &actor.user_id)
        .await?
        .ok_or(CoachingError::NotFound)?;
    let gone = || {
        CoachingError::Conflict(
            "already_cancelled",
            "this booking is cancelled already".into(),
        )
    };
    if booking.cancelled_at.is_some() {
        return Err(gone());
    }
    let slot = store::slot_in(&mut tx, &booking.slot_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("booking without its slot".into()))?;
    if slot.starts_at <= now {
        return Err(CoachingError::Conflict(
            "slot_started",
            "this session has started; it can no longer be cancelled".into(),
        ));
    }
    let returned = slot.starts_at - now >= FREE_CANCEL_MS;
    if !store::cancel_booking(&mut tx, booking_id, returned, now).await? {
        return Err(gone());
    }
    store::give_place(&mut tx, &slot.id).await?;
    if returned {
        store::refund_credit(&mut tx, &booking.credit()).await?;
    }
    tx.commit().await?;
    Ok(Cancelled {
        id: booking.id,
        cancelled_at: rfc3339(now),
        credit_returned: returned,
    })
}

/// The actor's live bookings on slots that have not ended.
pub async fn my_bookings(
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<BookingView>, CoachingError> {
    Ok(store::bookings_of(db, &actor.user_id, now)
        .await?
        .into_iter()
        .map(|(b, s)| BookingView::of(b, s))
        .collect())
}

/// Credits left per coach, for the booking page.
#[derive(Debug, Clone, Serialize)]
pub struct Credits {
    pub coach_id: Option<String>,
    pub coach_name: Option<String>,
    pub left: i64,
    pub granted: i64,
}

pub async fn credits(db: &Db, actor: &Actor, now: i64) -> Result<Vec<Credits>, CoachingError> {
    let mut out = Vec::new();
    for b in store::balances(db, &actor.user_id, now).await? {
        let coach_name = match &b.coach_id {
            Some(id) => users::by_id(db, id).await?.map(|(u, _)| u.name),
            None => None,
        };
        out.push(Credits {
            left: (b.granted - b.used).max(0),
            granted: b.granted,
            coach_id: b.coach_id,
            coach_name,
        });
    }
    Ok(out)
}

/// Slots of every coach the athlete has a package with, for the booking
/// page.
pub async fn bookable(db: &Db, actor: &Actor, now: i64) -> Result<Vec<SlotView>, CoachingError> {
    let mut all = Vec::new();
    for coach in store::package_coaches(db, &actor.user_id, now).await? {
        all.extend(list(db, actor, &coach, now).await?);
    }
    all.sort_by_key(|s| s.starts_at_ms);
    Ok(all)
}

/// An in-person session on someone's calendar.
#[derive(Debug, Clone)]
pub struct CalendarSession {
    /// Stable across feeds and regenerations.
    pub uid: String,
    pub sequence: i64,
    pub starts_at_ms: i64,
    pub duration_min: i64,
    pub location: String,
    pub summary: String,
    pub description: String,
}

/// In-person sessions for `user_id`'s calendar feed: the athlete's
/// bookings, and for a coach the slots someone booked, with who.
pub async fn calendar(
    db: &Db,
    user_id: &str,
    coach: bool,
    now: i64,
) -> Result<Vec<CalendarSession>, StoreError> {
    // A week back, so a session just had stays on the calendar.
    let from = now - 7 * 24 * 60 * 60 * 1000;
    let mut out: Vec<CalendarSession> = store::bookings_of(db, user_id, from)
        .await?
        .into_iter()
        .map(|(b, s)| CalendarSession {
            uid: format!("booking-{}", b.id),
            sequence: 0,
            starts_at_ms: s.starts_at,
            duration_min: s.duration_min,
            summary: format!("In-person session with {}", s.coach_name),
            description: format!("Booked with runcoach. Meet at {}.", s.location),
            location: s.location,
        })
        .collect();
    if coach {
        let mut who = attendees(store::bookings_on_slots_of(db, user_id, from).await?);
        for s in store::slots_of(db, user_id, from).await? {
            let Some(people) = who.remove(&s.id) else {
                continue;
            };
            let names: Vec<&str> = people.iter().map(|a| a.name.as_str()).collect();
            out.push(CalendarSession {
                uid: format!("slot-{}", s.id),
                sequence: s.sequence,
                starts_at_ms: s.starts_at,
                duration_min: s.duration_min,
                summary: format!("In-person session ({}/{} booked)", s.booked, s.capacity),
                description: format!("Booked: {}", names.join(", ")),
                location: s.location,
            });
        }
    }
    out.sort_by_key(|c| c.starts_at_ms);
    Ok(out)
}
