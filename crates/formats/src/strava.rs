//! Strava bulk exports: the zip Strava mails on request ("Download your data"),
//! read entry by entry into one [`ImportedActivity`] per activity.
//!
//! Iterating a [`StravaExport`] reads and decodes on the calling thread. To decode
//! on several, take [`StravaExport::next_raw`]: it reads (and checks) one entry
//! without decoding it, and [`decode_entry`], a pure function, finishes it on any
//! thread; the iterator is just the two together.
//!
//! ```no_run
//! use runcoach_formats::strava::{Limits, read_export};
//!
//! let file = std::fs::File::open("export_12345678.zip").unwrap();
//! let export = read_export(std::io::BufReader::new(file), Limits::default()).unwrap();
//! println!("about {} activities", export.expected_items());
//! for item in export {
//!     match item {
//!         Ok(activity) => println!("{:?} {}", activity.source_id, activity.summary.distance_m),
//!         Err(failed) => eprintln!("{failed}"),
//!     }
//! }
//! ```
//!
//! # What is read
//! - `activities.csv` (at the archive's root, or under one top folder when the
//!   runner re-zipped the extracted export) is parsed **by column name**. The
//!   header repeats some names with different units; see [`CsvActivity`] for which
//!   occurrence is used.
//! - Each row's `Filename` (`activities/2001.fit.gz`) names the zip entry holding its
//!   recording; the number in the file name is Strava's upload id, not the activity
//!   id, so the row is the only link between the two.
//! - Rows without a file (activities entered by hand on Strava) become activities
//!   built from the CSV values alone ([`Origin::Csv`]).
//! - Files under `activities/` that no row names are still imported, without an id.
//! - Everything else in the archive (media, routes, profile CSVs) is skipped unread.
//! - Every activity keeps its sport (runs, rides, weight training …): choosing what
//!   counts as running is the caller's business.
//!
//! # Order of the items
//! Problems with `activities.csv` rows first, then the archive's entries in archive
//! order (so the input is read front to back), then the activities that have no
//! file, and last the rows whose file is missing from the archive.
//!
//! # Hostile archives
//! Nothing is ever written to disk. Still, names that would escape a folder when
//! extracted (`..` parts, absolute paths, drive letters) are refused, so a hostile
//! archive is reported as such. Each entry's uncompressed size is capped (declared
//! and actually read), and so are the archive's total, the number of entries, the
//! compression ratio and the central directory's size (checked from the end record
//! before the directory is loaded). Memory stays bounded: the directory, the CSV's
//! rows (read as a stream, one row at a time, at most [`Limits::max_csv_rows`]),
//! and one entry — held whole only up to [`Limits::max_held_bytes`], a larger one
//! decoded as it is read (a FIT whole up to [`crate::MAX_FIT_BYTES`]). A problem
//! with one entry is a [`FileError`] for that entry and the next entry is read as
//! usual; only an archive whose directory cannot be read at all is an
//! [`ArchiveError`].

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, Read, Seek, SeekFrom};

use zip::ZipArchive;

use crate::{ActivitySummary, DecodeError, Inflated, Sport, format_from_name};

/// Caps that keep a hostile or broken archive from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest uncompressed entry, bytes (a gzipped activity file is capped again
    /// after un-gzipping). The largest real activity files are a few tens of MB.
    pub max_entry_bytes: u64,
    /// Most uncompressed bytes read from the whole archive (entries and un-gzipped
    /// files together).
    pub max_total_bytes: u64,
    /// Entries beyond this many (in archive order) are not read.
    pub max_entries: usize,
    /// Largest uncompressed : compressed ratio accepted for an entry (or a gzipped
    /// file inside it) bigger than [`Limits::ratio_floor_bytes`]. Deflate reaches
    /// ~20:1 on GPX/TCX text and ~3:1 on FIT; bombs reach 1000:1.
    pub max_ratio: u64,
    /// Entries no larger than this (uncompressed) are not ratio-checked: small
    /// repetitive files compress very well without being bombs.
    pub ratio_floor_bytes: u64,
    /// Largest `activities.csv`, bytes. It is read as a stream: what it costs
    /// in memory is its rows, capped by [`Limits::max_csv_rows`].
    pub max_csv_bytes: u64,
    /// Rows of `activities.csv` read (unusable ones included); the rest are one
    /// problem. Two activities a day for 30 years is ~22,000.
    pub max_csv_rows: usize,
    /// Entries up to this size (uncompressed) are read into memory, so that
    /// [`StravaExport::next_raw`] can hand them out to be decoded on any
    /// thread; a larger one is decoded while it is read, on the reading
    /// thread, as a stream (GPX, TCX; a FIT is read whole up to
    /// [`crate::MAX_FIT_BYTES`]), so one export holds at most one big entry.
    pub max_held_bytes: u64,
    /// Largest central directory, bytes (bounds the memory the entry list takes
    /// before any entry is read; ~100 bytes per entry).
    pub max_directory_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 128 << 20,
            max_total_bytes: 32 << 30,
            max_entries: 200_000,
            max_ratio: 100,
            ratio_floor_bytes: 1 << 20,
            max_csv_bytes: 64 << 20,
            max_csv_rows: 50_000,
            max_held_bytes: 4 << 20,
            max_directory_bytes: 64 << 20,
        }
    }
}

/// Where an activity's numbers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Decoded from the recorded file; the CSV row only supplies the id, name and
    /// sport, and fills what the file lacks (start time, distance, duration).
    File,
    /// Built from the `activities.csv` row alone: a manual activity, or a row whose
    /// file is missing or unreadable. No track, no laps.
    Csv,
}

/// One activity out of the export.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ImportedActivity {
    /// Strava's activity id (`Activity ID`); `None` for a file no CSV row names.
    pub source_id: Option<u64>,
    /// The archive entry the summary was decoded from (`activities/2001.fit.gz`);
    /// for [`Origin::Csv`] the file the row names, if any.
    pub file: Option<String>,
    /// The runner's title for the activity (`Activity Name`).
    pub name: Option<String>,
    /// Where the numbers come from.
    pub origin: Origin,
    /// The activity. For file-backed ones the sport is Strava's `Activity Type` (the
    /// runner may have corrected it on Strava) unless the row has none.
    pub summary: ActivitySummary,
}

/// Why one entry (or one CSV row) of an export could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExportError {
    /// A name that would escape the extraction folder.
    #[error("unsafe file name in the archive (absolute path or '..'); not read")]
    UnsafeName,
    /// Entry larger than [`Limits::max_entry_bytes`].
    #[error("file expands to more than {limit} bytes; not read")]
    TooLarge {
        /// The cap, bytes.
        limit: u64,
    },
    /// Entry or gzipped file that expands suspiciously far.
    #[error(
        "file expands {ratio}:1 from its compressed size, more than the {limit}:1 allowed (a zip bomb?); not read"
    )]
    CompressionRatio {
        /// The ratio seen (uncompressed / compressed, rounded down).
        ratio: u64,
        /// [`Limits::max_ratio`].
        limit: u64,
    },
    /// The archive's total ran over [`Limits::max_total_bytes`].
    #[error("the archive expands to more than {limit} bytes in total; this file was not read")]
    TotalTooLarge {
        /// The cap, bytes.
        limit: u64,
    },
    /// The entry lies beyond [`Limits::max_entries`].
    #[error("the archive has {total} entries; only the first {limit} are read")]
    TooManyEntries {
        /// The cap.
        limit: usize,
        /// Entries in the archive.
        total: usize,
    },
    /// Corrupt, encrypted or unsupported entry.
    #[error("damaged zip entry: {0}")]
    Zip(String),
    /// The entry's bytes are not a readable activity.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The archive has no `activities.csv`.
    #[error(
        "the archive has no activities.csv: activity files are imported without Strava ids, manual activities are missing"
    )]
    MissingCsv,
    /// A row of `activities.csv` that cannot be used.
    #[error("{0}")]
    Csv(String),
    /// A row's `Filename` names an entry the archive does not hold.
    #[error("listed in activities.csv but missing from the archive")]
    MissingFile,
}

impl ExportError {
    /// What kind of problem this is (a decoding problem's own kind).
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            ExportError::UnsafeName => K::UnsafeName,
            ExportError::TooLarge { .. }
            | ExportError::CompressionRatio { .. }
            | ExportError::TotalTooLarge { .. } => K::TooLarge,
            ExportError::TooManyEntries { .. } => K::TooManyEntries,
            ExportError::Zip(_) => K::Damaged,
            ExportError::Decode(e) => e.kind(),
            ExportError::MissingCsv => K::MissingCsv,
            ExportError::Csv(_) => K::BadCsvRow,
            ExportError::MissingFile => K::MissingFile,
        }
    }
}

/// One entry (or row) that failed, and what could still be taken from the CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    /// The entry's name as stored in the archive (for CSV problems:
    /// `activities.csv line N`).
    pub file: String,
    /// Strava's activity id when a CSV row names this file.
    pub source_id: Option<u64>,
    /// What went wrong.
    pub error: ExportError,
    /// The activity built from its CSV row ([`Origin::Csv`]), when a row names the
    /// file and has a usable date: the caller may store it and report the file as
    /// salvaged from the CSV rather than lost.
    pub csv_fallback: Option<Box<ImportedActivity>>,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.error)?;
        if self.csv_fallback.is_some() {
            f.write_str(" (imported from activities.csv values instead)")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileError {}

/// An archive that cannot be read at all (no entry could be reached).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    /// Not a zip, or its central directory is damaged.
    #[error("not a readable zip archive: {0}")]
    NotZip(String),
    /// Central directory larger than [`Limits::max_directory_bytes`].
    #[error("the archive's file list takes {size} bytes, more than the {limit} allowed")]
    DirectoryTooLarge {
        /// Declared size, bytes.
        size: u64,
        /// The cap, bytes.
        limit: u64,
    },
}

/// One row of `activities.csv`, read by column name.
///
/// Strava's 94-column header repeats names. Which occurrence is used:
/// - `Distance`: the **second** occurrence, in metres (`9008.22`), when it has a
///   value. The first is rounded to 2 decimals in the athlete's display unit (km
///   for metric accounts, `9.01`); it is used only when the second is empty or
///   absent (older exports have a single `Distance`), converted with the unit
///   [`read_export`] detects from rows that have both (the ratio second/first is
///   ~1000 for km, ~1609 for miles; km when no row has both).
/// - `Elapsed Time`: the second (seconds with decimals), else the first (whole
///   seconds); both are seconds.
/// - `Max Heart Rate`, `Relative Effort`, `Commute`: the last non-empty occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvActivity {
    /// 1-based line of the row in the CSV (header = line 1).
    pub line: u64,
    /// `Activity ID`.
    pub id: u64,
    /// `Activity Date` in UTC unix ms, when it parses.
    pub start_time_ms: Option<i64>,
    /// `Activity Date` as written.
    pub date_text: String,
    /// `Activity Name`.
    pub name: Option<String>,
    /// `Activity Type` as a sport (`None` when empty).
    pub sport: Option<Sport>,
    /// Distance, metres (see above); `None` when empty.
    pub distance_m: Option<f64>,
    /// Elapsed time, seconds.
    pub elapsed_s: Option<f64>,
    /// `Moving Time`, seconds.
    pub moving_s: Option<f64>,
    /// `Average Heart Rate`.
    pub avg_hr: Option<f64>,
    /// `Max Heart Rate`.
    pub max_hr: Option<f64>,
    /// `Average Cadence`.
    pub avg_cadence: Option<f64>,
    /// `Elevation Gain`, metres.
    pub elevation_gain_m: Option<f64>,
    /// `Filename`, relative to the export's root; `None` for manual activities.
    pub filename: Option<String>,
}

impl CsvActivity {
    /// The activity as the CSV alone describes it; `None` without a usable date
    /// (an activity that cannot be placed in time cannot be used).
    pub fn to_summary(&self) -> Option<ActivitySummary> {
        let start = self.start_time_ms?;
        let elapsed = self.elapsed_s.or(self.moving_s).unwrap_or(0.0);
        Some(ActivitySummary {
            sport: self
                .sport
                .clone()
                .unwrap_or_else(|| Sport::Other("unspecified".into())),
            start_time_ms: Some(start),
            distance_m: self.distance_m.unwrap_or(0.0),
            elapsed_s: elapsed,
            moving_s: self.moving_s.unwrap_or(elapsed),
            avg_hr: self.avg_hr,
            max_hr: self.max_hr,
            avg_cadence: self.avg_cadence,
            elevation_gain_m: self.elevation_gain_m,
            laps: 0,
            track: Vec::new(),
            salvaged: None,
        })
    }

    fn to_imported(&self, file: Option<String>) -> Option<ImportedActivity> {
        Some(ImportedActivity {
            source_id: Some(self.id),
            file,
            name: self.name.clone(),
            origin: Origin::Csv,
            summary: self.to_summary()?,
        })
    }
}

/// Opens an export: checks the central directory's size, loads the entry list and
/// parses `activities.csv`. Entries are read lazily by iterating the result.
pub fn read_export<R: Read + Seek>(
    mut reader: R,
    limits: Limits,
) -> Result<StravaExport<R>, ArchiveError> {
    if let Some(size) = central_directory_size(&mut reader)
        && size > limits.max_directory_bytes
    {
        return Err(ArchiveError::DirectoryTooLarge {
            size,
            limit: limits.max_directory_bytes,
        });
    }
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let archive = ZipArchive::new(reader).map_err(|e| ArchiveError::NotZip(e.to_string()))?;
    let mut export = StravaExport {
        archive,
        limits,
        prefix: String::new(),
        rows: Vec::new(),
        by_file: HashMap::new(),
        seen_files: HashSet::new(),
        next_index: 0,
        total_read: 0,
        pending: VecDeque::new(),
        decoded: VecDeque::new(),
        finished: false,
        expected: 0,
    };
    export.load_csv();
    Ok(export)
}

/// An open export; iterate it for one item per activity (or per failure).
pub struct StravaExport<R> {
    archive: ZipArchive<R>,
    limits: Limits,
    /// Folder holding `activities.csv` inside the archive (`""` or `name/`).
    prefix: String,
    rows: Vec<CsvActivity>,
    /// Full entry name → row index.
    by_file: HashMap<String, usize>,
    /// Rows whose file has been met (read, failed or refused).
    seen_files: HashSet<usize>,
    next_index: usize,
    total_read: u64,
    /// Items ready without decoding (CSV problems, then what [`Self::finish`] adds).
    pending: VecDeque<Result<ImportedActivity, FileError>>,
    /// The iterator's decoded items not yet handed out (a file's extra activities).
    decoded: VecDeque<Result<ImportedActivity, FileError>>,
    finished: bool,
    expected: usize,
}

impl<R: Read + Seek> std::fmt::Debug for StravaExport<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StravaExport")
            .field("entries", &self.archive.len())
            .field("rows", &self.rows.len())
            .field("next_index", &self.next_index)
            .finish_non_exhaustive()
    }
}

impl<R: Read + Seek> StravaExport<R> {
    /// How many items iterating will yield, give or take a few (one per CSV row plus
    /// one per unlisted activity file plus CSV problems): the total for a progress bar.
    pub fn expected_items(&self) -> usize {
        self.expected
    }

    /// The rows of `activities.csv` that parsed.
    pub fn csv_rows(&self) -> &[CsvActivity] {
        &self.rows
    }

    /// Entries in the archive.
    pub fn entry_count(&self) -> usize {
        self.archive.len()
    }

    /// The caps this export is read with (what [`decode_entry`] needs).
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The next item without decoding, in the iterator's order: an entry's raw
    /// bytes and CSV row for [`decode_entry`] (which may run on another thread),
    /// or an item that needs no decoding. Reads at most one entry; an entry
    /// larger than [`Limits::max_held_bytes`] is decoded here, as it is read,
    /// and its items come out ready. Memory held between calls stays bounded by
    /// the directory and the CSV's rows.
    ///
    /// Read an export either this way or by iterating it, not both: the
    /// iterator is this plus [`decode_entry`], and may hold the extra
    /// activities of an entry it decoded.
    pub fn next_raw(&mut self) -> Option<RawItem> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(RawItem::Ready(item));
            }
            if self.next_index < self.archive.len() {
                let index = self.next_index;
                self.next_index += 1;
                if let Some(item) = self.process(index) {
                    return Some(item);
                }
                continue;
            }
            if self.finished {
                return None;
            }
            self.finished = true;
            self.finish();
        }
    }

    /// Counts bytes un-gzipping produced ([`DecodedEntry::inflated_bytes`])
    /// toward [`Limits::max_total_bytes`], so entries read after are capped by
    /// what is left. When entries are decoded elsewhere, charge them as they come
    /// back: the total is then exceeded by at most the entries in flight.
    pub fn charge_inflated(&mut self, bytes: u64) {
        self.total_read = self.total_read.saturating_add(bytes);
    }

    fn load_csv(&mut self) {
        // The shallowest `activities.csv`: at the root, or inside one top folder.
        let csv = (0..self.archive.len())
            .filter_map(|i| {
                let name = self.archive.name_for_index(i)?;
                let depth = name.matches('/').count();
                let is_csv = name == "activities.csv" || name.ends_with("/activities.csv");
                (is_csv && depth <= 1 && is_safe_name(name)).then(|| (depth, i, name.to_owned()))
            })
            .min();
        let Some((_, index, name)) = csv else {
            self.pending.push_back(Err(FileError {
                file: "activities.csv".into(),
                source_id: None,
                error: ExportError::MissingCsv,
                csv_fallback: None,
            }));
            self.expected = 1 + self.unlisted_candidates();
            return;
        };
        self.prefix = name[..name.len() - "activities.csv".len()].to_owned();
        let limits = self.limits;
        let read = match open_entry(
            &mut self.archive,
            index,
            limits.max_csv_bytes,
            &limits,
            u64::MAX,
        ) {
            Ok(mut entry) => {
                let (rows, problems) = read_activities_csv(&mut entry, limits.max_csv_rows);
                // Read to its end: the checksum and the cap judge the whole file.
                let _ = std::io::copy(&mut entry, &mut std::io::sink());
                entry
                    .verdict(&limits)
                    .map(|()| (rows, problems, entry.read))
            }
            Err(error) => Err(error),
        };
        let (rows, problems, csv_bytes) = match read {
            Ok(read) => read,
            Err(error) => {
                self.pending.push_back(Err(FileError {
                    file: name,
                    source_id: None,
                    error,
                    csv_fallback: None,
                }));
                self.expected = 1 + self.unlisted_candidates();
                return;
            }
        };
        self.total_read += csv_bytes;
        for (line, message) in problems {
            self.pending.push_back(Err(FileError {
                file: format!("{name} line {line}"),
                source_id: None,
                error: ExportError::Csv(message),
                csv_fallback: None,
            }));
        }
        for (i, row) in rows.iter().enumerate() {
            if let Some(file) = &row.filename {
                self.by_file
                    .entry(format!("{}{file}", self.prefix))
                    .or_insert(i);
            }
        }
        self.rows = rows;
        self.expected = self.pending.len() + self.rows.len() + self.unlisted_candidates();
    }

    fn unlisted_candidates(&self) -> usize {
        (0..self.archive.len())
            .filter_map(|i| self.archive.name_for_index(i))
            .filter(|n| !self.by_file.contains_key(*n) && self.is_activity_file(n))
            .count()
    }

    fn is_activity_file(&self, name: &str) -> bool {
        name.strip_prefix(&self.prefix)
            .and_then(|rest| rest.strip_prefix("activities/"))
            .is_some_and(|rest| !rest.is_empty() && !rest.ends_with('/'))
            && format_from_name(name).is_some()
    }

    /// Reads entry `index` without decoding it; `None` when it is not an
    /// activity file.
    fn process(&mut self, index: usize) -> Option<RawItem> {
        let name = self.archive.name_for_index(index)?.to_owned();
        if name.ends_with('/') {
            return None;
        }
        let row = self.by_file.get(&name).copied();
        if let Some(r) = row {
            self.seen_files.insert(r);
        }
        let fail = |this: &Self, error: ExportError| {
            Some(RawItem::Ready(Err(file_error(
                name.clone(),
                row.map(|r| &this.rows[r]),
                error,
            ))))
        };
        if !is_safe_name(&name) {
            return fail(self, ExportError::UnsafeName);
        }
        if row.is_none() && !self.is_activity_file(&name) {
            return None;
        }
        if index >= self.limits.max_entries {
            let error = ExportError::TooManyEntries {
                limit: self.limits.max_entries,
                total: self.archive.len(),
            };
            return fail(self, error);
        }
        let remaining = self.limits.max_total_bytes.saturating_sub(self.total_read);
        let limits = self.limits;
        let csv_row = row.map(|r| &self.rows[r]);
        let refuse =
            |name: String, error| Some(RawItem::Ready(Err(file_error(name, csv_row, error))));
        let mut entry = match open_entry(
            &mut self.archive,
            index,
            limits.max_entry_bytes,
            &limits,
            remaining,
        ) {
            Ok(entry) => entry,
            Err(error) => return refuse(name, error),
        };
        let mut held = Vec::new();
        // An error is the entry's verdict (read error or cap), judged below.
        let _ = (&mut entry)
            .take(limits.max_held_bytes.saturating_add(1))
            .read_to_end(&mut held);
        if held.len() as u64 <= limits.max_held_bytes {
            // Read to its end (or refused): small enough to hand out.
            if let Err(error) = entry.verdict(&limits) {
                return refuse(name, error);
            }
            self.total_read += held.len() as u64;
            return Some(RawItem::Entry(RawEntry {
                row: csv_row.cloned(),
                file: name,
                bytes: held,
                budget: limits.max_total_bytes.saturating_sub(self.total_read),
            }));
        }
        // A big entry is decoded here as it is read, never held whole.
        let source = std::io::BufReader::new(std::io::Cursor::new(held).chain(&mut entry));
        let content = decode_content(source, plain_name(&name), &limits, remaining);
        // Read to its end: the checksum and the caps judge the whole entry.
        let _ = std::io::copy(&mut entry, &mut std::io::sink());
        if let Err(error) = entry.verdict(&limits) {
            return refuse(name, error);
        }
        self.total_read += entry.read;
        let budget = limits.max_total_bytes.saturating_sub(self.total_read);
        let decoded = entry_items(name, csv_row, content, entry.read, &limits, budget);
        self.total_read = self.total_read.saturating_add(decoded.inflated_bytes);
        let mut items = decoded.items.into_iter();
        let first = items.next()?;
        // Nothing else is pending while entries are read: the file's other
        // activities come next, in order.
        self.pending.extend(items);
        Some(RawItem::Ready(first))
    }

    /// After the last entry: manual activities, then rows whose file never showed up.
    fn finish(&mut self) {
        let mut missing = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            match &row.filename {
                None => self.pending.push_back(match row.to_imported(None) {
                    Some(activity) => Ok(activity),
                    None => Err(FileError {
                        file: format!("activities.csv line {}", row.line),
                        source_id: Some(row.id),
                        error: ExportError::Csv(format!(
                            "manual activity with an unreadable Activity Date '{}'",
                            row.date_text
                        )),
                        csv_fallback: None,
                    }),
                }),
                Some(file) if !self.seen_files.contains(&i) => {
                    let full = format!("{}{file}", self.prefix);
                    missing.push(Err(FileError {
                        csv_fallback: row.to_imported(Some(full.clone())).map(Box::new),
                        file: full,
                        source_id: Some(row.id),
                        error: ExportError::MissingFile,
                    }));
                }
                Some(_) => {}
            }
        }
        self.pending.extend(missing);
    }
}

impl<R: Read + Seek> Iterator for StravaExport<R> {
    type Item = Result<ImportedActivity, FileError>;

    /// [`StravaExport::next_raw`], with each entry decoded on the spot by
    /// [`decode_entry`].
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.decoded.pop_front() {
                return Some(item);
            }
            match self.next_raw()? {
                RawItem::Ready(item) => return Some(item),
                RawItem::Entry(entry) => {
                    let limits = self.limits;
                    let decoded = decode_entry(entry, &limits);
                    self.charge_inflated(decoded.inflated_bytes);
                    self.decoded.extend(decoded.items);
                }
            }
        }
    }
}

/// One activity file read from the archive but not decoded: what
/// [`StravaExport::next_raw`] hands out for [`decode_entry`] to finish, on any
/// thread.
///
/// The bytes have passed every check the archive allows before decoding: a safe
/// name, the entry count, the per-entry and total size caps and the compression
/// ratio. A gzipped file is still gzipped: [`decode_entry`] un-gzips it under the
/// same caps.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEntry {
    /// The entry's name as stored in the archive (`activities/2001.fit.gz`).
    pub file: String,
    /// The `activities.csv` row naming this entry; `None` for an unlisted file.
    pub row: Option<CsvActivity>,
    /// The entry's uncompressed bytes (maybe a gzip stream).
    pub bytes: Vec<u8>,
    /// What was left of [`Limits::max_total_bytes`] after reading the entry: the
    /// most un-gzipping it may produce.
    pub budget: u64,
}

impl RawEntry {
    /// Strava's activity id, when a CSV row names the entry: every item
    /// [`decode_entry`] makes of this entry carries it (a listed entry is one
    /// activity, so a caller that already has this id may skip decoding).
    pub fn source_id(&self) -> Option<u64> {
        self.row.as_ref().map(|r| r.id)
    }
}

/// What [`StravaExport::next_raw`] hands out.
#[derive(Debug, Clone, PartialEq)]
pub enum RawItem {
    /// An activity file to decode with [`decode_entry`].
    Entry(RawEntry),
    /// An item that needs no decoding: a CSV problem, a refused or unreadable
    /// entry, a manual activity or a row whose file is missing.
    Ready(Result<ImportedActivity, FileError>),
}

/// What [`decode_entry`] made of one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedEntry {
    /// One item for a listed file (its first activity, or the failure with the
    /// row's CSV fallback); every activity of an unlisted file, in file order, or
    /// its failure.
    pub items: Vec<Result<ImportedActivity, FileError>>,
    /// Bytes un-gzipping produced (0 when the entry was not gzipped or failed
    /// before): they count toward [`Limits::max_total_bytes`]; give them to
    /// [`StravaExport::charge_inflated`].
    pub inflated_bytes: u64,
}

/// Turns one raw entry into its items: un-gzips (capped like the entry, by
/// `entry.budget` and by ratio), decodes, and merges the CSV row's id, name and
/// sport. Pure: no archive, no shared state, so entries may be decoded on any
/// thread in any order; the items are those the iterator yields for the entry.
pub fn decode_entry(entry: RawEntry, limits: &Limits) -> DecodedEntry {
    let RawEntry {
        file,
        row,
        bytes,
        budget,
    } = entry;
    let content = decode_content(bytes.as_slice(), plain_name(&file), limits, budget);
    let compressed = bytes.len() as u64;
    drop(bytes);
    entry_items(file, row.as_ref(), content, compressed, limits, budget)
}

/// An entry's name without its `.gz` (the decoders look at the extension).
fn plain_name(file: &str) -> &str {
    file.len()
        .checked_sub(3)
        .filter(|&cut| file.is_char_boundary(cut) && file[cut..].eq_ignore_ascii_case(".gz"))
        .map_or(file, |cut| &file[..cut])
}

/// What decoding an entry's content came to, before its gzip is judged.
struct Content {
    decoded: Result<Vec<ActivitySummary>, DecodeError>,
    /// For a gzipped entry: the gzip error, if any, and the bytes it inflated to.
    gzip: Option<(Option<String>, u64)>,
}

/// Decodes an entry's content from `source`, as a stream (FIT read whole up
/// to its cap). A gzipped file is un-gzipped on its way into the decoder,
/// never held inflated, capped by the entry cap and `budget`.
fn decode_content<R: BufRead>(
    mut source: R,
    plain_name: &str,
    limits: &Limits,
    budget: u64,
) -> Content {
    let gzipped = source
        .fill_buf()
        .is_ok_and(|head| head.starts_with(&[0x1f, 0x8b]));
    if !gzipped {
        return Content {
            decoded: crate::decode_reader(source, plain_name),
            gzip: None,
        };
    }
    let mut inflated = Inflated::new(source, limits.max_entry_bytes.min(budget));
    let decoded = crate::decode_inflated(&mut inflated, plain_name);
    let error = inflated.finish();
    Content {
        decoded,
        gzip: Some((error, inflated.inflated())),
    }
}

/// The items of one entry whose `compressed` bytes (as stored, maybe a gzip
/// stream) decoded to `content`: the gzip judged by the same caps as an
/// entry (`budget`: what is left of the total), the CSV row's id, name and
/// sport merged.
fn entry_items(
    file: String,
    row: Option<&CsvActivity>,
    content: Content,
    compressed: u64,
    limits: &Limits,
    budget: u64,
) -> DecodedEntry {
    let fail = |file: String, error: ExportError, inflated_bytes: u64| DecodedEntry {
        items: vec![Err(file_error(file, row, error))],
        inflated_bytes,
    };
    let inflated_bytes = match content.gzip {
        Some((error, got)) => {
            if let Err(error) = gunzip_verdict(error, got, compressed, limits, budget) {
                return fail(file, error, 0);
            }
            got
        }
        None => 0,
    };
    let mut summaries = match content.decoded {
        Ok(s) if !s.is_empty() => s,
        Ok(_) => {
            return fail(
                file,
                ExportError::Decode(DecodeError::UnknownFormat),
                inflated_bytes,
            );
        }
        Err(e) => return fail(file, ExportError::Decode(e), inflated_bytes),
    };
    let items = match row {
        // An unlisted file: every activity it holds, without an id.
        None => summaries
            .into_iter()
            .map(|summary| {
                Ok(ImportedActivity {
                    source_id: None,
                    file: Some(file.clone()),
                    name: None,
                    origin: Origin::File,
                    summary,
                })
            })
            .collect(),
        // A listed file is one Strava activity: its first activity.
        Some(csv) => {
            let mut summary = summaries.swap_remove(0);
            merge_csv(&mut summary, csv);
            vec![Ok(ImportedActivity {
                source_id: Some(csv.id),
                file: Some(file),
                name: csv.name.clone(),
                origin: Origin::File,
                summary,
            })]
        }
    };
    DecodedEntry {
        items,
        inflated_bytes,
    }
}

/// A failed entry, with its row's id and CSV fallback when a row names it.
fn file_error(file: String, row: Option<&CsvActivity>, error: ExportError) -> FileError {
    let (source_id, csv_fallback) = match row {
        Some(row) => (
            Some(row.id),
            row.to_imported(Some(file.clone())).map(Box::new),
        ),
        None => (None, None),
    };
    FileError {
        file,
        source_id,
        error,
        csv_fallback,
    }
}

/// The CSV row fills what the file lacks; Strava's type names the sport.
fn merge_csv(summary: &mut ActivitySummary, csv: &CsvActivity) {
    if let Some(sport) = &csv.sport {
        summary.sport = sport.clone();
    }
    if summary.start_time_ms.is_none() {
        summary.start_time_ms = csv.start_time_ms;
    }
    if summary.distance_m <= 0.0
        && let Some(d) = csv.distance_m.filter(|d| *d > 0.0)
    {
        summary.distance_m = d;
    }
    if summary.elapsed_s <= 0.0
        && let Some(e) = csv.elapsed_s.filter(|e| *e > 0.0)
    {
        summary.elapsed_s = e;
    }
    if summary.moving_s <= 0.0
        && let Some(m) = csv.moving_s.or(csv.elapsed_s).filter(|m| *m > 0.0)
    {
        summary.moving_s = m;
    }
}

/// A name that stays inside the folder it would be extracted to: relative, no `..`
/// part, no drive letter, no NUL; `\` counts as a separator.
pub fn is_safe_name(name: &str) -> bool {
    if name.is_empty() || name.contains('\0') || name.starts_with(['/', '\\']) {
        return false;
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return false;
    }
    !name.split(['/', '\\']).any(|part| part == "..")
}

/// One entry's bytes as they are read: counted, cut off (with an IO error)
/// one byte past what the caps allow, the entry's own read error (a bad
/// checksum) kept. Judged by [`Metered::verdict`] once read, whoever read it.
struct Metered<R> {
    inner: R,
    /// Bytes given out.
    read: u64,
    /// The most the caps allow: the entry cap and what is left of the total
    /// (the ratio is judged once read, as the size caps are reported first).
    allowed: u64,
    cap: u64,
    remaining: u64,
    compressed: u64,
    error: Option<String>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.error.is_some() || self.read > self.allowed {
            return Err(std::io::Error::other("the archive entry was refused"));
        }
        let left = self.allowed.saturating_add(1) - self.read;
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want]).inspect_err(|e| {
            self.error = Some(e.to_string());
        })?;
        self.read += n as u64;
        if self.read > self.allowed {
            return Err(std::io::Error::other(
                "the archive entry expands past its cap",
            ));
        }
        Ok(n)
    }
}

impl<R> Metered<R> {
    /// Whether what was read is accepted: no read error, within every cap.
    fn verdict(&self, limits: &Limits) -> Result<(), ExportError> {
        if let Some(e) = &self.error {
            return Err(ExportError::Zip(e.clone()));
        }
        if self.read > self.cap {
            return Err(ExportError::TooLarge { limit: self.cap });
        }
        if self.read > self.remaining {
            return Err(ExportError::TotalTooLarge {
                limit: limits.max_total_bytes,
            });
        }
        check_ratio(self.read, self.compressed, limits)
    }
}

/// Opens entry `index` for reading under the caps: refused at once when its
/// declared size breaks `cap` (bytes), `remaining` (what is left of the
/// archive's total) or the ratio; the size actually read is judged again,
/// since the declared size may lie.
fn open_entry<'a, R: Read + Seek>(
    archive: &'a mut ZipArchive<R>,
    index: usize,
    cap: u64,
    limits: &Limits,
    remaining: u64,
) -> Result<Metered<zip::read::ZipFile<'a, R>>, ExportError> {
    let entry = archive
        .by_index(index)
        .map_err(|e| ExportError::Zip(e.to_string()))?;
    let declared = entry.size();
    let compressed = entry.compressed_size().max(1);
    if declared > cap {
        return Err(ExportError::TooLarge { limit: cap });
    }
    if declared > remaining {
        return Err(ExportError::TotalTooLarge {
            limit: limits.max_total_bytes,
        });
    }
    check_ratio(declared, compressed, limits)?;
    Ok(Metered {
        inner: entry,
        read: 0,
        allowed: cap.min(remaining),
        cap,
        remaining,
        compressed,
        error: None,
    })
}

fn check_ratio(uncompressed: u64, compressed: u64, limits: &Limits) -> Result<(), ExportError> {
    let ratio = uncompressed / compressed.max(1);
    if uncompressed > limits.ratio_floor_bytes && ratio > limits.max_ratio {
        return Err(ExportError::CompressionRatio {
            ratio,
            limit: limits.max_ratio,
        });
    }
    Ok(())
}

/// Whether a gzipped entry that inflated to `got` bytes (at most one past
/// what it may: the smaller of the entry cap and `remaining`) from
/// `compressed`, with the gzip `error` if any, is accepted.
fn gunzip_verdict(
    error: Option<String>,
    got: u64,
    compressed: u64,
    limits: &Limits,
    remaining: u64,
) -> Result<(), ExportError> {
    if let Some(e) = error {
        return Err(ExportError::Decode(DecodeError::Gzip(e)));
    }
    if got > limits.max_entry_bytes {
        return Err(ExportError::TooLarge {
            limit: limits.max_entry_bytes,
        });
    }
    if got > remaining {
        return Err(ExportError::TotalTooLarge {
            limit: limits.max_total_bytes,
        });
    }
    check_ratio(got, compressed, limits)
}

/// The central directory's declared size from the end-of-central-directory record
/// (zip64 aware), read from the last 64 KiB of the input; `None` when not found
/// (the zip reader then reports the damage).
fn central_directory_size<R: Read + Seek>(reader: &mut R) -> Option<u64> {
    let len = reader.seek(SeekFrom::End(0)).ok()?;
    let tail_len = len.min(22 + 65_535 + 20);
    reader.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail).ok()?;
    let eocd = (0..=tail.len().checked_sub(22)?)
        .rev()
        .find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at =
        |b: &[u8], i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().unwrap()));
    let size = u32_at(&tail, eocd + 12);
    let entries = u16_at(&tail, eocd + 10);
    if size != 0xFFFF_FFFF && entries != 0xFFFF {
        return Some(size);
    }
    // zip64: the locator sits just before the end record and points at the zip64 record.
    let loc = eocd.checked_sub(20)?;
    if tail[loc..loc + 4] != [0x50, 0x4b, 0x06, 0x07] {
        return Some(size);
    }
    let record_at = u64::from_le_bytes(tail[loc + 8..loc + 16].try_into().unwrap());
    reader.seek(SeekFrom::Start(record_at)).ok()?;
    let mut record = [0u8; 56];
    reader.read_exact(&mut record).ok()?;
    if record[..4] != [0x50, 0x4b, 0x06, 0x06] {
        return Some(size);
    }
    Some(u64::from_le_bytes(record[40..48].try_into().unwrap()))
}

/// Parses `activities.csv` by column name: the rows that can be used, and
/// `(line, problem)` for those that cannot.
pub fn parse_activities_csv(bytes: &[u8]) -> (Vec<CsvActivity>, Vec<(u64, String)>) {
    read_activities_csv(bytes, usize::MAX)
}

/// Longest row of `activities.csv` read (a runner's description can be long,
/// not this long): the CSV reader holds one row at a time, so this bounds it.
pub const MAX_CSV_ROW_BYTES: u64 = 1 << 20;

/// [`parse_activities_csv`] from a reader, as a stream: one row is held at a
/// time (at most [`MAX_CSV_ROW_BYTES`]), and at most `max_rows` rows (usable
/// or not) are read, the rest being one problem. An IO error of `source`
/// ends the rows there (the caller judges its source).
pub fn read_activities_csv<R: Read>(
    source: R,
    max_rows: usize,
) -> (Vec<CsvActivity>, Vec<(u64, String)>) {
    let mut source = std::io::BufReader::new(RowGuard {
        inner: source,
        given: 0,
        until: MAX_CSV_ROW_BYTES,
    });
    if source
        .fill_buf()
        .is_ok_and(|head| head.starts_with(b"\xEF\xBB\xBF"))
    {
        source.consume(3);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(source);
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_owned())
            .collect(),
        Err(e) => return (Vec::new(), vec![(1, format!("unreadable header: {e}"))]),
    };
    let columns = Columns::new(&header);
    if columns.first("Activity ID").is_none() {
        return (
            Vec::new(),
            vec![(
                1,
                "no 'Activity ID' column: not a Strava activities.csv".into(),
            )],
        );
    }
    let mut rows = Vec::new();
    // Rows without the metres column: their first `Distance`, converted once
    // every row has said which unit that column is in.
    let mut first_distances: Vec<(usize, f64)> = Vec::new();
    let mut unit = UnitEvidence::default();
    let mut record = csv::ByteRecord::new();
    let mut read = 0usize;
    loop {
        let at = reader.position().clone();
        reader.get_mut().get_mut().until = at.byte().saturating_add(MAX_CSV_ROW_BYTES);
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) if read >= max_rows => {
                problems.push((
                    at.line(),
                    format!("more than {max_rows} rows: the rest of the file was not read"),
                ));
                break;
            }
            Ok(true) => {
                read += 1;
                let line = record.position().map_or(0, |p| p.line());
                let fields: Vec<String> = record
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).trim().to_owned())
                    .collect();
                columns.observe_units(&fields, &mut unit);
                if fields.iter().all(String::is_empty) {
                    continue;
                }
                match columns.row(line, &fields) {
                    Ok((row, first_distance)) => {
                        if let Some(d) = first_distance {
                            first_distances.push((rows.len(), d));
                        }
                        rows.push(row);
                    }
                    Err(message) => problems.push((line, message)),
                }
            }
            Err(e) if e.is_io_error() => {
                if reader.get_ref().get_ref().over() {
                    problems.push((
                        at.line(),
                        format!(
                            "a row longer than {MAX_CSV_ROW_BYTES} bytes: the rest of the file was not read"
                        ),
                    ));
                }
                // Otherwise the source failed: its reader reports that.
                break;
            }
            Err(e) => {
                read += 1;
                let line = e.position().map_or(0, |p| p.line());
                problems.push((line, format!("unreadable row: {e}")));
            }
        }
    }
    let factor = unit.metres_per_unit();
    for (i, first) in first_distances {
        rows[i].distance_m = Some(first * factor);
    }
    (rows, problems)
}

/// The CSV's source, refusing (with an IO error) to give bytes past `until`:
/// the reader moves `until` on after each row, so no row grows past
/// [`MAX_CSV_ROW_BYTES`] (plus the reader's buffer).
struct RowGuard<R> {
    inner: R,
    given: u64,
    until: u64,
}

impl<R> RowGuard<R> {
    fn over(&self) -> bool {
        self.given >= self.until
    }
}

impl<R: Read> Read for RowGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.over() {
            return Err(std::io::Error::other("a row of activities.csv is too long"));
        }
        let left = usize::try_from(self.until - self.given).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        let n = self.inner.read(&mut buf[..want])?;
        self.given += n as u64;
        Ok(n)
    }
}

/// Rows that have both `Distance` columns, for the unit of the first.
#[derive(Default)]
struct UnitEvidence {
    ratios: f64,
    n: u32,
}

impl UnitEvidence {
    /// Metres per unit of the first `Distance` column: ~1000 (km) or
    /// ~1609.344 (miles); 1000 when no row says.
    fn metres_per_unit(&self) -> f64 {
        let mean = if self.n > 0 {
            self.ratios / f64::from(self.n)
        } else {
            1000.0
        };
        if (mean - 1609.344).abs() < (mean - 1000.0).abs() {
            1609.344
        } else {
            1000.0
        }
    }
}

/// Column positions by name; a name may occur more than once.
struct Columns {
    by_name: HashMap<String, Vec<usize>>,
}

impl Columns {
    fn new(header: &[String]) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            by_name
                .entry(name.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
        Columns { by_name }
    }

    fn positions(&self, name: &str) -> &[usize] {
        self.by_name
            .get(&name.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    fn first(&self, name: &str) -> Option<usize> {
        self.positions(name).first().copied()
    }

    fn value(fields: &[String], i: usize) -> Option<&str> {
        fields.get(i).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The last non-empty value among the occurrences of `name`.
    fn last_text<'a>(&self, fields: &'a [String], name: &str) -> Option<&'a str> {
        self.positions(name)
            .iter()
            .rev()
            .find_map(|&i| Self::value(fields, i))
    }

    fn last_number(&self, fields: &[String], name: &str) -> Option<f64> {
        self.positions(name)
            .iter()
            .rev()
            .find_map(|&i| number(Self::value(fields, i)?))
    }

    /// Adds a row that has both `Distance` occurrences to the evidence for the
    /// first one's unit.
    fn observe_units(&self, fields: &[String], unit: &mut UnitEvidence) {
        let &[first, second, ..] = self.positions("Distance") else {
            return;
        };
        let a = Self::value(fields, first).and_then(number);
        let b = Self::value(fields, second).and_then(number);
        if let (Some(a), Some(b)) = (a, b)
            && a >= 1.0
            && b > 0.0
        {
            unit.ratios += b / a;
            unit.n += 1;
        }
    }

    /// The metres column's value, or else the first `Distance` column's value
    /// in its own unit (the second value), to convert once the unit is known.
    fn distance(&self, fields: &[String]) -> (Option<f64>, Option<f64>) {
        let positions = self.positions("Distance");
        if let Some(&metres) = positions.get(1)
            && let Some(d) = Self::value(fields, metres).and_then(number)
        {
            return (Some(d), None);
        }
        let first = positions
            .first()
            .and_then(|&i| Self::value(fields, i))
            .and_then(number);
        (None, first)
    }

    /// The row, and its first `Distance` value when the metres one is missing
    /// (see [`Columns::distance`]).
    fn row(&self, line: u64, fields: &[String]) -> Result<(CsvActivity, Option<f64>), String> {
        let id_text = self.last_text(fields, "Activity ID").unwrap_or("");
        let id: u64 = id_text
            .parse()
            .map_err(|_| format!("Activity ID '{id_text}' is not a number"))?;
        let date_text = self
            .last_text(fields, "Activity Date")
            .unwrap_or("")
            .to_owned();
        let positions = self.positions("Elapsed Time");
        let elapsed_s = positions
            .iter()
            .rev()
            .find_map(|&i| number(Self::value(fields, i)?));
        let (distance_m, first_distance) = self.distance(fields);
        let row = CsvActivity {
            line,
            id,
            start_time_ms: parse_strava_date(&date_text),
            date_text,
            name: self.last_text(fields, "Activity Name").map(str::to_owned),
            sport: self
                .last_text(fields, "Activity Type")
                .map(Sport::from_name),
            distance_m,
            elapsed_s,
            moving_s: self.last_number(fields, "Moving Time"),
            avg_hr: self.last_number(fields, "Average Heart Rate"),
            max_hr: self.last_number(fields, "Max Heart Rate"),
            avg_cadence: self.last_number(fields, "Average Cadence"),
            elevation_gain_m: self.last_number(fields, "Elevation Gain"),
            filename: self
                .last_text(fields, "Filename")
                .map(|f| f.trim_start_matches("./").to_owned()),
        };
        Ok((row, first_distance))
    }
}

fn number(text: &str) -> Option<f64> {
    // Some locales write thousands separators: "9,008.22".
    let cleaned: String = text.chars().filter(|&c| c != ',').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses Strava's `Activity Date` (UTC) into unix ms. Accepts the English export
/// form `Aug 15, 2015, 2:45:08 PM` (any whitespace, including the narrow no-break
/// space newer exports put before `PM`), day-first `15 Aug 2015, 14:45:08`, full
/// month names, and ISO `2015-08-15 14:45:08`.
pub fn parse_strava_date(text: &str) -> Option<i64> {
    if let Some(ms) = crate::time::parse_rfc3339_ms(text) {
        return Some(ms);
    }
    let tokens: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    let (mut month, mut day, mut year, mut clock, mut half) = (None, None, None, None, None);
    for token in tokens {
        let lower = token.to_ascii_lowercase();
        if token.contains(':') {
            clock = Some(token);
        } else if matches!(lower.as_str(), "am" | "a.m." | "pm" | "p.m.") {
            half = Some(lower.starts_with('p'));
        } else if token.bytes().all(|b| b.is_ascii_digit()) {
            let n: u32 = token.parse().ok()?;
            if token.len() == 4 {
                year = Some(n);
            } else {
                day = Some(n);
            }
        } else {
            month = Some(month_number(&lower)?);
        }
    }
    let (month, day, year, clock) = (month?, day?, year?, clock?);
    let mut parts = clock.split(':').map(|p| p.parse::<u32>().ok());
    let (mut hour, minute) = (parts.next()??, parts.next()??);
    let second = parts.next().flatten().unwrap_or(0);
    match half {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    if hour > 23 || minute > 59 || second > 60 || !(1..=31).contains(&day) {
        return None;
    }
    crate::time::parse_rfc3339_ms(&format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"
    ))
}

fn month_number(lower: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let key = lower.trim_end_matches('.');
    let prefix = key.get(..3)?;
    let n = MONTHS.iter().position(|m| *m == prefix)?;
    // "sept" and full names are fine; anything else starting alike is not.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (key.len() == 3 || key == "sept" || key == FULL[n]).then_some(n as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strava_dates() {
        let want = crate::time::parse_rfc3339_ms("2015-08-15T14:45:08Z");
        assert!(want.is_some());
        for text in [
            "Aug 15, 2015, 2:45:08 PM",
            "Aug 15, 2015, 2:45:08\u{202f}PM",
            "15 Aug 2015, 14:45:08",
            "August 15, 2015, 2:45:08 pm",
            "2015-08-15 14:45:08",
        ] {
            assert_eq!(parse_strava_date(text), want, "{text}");
        }
        assert_eq!(
            parse_strava_date("Dec 26, 2012, 12:05:00 AM"),
            crate::time::parse_rfc3339_ms("2012-12-26T00:05:00Z")
        );
        assert_eq!(
            parse_strava_date("Dec 26, 2012, 12:05:00 PM"),
            crate::time::parse_rfc3339_ms("2012-12-26T12:05:00Z")
        );
        for bad in ["", "yesterday", "Foo 15, 2015, 2:45:08 PM", "Aug 15, 2015"] {
            assert_eq!(parse_strava_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn safe_names() {
        for ok in [
            "activities.csv",
            "activities/1.fit.gz",
            "export/activities/a..b.gpx",
        ] {
            assert!(is_safe_name(ok), "{ok}");
        }
        for bad in [
            "../evil.fit",
            "activities/../../evil.fit",
            "/etc/passwd",
            "\\windows\\x.fit",
            "C:/x.fit",
            "activities\\..\\..\\x.fit",
            "",
        ] {
            assert!(!is_safe_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_csv_is_read_row_by_row_within_its_caps() {
        let mut csv = String::from("\u{feff}Activity ID,Activity Date,Activity Name\n");
        for i in 1..=5 {
            csv.push_str(&format!("{i},\"Aug 15, 2015, 2:45:08 PM\",Run {i}\n"));
        }
        let (rows, problems) = read_activities_csv(csv.as_bytes(), 3);
        let ids: Vec<u64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(rows[2].name.as_deref(), Some("Run 3"));
        assert_eq!(
            problems,
            [(
                5,
                "more than 3 rows: the rest of the file was not read".to_string()
            )]
        );
        // One endless row is cut at the cap, not held whole.
        let long = format!(
            "Activity ID,Activity Name\n1,short\n2,{}\n3,never read\n",
            "x".repeat(2 << 20)
        );
        let (rows, problems) = read_activities_csv(long.as_bytes(), usize::MAX);
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), [1]);
        assert_eq!(
            problems,
            [(
                3,
                "a row longer than 1048576 bytes: the rest of the file was not read".to_string()
            )]
        );
    }

    #[test]
    fn miles_in_the_first_distance_column_are_detected() {
        let csv = "Activity ID,Activity Date,Activity Type,Distance,Distance\n\
                   1,\"Aug 15, 2015, 2:45:08 PM\",Run,5.00,8046.72\n\
                   2,\"Aug 16, 2015, 2:45:08 PM\",Run,2.00,\n";
        let (rows, problems) = parse_activities_csv(csv.as_bytes());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].distance_m, Some(8046.72));
        assert!((rows[1].distance_m.unwrap() - 3218.688).abs() < 1e-9);
    }
}
