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
use axum::routing;

use crate::AppState;

/// Largest request body the API reads (a plan request is ~1 KB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The one route table: each line is a method, the path the OpenAPI
/// document lists, optionally the pattern it is served at (`at`), the
/// handler and optionally a layer on that method alone. [`ROUTES`] and
/// [`router`] are both generated from it, so a route cannot be served
/// without being listed, and a test holds `ROUTES` equal to the document's
/// paths and methods both ways.
///
/// Why a table and not utoipa/aide deriving the document from the
/// handlers: the hand-written `openapi.json` is the published contract,
/// and CI validates live responses against its schemas with schemathesis,
/// so schema drift already fails CI; what was left to drift was the route
/// list, which this table closes without annotating ninety handlers.
macro_rules! api_routes {
    ($( $method:ident $path:literal $(at $served:literal)? => $handler:path $(, layer $layer:expr)? ;)*) => {
        /// Every route, as the OpenAPI document lists them (checked by a test).
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),*];

        /// The documented routes; axum merges the methods of one path.
        fn documented() -> Router<AppState> {
            Router::new()$(.route(
                api_routes!(@served $path $(, $served)?),
                routing::$method($handler)$(.layer($layer))?,
            ))*
        }
    };
    (@served $path:literal) => { $path };
    (@served $path:literal, $served:literal) => { $served };
}

api_routes! {
    post "/api/v1/signup" => accounts::signup;
    post "/api/v1/login" => accounts::login;
    post "/api/v1/logout" => accounts::logout;
    get "/api/v1/me" => accounts::me;
    patch "/api/v1/me" => accounts::update_me;
    post "/api/v1/password" => accounts::change_password;
    post "/api/v1/password/forgot" => email::forgot;
    post "/api/v1/password/reset" => email::reset;
    post "/api/v1/email/verify" => email::verify;
    post "/api/v1/email/verification" => email::send_verification;
    post "/api/v1/tokens" => accounts::create_token;
    get "/api/v1/tokens" => accounts::list_tokens;
    delete "/api/v1/tokens/{id}" => accounts::delete_token;
    post "/api/v1/plans" => plans::create;
    get "/api/v1/plans" => plans::list;
    get "/api/v1/plans/{id}" => plans::get;
    get "/api/v1/today" => plans::today;
    get "/api/v1/sessions/{id}" => plans::session;
    get "/api/v1/sessions/{id}/workout.fit" => feeds::workout_fit;
    get "/api/v1/plans/{id}/weeks/{n}/workouts.zip" => feeds::week_zip;
    post "/api/v1/feeds" => feeds::create;
    delete "/api/v1/feeds/{id}" => feeds::revoke;
    // matchit cannot match `{token}.ics`; the handler strips the suffix.
    get "/feeds/{token}.ics" at "/feeds/{file}" => feeds::calendar;
    post "/api/v1/logs" => logs::create;
    get "/api/v1/logs" => logs::list;
    get "/api/v1/logs/{id}" => logs::get;
    put "/api/v1/logs/{id}" => logs::update;
    delete "/api/v1/logs/{id}" => logs::delete;
    get "/api/v1/progress" => progress::get;
    get "/api/v1/plans/{id}/adjustments" => logs::adjustments;
    post "/api/v1/plans/{id}/adjustments/{adj}/undo" => logs::undo;
    post "/api/v1/plans/{id}/adjustments/{adj}/redo" => logs::redo;
    post "/api/v1/plans/{id}/edits" => edits::create;
    post "/api/v1/imports" => imports::create, layer DefaultBodyLimit::max(runcoach_app::imports::UPLOAD_LIMIT);
    get "/api/v1/imports/{id}" => imports::get;
    get "/api/v1/activities" => imports::list_activities;
    get "/api/v1/history" => imports::history;
    get "/api/v1/products" => shop::products;
    post "/api/v1/admin/products" => shop::create_product;
    patch "/api/v1/admin/products/{id}" => shop::update_product;
    get "/api/v1/entitlements" => shop::entitlements;
    post "/api/v1/admin/coupons" => shop::create_coupon;
    get "/api/v1/admin/coupons" => shop::coupons;
    patch "/api/v1/admin/coupons/{id}" => shop::update_coupon;
    post "/api/v1/cart/quote" => shop::quote;
    post "/api/v1/orders" => shop::place_order;
    get "/api/v1/orders" => shop::orders;
    get "/api/v1/orders/{id}" => shop::order;
    post "/api/v1/orders/{id}/cancel" => shop::cancel_order;
    get "/api/v1/admin/orders" => shop::admin_orders;
    post "/api/v1/admin/orders/{id}/mark-paid" => shop::mark_paid;
    post "/api/v1/admin/orders/{id}/refunds" => shop::refund;
    post "/api/v1/webhooks/stripe" => shop::stripe_webhook;
    get "/api/v1/admin/affiliate-program" => affiliates::program;
    put "/api/v1/admin/affiliate-program" => affiliates::set_program;
    post "/api/v1/affiliate/application" => affiliates::apply;
    get "/api/v1/affiliate/dashboard" => affiliates::dashboard;
    get "/api/v1/admin/affiliates" => affiliates::list;
    post "/api/v1/admin/affiliates/{id}/approve" => affiliates::approve;
    post "/api/v1/admin/affiliates/{id}/reject" => affiliates::reject;
    post "/api/v1/admin/affiliates/{id}/suspend" => affiliates::suspend;
    post "/api/v1/admin/affiliates/{id}/reinstate" => affiliates::reinstate;
    get "/api/v1/admin/commissions" => affiliates::commissions;
    post "/api/v1/admin/commissions/{id}/approve" => affiliates::approve_commission;
    post "/api/v1/admin/payouts" => affiliates::run_payouts;
    get "/api/v1/admin/payouts" => affiliates::payouts;
    get "/api/v1/admin/payouts.csv" => affiliates::payouts_csv;
    post "/api/v1/coach/slots" => slots::publish_slot;
    get "/api/v1/coaches/{id}/slots" => slots::coach_slots;
    post "/api/v1/slots/{id}/bookings" => slots::book;
    get "/api/v1/bookings" => slots::my_bookings;
    delete "/api/v1/bookings/{id}" => slots::cancel_booking;
    post "/api/v1/coach/templates" => templates::create_template;
    get "/api/v1/coach/templates" => templates::list_templates;
    post "/api/v1/coach/templates/{id}/apply" => templates::apply_template;
    put "/api/v1/coach/profile" => coaching::put_profile;
    get "/api/v1/coaches" => coaching::coaches;
    post "/api/v1/coaching/grants" => coaching::create_grant;
    get "/api/v1/coaching/grants" => coaching::list_grants;
    patch "/api/v1/coaching/grants/{id}" => coaching::change_grant;
    delete "/api/v1/coaching/grants/{id}" => coaching::revoke_grant;
    post "/api/v1/coach/invitations" => coaching::invite;
    get "/api/v1/coach/athletes" => coaching::roster;
    post "/api/v1/sessions/{id}/comments" => coaching::post_session_comment;
    get "/api/v1/sessions/{id}/comments" => coaching::session_comments;
    post "/api/v1/plans/{id}/weeks/{n}/comments" => coaching::post_week_comment;
    get "/api/v1/plans/{id}/weeks/{n}/comments" => coaching::week_comments;
    get "/api/v1/comments/unread" => coaching::unread;
    post "/api/v1/coaching/invitations/{id}/accept" => coaching::accept;
    get "/r/{slug}" => affiliates::referral_link;
    get "/healthz" => healthz;
}

pub fn router() -> Router<AppState> {
    documented()
        // The document itself is the one route it does not list.
        .route("/api/openapi.json", routing::get(openapi))
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
