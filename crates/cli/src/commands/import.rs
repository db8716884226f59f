//! `runcoach import PATH --athlete EMAIL`: activity files, folders of them or
//! a Strava export zip into an athlete's history, resumably.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use runcoach_app::imports::{self as importer, ImportOptions, ImportReport, Progress};
use serde::Serialize;

use super::serve::DbArgs;
use crate::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// An activity file (FIT, GPX, TCX, maybe .gz), a folder of them (read
    /// recursively) or a Strava export zip.
    path: PathBuf,
    /// The athlete's account email.
    #[arg(
        long,
        env = "RUNCOACH_ATHLETE",
        required_unless_present = "decode_only"
    )]
    athlete: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Decoder threads (default: the machine's cores, at most 4).
    #[arg(long, hide = true)]
    threads: Option<usize>,
    /// Decode only, storing nothing (for benchmarks): prints timing as JSON.
    #[arg(long, hide = true)]
    decode_only: bool,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts")
}

/// The JSON report: the contract plus counts that explain it.
#[derive(Serialize)]
struct JsonReport<'a> {
    imported: u64,
    duplicates: u64,
    skipped: u64,
    failed: &'a [importer::Problem],
    salvaged: &'a [importer::Salvage],
    files: u64,
    ignored: usize,
    linked_to_plan: u64,
    import_id: &'a str,
    seconds: f64,
}

/// A one-line progress bar on stderr, redrawn at most ten times a second.
struct Bar {
    started: Instant,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    fn draw(&self, p: Progress, force: bool) {
        let mut last = self.last.lock().expect("no panics");
        if !force && last.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        *last = Some(Instant::now());
        let width = 30usize;
        let filled = if p.total == 0 {
            0
        } else {
            (p.done.min(p.total) as usize * width) / p.total as usize
        };
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {}/{} files · {} imported · {} duplicates · {:.0}/s ",
            "#".repeat(filled),
            " ".repeat(width - filled),
            p.done,
            p.total,
            p.imported,
            p.duplicates,
            p.done as f64 / secs
        );
        let _ = err.flush();
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    if !args.path.exists() {
        return Err(Failure::Usage(format!(
            "{} does not exist: give an activity file, a folder or a Strava export zip",
            args.path.display()
        )));
    }
    let name = args
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| args.path.display().to_string());
    let (work, ignored) = importer::plan_work(&[(args.path.clone(), name)])
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", args.path.display())))?;
    let threads = args.threads.unwrap_or(ImportOptions::default().threads);
    if args.decode_only {
        let stats = importer::decode_only(work, threads);
        super::print_json(&stats);
        return Ok(());
    }
    let email = args.athlete.clone().unwrap_or_default();
    runtime().block_on(async {
        let db = args.db.open().await?;
        db.migrate()
            .await
            .map_err(|e| Failure::Usage(format!("cannot migrate {}: {e}", args.db.describe())))?;
        let Some((user, _)) = runcoach_store::users::by_email(&db, &email)
            .await
            .map_err(|e| Failure::Usage(format!("cannot read the database: {e}")))?
        else {
            return Err(Failure::Usage(format!(
                "no athlete with email {email} in {}: create the account first (runcoach admin create-user)",
                args.db.describe()
            )));
        };
        let import_id = runcoach_store::activities::create_import(&db, &user.id, "cli")
            .await
            .map_err(|e| Failure::Usage(format!("cannot start the import: {e}")))?;
        let started = Instant::now();
        let bar = std::io::stderr().is_terminal().then(|| Bar {
            started,
            last: Mutex::new(None),
        });
        let options = ImportOptions {
            threads,
            ..Default::default()
        };
        let progress = |p: Progress| {
            if let Some(bar) = &bar {
                bar.draw(p, p.done == p.total);
            }
        };
        let mut outcome =
            importer::run_import(&db, &user.id, &import_id, work, &options, &progress).await;
        if outcome.is_ok() {
            // Imported running counts like logged running: the plan may
            // adapt. (Re-adaptation still lives in the web crate.)
            if let Err(e) = runcoach_app::log::readapt(&db, &user.id).await {
                outcome = Err(e);
            }
        }
        if bar.is_some() {
            eprintln!();
        }
        db.close().await;
        let report = outcome.map_err(|e| {
            Failure::Usage(format!(
                "the import stopped: {e}; files stored so far are kept, run the same command again to resume"
            ))
        })?;
        let seconds = started.elapsed().as_secs_f64();
        if args.json {
            super::print_json(&JsonReport {
                imported: report.imported,
                duplicates: report.duplicates,
                skipped: report.skipped,
                failed: &report.failed,
                salvaged: &report.salvaged,
                files: report.files,
                ignored,
                linked_to_plan: report.linked_to_plan,
                import_id: &report.import_id,
                seconds,
            });
        } else {
            print_summary(&report, ignored, seconds, &email);
        }
        Ok(())
    })
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_summary(r: &ImportReport, ignored: usize, seconds: f64, email: &str) {
    println!(
        "Imported {} for {email} from {} in {seconds:.1} s.",
        plural(r.imported, "activity", "activities"),
        plural(r.files, "file", "files"),
    );
    if r.duplicates > 0 {
        println!(
            "  {} already there (same file, or same start and distance): not counted twice",
            plural(r.duplicates, "activity was", "activities were")
        );
    }
    if r.skipped > 0 {
        println!(
            "  {} imported before: skipped",
            plural(r.skipped, "file", "files")
        );
    }
    if ignored > 0 {
        println!(
            "  {} not FIT, GPX, TCX or zip: left alone",
            plural(ignored as u64, "file", "files")
        );
    }
    if r.linked_to_plan > 0 {
        println!(
            "  {} matched to planned runs",
            plural(r.linked_to_plan, "run", "runs")
        );
    }
    if !r.salvaged.is_empty() {
        println!("Salvaged from damaged files:");
        for s in &r.salvaged {
            println!("  {}: {}", s.file, s.note);
        }
    }
    if !r.failed.is_empty() {
        println!("Could not be read:");
        for f in &r.failed {
            println!("  {}: {}", f.file, f.error);
        }
    }
}
