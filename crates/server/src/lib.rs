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
use runcoach_app::accounts::schedule;
mod security;
mod web;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use runcoach_app::imports::uploads::Uploads;
use runcoach_store::Db;
use tokio::net::TcpListener;

pub use runcoach_app::jobs::WorkerConfig;
pub use web::uploads as importer;

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
    /// Where uploads are kept until their import job finishes (the data
    /// directory; `uploads/` inside it). Unset: a temporary folder of this
    /// process's (tests).
    pub data_dir: Option<PathBuf>,
    /// The background job worker (its concurrency is `imports.running`).
    pub jobs: WorkerConfig,
}

/// Expired rows are purged this often, and once at start.
pub const PURGE_EVERY: Duration = Duration::from_secs(600);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Uploads being received by this process (they hold memory and disk
    /// here, so they are counted here; queued jobs are counted in the
    /// database).
    pub imports: Arc<importer::ImportSlots>,
    /// Where upload folders live until their job is done.
    pub uploads: Uploads,
    /// Wakes this process's job worker when a job was queued here.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    /// The installation's pepper for hashing client addresses (read from
    /// the database once).
    pub address_pepper: Arc<std::sync::OnceLock<String>>,
}

fn uploads_of(config: &Config) -> Uploads {
    Uploads::new(
        config
            .data_dir
            .clone()
            .unwrap_or_else(std::env::temp_dir)
            .join("uploads"),
    )
}

/// The whole app as a router: API, pages, static files, security layers.
pub fn app(db: Db, config: Config) -> Router {
    app_with(db, config, Arc::default())
}

fn app_with(db: Db, config: Config, jobs_wake: Arc<tokio::sync::Notify>) -> Router {
    let state = AppState {
        db,
        imports: importer::ImportSlots::new(config.imports.clone()),
        uploads: uploads_of(&config),
        jobs_wake,
        config: Arc::new(config),
        address_pepper: Arc::default(),
    };
    Router::new()
        .merge(api::router())
        .merge(pages::router(state.clone()))
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
/// requests in flight; then drains the job worker (running jobs finish, up
/// to `jobs.drain`, or are handed back for the next start).
pub async fn serve(
    listener: TcpListener,
    db: Db,
    mut config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Without a data directory, uploads go to a folder of this process's.
    let _scratch = match &config.data_dir {
        Some(_) => None,
        None => {
            let dir = tempfile::Builder::new()
                .prefix("runcoach-data-")
                .tempdir()?;
            config.data_dir = Some(dir.path().to_owned());
            Some(dir)
        }
    };
    let uploads = uploads_of(&config);
    // Before anything is received: folders of finished or dead jobs go.
    match uploads.sweep_orphans(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(folders = n, "removed orphaned upload folders"),
        Err(e) => tracing::warn!(error = %e, "cannot sweep orphaned uploads"),
    }
    let worker = runcoach_app::jobs::Worker::start(
        db.clone(),
        "serve",
        WorkerConfig {
            concurrency: config.imports.running.max(1),
            ..config.jobs.clone()
        },
        vec![Arc::new(runcoach_app::imports::uploads::ImportJobs {
            db: db.clone(),
            uploads,
            options: runcoach_app::imports::ImportOptions {
                // Leave a core for requests.
                threads: runcoach_app::imports::ImportOptions::default()
                    .threads
                    .div_ceil(2),
                ..Default::default()
            },
        })],
    );
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
    let router = app_with(db, config, worker.waker());
    let served = listen::run(listener, router, limits, exempt, shutdown).await;
    purger.abort();
    sweeper.abort();
    if let Some(sender) = sender {
        sender.abort();
    }
    tracing::info!("waiting for running jobs");
    worker.drain().await;
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
