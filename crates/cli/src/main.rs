//! The `runcoach` command. Parsing and dispatch only; the work lives in
//! `runcoach-core` and the modules under `commands`.

mod commands;
mod demo;
mod table;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A self-hostable running coach: race plans with hip strength built in.
#[derive(Debug, Parser)]
#[command(name = "runcoach", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// VDOT, race equivalents and training paces from a race result.
    Paces(commands::paces::Args),
    /// Predict a race time at another distance from a result.
    Predict(commands::predict::Args),
    /// Build a race plan with hip strength scheduled in.
    Plan(Box<commands::plan::Args>),
    /// Check a plan file (JSON) against the training rules; exit 1 on violations.
    Check(commands::check::Args),
    /// List the exercise library.
    Exercises(commands::exercises::Args),
    /// Export a plan file: FIT workouts for a watch, or an iCalendar file.
    Export(commands::export::Args),
    /// Import activity files, a folder of them or a Strava export zip into an
    /// athlete's history (resumable: files imported before are skipped).
    Import(Box<commands::import::Args>),
    /// Run the web app and API (embedded SQLite by default).
    Serve(Box<commands::serve::ServeArgs>),
    /// Database maintenance.
    #[command(subcommand)]
    Db(commands::serve::DbCommand),
    /// Write a consistent online copy of the SQLite database.
    Backup(commands::serve::BackupArgs),
    /// Operator tasks.
    #[command(subcommand)]
    Admin(commands::serve::AdminCommand),
}

/// How a command failed: bad input (exit 2) or a failed check (exit 1).
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    /// The command ran and found problems it has already reported.
    Found,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => return usage_error(&first_line(&e.to_string())),
    };
    let outcome = match cli.command {
        Command::Paces(args) => commands::paces::run(args),
        Command::Predict(args) => commands::predict::run(args),
        Command::Plan(args) => commands::plan::run(*args),
        Command::Check(args) => commands::check::run(args),
        Command::Serve(args) => commands::serve::serve(*args),
        Command::Db(cmd) => commands::serve::db(cmd),
        Command::Backup(args) => commands::serve::backup(args),
        Command::Admin(cmd) => commands::serve::admin(cmd),
        Command::Exercises(args) => commands::exercises::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Import(args) => commands::import::run(*args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => usage_error(&msg),
        Err(Failure::Found) => ExitCode::from(1),
    }
}

/// clap's own errors span several lines (usage, tips); a runner needs the one
/// that names the problem.
fn first_line(message: &str) -> String {
    let problem: Vec<&str> = message
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let line = problem.join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_owned()
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("runcoach: {msg}");
    ExitCode::from(2)
}
