//! runcoach's web app: a JSON API under `/api/v1` and server-rendered pages
//! for runners, both thin layers over `runcoach-core` (the rules) and
//! `runcoach-store` (the data). No SQL and no training rules live here.
//!
//! The app keeps no state of its own between requests — sessions, rate
//! limits and plans are in the database — so several instances can share
//! one PostgreSQL database behind a load balancer. Only what bounds this
//! process's own memory and sockets is counted in it: open connections and
//! import slots.

mod api;
mod auth;
pub mod client;
mod error;
pub mod listen;
mod pages;
mod request_log;
mod schedule;
mod security;
mod training;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use runcoach_store::Db;
use tokio::net::TcpListener;

pub use api::imports as importer;
pub use api::{OPENAPI, ROUTES};
pub use auth::password;
pub use ipnet::IpNet;

/// Settings the app runs with.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// The direct peer is a reverse proxy: take the client address from
    /// `X-Forwarded-For` (see [`client`]).
    pub trust_proxy: bool,
    /// `RUNCOACH_PUBLIC_URL` when the operator set it: the base of absolute
    /// links (calendar feeds here; Stripe's return pages in `shop`).
    pub public_url: Option<String>,
    /// The shop: public URL, order TTL, Stripe.
    pub shop: runcoach_app::shop::ShopConfig,
    /// With `trust_proxy`, only peers in these blocks count as proxies
    /// (empty: every peer does).
    pub trusted_proxies: Vec<IpNet>,
    /// How often expired sessions, tokens and limits are purged (default
    /// [`PURGE_EVERY`]).
    pub purge_every: Option<Duration>,
    /// How many uploads and import jobs this process takes on.
    pub imports: importer::ImportLimits,
    /// Timeouts and connection caps.
    pub connections: listen::ConnectionLimits,
    /// E-mail (`RUNCOACH_SMTP_URL`): sign-up by link, verification,
    /// password reset. `None`: no e-mail; sign-up answers as before and
    /// operators reset passwords with `runcoach admin reset-password`.
    pub mail: Option<runcoach_app::mail::MailConfig>,
}

/// Expired rows are purged this often, and once at start.
pub const PURGE_EVERY: Duration = Duration::from_secs(600);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Import jobs under way in this process (they hold memory and disk
    /// here, so they are counted here, not in the database).
    pub imports: Arc<importer::ImportSlots>,
    /// The installation's pepper for hashing client addresses (read from
    /// the database once).
    pub address_pepper: Arc<std::sync::OnceLock<String>>,
}

/// The whole app as a router: API, pages, static files, security layers.
pub fn app(db: Db, config: Config) -> Router {
    let state = AppState {
        db,
        imports: importer::ImportSlots::new(config.imports.clone()),
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
        .layer(axum::middleware::from_fn(security::refuse_nul))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.connections.body_read_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .route_layer(axum::middleware::from_fn(request_log::span))
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
    let purger = tokio::spawn(purge_periodically(
        db.clone(),
        config.purge_every.unwrap_or(PURGE_EVERY),
    ));
    let sweeper = tokio::spawn(sweep_unpaid_orders(db.clone()));
    let sender = config
        .mail
        .clone()
        .map(|mail| tokio::spawn(runcoach_app::mail::run_sender(db.clone(), mail)));
    let limits = config.connections.clone();
    let proxies = config.clone();
    let exempt = move |ip| client::peer_is_proxy(&proxies, ip);
    let served = listen::run(listener, app(db, config), limits, exempt, shutdown).await;
    purger.abort();
    sweeper.abort();
    if let Some(sender) = sender {
        sender.abort();
    }
    served
}

/// Keeps the session, token and rate-limit tables the size of what is
/// live: without it every failed login from a new address leaves a row.
async fn purge_periodically(db: Db, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match api::accounts::purge_expired(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(rows = n, "purged expired sessions, tokens and limits"),
            Err(e) => tracing::warn!(error = %e, "purging expired rows failed"),
        }
    }
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
