//! `runcoach export`: a plan file as watch workouts (FIT) or a calendar (iCalendar).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use runcoach_core::plan::{Plan, SessionKind};
use runcoach_core::units::Units;
use runcoach_formats::fit_workout::encode;
use runcoach_formats::plan_export::{
    FeedOptions, PlannedSession, kind_name, plan_calendar, planned_sessions, session_workout,
};

use crate::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// One Garmin FIT workout file per run, strength and mobility session.
    Fit(FitArgs),
    /// The plan as an iCalendar (.ics) file on stdout.
    Ics(IcsArgs),
}

#[derive(Debug, clap::Args)]
struct FitArgs {
    /// A plan in runcoach's JSON schema (`runcoach plan --format json`).
    #[arg(long, env = "RUNCOACH_PLAN_FILE")]
    plan: PathBuf,
    /// Directory to write the files to (created if missing).
    #[arg(long, env = "RUNCOACH_OUT")]
    out: PathBuf,
    /// Only this week of the plan (1 is the first).
    #[arg(long, env = "RUNCOACH_WEEK")]
    week: Option<u32>,
}

#[derive(Debug, clap::Args)]
struct IcsArgs {
    /// A plan in runcoach's JSON schema (`runcoach plan --format json`).
    #[arg(long, env = "RUNCOACH_PLAN_FILE")]
    plan: PathBuf,
    /// Show distances and paces in km or mi.
    #[arg(long, env = "RUNCOACH_UNITS", default_value = "km")]
    units: Units,
    /// DTSTAMP as an RFC 3339 time (default: the plan's first day, 00:00 UTC, so
    /// the output depends on the plan alone).
    #[arg(long, env = "RUNCOACH_DTSTAMP")]
    dtstamp: Option<Timestamp>,
    /// "Busy" events with no details, for a work calendar.
    #[arg(long, env = "RUNCOACH_BUSY_ONLY", value_parser = clap::builder::BoolishValueParser::new())]
    busy_only: bool,
    /// Link prefix; each event links to this followed by the session id.
    #[arg(long, env = "RUNCOACH_LINK_BASE")]
    link_base: Option<String>,
}

pub fn run(args: Args) -> Result<(), Failure> {
    match args.what {
        What::Fit(a) => fit(a),
        What::Ics(a) => ics(a),
    }
}

fn read_plan(path: &Path) -> Result<Plan, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("cannot read plan file {shown}: {e}")))?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(format!("{shown} is not a runcoach plan: {e}")))?;
    if plan.weeks.is_empty() {
        return Err(Failure::Usage(format!("{shown} has no weeks")));
    }
    Ok(plan)
}

/// Sessions a watch can run as a workout.
fn exportable(kind: SessionKind) -> bool {
    kind.is_run() || matches!(kind, SessionKind::Strength | SessionKind::Mobility)
}

/// `2026-08-17-intervals.fit`, `…-2.fit` for a second one of a kind on a day.
pub fn file_names(sessions: &[PlannedSession<'_>]) -> Vec<String> {
    let mut used = BTreeSet::new();
    sessions
        .iter()
        .map(|p| {
            let base = format!("{}-{}", p.date, kind_name(p.session.kind));
            let mut name = format!("{base}.fit");
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}-{n}.fit");
                n += 1;
            }
            name
        })
        .collect()
}

fn fit(args: FitArgs) -> Result<(), Failure> {
    let plan = read_plan(&args.plan)?;
    if let Some(week) = args
        .week
        .filter(|w| !plan.weeks.iter().any(|x| x.index == *w))
    {
        let first = plan.weeks.first().map_or(1, |w| w.index);
        let last = plan.weeks.last().map_or(1, |w| w.index);
        return Err(Failure::Usage(format!(
            "--week {week}: the plan has weeks {first}–{last}"
        )));
    }
    let sessions: Vec<PlannedSession<'_>> = planned_sessions(&plan)
        .into_iter()
        .filter(|p| args.week.is_none_or(|w| p.week == w) && exportable(p.session.kind))
        .collect();
    let out = &args.out;
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::Usage(format!(
            "--out {}: cannot create directory: {e}",
            out.display()
        ))
    })?;
    let names = file_names(&sessions);
    let (mut runs, mut strength) = (0, 0);
    for (p, name) in sessions.iter().zip(&names) {
        let path = out.join(name);
        std::fs::write(&path, encode(&session_workout(p.session, p.date)))
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
        if p.session.kind.is_run() {
            runs += 1;
        } else {
            strength += 1;
        }
    }
    let scope = match args.week {
        Some(w) => format!("week {w}"),
        None => format!("{} weeks", plan.weeks.len()),
    };
    println!(
        "wrote {} workout files to {} ({scope}: {runs} runs, {strength} strength and mobility)",
        names.len(),
        out.display()
    );
    Ok(())
}

fn ics(args: IcsArgs) -> Result<(), Failure> {
    let plan = read_plan(&args.plan)?;
    let mut opts = feed_options(&plan, args.units);
    if let Some(ts) = args.dtstamp {
        opts.dtstamp = ts;
    }
    opts.busy_only = args.busy_only;
    opts.link_base = args.link_base;
    super::emit(&plan_calendar(&plan, &opts));
    Ok(())
}

/// Feed options for a plan on the command line: named after the race, stamped
/// with the plan's first day at 00:00 UTC (deterministic: no clock).
pub fn feed_options(plan: &Plan, units: Units) -> FeedOptions {
    let first = plan.weeks.first().map_or(plan.race.date, |w| w.start);
    let dtstamp = first
        .at(0, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let mut opts = FeedOptions::new(
        format!("runcoach: {} on {}", plan.race.name, plan.race.date),
        dtstamp,
    );
    opts.units = units;
    opts
}

/// `runcoach plan … --format ics`.
pub fn plan_ics(plan: &Plan, units: Units) -> String {
    plan_calendar(plan, &feed_options(plan, units))
}
