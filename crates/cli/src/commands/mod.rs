pub mod check;
pub mod coupon;
pub mod exercises;
pub mod export;
pub mod import;
pub mod paces;
pub mod plan;
pub mod predict;
pub mod serve;

use runcoach_core::science::RaceResult;
use runcoach_core::units::{Distance, RaceTime};

use crate::Failure;

/// The race result both `paces` and `predict` start from.
#[derive(Debug, clap::Args)]
pub struct RaceArgs {
    /// Race distance: 5k, 10k, half, marathon, mile, 1500m, 12.5km, 8mi…
    #[arg(long, env = "RUNCOACH_RACE", allow_hyphen_values = true)]
    race: Distance,
    /// Finishing time: mm:ss or h:mm:ss (e.g. 19:57, 1:31:35).
    #[arg(long, env = "RUNCOACH_TIME", allow_hyphen_values = true)]
    time: RaceTime,
}

impl RaceArgs {
    pub fn result(self) -> Result<RaceResult, Failure> {
        RaceResult::new(self.race, self.time).map_err(|e| Failure::Usage(e.0))
    }
}

/// Prints JSON with a trailing newline.
pub fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("reports always serialise")
    );
}

/// Prints warnings to stderr so JSON on stdout stays clean.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
