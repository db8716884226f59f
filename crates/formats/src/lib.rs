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

use std::io::{BufRead, BufReader, Cursor, Read};

pub use error::{DecodeError, ErrorKind};
pub use fit::{
    MAX_ACTIVITIES as MAX_FIT_ACTIVITIES, MAX_LAPS as MAX_FIT_LAPS,
    MAX_SESSIONS as MAX_FIT_SESSIONS,
};
pub use summary::{
    ActivitySummary, ELEVATION_HYSTERESIS_M, MAX_MOVING_GAP_S, MAX_TRACK_POINTS, MOVING_SPEED_MPS,
    Sport, TrackPoint, elevation_gain, haversine_m,
};
pub use tcx::MAX_ACTIVITIES as MAX_TCX_ACTIVITIES;

/// gzip input that expands past this many bytes is refused (zip-bomb guard; the
/// largest real activity files are a few tens of MB).
pub const MAX_DECOMPRESSED_BYTES: u64 = 256 * 1024 * 1024;

/// FIT is decoded from memory (fitparser reads a slice), so a FIT file is
/// read whole: one longer than this is refused. A day-long run recorded
/// every second is ~5 MB. GPX and TCX are read as a stream at any size.
pub const MAX_FIT_BYTES: u64 = 64 * 1024 * 1024;

/// How much of a file's start [`sniff`] looks at.
const HEAD_BYTES: u64 = 64 * 1024;

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
    decode_reader(bytes, file_name)
}

/// [`decode`] from a reader (an open file, an archive entry), in bounded
/// memory: GPX and TCX are decoded as a stream, keeping running totals and a
/// thinned track rather than every point, and gzip is un-gzipped on the way;
/// only FIT is read whole, up to [`MAX_FIT_BYTES`]. An IO error of `source`
/// is [`DecodeError::Read`] before any data, a salvage note after some.
pub fn decode_reader<R: BufRead>(
    mut source: R,
    file_name: &str,
) -> Result<Vec<ActivitySummary>, DecodeError> {
    let head = read_head(&mut source).map_err(|e| DecodeError::Read(e.to_string()))?;
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    let name = strip_suffix_ci(file_name, ".gz").unwrap_or(file_name);
    let source = Cursor::new(head).chain(source);
    if source.get_ref().0.get_ref().starts_with(&[0x1f, 0x8b]) {
        return gunzip_and_decode(source, name);
    }
    decode_plain(source, name)
}

/// The first [`HEAD_BYTES`] of `source` (fewer if it is shorter).
fn read_head<R: Read>(source: &mut R) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    source.take(HEAD_BYTES).read_to_end(&mut head)?;
    Ok(head)
}

/// Decodes `source`, whose first bytes are `source.get_ref().0` (the head).
fn decode_plain<R: BufRead>(
    source: std::io::Chain<Cursor<Vec<u8>>, R>,
    name: &str,
) -> Result<Vec<ActivitySummary>, DecodeError> {
    let head = source.get_ref().0.get_ref();
    match sniff(head).or_else(|| format_from_name(name)) {
        Some(Format::Fit) => {
            let mut bytes = Vec::new();
            source
                .take(MAX_FIT_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| DecodeError::Read(e.to_string()))?;
            if bytes.len() as u64 > MAX_FIT_BYTES {
                return Err(DecodeError::FitTooLarge {
                    limit: MAX_FIT_BYTES,
                });
            }
            fit::decode(&bytes)
        }
        Some(Format::Gpx) => gpx::decode(source),
        Some(Format::Tcx) => tcx::decode(source),
        None => Err(DecodeError::UnknownFormat),
    }
}

/// Un-gzips `source` on the way into the decoder. A stream that is corrupt
/// or expands past [`MAX_DECOMPRESSED_BYTES`] is refused as a whole, as when
/// it was un-gzipped first.
fn gunzip_and_decode<R: BufRead>(
    source: R,
    name: &str,
) -> Result<Vec<ActivitySummary>, DecodeError> {
    let mut inflated = Inflated::new(source, MAX_DECOMPRESSED_BYTES);
    let result = decode_inflated(&mut inflated, name);
    if let Some(e) = inflated.finish() {
        return Err(DecodeError::Gzip(e));
    }
    if inflated.over() {
        return Err(DecodeError::TooLarge {
            limit: MAX_DECOMPRESSED_BYTES,
        });
    }
    result
}

/// Decodes what a gzip stream inflates to (a gzip inside it is refused).
pub(crate) fn decode_inflated<R: BufRead>(
    inflated: &mut Inflated<R>,
    name: &str,
) -> Result<Vec<ActivitySummary>, DecodeError> {
    let mut reader = BufReader::new(inflated);
    match read_head(&mut reader) {
        Err(e) => Err(DecodeError::Gzip(e.to_string())),
        Ok(head) if head.is_empty() => Err(DecodeError::Empty),
        Ok(head) if head.starts_with(&[0x1f, 0x8b]) => Err(DecodeError::UnknownFormat),
        Ok(head) => decode_plain(Cursor::new(head).chain(reader), name),
    }
}

/// A gzip stream un-gzipped as it is read, which stops (with an IO error)
/// once more than `cap` bytes came out: [`Inflated::over`] then says so.
pub(crate) struct Inflated<R> {
    inner: flate2::bufread::MultiGzDecoder<R>,
    cap: u64,
    read: u64,
    over: bool,
    error: Option<String>,
}

impl<R: BufRead> Inflated<R> {
    pub(crate) fn new(source: R, cap: u64) -> Self {
        Inflated {
            inner: flate2::bufread::MultiGzDecoder::new(source),
            cap,
            read: 0,
            over: false,
            error: None,
        }
    }

    /// Reads on to the end (a decoder may stop early, at a fault in its
    /// format, but the stream is judged whole); the gzip error, if any.
    pub(crate) fn finish(&mut self) -> Option<String> {
        if self.error.is_none() && !self.over {
            let _ = std::io::copy(self, &mut std::io::sink());
        }
        self.error.clone()
    }

    /// Bytes that came out (at most `cap` + 1).
    pub(crate) fn inflated(&self) -> u64 {
        self.read
    }

    /// More than `cap` bytes came out.
    pub(crate) fn over(&self) -> bool {
        self.over
    }
}

impl<R: BufRead> Read for Inflated<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.over || self.error.is_some() {
            return Err(std::io::Error::other("the gzip stream was refused"));
        }
        // One byte past the cap is enough to know it is exceeded.
        let left = (self.cap + 1).saturating_sub(self.read);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want]).inspect_err(|e| {
            self.error = Some(e.to_string());
        })?;
        self.read += n as u64;
        if self.read > self.cap {
            self.over = true;
            return Err(std::io::Error::other("gzip data expands past the cap"));
        }
        Ok(n)
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
