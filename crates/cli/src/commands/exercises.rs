use runcoach_core::exercises::library;

use super::print_json;
use crate::{Failure, table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the library as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Failure> {
    if args.json {
        print_json(&library());
    } else {
        super::emit(&table::exercises(library()));
    }
    Ok(())
}
