use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_core::units::Units;

use super::{emit, print_json};
use crate::{Failure, table};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Markdown,
    Json,
    Ics,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Goal race: 5k, 10k, half, marathon, or a distance such as 15k, 30k, 50k.
    #[arg(long, env = "RUNCOACH_RACE", allow_hyphen_values = true)]
    race: String,
    /// Race date, YYYY-MM-DD.
    #[arg(long, env = "RUNCOACH_RACE_DATE")]
    race_date: String,
    /// First day of the plan, YYYY-MM-DD (or give --weeks).
    #[arg(long, env = "RUNCOACH_START", conflicts_with = "weeks")]
    start: Option<String>,
    /// Plan length in weeks, ending on race day (instead of --start).
    #[arg(long, env = "RUNCOACH_WEEKS")]
    weeks: Option<u32>,
    /// Days you can run, e.g. mon,tue,thu,sat,sun (3–7 days).
    #[arg(long, env = "RUNCOACH_RUN_DAYS", value_delimiter = ',')]
    run_days: Vec<String>,
    /// The day for your long run; must be one of the run days.
    #[arg(long, env = "RUNCOACH_LONG_RUN_DAY")]
    long_run_day: String,
    /// first-timer or experienced.
    #[arg(long, env = "RUNCOACH_LEVEL")]
    level: String,
    /// What you run in a typical week now, in km.
    #[arg(long, env = "RUNCOACH_WEEKLY_KM", allow_hyphen_values = true)]
    weekly_km: f64,
    /// Your longest run in the last month, in km.
    #[arg(long, env = "RUNCOACH_LONGEST_RUN_KM", allow_hyphen_values = true)]
    longest_run_km: Option<f64>,
    /// A recent race as DISTANCE:TIME, e.g. 10k:52:30; paces come from it.
    #[arg(long, env = "RUNCOACH_RECENT")]
    recent: Option<String>,
    /// Hip strength sessions a week: 2 or 3.
    #[arg(long, env = "RUNCOACH_STRENGTH_DAYS", default_value_t = 2)]
    strength_days: u8,
    /// Start strength work gently: fewer sets for the first two weeks.
    #[arg(long, env = "RUNCOACH_NEW_TO_STRENGTH", value_parser = clap::builder::BoolishValueParser::new())]
    new_to_strength: bool,
    /// Kit you have: band, bench (comma-separated).
    #[arg(long, env = "RUNCOACH_EQUIPMENT", value_delimiter = ',')]
    equipment: Vec<String>,
    /// A niggle to train around: knee, itb, hip-flexor, low-back (repeatable).
    #[arg(long = "niggle", env = "RUNCOACH_NIGGLES", value_delimiter = ',')]
    niggles: Vec<String>,
    /// Show distances and paces in km or mi.
    #[arg(long, env = "RUNCOACH_UNITS", default_value = "km")]
    units: Units,
    /// The article's self-check: wobbly-balance, knee-drift (comma-separated).
    #[arg(long, env = "RUNCOACH_SELF_CHECK", value_delimiter = ',')]
    self_check: Vec<String>,
    /// Weekday each plan week starts on (default: weeks end on race day).
    #[arg(long, env = "RUNCOACH_WEEK_START")]
    week_start: Option<String>,
    /// Today's date, YYYY-MM-DD (default: the clock); a race before it is refused.
    #[arg(long, env = "RUNCOACH_TODAY")]
    today: Option<String>,
    /// table (a week at a glance), markdown, or json.
    #[arg(long, env = "RUNCOACH_FORMAT", value_enum, default_value = "table")]
    format: Format,
}

impl Args {
    fn input(&self) -> Result<PlanInput, Failure> {
        let recent = self
            .recent
            .as_deref()
            .map(runcoach_core::plan::RecentInput::parse)
            .transpose()
            .map_err(Failure::Usage)?;
        Ok(PlanInput {
            race: self.race.clone(),
            race_date: self.race_date.clone(),
            start: self.start.clone(),
            weeks: self.weeks,
            run_days: self.run_days.clone(),
            long_run_day: self.long_run_day.clone(),
            level: self.level.clone(),
            weekly_km: self.weekly_km,
            longest_run_km: self.longest_run_km,
            recent,
            strength_days: self.strength_days,
            new_to_strength: self.new_to_strength,
            equipment: self.equipment.clone(),
            niggles: self.niggles.clone(),
            units: Some(self.units.label().to_owned()),
            today: Some(
                self.today
                    .clone()
                    .unwrap_or_else(|| super::today().to_string()),
            ),
            week_start: self.week_start.clone(),
            self_check: self.self_check.clone(),
        })
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    let request = args.input()?.validate().map_err(|errors| {
        Failure::Usage(
            errors
                .iter()
                .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let plan = build_plan(&request);
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    match args.format {
        Format::Json => print_json(&plan),
        Format::Table => emit(&table::plan(&plan, args.units)),
        Format::Markdown => emit(&table::plan_markdown(&plan, args.units)),
        Format::Ics => emit(&super::export::plan_ics(&plan, args.units)),
    }
    Ok(())
}
