//! In-person coaching's JSON API: slots and bookings. Extract, call
//! `runcoach_app::coaching::slots`, render.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use runcoach_app::Actor;
use runcoach_app::coaching::slots::{self, BookingView, Cancelled, Credits, SlotInput, SlotView};
use runcoach_store::now_ms;
use serde::Serialize;

use super::json::ApiJson;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::ApiError;

fn actor(user: &CurrentUser) -> Actor {
    Actor::of(&user.user)
}

pub async fn publish_slot(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<SlotInput>,
) -> Result<(StatusCode, Json<SlotView>), ApiError> {
    let slot = slots::publish(&state.db, &actor(&user), &input, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(slot)))
}

pub async fn coach_slots(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(coach_id): Path<String>,
) -> Result<Json<Vec<SlotView>>, ApiError> {
    Ok(Json(
        slots::list(&state.db, &actor(&user), &coach_id, now_ms()).await?,
    ))
}

pub async fn book(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slot_id): Path<String>,
) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    let booking = slots::book(&state.db, &actor(&user), &slot_id, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(booking)))
}

pub async fn cancel_booking(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Cancelled>, ApiError> {
    Ok(Json(
        slots::cancel(&state.db, &actor(&user), &id, now_ms()).await?,
    ))
}

#[derive(Serialize)]
pub struct MyBookings {
    bookings: Vec<BookingView>,
    credits: Vec<Credits>,
}

/// `GET /api/v1/bookings`: the caller's bookings and credits left.
pub async fn my_bookings(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<MyBookings>, ApiError> {
    let actor = actor(&user);
    let now = now_ms();
    Ok(Json(MyBookings {
        bookings: slots::my_bookings(&state.db, &actor, now).await?,
        credits: slots::credits(&state.db, &actor, now).await?,
    }))
}
