//! Pure decoders for the activity files runners bring: FIT, GPX and TCX, each
//! possibly gzipped, into one [`ActivitySummary`] per activity.
//!
//! ```no_run
//! let bytes = std::fs::read("morning-run.fit.gz").unwrap();
//! for activity in runcoach_formats::decode(&bytes, "morning-run.fit.gz").unwrap() {
//!     println!("{} {:.0} m in {:.0} s", activity.sport, activity.distance_m, activity.moving_s);
//! }
//! ```
//!
//! No IO and no clocks here: bytes in, summaries or a [`DecodeError`] out. Real files
//! are messy, so damaged files yield what their own records allow, with
//! [`ActivitySummary::salvaged`] saying what was damaged and lost; files that yield
//! nothing get an error whose message says why in a runner's words.
//!
//! How many summaries a file gives:
//! - FIT: one per activity file in the byte stream. A multisport recording
//!   (triathlon: swim, transitions, bike, run as sessions of one activity file) is
//!   *one* summary with [`Sport::Multisport`] and the sessions' totals summed. Chained
//!   non-activity files (settings) are skipped.
//! - GPX: one per file, all tracks and segments together.
//! - TCX: one per `<Activity>`.

#![warn(missing_docs)]

mod error;
mod fit;
mod gpx;
mod summary;
mod tcx;
mod time;
mod xml;

pub mod dedupe;
pub mod fit_workout;
pub mod ics;
pub mod plan_export;
pub mod strava;

use std::io::Read;

pub use error::DecodeError;
pub use summary::{
    ActivitySummary, ELEVATION_HYSTERESIS_M, MAX_MOVING_GAP_S, MAX_TRACK_POINTS, MOVING_SPEED_MPS,
    Sport, TrackPoint, elevation_gain, haversine_m,
};

/// gzip input that expands past this many bytes is refused (zip-bomb guard; the
/// largest real activity files are a few tens of MB).
pub const MAX_DECOMPRESSED_BYTES: u64 = 256 * 1024 * 1024;

/// The activity file formats understood here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Garmin/ANT Flexible and Interoperable Data Transfer.
    Fit,
    /// GPS Exchange Format.
    Gpx,
    /// Garmin Training Center XML.
    Tcx,
}

/// Decodes an activity file (FIT, GPX or TCX, gzipped or not) into its activities.
///
/// The format is recognised by content first (FIT's `.FIT` signature at byte 8, the
/// XML root element `gpx` or `TrainingCenterDatabase` after an optional byte-order
/// mark and whitespace, gzip's magic bytes) and by the file name's extension
/// (`.fit`, `.gpx`, `.tcx`, each optionally `.gz`) when the content does not say.
pub fn decode(bytes: &[u8], file_name: &str) -> Result<Vec<ActivitySummary>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let inner = gunzip(bytes)?;
        let name = strip_suffix_ci(file_name, ".gz").unwrap_or(file_name);
        if inner.starts_with(&[0x1f, 0x8b]) {
            return Err(DecodeError::UnknownFormat);
        }
        return decode(&inner, name);
    }
    let name = strip_suffix_ci(file_name, ".gz").unwrap_or(file_name);
    match sniff(bytes).or_else(|| format_from_name(name)) {
        Some(Format::Fit) => fit::decode(bytes),
        Some(Format::Gpx) => gpx::decode(bytes),
        Some(Format::Tcx) => tcx::decode(bytes),
        None => Err(DecodeError::UnknownFormat),
    }
}

/// The format the content announces, if any (gzip is not looked through).
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.get(8..12) == Some(b".FIT") {
        return Some(Format::Fit);
    }
    match xml::root_name(bytes)?.as_str() {
        "gpx" => Some(Format::Gpx),
        "TrainingCenterDatabase" => Some(Format::Tcx),
        _ => None,
    }
}

/// The format a file name's extension names (`.gz` ignored), if any.
pub fn format_from_name(file_name: &str) -> Option<Format> {
    let name = strip_suffix_ci(file_name, ".gz").unwrap_or(file_name);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "fit" => Some(Format::Fit),
        "gpx" => Some(Format::Gpx),
        "tcx" => Some(Format::Tcx),
        _ => None,
    }
}

fn strip_suffix_ci<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = name.len().checked_sub(suffix.len())?;
    (name.is_char_boundary(cut) && name[cut..].eq_ignore_ascii_case(suffix)).then(|| &name[..cut])
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(64 << 20));
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_DECOMPRESSED_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| DecodeError::Gzip(e.to_string()))?;
    if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
        return Err(DecodeError::TooLarge {
            limit: MAX_DECOMPRESSED_BYTES,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats_by_content_and_name() {
        let mut fit = vec![14u8, 0x20, 0, 0, 0, 0, 0, 0];
        fit.extend_from_slice(b".FIT");
        assert_eq!(sniff(&fit), Some(Format::Fit));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF \n <?xml version=\"1.0\"?><gpx:gpx>"),
            Some(Format::Gpx)
        );
        assert_eq!(
            sniff(b"<!-- hi --><TrainingCenterDatabase xmlns=\"x\">"),
            Some(Format::Tcx)
        );
        assert_eq!(sniff(b"<html></html>"), None);
        assert_eq!(format_from_name("Run.TCX.GZ"), Some(Format::Tcx));
        assert_eq!(format_from_name("notes.txt"), None);
    }

    #[test]
    fn unknown_and_empty_input_are_clear_errors() {
        assert_eq!(decode(b"", "a.fit"), Err(DecodeError::Empty));
        let err = decode(b"hello world", "notes.txt").unwrap_err();
        assert_eq!(err.to_string(), "not a FIT, GPX or TCX file");
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let err = decode(&[0x1f, 0x8b, 8, 0, 1, 2, 3], "x.gpx.gz").unwrap_err();
        assert!(matches!(err, DecodeError::Gzip(_)), "{err:?}");
    }
}
