//! `runcoach admin coupon create`: the shop's coupons from the shell, through
//! the same use-case (and the same checks) as the admin API.

use runcoach_app::Actor;
use runcoach_app::shop::{self, CouponInput, ShopError};

use super::serve::{DbArgs, runtime};
use crate::Failure;

#[derive(Debug, clap::Subcommand)]
pub enum CouponCommand {
    /// Create a coupon, e.g. `--code RUN10 --percent-off 10 --per-athlete-limit 1
    /// --applies-to training_plan --expires 2027-01-31T00:00:00Z`.
    Create(CreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The code runners type (case and surrounding spaces do not matter).
    #[arg(long)]
    code: String,
    /// Percent off the eligible products, e.g. 10 or 12.5.
    #[arg(long, conflicts_with = "amount_off_minor")]
    percent_off: Option<f64>,
    /// A fixed amount off in minor units (cents), with --currency.
    #[arg(long)]
    amount_off_minor: Option<i64>,
    #[arg(long)]
    currency: Option<String>,
    /// First moment the code works (RFC 3339); default now.
    #[arg(long)]
    starts: Option<String>,
    /// The code works until just before this moment (RFC 3339).
    #[arg(long)]
    expires: String,
    /// Uses across everyone.
    #[arg(long)]
    max_redemptions: Option<i64>,
    /// Uses per athlete (RUN10: 1).
    #[arg(long)]
    per_athlete_limit: Option<i64>,
    /// Smallest eligible subtotal, in minor units.
    #[arg(long)]
    min_subtotal_minor: Option<i64>,
    /// Only for an athlete's first paid order.
    #[arg(long)]
    first_order_only: bool,
    /// Product kinds it applies to (training_plan, coaching_subscription,
    /// coaching_package); default all.
    #[arg(long, value_delimiter = ',')]
    applies_to: Vec<String>,
    #[command(flatten)]
    db: DbArgs,
}

pub fn run(cmd: CouponCommand) -> Result<(), Failure> {
    let CouponCommand::Create(args) = cmd;
    let input = CouponInput {
        code: args.code,
        percent_off_bps: args.percent_off.map(|p| (p * 100.0).round() as i64),
        amount_off_minor: args.amount_off_minor,
        currency: args.currency,
        starts_at: args.starts,
        expires_at: args.expires,
        max_redemptions: args.max_redemptions,
        per_athlete_limit: args.per_athlete_limit,
        min_subtotal_minor: args.min_subtotal_minor,
        first_order_only: args.first_order_only,
        applies_to: args.applies_to,
        athlete_id: None,
        affiliate_id: None,
        active: true,
    };
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let now = runcoach_store::now_ms();
        match shop::create_coupon(&db, &Actor::operator(), input, now).await {
            Ok(c) => {
                println!(
                    "created coupon {} (id {}), valid {} to {}",
                    c.code, c.id, c.starts_at, c.expires_at
                );
                Ok(())
            }
            Err(ShopError::Invalid(fields)) => Err(Failure::Usage(
                fields
                    .iter()
                    .map(|f| format!("--{}: {}", flag(f.field), f.message))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )),
            Err(e) => Err(Failure::Usage(format!("cannot create the coupon: {e}"))),
        }
    })
}

/// The flag a use-case's field came from.
fn flag(field: &str) -> String {
    match field {
        "percent_off_bps" => "percent-off".into(),
        "starts_at" => "starts".into(),
        "expires_at" => "expires".into(),
        other => other.replace('_', "-"),
    }
}
