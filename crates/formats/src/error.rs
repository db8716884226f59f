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
