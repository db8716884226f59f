//! `runcoach serve`, `db migrate`, `backup`, `admin create-user`: the
//! operator's commands. They share how the database is chosen.

use std::path::PathBuf;

use runcoach_store::Db;

use crate::Failure;

/// Where the data lives: `DATABASE_URL` (PostgreSQL) or a SQLite file in
/// the data directory.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Directory for the embedded SQLite database (runcoach.db).
    #[arg(long, env = "RUNCOACH_DATA_DIR", default_value = "./runcoach-data")]
    pub data_dir: PathBuf,
    /// postgres://… to use PostgreSQL instead of the embedded SQLite file.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl DbArgs {
    pub async fn open(&self) -> Result<Db, Failure> {
        let db = match self.database_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Db::open_url(url).await,
            None => Db::open_sqlite_dir(&self.data_dir).await,
        };
        db.map_err(|e| Failure::Usage(format!("cannot open the database: {e}")))
    }

    pub fn describe(&self) -> String {
        match self.database_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => runcoach_store::redact(url),
            None => self.data_dir.join("runcoach.db").display().to_string(),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RUNCOACH_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[command(flatten)]
    db: DbArgs,
    /// Seed a demo athlete (demo@runcoach.local / demo-password) with a plan.
    #[arg(long, env = "RUNCOACH_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    demo: bool,
    /// Mark cookies Secure (set when runcoach is served over HTTPS).
    #[arg(long, env = "RUNCOACH_SECURE_COOKIES", value_parser = clap::builder::BoolishValueParser::new())]
    secure_cookies: bool,
    /// The direct peer is a reverse proxy: take client addresses from the
    /// rightmost X-Forwarded-For entry it added.
    #[arg(long, env = "RUNCOACH_TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new())]
    trust_proxy: bool,
    /// Only these peers count as proxies (comma-separated CIDR blocks or
    /// addresses); X-Forwarded-For entries they added are skipped too.
    #[arg(
        long,
        env = "RUNCOACH_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_parser = runcoach_server::client::parse_cidr,
        requires = "trust_proxy"
    )]
    trusted_proxies: Vec<runcoach_server::IpNet>,
    /// Open connections in all; more are closed unread.
    #[arg(long, env = "RUNCOACH_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Open connections per client address (trusted proxies are exempt).
    #[arg(
        long,
        env = "RUNCOACH_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 64
    )]
    max_connections_per_address: usize,
    /// Log format: text or json.
    #[arg(long, env = "RUNCOACH_LOG_FORMAT", default_value = "text")]
    log_format: String,
    #[command(flatten)]
    shop: ShopArgs,
    #[command(flatten)]
    mail: MailArgs,
}

/// E-mail for accounts (sign-up links, verification, password reset).
/// Without an SMTP URL no e-mail is sent: sign-up answers at once and
/// operators reset passwords with `runcoach admin reset-password`.
#[derive(Debug, clap::Args)]
pub struct MailArgs {
    /// SMTP server: smtp://host:25 (plain), smtp://host:587?tls=required
    /// (STARTTLS), smtps://user:password@host:465 (TLS). Never logged.
    #[arg(long, env = "RUNCOACH_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The From of every message.
    #[arg(
        long,
        env = "RUNCOACH_MAIL_FROM",
        default_value = "runcoach <noreply@localhost>"
    )]
    mail_from: String,
}

/// The shop's settings. Secrets come from the environment (flags would
/// show in the process list) and are never logged.
#[derive(Debug, clap::Args)]
pub struct ShopArgs {
    /// The site's public address (e.g. https://coach.example.com): the base
    /// of every link sent elsewhere (Stripe's return pages, e-mails, feeds).
    /// Defaults to http:// and the bind address.
    #[arg(long, env = "RUNCOACH_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long an unpaid order holds its coupon: 90s, 5m, 30m, 2h.
    #[arg(long, env = "RUNCOACH_ORDER_TTL", default_value = "30m", value_parser = parse_ttl)]
    order_ttl: i64,
    #[arg(
        long,
        env = "RUNCOACH_STRIPE_SECRET_KEY",
        hide = true,
        hide_env_values = true
    )]
    stripe_secret_key: Option<String>,
    /// Stripe's API address (a local fake in tests).
    #[arg(
        long,
        env = "RUNCOACH_STRIPE_API_BASE",
        default_value = "https://api.stripe.com"
    )]
    stripe_api_base: String,
    #[arg(
        long,
        env = "RUNCOACH_STRIPE_WEBHOOK_SECRETS",
        hide = true,
        hide_env_values = true
    )]
    stripe_webhook_secrets: Option<String>,
}

/// `90s`, `5m`, `2h` as milliseconds.
fn parse_ttl(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let split = raw.len().saturating_sub(1);
    let (number, unit) = raw.split_at(split);
    let scale = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("'{raw}' is not a duration: write 90s, 5m or 2h")),
    };
    match number.parse::<i64>() {
        Ok(n) if (1..=7 * 24 * 3600).contains(&n) => Ok(n * scale),
        _ => Err(format!("'{raw}' is not a duration: write 90s, 5m or 2h")),
    }
}

impl ShopArgs {
    /// `RUNCOACH_PUBLIC_URL` without a trailing slash, when set.
    fn public_url(&self) -> Result<Option<String>, Failure> {
        match self
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Ok(Some(url.trim_end_matches('/').to_owned()))
            }
            Some(url) => Err(Failure::Usage(format!(
                "RUNCOACH_PUBLIC_URL '{url}' must start with https:// or http://"
            ))),
            None => Ok(None),
        }
    }

    fn config(
        &self,
        bound: std::net::SocketAddr,
    ) -> Result<runcoach_app::shop::ShopConfig, Failure> {
        let public_url = self
            .public_url()?
            .unwrap_or_else(|| format!("http://{bound}"));
        let secrets: Vec<String> = self
            .stripe_webhook_secrets
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        // A pasted secret with a space or newline would never match a
        // signature: refuse it now rather than lose every webhook later.
        if secrets.iter().any(|s| s.chars().any(char::is_whitespace)) {
            return Err(Failure::Usage(
                "RUNCOACH_STRIPE_WEBHOOK_SECRETS: a secret contains whitespace; separate secrets with commas only".into(),
            ));
        }
        let stripe = self
            .stripe_secret_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|key| runcoach_app::shop::StripeApi {
                secret_key: key.to_owned(),
                api_base: self.stripe_api_base.trim_end_matches('/').to_owned(),
            });
        Ok(runcoach_app::shop::ShopConfig {
            public_url,
            order_ttl_ms: self.order_ttl,
            stripe,
            webhook_secrets: secrets,
        })
    }
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts")
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUNCOACH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
    // A panic is caught per file inside the decoders (hostile bytes) and
    // per request; the default hook would print plain text to stderr in
    // the middle of the JSON logs. It becomes one event in the logs'
    // format instead: where, not what (the file's report says what).
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        tracing::error!(kind = "panic", %location, "a panic was caught");
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::debug!(kind = "panic", %location, %message, "panic message");
    }));
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

pub fn serve(args: ServeArgs) -> Result<(), Failure> {
    init_logs(&args.log_format);
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(format!("cannot migrate the database: {e}")))?;
        if args.demo {
            let seeded = crate::demo::seed(&db)
                .await
                .map_err(|e| Failure::Usage(format!("cannot seed the demo athlete: {e}")))?;
            tracing::info!(email = crate::demo::EMAIL, "{seeded}");
        }
        let listener = tokio::net::TcpListener::bind(&args.bind)
            .await
            .map_err(|e| Failure::Usage(format!("cannot listen on {}: {e}", args.bind)))?;
        let addr = listener.local_addr().map_err(|e| Failure::Usage(e.to_string()))?;
        tracing::info!(database = %args.db.describe(), backend = db.backend(), "runcoach listening on http://{addr}");
        let config = runcoach_server::Config {
            secure_cookies: args.secure_cookies,
            trust_proxy: args.trust_proxy,
            public_url: args.shop.public_url()?,
            shop: args.shop.config(addr)?,
            trusted_proxies: args.trusted_proxies.clone(),
            mail: match args.mail.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(url) => {
                    let links = args.shop.config(addr)?.public_url;
                    let mail = runcoach_app::mail::MailConfig::new(url, &args.mail.mail_from, &links)
                        .map_err(Failure::Usage)?;
                    tracing::info!(from = %args.mail.mail_from, "e-mail on: sign-up by link, verification, password reset");
                    Some(mail)
                }
                None => None,
            },
            // Uploads wait for their import jobs here (with PostgreSQL too).
            data_dir: Some(args.db.data_dir.clone()),
            connections: runcoach_server::listen::ConnectionLimits {
                total: args.max_connections,
                per_address: args.max_connections_per_address,
                ..Default::default()
            },
            ..Default::default()
        };
        runcoach_server::serve(listener, db.clone(), config, shutdown_signal())
            .await
            .map_err(|e| Failure::Usage(format!("server stopped: {e}")))?;
        db.close().await;
        Ok(())
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations and exit.
    Migrate(DbArgs),
}

pub fn db(cmd: DbCommand) -> Result<(), Failure> {
    let DbCommand::Migrate(args) = cmd;
    runtime().block_on(async {
        let db = args.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(format!("cannot migrate {}: {e}", args.describe())))?;
        println!("{}: migrations applied", args.describe());
        Ok(())
    })
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The new backup file (must not exist yet).
    #[arg(long)]
    to: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

pub fn backup(args: BackupArgs) -> Result<(), Failure> {
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.backup_to(&args.to)
            .await
            .map_err(|e| Failure::Usage(format!("backup failed: {e}")))?;
        println!("backed up {} to {}", args.db.describe(), args.to.display());
        Ok(())
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an account with a role (athlete, coach, affiliate, admin).
    /// The password is read from RUNCOACH_PASSWORD, never from a flag.
    CreateUser(CreateUserArgs),
    /// Shop coupons: `runcoach admin coupon create --code RUN10 …`.
    #[command(subcommand)]
    Coupon(super::coupon::CouponCommand),
    /// Set a new password for an account (without e-mail, the operator's
    /// way to help a runner locked out). The password is read from
    /// RUNCOACH_PASSWORD; every session and API token of the account ends.
    ResetPassword(ResetPasswordArgs),
    /// Give an existing account another role (roles are a set: an athlete
    /// who also coaches keeps their own training).
    AddRole(AddRoleArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddRoleArgs {
    #[arg(long)]
    email: String,
    #[arg(long)]
    role: String,
    #[command(flatten)]
    db: DbArgs,
}

fn add_role(args: AddRoleArgs) -> Result<(), Failure> {
    let role = runcoach_store::users::Role::parse(&args.role).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown role '{}': expected athlete, coach, affiliate or admin",
            args.role
        ))
    })?;
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let fail =
            |e: runcoach_store::StoreError| Failure::Usage(format!("cannot add the role: {e}"));
        let (user, _) = runcoach_store::users::by_email(&db, &args.email)
            .await
            .map_err(fail)?
            .ok_or_else(|| Failure::Usage(format!("no account with email {}", args.email)))?;
        runcoach_store::users::add_role(&db, &user.id, role)
            .await
            .map_err(fail)?;
        let (user, _) = runcoach_store::users::by_id(&db, &user.id)
            .await
            .map_err(fail)?
            .ok_or_else(|| Failure::Usage("the account vanished".into()))?;
        let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
        println!("{} now holds the roles {}", user.email, roles.join(", "));
        Ok(())
    })
}

#[derive(Debug, clap::Args)]
pub struct ResetPasswordArgs {
    #[arg(long)]
    email: String,
    #[command(flatten)]
    db: DbArgs,
}

fn reset_password(args: ResetPasswordArgs) -> Result<(), Failure> {
    let password = std::env::var("RUNCOACH_PASSWORD").map_err(|_| {
        Failure::Usage("set the new password in RUNCOACH_PASSWORD (kept out of shell history and process lists)".into())
    })?;
    runcoach_app::accounts::password::policy(&password, &args.email)
        .map_err(|m| Failure::Usage(format!("password: {m}")))?;
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let fail = |e: runcoach_store::StoreError| {
            Failure::Usage(format!("cannot reset the password: {e}"))
        };
        let (user, _) = runcoach_store::users::by_email(&db, &args.email)
            .await
            .map_err(fail)?
            .ok_or_else(|| Failure::Usage(format!("no account with email {}", args.email)))?;
        let hash = runcoach_app::accounts::password::hash(&password);
        runcoach_store::users::set_password(&db, &user.id, &hash)
            .await
            .map_err(fail)?;
        runcoach_store::sessions::delete_other_sessions(&db, &user.id, "")
            .await
            .map_err(fail)?;
        let tokens = runcoach_store::sessions::delete_tokens(&db, &user.id)
            .await
            .map_err(fail)?;
        runcoach_store::limits::clear_failures(
            &db,
            &runcoach_store::users::normalise_email(&user.email),
        )
        .await
        .map_err(fail)?;
        println!(
            "new password set for {}; signed out everywhere, {tokens} API token(s) revoked",
            user.email
        );
        Ok(())
    })
}

#[derive(Debug, clap::Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    email: String,
    #[arg(long)]
    role: String,
    #[arg(long, default_value = "")]
    name: String,
    #[command(flatten)]
    db: DbArgs,
}

pub fn admin(cmd: AdminCommand) -> Result<(), Failure> {
    let args = match cmd {
        AdminCommand::CreateUser(args) => args,
        AdminCommand::Coupon(cmd) => return super::coupon::run(cmd),
        AdminCommand::ResetPassword(args) => return reset_password(args),
        AdminCommand::AddRole(args) => return add_role(args),
    };
    let role = runcoach_store::users::Role::parse(&args.role).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown role '{}': expected athlete, coach, affiliate or admin",
            args.role
        ))
    })?;
    let password = std::env::var("RUNCOACH_PASSWORD").map_err(|_| {
        Failure::Usage("set the new account's password in RUNCOACH_PASSWORD (kept out of shell history and process lists)".into())
    })?;
    runcoach_app::accounts::password::policy(&password, &args.email)
        .map_err(|m| Failure::Usage(format!("password: {m}")))?;
    let name = if args.name.is_empty() {
        args.email.split('@').next().unwrap_or("").to_owned()
    } else {
        args.name.clone()
    };
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let hash = runcoach_app::accounts::password::hash(&password);
        match runcoach_store::users::create(&db, &args.email, &name, &hash, role).await {
            Ok(u) => {
                println!("created {} ({}) with id {}", u.email, role.as_str(), u.id);
                Ok(())
            }
            Err(runcoach_store::StoreError::Conflict) => Err(Failure::Usage(format!(
                "an account with email {} already exists",
                args.email
            ))),
            Err(e) => Err(Failure::Usage(format!("cannot create the account: {e}"))),
        }
    })
}
