use runcoach_core::science::PaceReport;
use runcoach_core::units::Units;

use super::{RaceArgs, print_json, warn};
use crate::{Failure, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    race: RaceArgs,
    /// Show paces per km or per mile.
    #[arg(long, env = "RUNCOACH_UNITS", default_value = "km")]
    units: Units,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let report = PaceReport::new(&args.race.result()?);
    warn(&report.warnings);
    if args.json {
        print_json(&report);
    } else {
        super::emit(&table::paces(&report, args.units));
    }
    Ok(())
}
