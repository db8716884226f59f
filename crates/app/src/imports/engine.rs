//! The import engine (shared by `runcoach import` and web uploads).
//!
//! [`plan_work`] turns paths into work items (activity files, Strava export
//! zips; folders are walked recursively in name order). [`run_import`] reads
//! and decodes them on a few worker threads (pure CPU work, off the async
//! runtime) and stores them in batches of [`ImportOptions::batch_files`]
//! files, one transaction each, in the order of the work list (an export's
//! activities in the export's order), so the outcome does not depend on
//! thread timing. An export is read by one worker, entry by entry without
//! decoding (`strava::StravaExport::next_raw`); its entries go through a
//! bounded channel to whichever worker is free, which decodes them
//! (`strava::decode_entry`), so an export decodes on every thread just as a
//! folder does. An entry too big to hold (over `strava::Limits::max_held_bytes`)
//! is decoded by the export's reader itself as it reads it, never held whole.
//! Memory stays bounded: workers run at most [`WINDOW`] items ahead of the
//! in-order position, an export's reader at most [`ZIP_WINDOW`] entries
//! ahead, the channel holds a few raw entries (each at most
//! `max_held_bytes`, `QUEUE_BYTES` together), and at most one batch waits
//! to be stored.
//!
//! Resuming: every file's SHA-256 (an export's activities: their Strava id) is
//! recorded in `import_files`; files an earlier import has done are skipped
//! without decoding. Duplicates across sources (`formats::dedupe`) are found
//! against the athlete's stored activities and counted, never stored twice.
//! A job interrupted part-way (its server died) is run again over the same
//! work: since files are stored in work order, a batch per transaction, the
//! first [`ImportOptions::resume_after`] items are already in its report and
//! are passed over, and the job's counts carry on from there.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use runcoach_formats::strava::{self, ImportedActivity, Origin};
use runcoach_formats::{
    ActivitySummary, ErrorKind, Sport, decode_reader, dedupe, format_from_name, sniff,
};
use runcoach_store::Db;
use runcoach_store::StoreError;
use runcoach_store::activities::{
    self, Candidate, FileRecord, FileStatus, NewActivity, Sameness, StoredFile,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Largest upload (all files together), bytes: a Strava export of ten years.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

/// Largest single activity file read (bigger ones are refused unread).
pub const MAX_FILE_BYTES: u64 = runcoach_formats::MAX_DECOMPRESSED_BYTES;

/// How many work items the decoders may run ahead of the store.
pub const WINDOW: usize = 64;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Decoder threads.
    pub threads: usize,
    /// Files per transaction.
    pub batch_files: usize,
    /// Longest wait before a partial batch is stored (keeps progress moving).
    pub flush_every: Duration,
    /// Items of this job stored by an earlier, interrupted run: passed over.
    pub resume_after: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            threads: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(1, 4),
            batch_files: 200,
            flush_every: Duration::from_millis(250),
            resume_after: 0,
        }
    }
}

/// One thing to read: an activity file or a Strava export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// A FIT, GPX or TCX file, maybe gzipped. `name` is what reports call it.
    File { path: PathBuf, name: String },
    /// A Strava bulk export.
    Zip { path: PathBuf, name: String },
}

impl Work {
    pub fn name(&self) -> &str {
        match self {
            Work::File { name, .. } | Work::Zip { name, .. } => name,
        }
    }
}

/// Whether a file name is a Strava export's (a `.zip`).
pub fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// The work in `paths` (each with the name reports use for it): a file is
/// one item (a `.zip` is a Strava export), a folder is walked recursively in
/// name order for activity files (`.fit`, `.gpx`, `.tcx`, each maybe `.gz`)
/// and `.zip` exports; other files and hidden ones are left alone and
/// counted in the second value.
pub fn plan_work(paths: &[(PathBuf, String)]) -> std::io::Result<(Vec<Work>, usize)> {
    let mut work = Vec::new();
    let mut ignored = 0;
    for (path, name) in paths {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            walk(path, "", &mut work, &mut ignored)?;
        } else if is_zip(name) {
            work.push(Work::Zip {
                path: path.clone(),
                name: name.clone(),
            });
        } else {
            work.push(Work::File {
                path: path.clone(),
                name: name.clone(),
            });
        }
    }
    Ok((work, ignored))
}

fn walk(
    dir: &Path,
    prefix: &str,
    work: &mut Vec<Work>,
    ignored: &mut usize,
) -> std::io::Result<()> {
    let mut entries: Vec<(String, PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some((name, e.path(), e.file_type().ok()?))
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, path, kind) in entries {
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if kind.is_dir() {
            walk(&path, &format!("{rel}/"), work, ignored)?;
        } else if kind.is_file() || kind.is_symlink() && path.is_file() {
            if is_zip(&name) {
                work.push(Work::Zip { path, name: rel });
            } else if format_from_name(&name).is_some() {
                work.push(Work::File { path, name: rel });
            } else {
                *ignored += 1;
            }
        }
    }
    Ok(())
}

/// A file that yielded nothing, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub file: String,
    pub error: String,
    /// What kind of problem `error` details, when it is a known one
    /// (the API's `kind`; the import page words it from this).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ErrorKind>,
}

/// A damaged file that still yielded data, and what was lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Salvage {
    pub file: String,
    pub note: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub import_id: String,
    /// Files (an export's activities count one each) gone through.
    pub files: u64,
    /// Activities stored.
    pub imported: u64,
    /// Activities already stored (same file, or same start and distance).
    pub duplicates: u64,
    /// Files done by an earlier import, not read again.
    pub skipped: u64,
    pub failed: Vec<Problem>,
    pub salvaged: Vec<Salvage>,
    /// Runs linked to planned runs of the newest plan.
    pub linked_to_plan: u64,
}

/// Where an import stands, for progress bars.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub imported: u64,
    pub duplicates: u64,
}

/// One decoded (or refused) file on its way to the store.
struct Decoded {
    record: FileRecord,
    salvaged: Vec<String>,
}

/// What workers send the store. Items are numbered by work item (`seq`) and,
/// within it, by `sub` (an export's entries and rows, in the export's order); the
/// store puts them back in that order whatever thread made them.
enum Msg {
    /// What the `sub`-th part of work item `seq` came to (an unlisted export file
    /// may hold several activities).
    Item {
        seq: usize,
        sub: usize,
        items: Vec<Decoded>,
    },
    /// Work item `seq` is read: it had `subs` parts.
    End { seq: usize, subs: usize },
    /// An export holds this many more items than the one it was counted as.
    More { items: u64 },
}

/// The parts of one work item that arrived out of order, until the store
/// takes them in order.
#[derive(Default)]
struct Arrived {
    parts: BTreeMap<usize, Vec<Decoded>>,
    next_sub: usize,
    subs: Option<usize>,
}

/// How many parts of one export may be read ahead of the store's in-order
/// position (raw, being decoded, or decoded and waiting for an earlier part).
pub const ZIP_WINDOW: usize = 64;

/// Raw export entries waiting for a decoder: at most this many…
const QUEUE_ENTRIES: usize = 16;

/// …and (beyond the first) at most this many bytes: entries held are at
/// most `strava::Limits::max_held_bytes` (4 MiB) each, most a few hundred KB.
const QUEUE_BYTES: usize = 16 << 20;

/// A Strava export being read: what its decode jobs need.
struct ZipJob {
    name: String,
    limits: strava::Limits,
    /// Bytes un-gzipped by decoders, not yet charged to the export's total.
    inflated: AtomicU64,
}

/// One raw export entry to decode, on whichever worker is free.
struct Job {
    seq: usize,
    sub: usize,
    zip: Arc<ZipJob>,
    entry: strava::RawEntry,
}

/// The workers' schedule, under one lock.
struct Sched {
    /// Next work item to hand out.
    next: usize,
    /// The store's in-order position: every part of the work items before
    /// `.0`, and the first `.1` parts of item `.0`, have arrived in order.
    stored: (usize, usize),
    /// The bounded channel of raw export entries to decode.
    jobs: VecDeque<Job>,
    job_bytes: usize,
    /// Exports being read (their readers may still add jobs).
    readers: usize,
    /// The store failed: everyone stops.
    stop: bool,
}

impl Sched {
    fn pop_job(&mut self) -> Option<Job> {
        let job = self.jobs.pop_front()?;
        self.job_bytes -= job.entry.bytes.len();
        Some(job)
    }

    fn has_room(&self) -> bool {
        self.jobs.is_empty() || self.jobs.len() < QUEUE_ENTRIES && self.job_bytes < QUEUE_BYTES
    }

    /// Whether part `sub` of work item `seq` may be read now.
    fn in_window(&self, seq: usize, sub: usize) -> bool {
        let (at, done) = self.stored;
        match at.cmp(&seq) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => sub < done + ZIP_WINDOW,
            std::cmp::Ordering::Less => sub < ZIP_WINDOW,
        }
    }
}

/// What workers share: the work list, the schedule, what to skip.
struct Shared {
    work: Vec<Work>,
    sched: Mutex<Sched>,
    changed: Condvar,
    skip_keys: HashSet<String>,
    /// Content hashes decoded in this run: a second copy of the same file
    /// (the same export unzipped twice into one upload) is not decoded again.
    seen: Mutex<HashSet<String>>,
    hash: bool,
}

/// What a worker does next.
enum Task<'a> {
    Work(usize, &'a Work),
    Decode(Box<Job>),
}

/// Counts an export reader out even if it panics, so the other workers do
/// not wait for its jobs forever.
struct ReaderGuard<'a>(&'a Shared);

impl Drop for ReaderGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().readers -= 1;
        self.0.changed.notify_all();
    }
}

impl Shared {
    fn new(work: Vec<Work>, stored: usize, skip_keys: HashSet<String>, hash: bool) -> Self {
        Shared {
            work,
            sched: Mutex::new(Sched {
                next: 0,
                stored: (stored, 0),
                jobs: VecDeque::new(),
                job_bytes: 0,
                readers: 0,
                stop: false,
            }),
            changed: Condvar::new(),
            skip_keys,
            seen: Mutex::default(),
            hash,
        }
    }

    /// Whether `key` (a content hash) was already taken by another file of
    /// this run; takes it otherwise.
    fn already_seen(&self, key: &str) -> bool {
        self.hash
            && !self
                .seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key.to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sched> {
        self.sched.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'a>(&self, s: std::sync::MutexGuard<'a, Sched>) -> std::sync::MutexGuard<'a, Sched> {
        self.changed.wait(s).unwrap_or_else(|e| e.into_inner())
    }

    /// The next task for a worker: a queued decode job first, else the next
    /// work item once the store is close enough behind; `None` when nothing is
    /// left (or the import stopped).
    fn next_task(&self) -> Option<Task<'_>> {
        let mut s = self.lock();
        loop {
            if s.stop {
                return None;
            }
            if let Some(job) = s.pop_job() {
                drop(s);
                self.changed.notify_all();
                return Some(Task::Decode(Box::new(job)));
            }
            if s.next < self.work.len() {
                if s.next < s.stored.0 + WINDOW {
                    let seq = s.next;
                    s.next += 1;
                    let work = &self.work[seq];
                    if matches!(work, Work::Zip { .. }) {
                        s.readers += 1;
                    }
                    return Some(Task::Work(seq, work));
                }
            } else if s.readers == 0 {
                return None;
            }
            s = self.wait(s);
        }
    }

    /// Blocks an export reader until part `sub` of item `seq` is within
    /// [`ZIP_WINDOW`] of the store and the job channel has room, decoding
    /// queued jobs meanwhile; `false` when the import stopped.
    fn reader_turn(&self, seq: usize, sub: usize, send: &dyn Fn(Msg)) -> bool {
        let mut s = self.lock();
        loop {
            if s.stop {
                return false;
            }
            if s.in_window(seq, sub) && s.has_room() {
                return true;
            }
            if let Some(job) = s.pop_job() {
                drop(s);
                self.changed.notify_all();
                run_job(job, self, send);
                s = self.lock();
                continue;
            }
            s = self.wait(s);
        }
    }

    fn push_job(&self, job: Job) {
        let mut s = self.lock();
        s.job_bytes += job.entry.bytes.len();
        s.jobs.push_back(job);
        drop(s);
        self.changed.notify_all();
    }

    /// The store's in-order position moved on.
    fn advance(&self, to: (usize, usize)) {
        let mut s = self.lock();
        if s.stored != to {
            s.stored = to;
            drop(s);
            self.changed.notify_all();
        }
    }

    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Reads a file once, front to back, in bounded memory: its start (what
/// the format is recognised by) and, when `hash`, its SHA-256 — known before
/// anything is decoded, so a repeated file costs one read.
fn head_and_hash(
    file: &mut std::fs::File,
    hash: bool,
) -> std::io::Result<(Vec<u8>, Option<String>)> {
    const HEAD: usize = 64 * 1024;
    let mut head = Vec::with_capacity(HEAD);
    file.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    if !hash {
        return Ok((head, None));
    }
    let mut digest = Sha256::new();
    digest.update(&head);
    let mut chunk = vec![0u8; HEAD];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        digest.update(&chunk[..n]);
    }
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in digest.finalize() {
        s.push_str(&format!("{b:02x}"));
    }
    Ok((head, Some(s)))
}

fn new_activity(
    summary: &ActivitySummary,
    source: &str,
    key: String,
    name: Option<String>,
) -> NewActivity {
    NewActivity {
        source: source.to_owned(),
        source_key: key,
        name,
        sport: summary.sport.clone(),
        start_time_ms: summary.start_time_ms,
        distance_m: summary.distance_m,
        elapsed_s: summary.elapsed_s,
        moving_s: summary.moving_s,
        avg_hr: summary.avg_hr,
        max_hr: summary.max_hr,
        avg_cadence: summary.avg_cadence,
        elevation_gain_m: summary.elevation_gain_m,
        laps: summary.laps,
        salvaged: summary.salvaged.clone(),
        track_json: serde_json::to_string(&summary.track).expect("tracks serialise"),
    }
}

fn failed(file: String, file_key: String, error: String, kind: Option<ErrorKind>) -> Decoded {
    Decoded {
        record: FileRecord {
            position: 0,
            file,
            file_key,
            status: FileStatus::Failed,
            activities: Vec::new(),
            error: Some(error),
            error_kind: kind.map(|k| k.as_str().to_owned()),
            note: None,
        },
        salvaged: Vec::new(),
    }
}

/// Reads and decodes one activity file: hashed in one pass, then decoded
/// as a stream in another (`formats::decode_reader`), so memory stays
/// bounded whatever the file's size (FIT, decoded from memory, has its own cap).
fn decode_file(path: &Path, name: &str, shared: &Shared) -> Decoded {
    let read = std::fs::File::open(path).and_then(|mut f| {
        let len = f.metadata()?.len();
        if len > MAX_FILE_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "larger than {} MB; activity files are at most a few tens of MB",
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
        let (head, hash) = head_and_hash(&mut f, shared.hash)?;
        Ok((f, head, hash))
    });
    let (mut file, head, hash) = match read {
        Ok(r) => r,
        Err(e) => {
            let kind = if e.kind() == std::io::ErrorKind::FileTooLarge {
                ErrorKind::TooLarge
            } else {
                ErrorKind::Unreadable
            };
            return failed(
                name.to_owned(),
                format!("file:{name}"),
                format!("cannot read the file: {e}"),
                Some(kind),
            );
        }
    };
    let key = hash.unwrap_or_else(|| format!("file:{name}"));
    let repeat = if shared.skip_keys.contains(&key) {
        Some("imported before")
    } else if shared.already_seen(&key) {
        Some("the same file as another in this import")
    } else {
        None
    };
    if let Some(note) = repeat {
        return Decoded {
            record: FileRecord {
                position: 0,
                file: name.to_owned(),
                file_key: key,
                status: FileStatus::Skipped,
                activities: Vec::new(),
                error: None,
                error_kind: None,
                note: Some(note.into()),
            },
            salvaged: Vec::new(),
        };
    }
    let source = match sniff(&head).or_else(|| format_from_name(name)) {
        Some(runcoach_formats::Format::Fit) => "fit",
        Some(runcoach_formats::Format::Gpx) => "gpx",
        Some(runcoach_formats::Format::Tcx) => "tcx",
        None if head.starts_with(&[0x1f, 0x8b]) => "gzip",
        None => "unknown",
    };
    let source = if source == "gzip" {
        match format_from_name(name) {
            Some(runcoach_formats::Format::Fit) => "fit",
            Some(runcoach_formats::Format::Gpx) => "gpx",
            Some(runcoach_formats::Format::Tcx) => "tcx",
            None => "gzip",
        }
    } else {
        source
    };
    drop(head);
    let decoded = std::io::Seek::rewind(&mut file)
        .map_err(|e| runcoach_formats::DecodeError::Read(e.to_string()))
        .and_then(|()| decode_reader(std::io::BufReader::with_capacity(64 * 1024, file), name));
    let summaries = match decoded {
        Ok(s) if s.is_empty() => {
            return failed(
                name.to_owned(),
                key,
                "no activities in the file".into(),
                Some(ErrorKind::NoActivity),
            );
        }
        Ok(s) => s,
        Err(e) => return failed(name.to_owned(), key, e.to_string(), Some(e.kind())),
    };
    let salvaged: Vec<String> = summaries
        .iter()
        .filter_map(|s| s.salvaged.clone())
        .collect();
    let activities = summaries
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let k = if i == 0 {
                key.clone()
            } else {
                format!("{key}#{i}")
            };
            new_activity(s, source, k, None)
        })
        .collect();
    Decoded {
        record: FileRecord {
            position: 0,
            file: name.to_owned(),
            file_key: key,
            status: FileStatus::Imported,
            activities,
            error: None,
            error_kind: None,
            note: (!salvaged.is_empty()).then(|| salvaged.join("; ")),
        },
        salvaged,
    }
}

/// The key and report name of one export item.
fn export_item(zip: &str, a: &ImportedActivity) -> (String, String) {
    let key = match (a.source_id, &a.file) {
        (Some(id), _) => format!("strava:{id}"),
        (None, Some(f)) => format!("strava-file:{f}"),
        (None, None) => format!("strava-csv:{}", a.summary.start_time_ms.unwrap_or(0)),
    };
    let name = match (&a.file, a.origin, a.source_id) {
        (Some(f), Origin::File, _) => format!("{zip}/{f}"),
        (_, _, Some(id)) => format!("{zip}/activities.csv (activity {id})"),
        (Some(f), _, None) => format!("{zip}/{f}"),
        (None, _, None) => format!("{zip}/activities.csv"),
    };
    (key, name)
}

fn skipped(file: String, file_key: String) -> Decoded {
    Decoded {
        record: FileRecord {
            position: 0,
            file,
            file_key,
            status: FileStatus::Skipped,
            activities: Vec::new(),
            error: None,
            error_kind: None,
            note: Some("imported before".into()),
        },
        salvaged: Vec::new(),
    }
}

/// One item of export `zip` (an activity, or a failure with or without the
/// CSV's values to fall back on) on its way to the store.
fn export_decoded(
    zip: &str,
    item: Result<ImportedActivity, strava::FileError>,
    shared: &Shared,
) -> Decoded {
    let (activity, error) = match item {
        Ok(a) => (a, None),
        Err(e) => match e.csv_fallback {
            Some(fallback) => (*fallback, Some(e.error.to_string())),
            None => {
                let key = match e.source_id {
                    Some(id) => format!("strava:{id}"),
                    None => format!("zip:{zip}/{}", e.file),
                };
                return failed(
                    format!("{zip}/{}", e.file),
                    key,
                    e.error.to_string(),
                    Some(e.error.kind()),
                );
            }
        },
    };
    let (key, name) = export_item(zip, &activity);
    if shared.skip_keys.contains(&key) {
        return skipped(name, key);
    }
    let source = match activity.origin {
        Origin::File => "strava",
        Origin::Csv => "strava_csv",
    };
    let mut salvaged: Vec<String> = activity.summary.salvaged.iter().cloned().collect();
    if let Some(error) = &error {
        salvaged.push(format!(
            "the file could not be read ({error}); the activity was taken from activities.csv without a track"
        ));
    }
    let mut a = new_activity(
        &activity.summary,
        source,
        key.clone(),
        activity.name.clone(),
    );
    if a.salvaged.is_none() && error.is_some() {
        a.salvaged = salvaged.last().cloned();
    }
    Decoded {
        record: FileRecord {
            position: 0,
            file: name,
            file_key: key,
            status: FileStatus::Imported,
            activities: vec![a],
            error: None,
            error_kind: None,
            note: (!salvaged.is_empty()).then(|| salvaged.join("; ")),
        },
        salvaged,
    }
}

/// Decodes one raw export entry (on any worker) and sends what it came to.
fn run_job(job: Job, shared: &Shared, send: &dyn Fn(Msg)) {
    let decoded = strava::decode_entry(job.entry, &job.zip.limits);
    job.zip
        .inflated
        .fetch_add(decoded.inflated_bytes, Ordering::Relaxed);
    let items = decoded
        .items
        .into_iter()
        .map(|item| export_decoded(&job.zip.name, item, shared))
        .collect();
    send(Msg::Item {
        seq: job.seq,
        sub: job.sub,
        items,
    });
}

/// Reads a Strava export (work item `seq`) entry by entry: entries to decode
/// go to the job channel for any worker, the rest (CSV problems, refused
/// entries, manual activities, activities imported before) are sent at once.
/// Returns how many parts were sent or queued.
fn read_zip(path: &Path, zip: &str, seq: usize, shared: &Shared, send: &dyn Fn(Msg)) -> usize {
    let export = std::fs::File::open(path)
        .map_err(|e| format!("cannot read the file: {e}"))
        .and_then(|f| {
            strava::read_export(std::io::BufReader::new(f), strava::Limits::default())
                .map_err(|e| format!("not a readable Strava export: {e}"))
        });
    let mut export = match export {
        Ok(e) => e,
        Err(error) => {
            send(Msg::Item {
                seq,
                sub: 0,
                items: vec![failed(zip.to_owned(), format!("zip:{zip}"), error, None)],
            });
            return 1;
        }
    };
    send(Msg::More {
        items: export.expected_items().saturating_sub(1) as u64,
    });
    let job = Arc::new(ZipJob {
        name: zip.to_owned(),
        limits: export.limits(),
        inflated: AtomicU64::new(0),
    });
    let mut sub = 0;
    while shared.reader_turn(seq, sub, send) {
        export.charge_inflated(job.inflated.swap(0, Ordering::Relaxed));
        let Some(raw) = export.next_raw() else {
            break;
        };
        let items = match raw {
            strava::RawItem::Ready(item) => vec![export_decoded(zip, item, shared)],
            strava::RawItem::Entry(entry) => {
                // A listed entry is one activity known by its Strava id: one
                // imported before is skipped without decoding.
                let key = entry.source_id().map(|id| format!("strava:{id}"));
                match key.filter(|k| shared.skip_keys.contains(k)) {
                    Some(key) => vec![skipped(format!("{zip}/{}", entry.file), key)],
                    None => {
                        shared.push_job(Job {
                            seq,
                            sub,
                            zip: Arc::clone(&job),
                            entry,
                        });
                        sub += 1;
                        continue;
                    }
                }
            }
        };
        send(Msg::Item { seq, sub, items });
        sub += 1;
    }
    sub
}

fn worker(shared: &Shared, send: &dyn Fn(Msg)) {
    while let Some(task) = shared.next_task() {
        match task {
            Task::Decode(job) => run_job(*job, shared, send),
            Task::Work(seq, Work::File { path, name }) => {
                send(Msg::Item {
                    seq,
                    sub: 0,
                    items: vec![decode_file(path, name, shared)],
                });
                send(Msg::End { seq, subs: 1 });
            }
            Task::Work(seq, Work::Zip { path, name }) => {
                let guard = ReaderGuard(shared);
                let subs = read_zip(path, name, seq, shared, send);
                drop(guard);
                send(Msg::End { seq, subs });
            }
        }
    }
}

fn shell(start: Option<i64>, distance_m: f64) -> ActivitySummary {
    ActivitySummary {
        sport: Sport::Running,
        start_time_ms: start,
        distance_m,
        elapsed_s: 0.0,
        moving_s: 0.0,
        avg_hr: None,
        max_hr: None,
        avg_cadence: None,
        elevation_gain_m: None,
        laps: 0,
        track: Vec::new(),
        salvaged: None,
    }
}

/// The duplicate rule of `formats::dedupe` between a new activity and a
/// stored one, and which copy says more (`dedupe::richness`).
pub fn same_activity(a: &NewActivity, c: &Candidate) -> Sameness {
    if !dedupe::is_duplicate(
        &shell(a.start_time_ms, a.distance_m),
        &shell(Some(c.start_time_ms), c.distance_m),
    ) {
        return Sameness::Different;
    }
    let point = || runcoach_formats::TrackPoint {
        t_s: None,
        lat: None,
        lon: None,
        ele: None,
        hr: None,
        distance_m: 0.0,
    };
    let new = ActivitySummary {
        avg_hr: a.avg_hr,
        avg_cadence: a.avg_cadence,
        elevation_gain_m: a.elevation_gain_m,
        laps: a.laps,
        track: if a.track_json.len() > 2 {
            vec![point()]
        } else {
            Vec::new()
        },
        salvaged: a.salvaged.clone(),
        ..shell(a.start_time_ms, a.distance_m)
    };
    let old = ActivitySummary {
        avg_hr: c.avg_hr.map(|v| v as f64),
        avg_cadence: c.avg_cadence.map(|v| v as f64),
        elevation_gain_m: c.elevation_gain_m,
        laps: u32::try_from(c.laps).unwrap_or(0),
        track: if c.has_track {
            vec![point()]
        } else {
            Vec::new()
        },
        salvaged: c.salvaged.then(String::new),
        ..shell(Some(c.start_time_ms), c.distance_m)
    };
    if dedupe::richness(&new) > dedupe::richness(&old) {
        Sameness::SameButRicher
    } else {
        Sameness::Same
    }
}

/// Runs import `import_id` (already created) for `user_id` over `work`:
/// decodes, stores, reports progress after every stored batch, links runs
/// to the plan and marks the job done. A database failure marks the job
/// failed and is returned; files already stored stay stored (their batches
/// committed), and the next import skips them.
pub async fn run_import(
    db: &Db,
    user_id: &str,
    import_id: &str,
    work: Vec<Work>,
    options: &ImportOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<ImportReport, StoreError> {
    let result = run_inner(db, user_id, import_id, work, options, progress).await;
    match &result {
        Ok(_) => activities::finish_import(db, import_id, None).await?,
        Err(e) => {
            tracing::error!(error = %e, import_id, "import failed");
            let _ = activities::finish_import(
                db,
                import_id,
                Some("the database failed during the import; run it again to resume"),
            )
            .await;
        }
    }
    result
}

/// Stops the workers when an import ends early, however it ends (an error,
/// or its future dropped because the job's lease was lost or the server is
/// stopping), so no thread decodes for nobody.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// One run of an import, without marking the job done or failed (the
/// caller decides: the CLI at once, a durable job after its last attempt).
pub(crate) async fn run_inner(
    db: &Db,
    user_id: &str,
    import_id: &str,
    work: Vec<Work>,
    options: &ImportOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport {
        import_id: import_id.to_owned(),
        ..Default::default()
    };
    let mut state = Progress {
        total: work.len() as u64,
        ..Default::default()
    };
    activities::start_import(db, import_id, work.len() as i64).await?;
    progress(state);
    let shared = Arc::new(Shared::new(
        work,
        0,
        activities::done_file_keys(db, user_id).await?,
        true,
    ));
    let _stop = StopOnDrop(Arc::clone(&shared));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(256);
    let mut threads = Vec::new();
    for _ in 0..options.threads.max(1) {
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        threads.push(std::thread::spawn(move || {
            worker(&shared, &|m| {
                let _ = tx.blocking_send(m);
            })
        }));
    }
    drop(tx);

    // Reassemble the workers' output in work order.
    let mut next = 0usize;
    let mut buffer: BTreeMap<usize, Arrived> = BTreeMap::new();
    let mut pending: Vec<Decoded> = Vec::new();
    let mut position = 0i64;
    let mut last_flush = Instant::now();
    let mut open = true;
    let mut outcome: Result<(), StoreError> = Ok(());
    while open {
        match rx.recv().await {
            Some(Msg::Item { seq, sub, items }) => {
                buffer.entry(seq).or_default().parts.insert(sub, items);
            }
            Some(Msg::End { seq, subs }) => buffer.entry(seq).or_default().subs = Some(subs),
            Some(Msg::More { items }) => {
                state.total += items;
                if let Err(e) = activities::add_to_total(db, import_id, items as i64).await {
                    outcome = Err(e);
                    break;
                }
            }
            None => open = false,
        }
        while let Some(arrived) = buffer.get_mut(&next) {
            while let Some(items) = arrived.parts.remove(&arrived.next_sub) {
                arrived.next_sub += 1;
                for mut item in items {
                    item.record.position = position;
                    position += 1;
                    // Stored by the interrupted run this one resumes.
                    if (item.record.position as u64) < options.resume_after {
                        continue;
                    }
                    pending.push(item);
                }
            }
            if arrived.subs != Some(arrived.next_sub) {
                break;
            }
            buffer.remove(&next);
            next += 1;
        }
        let due = pending.len() >= options.batch_files
            || !pending.is_empty() && (!open || last_flush.elapsed() >= options.flush_every);
        if due {
            if let Err(e) = store_batch(
                db,
                user_id,
                import_id,
                &mut pending,
                &mut report,
                &mut state,
            )
            .await
            {
                outcome = Err(e);
                break;
            }
            progress(state);
            last_flush = Instant::now();
        }
        // Workers may run WINDOW items (and an export's reader ZIP_WINDOW
        // parts) past what has arrived in order; what waits for the store is
        // bounded by the batch size.
        shared.advance((next, buffer.get(&next).map_or(0, |a| a.next_sub)));
    }
    if outcome.is_err() {
        // Let the workers run out: skip the rest of the work.
        shared.stop();
        rx.close();
    }
    for t in threads {
        let _ = tokio::task::spawn_blocking(move || t.join()).await;
    }
    outcome?;
    report.linked_to_plan = super::matching::link_planned_runs(db, user_id).await?;
    Ok(report)
}

/// Drops NUL characters from the text a file brought (names, sports, zip
/// entry names, decoder messages): PostgreSQL cannot store them in TEXT
/// where SQLite can, and a file's own text should not fail an import on
/// one database only. (Requests with a NUL are refused at the door.)
fn without_nul(record: &mut FileRecord) {
    let strip = |s: &mut String| {
        if s.contains('\0') {
            s.retain(|c| c != '\0');
        }
    };
    strip(&mut record.file);
    strip(&mut record.file_key);
    record.error.iter_mut().for_each(strip);
    record.note.iter_mut().for_each(strip);
    for a in &mut record.activities {
        strip(&mut a.source_key);
        if a.sport.as_str().contains('\0') {
            a.sport = Sport::from_name(&a.sport.as_str().replace('\0', ""));
        }
        a.name.iter_mut().for_each(strip);
        a.salvaged.iter_mut().for_each(strip);
    }
}

async fn store_batch(
    db: &Db,
    user_id: &str,
    import_id: &str,
    pending: &mut Vec<Decoded>,
    report: &mut ImportReport,
    state: &mut Progress,
) -> Result<(), StoreError> {
    let batch = std::mem::take(pending);
    let (mut records, salvaged): (Vec<FileRecord>, Vec<Vec<String>>) =
        batch.into_iter().map(|d| (d.record, d.salvaged)).unzip();
    records.iter_mut().for_each(without_nul);
    let stored = activities::store_files(db, user_id, import_id, &records, &same_activity).await?;
    for (
        (record, notes),
        StoredFile {
            status,
            imported,
            duplicates,
        },
    ) in records.into_iter().zip(salvaged).zip(stored)
    {
        report.files += 1;
        report.imported += u64::from(imported);
        report.duplicates += u64::from(duplicates);
        match status {
            FileStatus::Skipped => report.skipped += 1,
            FileStatus::Failed => report.failed.push(Problem {
                file: record.file.clone(),
                error: record.error.clone().unwrap_or_default(),
                kind: record.error_kind.as_deref().and_then(ErrorKind::parse),
            }),
            _ => {}
        }
        for note in notes {
            report.salvaged.push(Salvage {
                file: record.file.clone(),
                note,
            });
        }
    }
    state.done = report.files;
    state.imported = report.imported;
    state.duplicates = report.duplicates;
    Ok(())
}

/// What a decode-only run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DecodeStats {
    pub files: u64,
    pub activities: u64,
    pub failed: u64,
    pub seconds: f64,
}

/// Decodes `work` on `threads` threads without hashing or storing anything
/// (for benchmarks against other decoders).
pub fn decode_only(work: Vec<Work>, threads: usize) -> DecodeStats {
    let shared = Arc::new(Shared::new(work, usize::MAX / 2, HashSet::new(), false));
    let started = Instant::now();
    let stats = Arc::new(Mutex::new(DecodeStats::default()));
    let handles: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let shared = Arc::clone(&shared);
            let stats = Arc::clone(&stats);
            std::thread::spawn(move || {
                worker(&shared, &|m| {
                    if let Msg::Item { items, .. } = m {
                        let mut s = stats.lock().expect("no panics");
                        for item in items {
                            s.files += 1;
                            s.activities += item.record.activities.len() as u64;
                            s.failed += u64::from(item.record.status == FileStatus::Failed);
                        }
                    }
                })
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    let mut s = stats.lock().expect("no panics").clone();
    s.seconds = started.elapsed().as_secs_f64();
    s
}
