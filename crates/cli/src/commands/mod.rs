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
    let mut text = serde_json::to_string_pretty(value).expect("reports always serialise");
    text.push('\n');
    emit(&text);
}

/// Writes to stdout. A reader that went away (`runcoach plan | head`) is not
/// an error worth a message: the command stops quietly, as other tools do.
pub fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("runcoach: cannot write the output: {e}");
        std::process::exit(1);
    }
}

/// Today's date from the clock (UTC), when the runner did not give one.
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Prints warnings to stderr so JSON on stdout stays clean.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
