//! Follow-along for a strength or mobility session: every movement with
//! its figure, dose and rest, then the log form. Without JavaScript it is
//! a plain list to work down; `static/follow.js` turns it into one movement
//! at a time with a set counter, hold countdowns, rest timers and "next
//! up", and logs the session through the same form when it is finished.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use super::{Nav, figure, not_found, render, view};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;

/// Seconds to change sides between the two halves of a per-side hold.
const SWITCH_S: u16 = 5;

struct Movement {
    id: String,
    name: String,
    dose: String,
    sets: u8,
    /// Reps per set, 0 for a hold.
    reps: u16,
    /// Seconds per hold, 0 for reps.
    hold_s: u16,
    per_side: bool,
    rest_s: u16,
    cue: String,
    figure: String,
    moving: String,
}

#[derive(Template)]
#[template(path = "follow.html")]
struct Follow {
    nav: Nav,
    session_id: String,
    title: String,
    kit: String,
    switch_s: u16,
    movements: Vec<Movement>,
}

pub async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let nav = Nav::page(&user);
    let Some(at) = runcoach_app::plans::session(&state.db, &user.0.user.id, &id).await? else {
        return Ok(not_found(nav));
    };
    let s = &at.session;
    if !super::plan::follows(s) {
        return Ok(not_found(nav));
    }
    let movements = s
        .exercises
        .iter()
        .filter_map(|d| runcoach_core::exercises::find(&d.id).map(|e| (d, e)))
        .map(|(d, e)| Movement {
            id: e.id.clone(),
            name: e.name.clone(),
            dose: view::dose(d),
            sets: d.sets.max(1),
            reps: d.reps.unwrap_or(0),
            hold_s: if d.reps.is_some() {
                0
            } else {
                d.hold_s.unwrap_or(0)
            },
            per_side: d.per_side,
            rest_s: e.rest_s(),
            cue: e.steps.first().cloned().unwrap_or_default(),
            figure: figure::positions(e).unwrap_or_default(),
            moving: figure::moving(e).unwrap_or_default(),
        })
        .collect();
    Ok(render(&Follow {
        nav,
        session_id: id,
        title: s.title.clone(),
        kit: super::plan::session_kit(s),
        switch_s: SWITCH_S,
        movements,
    }))
}
