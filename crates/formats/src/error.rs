//! Why a file could not be decoded, in words a runner can act on.

/// A file that yielded no activity. Each message names what is wrong with the file
/// itself; damaged files that still yielded data are not errors but summaries with
/// [`crate::ActivitySummary::salvaged`] set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The file is empty.
    #[error("empty file")]
    Empty,
    /// Neither the content nor the name says FIT, GPX or TCX.
    #[error("not a FIT, GPX or TCX file")]
    UnknownFormat,
    /// gzip data that does not decompress.
    #[error("corrupt gzip data: {0}")]
    Gzip(String),
    /// gzip data that decompresses to more than [`crate::MAX_DECOMPRESSED_BYTES`].
    #[error("gzip data expands to more than {limit} bytes")]
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A FIT file longer than [`crate::MAX_FIT_BYTES`] (FIT is decoded from
    /// memory, so its size is what it costs).
    #[error("FIT file larger than {limit} bytes; activity FIT files are a few MB")]
    FitTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },
    /// A FIT file with more activity files, sessions or laps than any
    /// recording has (each costs memory or time to keep).
    #[error("FIT file with more than {limit} {what}; an activity has a few")]
    TooManyMessages {
        /// `activity files`, `sessions` or `laps`.
        what: &'static str,
        /// The cap.
        limit: u64,
    },
    /// The file could not be read (an IO error of the source, not its content).
    #[error("cannot read the file: {0}")]
    Read(String),
    /// A valid FIT file of another type (monitoring, workout, settings, …).
    #[error("not an activity file (file type {file_type})")]
    NotAnActivity {
        /// The FIT `file_id.type` name, e.g. `monitoring_b`.
        file_type: String,
    },
    /// A FIT file that ends before any activity data could be read.
    #[error("truncated FIT file: ended at byte {ended_at} of {expected}")]
    TruncatedFit {
        /// File length.
        ended_at: usize,
        /// Length the FIT header announced.
        expected: usize,
    },
    /// A FIT file whose data could not be read at all.
    #[error("unreadable FIT file: {0}")]
    Fit(String),
    /// A GPX file with only routes or waypoints.
    #[error(
        "no track points (the GPX file has no <trk> with points; routes and waypoints are not activities)"
    )]
    NoTrackPoints,
    /// A TCX file with no `<Activity>` that has laps or trackpoints.
    #[error("no activities in the TCX file")]
    NoActivities,
    /// XML that breaks before any usable data.
    #[error("malformed {format} file at byte {position}: {message}")]
    Xml {
        /// `GPX` or `TCX`.
        format: &'static str,
        /// Byte offset in the (decompressed) file.
        position: u64,
        /// What the XML parser found.
        message: String,
    },
}

/// What kind of problem stopped a file, for callers that choose their own
/// words (the import page) or keep it (an import's per-file report): a
/// stable snake_case name per kind, beside the message that details it.
/// FIT files of another type are told apart by what they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The file is empty.
    Empty,
    /// Not FIT, GPX or TCX (or a zip entry of no known format).
    NotThisFormat,
    /// gzip data that does not decompress.
    CorruptGzip,
    /// Over a size cap: gzip expansion, FIT size or message counts, a zip
    /// entry, the archive's total or its compression ratio.
    TooLarge,
    /// The file could not be read (IO, not its content).
    Unreadable,
    /// A FIT file that ends before any activity data.
    Truncated,
    /// Data broken before anything usable: FIT records, XML, a zip entry.
    Damaged,
    /// A GPX file with only routes or waypoints.
    RouteOnly,
    /// A TCX file (or any file) that yielded no activity.
    NoActivity,
    /// A FIT file of daily monitoring (steps, heart rate through the day).
    MonitoringFile,
    /// A FIT file of a planned workout.
    WorkoutFile,
    /// A FIT course or segment: a route.
    CourseFile,
    /// The watch's settings, sport or device profile.
    SettingsFile,
    /// The watch's totals, goals or activity summaries.
    TotalsFile,
    /// A weight or blood-pressure measurement.
    HealthFile,
    /// A training schedule.
    ScheduleFile,
    /// A FIT file of any other non-activity type.
    OtherFitFile,
    /// A name in an archive that would escape its folder.
    UnsafeName,
    /// An archive entry beyond the number read.
    TooManyEntries,
    /// A row of a Strava export's `activities.csv` that cannot be used.
    BadCsvRow,
    /// A Strava export without `activities.csv`.
    MissingCsv,
    /// Listed in `activities.csv`, missing from the archive.
    MissingFile,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 22] = [
        ErrorKind::Empty,
        ErrorKind::NotThisFormat,
        ErrorKind::CorruptGzip,
        ErrorKind::TooLarge,
        ErrorKind::Unreadable,
        ErrorKind::Truncated,
        ErrorKind::Damaged,
        ErrorKind::RouteOnly,
        ErrorKind::NoActivity,
        ErrorKind::MonitoringFile,
        ErrorKind::WorkoutFile,
        ErrorKind::CourseFile,
        ErrorKind::SettingsFile,
        ErrorKind::TotalsFile,
        ErrorKind::HealthFile,
        ErrorKind::ScheduleFile,
        ErrorKind::OtherFitFile,
        ErrorKind::UnsafeName,
        ErrorKind::TooManyEntries,
        ErrorKind::BadCsvRow,
        ErrorKind::MissingCsv,
        ErrorKind::MissingFile,
    ];

    /// The stored name (`not_this_format`), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::NotThisFormat => "not_this_format",
            ErrorKind::CorruptGzip => "corrupt_gzip",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Unreadable => "unreadable",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Damaged => "damaged",
            ErrorKind::RouteOnly => "route_only",
            ErrorKind::NoActivity => "no_activity",
            ErrorKind::MonitoringFile => "monitoring_file",
            ErrorKind::WorkoutFile => "workout_file",
            ErrorKind::CourseFile => "course_file",
            ErrorKind::SettingsFile => "settings_file",
            ErrorKind::TotalsFile => "totals_file",
            ErrorKind::HealthFile => "health_file",
            ErrorKind::ScheduleFile => "schedule_file",
            ErrorKind::OtherFitFile => "other_fit_file",
            ErrorKind::UnsafeName => "unsafe_name",
            ErrorKind::TooManyEntries => "too_many_entries",
            ErrorKind::BadCsvRow => "bad_csv_row",
            ErrorKind::MissingCsv => "missing_csv",
            ErrorKind::MissingFile => "missing_file",
        }
    }

    /// The kind a stored name names; `None` for a name this version does
    /// not know (a report written by a newer one).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of a FIT file that is no activity, by its `file_id.type`.
    fn of_fit_type(file_type: &str) -> Self {
        match file_type {
            t if t.starts_with("monitoring") => ErrorKind::MonitoringFile,
            "workout" => ErrorKind::WorkoutFile,
            "course" | "segment" | "segment_list" => ErrorKind::CourseFile,
            "settings" | "sport" | "device" => ErrorKind::SettingsFile,
            "totals" | "goals" | "activity_summary" => ErrorKind::TotalsFile,
            "weight" | "blood_pressure" => ErrorKind::HealthFile,
            "schedules" => ErrorKind::ScheduleFile,
            _ => ErrorKind::OtherFitFile,
        }
    }
}

impl DecodeError {
    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DecodeError::Empty => ErrorKind::Empty,
            DecodeError::UnknownFormat => ErrorKind::NotThisFormat,
            DecodeError::Gzip(_) => ErrorKind::CorruptGzip,
            DecodeError::TooLarge { .. }
            | DecodeError::FitTooLarge { .. }
            | DecodeError::TooManyMessages { .. } => ErrorKind::TooLarge,
            DecodeError::Read(_) => ErrorKind::Unreadable,
            DecodeError::NotAnActivity { file_type } => ErrorKind::of_fit_type(file_type),
            DecodeError::TruncatedFit { .. } => ErrorKind::Truncated,
            DecodeError::Fit(_) | DecodeError::Xml { .. } => ErrorKind::Damaged,
            DecodeError::NoTrackPoints => ErrorKind::RouteOnly,
            DecodeError::NoActivities => ErrorKind::NoActivity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_as_serde_names_them_and_read_back() {
        for kind in ErrorKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(ErrorKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ErrorKind::parse("a_kind_from_the_future"), None);
    }

    #[test]
    fn fit_files_of_other_types_are_told_apart() {
        let kind = |t: &str| {
            DecodeError::NotAnActivity {
                file_type: t.into(),
            }
            .kind()
        };
        assert_eq!(kind("monitoring_b"), ErrorKind::MonitoringFile);
        assert_eq!(kind("workout"), ErrorKind::WorkoutFile);
        assert_eq!(kind("course"), ErrorKind::CourseFile);
        assert_eq!(kind("blood_pressure"), ErrorKind::HealthFile);
        assert_eq!(kind("mfg_range_min"), ErrorKind::OtherFitFile);
        assert_eq!(DecodeError::UnknownFormat.kind(), ErrorKind::NotThisFormat);
        assert_eq!(
            DecodeError::TruncatedFit {
                ended_at: 10,
                expected: 90
            }
            .kind(),
            ErrorKind::Truncated
        );
    }
}
