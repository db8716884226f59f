//! runcoach's web app: a JSON API under `/api/v1` and server-rendered pages
//! for runners, both thin layers over `runcoach-core` (the rules) and
//! `runcoach-store` (the data). No SQL and no training rules live here.
//!
//! The app keeps no state of its own between requests — sessions, rate
//! limits and plans are in the database — so several instances can share
//! one PostgreSQL database behind a load balancer.

mod api;
mod auth;
mod error;
mod pages;
mod schedule;
mod security;
mod training;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use runcoach_store::Db;
use tokio::net::TcpListener;

pub use api::imports as importer;
pub use api::{OPENAPI, ROUTES};
pub use auth::password;

/// Settings the app runs with.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address (behind a proxy).
    pub trust_proxy: bool,
    /// `RUNCOACH_PUBLIC_URL` when the operator set it: the base of absolute
    /// links (calendar feeds here; Stripe's return pages in `shop`).
    pub public_url: Option<String>,
    /// The shop: public URL, order TTL, Stripe.
    pub shop: runcoach_app::shop::ShopConfig,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// The installation's pepper for hashing client addresses (read from
    /// the database once).
    pub address_pepper: Arc<std::sync::OnceLock<String>>,
}

/// The whole app as a router: API, pages, static files, security layers.
pub fn app(db: Db, config: Config) -> Router {
    let state = AppState {
        db,
        config: Arc::new(config),
        address_pepper: Arc::default(),
    };
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::affiliates::ref_param,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves on an already bound listener until `shutdown` resolves, finishing
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    db: Db,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tokio::spawn(sweep_unpaid_orders(db.clone()));
    let app = app(db, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Releases the coupon uses of unpaid orders past their time, every 30 s
/// (reads and new orders also expire an athlete's own overdue orders, so
/// nobody waits for the sweep), and approves affiliate commissions whose
/// hold is over. Every app server may run it: an order is
/// expired under its row lock, once.
async fn sweep_unpaid_orders(db: Db) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
    loop {
        tick.tick().await;
        match runcoach_app::shop::expire_overdue(&db, runcoach_store::now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(orders = n, "expired unpaid orders"),
            Err(e) => tracing::warn!(error = %e, "expiring unpaid orders failed"),
        }
        // Commissions past their hold become approved (reads show them so
        // already; this keeps the table in step for reports).
        match runcoach_app::affiliates::sweep(&db, runcoach_store::now_ms()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(commissions = n, "approved commissions past their hold"),
            Err(e) => tracing::warn!(error = %e, "approving commissions failed"),
        }
    }
}
