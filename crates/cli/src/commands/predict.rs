use runcoach_core::science::{Model, Prediction};
use runcoach_core::units::Distance;

use super::{RaceArgs, print_json, warn};
use crate::{Failure, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    race: RaceArgs,
    /// The distance to predict: 5k, 10k, half, marathon, 30k…
    #[arg(long, env = "RUNCOACH_TARGET", allow_hyphen_values = true)]
    target: Distance,
    /// Prediction model: daniels (VDOT), riegel (exponent 1.06) or cameron.
    #[arg(long, env = "RUNCOACH_MODEL", default_value = "daniels")]
    model: Model,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let prediction = Prediction::new(args.model, &args.race.result()?, &args.target);
    warn(&prediction.warnings);
    if args.json {
        print_json(&prediction);
    } else {
        super::emit(&table::prediction(&prediction));
    }
    Ok(())
}
