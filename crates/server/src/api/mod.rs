//! The JSON API under `/api/v1`, described by `/api/openapi.json`.

pub mod accounts;
pub mod affiliates;
pub mod coaching;
pub mod edits;
pub mod email;
pub mod feeds;
pub mod imports;
mod json;
pub mod logs;
pub mod plans;
pub mod progress;
pub mod shop;
pub mod slots;
pub mod templates;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};

use crate::AppState;

/// Largest request body the API reads (a plan request is ~1 KB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every route, as the OpenAPI document lists them (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/signup"),
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("post", "/api/v1/password"),
    ("post", "/api/v1/password/forgot"),
    ("post", "/api/v1/password/reset"),
    ("post", "/api/v1/email/verify"),
    ("post", "/api/v1/email/verification"),
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans"),
    ("get", "/api/v1/plans/{id}"),
    ("get", "/api/v1/today"),
    ("get", "/api/v1/sessions/{id}"),
    ("get", "/api/v1/sessions/{id}/workout.fit"),
    ("get", "/api/v1/plans/{id}/weeks/{n}/workouts.zip"),
    ("post", "/api/v1/feeds"),
    ("delete", "/api/v1/feeds/{id}"),
    ("get", "/feeds/{token}.ics"),
    ("post", "/api/v1/logs"),
    ("get", "/api/v1/logs"),
    ("get", "/api/v1/logs/{id}"),
    ("put", "/api/v1/logs/{id}"),
    ("delete", "/api/v1/logs/{id}"),
    ("get", "/api/v1/progress"),
    ("get", "/api/v1/plans/{id}/adjustments"),
    ("post", "/api/v1/plans/{id}/adjustments/{adj}/undo"),
    ("post", "/api/v1/plans/{id}/adjustments/{adj}/redo"),
    ("post", "/api/v1/plans/{id}/edits"),
    ("post", "/api/v1/imports"),
    ("get", "/api/v1/imports/{id}"),
    ("get", "/api/v1/activities"),
    ("get", "/api/v1/history"),
    ("get", "/api/v1/products"),
    ("post", "/api/v1/admin/products"),
    ("patch", "/api/v1/admin/products/{id}"),
    ("get", "/api/v1/entitlements"),
    ("post", "/api/v1/admin/coupons"),
    ("get", "/api/v1/admin/coupons"),
    ("patch", "/api/v1/admin/coupons/{id}"),
    ("post", "/api/v1/cart/quote"),
    ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders"),
    ("get", "/api/v1/orders/{id}"),
    ("post", "/api/v1/orders/{id}/cancel"),
    ("get", "/api/v1/admin/orders"),
    ("post", "/api/v1/admin/orders/{id}/mark-paid"),
    ("post", "/api/v1/admin/orders/{id}/refunds"),
    ("post", "/api/v1/webhooks/stripe"),
    ("get", "/api/v1/admin/affiliate-program"),
    ("put", "/api/v1/admin/affiliate-program"),
    ("post", "/api/v1/affiliate/application"),
    ("get", "/api/v1/affiliate/dashboard"),
    ("get", "/api/v1/admin/affiliates"),
    ("post", "/api/v1/admin/affiliates/{id}/approve"),
    ("post", "/api/v1/admin/affiliates/{id}/reject"),
    ("post", "/api/v1/admin/affiliates/{id}/suspend"),
    ("post", "/api/v1/admin/affiliates/{id}/reinstate"),
    ("get", "/api/v1/admin/commissions"),
    ("post", "/api/v1/admin/commissions/{id}/approve"),
    ("post", "/api/v1/admin/payouts"),
    ("get", "/api/v1/admin/payouts"),
    ("get", "/api/v1/admin/payouts.csv"),
    ("post", "/api/v1/coach/slots"),
    ("get", "/api/v1/coaches/{id}/slots"),
    ("post", "/api/v1/slots/{id}/bookings"),
    ("get", "/api/v1/bookings"),
    ("delete", "/api/v1/bookings/{id}"),
    ("post", "/api/v1/coach/templates"),
    ("get", "/api/v1/coach/templates"),
    ("post", "/api/v1/coach/templates/{id}/apply"),
    ("put", "/api/v1/coach/profile"),
    ("get", "/api/v1/coaches"),
    ("post", "/api/v1/coaching/grants"),
    ("get", "/api/v1/coaching/grants"),
    ("patch", "/api/v1/coaching/grants/{id}"),
    ("delete", "/api/v1/coaching/grants/{id}"),
    ("post", "/api/v1/coach/invitations"),
    ("get", "/api/v1/coach/athletes"),
    ("post", "/api/v1/sessions/{id}/comments"),
    ("get", "/api/v1/sessions/{id}/comments"),
    ("post", "/api/v1/plans/{id}/weeks/{n}/comments"),
    ("get", "/api/v1/plans/{id}/weeks/{n}/comments"),
    ("get", "/api/v1/comments/unread"),
    ("post", "/api/v1/coaching/invitations/{id}/accept"),
    ("get", "/r/{slug}"),
    ("get", "/healthz"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signup", post(accounts::signup))
        .route("/api/v1/login", post(accounts::login))
        .route("/api/v1/logout", post(accounts::logout))
        .route("/api/v1/me", get(accounts::me).patch(accounts::update_me))
        .route("/api/v1/password", post(accounts::change_password))
        .route("/api/v1/password/forgot", post(email::forgot))
        .route("/api/v1/password/reset", post(email::reset))
        .route("/api/v1/email/verify", post(email::verify))
        .route("/api/v1/email/verification", post(email::send_verification))
        .route(
            "/api/v1/tokens",
            post(accounts::create_token).get(accounts::list_tokens),
        )
        .route("/api/v1/tokens/{id}", delete(accounts::delete_token))
        .route("/api/v1/plans", post(plans::create).get(plans::list))
        .route("/api/v1/plans/{id}", get(plans::get))
        .route("/api/v1/today", get(plans::today))
        .route("/api/v1/sessions/{id}", get(plans::session))
        .route("/api/v1/sessions/{id}/workout.fit", get(feeds::workout_fit))
        .route(
            "/api/v1/plans/{id}/weeks/{n}/workouts.zip",
            get(feeds::week_zip),
        )
        .route("/api/v1/logs", post(logs::create).get(logs::list))
        .route(
            "/api/v1/logs/{id}",
            get(logs::get).put(logs::update).delete(logs::delete),
        )
        .route("/api/v1/progress", get(progress::get))
        .route("/api/v1/plans/{id}/adjustments", get(logs::adjustments))
        .route(
            "/api/v1/plans/{id}/adjustments/{adj}/undo",
            post(logs::undo),
        )
        .route(
            "/api/v1/plans/{id}/adjustments/{adj}/redo",
            post(logs::redo),
        )
        .route("/api/v1/plans/{id}/edits", post(edits::create))
        .route("/api/v1/feeds", post(feeds::create))
        .route("/api/v1/feeds/{id}", delete(feeds::revoke))
        // matchit cannot match `{token}.ics`; the handler strips the suffix.
        .route("/feeds/{file}", get(feeds::calendar))
        .route(
            "/api/v1/imports",
            post(imports::create).layer(DefaultBodyLimit::max(imports::UPLOAD_LIMIT)),
        )
        .route("/api/v1/imports/{id}", get(imports::get))
        .route("/api/v1/activities", get(imports::list_activities))
        .route("/api/v1/history", get(imports::history))
        .route("/api/v1/products", get(shop::products))
        .route("/api/v1/admin/products", post(shop::create_product))
        .route("/api/v1/admin/products/{id}", patch(shop::update_product))
        .route("/api/v1/entitlements", get(shop::entitlements))
        .route(
            "/api/v1/admin/coupons",
            post(shop::create_coupon).get(shop::coupons),
        )
        .route("/api/v1/admin/coupons/{id}", patch(shop::update_coupon))
        .route("/api/v1/cart/quote", post(shop::quote))
        .route("/api/v1/orders", post(shop::place_order).get(shop::orders))
        .route("/api/v1/orders/{id}", get(shop::order))
        .route("/api/v1/orders/{id}/cancel", post(shop::cancel_order))
        .route("/api/v1/admin/orders", get(shop::admin_orders))
        .route("/api/v1/admin/orders/{id}/mark-paid", post(shop::mark_paid))
        .route("/api/v1/admin/orders/{id}/refunds", post(shop::refund))
        .route("/api/v1/webhooks/stripe", post(shop::stripe_webhook))
        .route(
            "/api/v1/admin/affiliate-program",
            get(affiliates::program).put(affiliates::set_program),
        )
        .route("/api/v1/affiliate/application", post(affiliates::apply))
        .route("/api/v1/affiliate/dashboard", get(affiliates::dashboard))
        .route("/api/v1/admin/affiliates", get(affiliates::list))
        .route(
            "/api/v1/admin/affiliates/{id}/approve",
            post(affiliates::approve),
        )
        .route(
            "/api/v1/admin/affiliates/{id}/reject",
            post(affiliates::reject),
        )
        .route(
            "/api/v1/admin/affiliates/{id}/suspend",
            post(affiliates::suspend),
        )
        .route(
            "/api/v1/admin/affiliates/{id}/reinstate",
            post(affiliates::reinstate),
        )
        .route("/api/v1/admin/commissions", get(affiliates::commissions))
        .route(
            "/api/v1/admin/commissions/{id}/approve",
            post(affiliates::approve_commission),
        )
        .route(
            "/api/v1/admin/payouts",
            post(affiliates::run_payouts).get(affiliates::payouts),
        )
        .route("/api/v1/admin/payouts.csv", get(affiliates::payouts_csv))
        .route("/api/v1/coach/slots", post(slots::publish_slot))
        .route("/api/v1/coaches/{id}/slots", get(slots::coach_slots))
        .route("/api/v1/slots/{id}/bookings", post(slots::book))
        .route("/api/v1/bookings", get(slots::my_bookings))
        .route("/api/v1/bookings/{id}", delete(slots::cancel_booking))
        .route(
            "/api/v1/coach/templates",
            post(templates::create_template).get(templates::list_templates),
        )
        .route(
            "/api/v1/coach/templates/{id}/apply",
            post(templates::apply_template),
        )
        .route("/api/v1/coach/profile", put(coaching::put_profile))
        .route("/api/v1/coaches", get(coaching::coaches))
        .route(
            "/api/v1/coaching/grants",
            post(coaching::create_grant).get(coaching::list_grants),
        )
        .route(
            "/api/v1/coaching/grants/{id}",
            patch(coaching::change_grant).delete(coaching::revoke_grant),
        )
        .route("/api/v1/coach/invitations", post(coaching::invite))
        .route("/api/v1/coach/athletes", get(coaching::roster))
        .route(
            "/api/v1/sessions/{id}/comments",
            post(coaching::post_session_comment).get(coaching::session_comments),
        )
        .route(
            "/api/v1/plans/{id}/weeks/{n}/comments",
            post(coaching::post_week_comment).get(coaching::week_comments),
        )
        .route("/api/v1/comments/unread", get(coaching::unread))
        .route(
            "/api/v1/coaching/invitations/{id}/accept",
            post(coaching::accept),
        )
        .route("/r/{slug}", get(affiliates::referral_link))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "db": state.db.backend()})),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable", "db": state.db.backend()})),
            )
        }
    }
}
