//! The JSON API under `/api/v1`, described by `/api/openapi.json`.

pub mod accounts;
mod json;
pub mod plans;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;

/// Largest request body the API reads (a plan request is ~1 KB).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Every route, as the OpenAPI document lists them (checked by a test).
pub const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/signup"),
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/password"),
    ("post", "/api/v1/tokens"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans"),
    ("get", "/api/v1/plans/{id}"),
    ("get", "/api/v1/today"),
    ("get", "/api/v1/sessions/{id}"),
    ("get", "/healthz"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signup", post(accounts::signup))
        .route("/api/v1/login", post(accounts::login))
        .route("/api/v1/logout", post(accounts::logout))
        .route("/api/v1/me", get(accounts::me))
        .route("/api/v1/password", post(accounts::change_password))
        .route("/api/v1/tokens", post(accounts::create_token))
        .route("/api/v1/plans", post(plans::create).get(plans::list))
        .route("/api/v1/plans/{id}", get(plans::get))
        .route("/api/v1/today", get(plans::today))
        .route("/api/v1/sessions/{id}", get(plans::session))
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
