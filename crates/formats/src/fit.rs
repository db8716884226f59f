//! FIT activities, decoded with `fitparser`'s stream processor so that whatever was
//! read before a fault (truncation, corrupt chained header, undefined local message)
//! is kept.
//!
//! One [`ActivitySummary`] per FIT *activity file* in the byte stream: a multisport
//! recording (several `session` messages in one activity file: triathlon, brick) is
//! one summary with [`Sport::Multisport`] and the sessions' totals summed, because
//! that is one workout to the runner; chained files that are not activities
//! (settings, device info) are skipped; a stream that chains two activity files
//! yields two summaries.

use std::panic::{AssertUnwindSafe, catch_unwind};

use std::borrow::Cow;

use fitparser::de::{FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{ErrorKind, FitDataRecord, Value};

use crate::error::DecodeError;
use crate::fit_workout::crc16;
use crate::summary::{ActivitySummary, RawPoint, Sport, Track, haversine_m, mean};

/// Seconds between the unix epoch and the FIT epoch (1989-12-31T00:00:00Z).
const FIT_EPOCH_UNIX_S: i64 = 631_065_600;
/// FIT times below this (seconds since the FIT epoch) count from the device's power-on,
/// not from the FIT epoch, and cannot be placed in UTC.
const FIT_MIN_ABSOLUTE_TIME: i64 = 0x1000_0000;
/// Semicircles to degrees.
const SEMICIRCLE_DEG: f64 = 180.0 / 2_147_483_648.0;

/// Most activity files chained in one FIT stream (each keeps a thinned
/// track, ~80 KB): a watch writes one; a merged file a handful.
pub const MAX_ACTIVITIES: usize = 100;
/// Most `session` messages in one FIT stream (a triathlon has five; each
/// is kept until the end).
pub const MAX_SESSIONS: usize = 1000;
/// Most `lap` messages in one FIT stream (auto-laps every 100 m of a
/// 100-mile race: ~1,600).
pub const MAX_LAPS: u64 = 10_000;

pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<ActivitySummary>, DecodeError> {
    // fitparser is not written for hostile input; a panic in it must stay one file's error.
    catch_unwind(AssertUnwindSafe(|| decode_inner(bytes))).unwrap_or_else(|_| {
        Err(DecodeError::Fit(
            "the FIT decoder failed on malformed data".to_string(),
        ))
    })
}

#[derive(Debug, Default)]
struct Session {
    start_ms: Option<i64>,
    end_ms: Option<i64>,
    sport: Option<String>,
    sub_sport: Option<String>,
    distance_m: Option<f64>,
    elapsed_s: Option<f64>,
    timer_s: Option<f64>,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
    avg_cadence: Option<f64>,
    ascent_m: Option<f64>,
    num_laps: Option<f64>,
}

/// What one activity file in the stream holds so far.
#[derive(Debug, Default)]
struct Activity {
    sessions: Vec<Session>,
    sport_message: Option<(String, Option<String>)>,
    laps: u32,
    /// The records, summed as they come: memory stays bounded however many.
    points: Track,
    /// Distance bookkeeping for records: offset added after a counter reset.
    distance_offset: f64,
    last_raw_distance: Option<f64>,
    /// Its file's CRC was read (the file ended cleanly).
    complete: bool,
    /// Some time in it was device-relative.
    relative_time: bool,
}

impl Activity {
    fn has_data(&self) -> bool {
        !self.sessions.is_empty() || !self.points.is_empty()
    }
}

/// Where the stream is: which activity messages go to (`None`: a non-activity file).
struct Stream {
    activities: Vec<Activity>,
    in_activity: bool,
    other_types: Vec<String>,
    /// Start offset, header size and announced length of the current chained file.
    file_start: usize,
    file_expected_end: usize,
    notes: Vec<String>,
    /// Messages of each capped kind seen (see [`Stream::count_up`]).
    counts: std::collections::HashMap<&'static str, u64>,
}

fn decode_inner(bytes: &[u8]) -> Result<Vec<ActivitySummary>, DecodeError> {
    let mut processor = FitStreamProcessor::new();
    let mut s = Stream {
        activities: Vec::new(),
        in_activity: true,
        other_types: Vec::new(),
        file_start: 0,
        file_expected_end: 0,
        notes: Vec::new(),
        counts: std::collections::HashMap::new(),
    };
    let mut headers = 0usize;
    // The bytes as fitparser reads them: definitions it would complain
    // about on stderr rewritten first (see `quiet_definition`).
    let mut data: Cow<'_, [u8]> = Cow::Borrowed(bytes);
    let mut at_header = true;
    let mut rewritten = false;
    let mut pos = 0usize;
    // The fault that stopped decoding, if any: (offset, message, is truncation).
    let mut fault: Option<(usize, String, bool)> = None;
    while pos < data.len() {
        if !at_header && quiet_definition(&mut data, pos) {
            rewritten = true;
        }
        let buf = &data[pos..];
        match processor.deserialize_next(buf) {
            Ok((rest, obj)) => {
                match obj {
                    FitObject::Header(h) => {
                        headers += 1;
                        at_header = false;
                        rewritten = false;
                        s.file_start = pos;
                        s.file_expected_end =
                            pos + usize::from(h.header_size()) + h.data_size() as usize + 2;
                        // A chained file without its own file_id continues the current one.
                    }
                    FitObject::Crc(_) => {
                        at_header = true;
                        processor.reset();
                        if s.in_activity
                            && let Some(a) = s.activities.last_mut()
                        {
                            a.complete = true;
                        }
                    }
                    FitObject::DataMessage(msg) => match processor.decode_message(msg) {
                        Ok(record) => s.take(record)?,
                        Err(e) => {
                            fault = Some((pos, format!("undecodable message: {e}"), false));
                            break;
                        }
                    },
                    FitObject::DefinitionMessage(_) => {}
                }
                pos = data.len() - rest.len();
            }
            Err(e) => match *e {
                ErrorKind::InvalidCrc((rest, obj, stored, computed)) => {
                    let what = match obj {
                        FitObject::Header(h) => {
                            headers += 1;
                            at_header = false;
                            rewritten = false;
                            s.file_start = pos;
                            s.file_expected_end =
                                pos + usize::from(h.header_size()) + h.data_size() as usize + 2;
                            "header CRC"
                        }
                        _ if rewritten && crc16(&bytes[s.file_start..pos]) == stored => {
                            // Only the definitions rewritten here differ:
                            // the file as written is sound.
                            at_header = true;
                            processor.reset();
                            if s.in_activity
                                && let Some(a) = s.activities.last_mut()
                            {
                                a.complete = true;
                            }
                            pos = data.len() - rest.len();
                            continue;
                        }
                        _ => {
                            at_header = true;
                            processor.reset();
                            if s.in_activity
                                && let Some(a) = s.activities.last_mut()
                            {
                                a.complete = true;
                            }
                            "file CRC"
                        }
                    };
                    s.notes.push(format!(
                        "{what} mismatch at byte {pos} (stored {stored}, computed {computed}): \
                         the data may be corrupt"
                    ));
                    pos = data.len() - rest.len();
                }
                other => {
                    fault = Some(describe_fault(&other, pos, bytes.len(), headers, &s));
                    break;
                }
            },
        }
    }

    // The parser stops quietly when the bytes run out between two messages: a file
    // cut there is as truncated as one cut inside a message.
    if fault.is_none() && headers > 0 && bytes.len() < s.file_expected_end {
        let len = bytes.len();
        let expected = s.file_expected_end;
        fault = Some((
            len,
            format!("truncated FIT file: ended at byte {len} of {expected}"),
            true,
        ));
    }
    let has_data = s.activities.iter().any(Activity::has_data);
    if let Some((pos, message, truncated)) = &fault {
        if !has_data {
            if *truncated && s.file_expected_end > bytes.len() {
                return Err(DecodeError::TruncatedFit {
                    ended_at: bytes.len(),
                    expected: s.file_expected_end,
                });
            }
            if headers == 0 {
                return Err(DecodeError::Fit(format!("not a FIT file: {message}")));
            }
            return Err(DecodeError::Fit(message.clone()));
        }
        let skipped = bytes.len() - pos;
        let tail = if s.activities.iter().all(|a| a.complete || !a.has_data()) {
            "the activity before it is complete".to_string()
        } else {
            let records: u64 = s.activities.iter().map(|a| a.points.len()).sum();
            let sessions: usize = s.activities.iter().map(|a| a.sessions.len()).sum();
            let sessions = match sessions {
                0 => String::new(),
                1 => " and the session message".to_string(),
                n => format!(" and {n} session messages"),
            };
            format!(
                "the last {skipped} bytes were skipped; kept the {records} records{sessions} read before"
            )
        };
        s.notes.push(format!("{message}; {tail}"));
    }
    if !has_data {
        if s.activities.is_empty()
            && let Some(t) = s.other_types.first()
        {
            return Err(DecodeError::NotAnActivity {
                file_type: t.clone(),
            });
        }
        return Err(DecodeError::Fit(
            "the activity file holds no sessions or records".to_string(),
        ));
    }
    let notes = s.notes;
    Ok(s.activities
        .into_iter()
        .filter(Activity::has_data)
        .map(|a| summarise(a, &notes))
        .collect())
}

/// The size of a FIT base type (its number without the endian bits).
fn base_type_size(base: u8) -> u8 {
    match base & 0x9f {
        0x83 | 0x84 | 0x8B => 2,
        0x85 | 0x86 | 0x88 | 0x8C => 4,
        0x89 | 0x8E | 0x8F | 0x90 => 8,
        _ => 1,
    }
}

/// fitparser reads a field whose size is no multiple of its base type's as
/// bytes, and says so with `eprintln!`, which would land as plain text in
/// the server's JSON logs. When the record at `pos` is such a definition,
/// its fields are made bytes here first (what fitparser would read them
/// as), so it has nothing to print; `true` when something was rewritten.
fn quiet_definition(data: &mut Cow<'_, [u8]>, pos: usize) -> bool {
    let d: &[u8] = data;
    // A normal header with the definition bit (compressed-timestamp
    // headers are data messages).
    if d.get(pos).is_none_or(|h| h & 0xC0 != 0x40) {
        return false;
    }
    let Some(&fields) = d.get(pos + 5) else {
        return false;
    };
    let bad: Vec<usize> = (0..usize::from(fields))
        .map(|i| pos + 6 + 3 * i)
        .take_while(|at| at + 2 < d.len())
        .filter(|at| !d[at + 1].is_multiple_of(base_type_size(d[at + 2])))
        .map(|at| at + 2)
        .collect();
    if bad.is_empty() {
        return false;
    }
    let d = data.to_mut();
    for at in bad {
        d[at] = BYTE_BASE_TYPE;
    }
    true
}

/// The FIT base type "byte".
const BYTE_BASE_TYPE: u8 = 0x0D;

/// Words for a fault that stops decoding: (offset, message, is it a truncation).
fn describe_fault(
    e: &ErrorKind,
    pos: usize,
    len: usize,
    headers: usize,
    s: &Stream,
) -> (usize, String, bool) {
    let chained = headers > 0 && pos >= s.file_expected_end;
    // nom's "complete" parsers (the CRC) report running out of bytes as a parse error.
    let eof = match e {
        ErrorKind::UnexpectedEof(_) => true,
        ErrorKind::ParseError(_, kind) => format!("{kind:?}") == "Eof",
        _ => false,
    };
    match e {
        _ if eof => {
            let msg = if chained {
                format!(
                    "truncated FIT file: the chained file at byte {pos} is cut off at byte {len}"
                )
            } else if s.file_expected_end > len {
                format!(
                    "truncated FIT file: ended at byte {len} of {}",
                    s.file_expected_end
                )
            } else {
                format!(
                    "truncated FIT file: the message at byte {pos} runs past the end of the file \
                     ({len} bytes) and there is no CRC"
                )
            };
            (pos, msg, true)
        }
        ErrorKind::MissingDefinitionMessage(local, _) => (
            pos,
            format!("corrupt FIT data at byte {pos}: undefined local message {local}"),
            false,
        ),
        ErrorKind::MissingDeveloperDefinitionMessage() => (
            pos,
            format!("corrupt FIT data at byte {pos}: undefined developer field"),
            false,
        ),
        _ if chained => (
            pos,
            format!(
                "the chained FIT file at byte {pos} has an invalid header ({} bytes skipped)",
                len - pos
            ),
            false,
        ),
        _ if headers == 0 => (pos, "no valid FIT header".to_string(), false),
        other => (
            pos,
            format!("corrupt FIT data at byte {pos}: {other}"),
            false,
        ),
    }
}

impl Stream {
    fn current(&mut self) -> Option<&mut Activity> {
        if !self.in_activity {
            return None;
        }
        if self.activities.is_empty() {
            self.activities.push(Activity::default());
        }
        self.activities.last_mut()
    }

    /// Takes one message; a file holding more activities, sessions or laps
    /// than any recording has is refused (each is kept or counted).
    fn take(&mut self, record: FitDataRecord) -> Result<(), DecodeError> {
        match record.kind() {
            MesgNum::FileId => {
                let file_type = field(&record, "type").map(|v| v.to_string());
                match file_type.as_deref() {
                    Some("activity") | None => {
                        self.in_activity = true;
                        // A new activity file starts a new summary unless nothing was read yet.
                        if self.activities.last().is_none_or(Activity::has_data) {
                            self.count_up("activity files", MAX_ACTIVITIES as u64)?;
                            self.activities.push(Activity::default());
                        }
                    }
                    Some(other) => {
                        self.in_activity = false;
                        self.other_types.push(other.to_string());
                    }
                }
            }
            MesgNum::Record => {
                if let Some(a) = self.current() {
                    a.add_record(&record);
                }
            }
            MesgNum::Lap => {
                self.count_up("laps", MAX_LAPS)?;
                if let Some(a) = self.current() {
                    a.laps += 1;
                }
            }
            MesgNum::Session => {
                self.count_up("sessions", MAX_SESSIONS as u64)?;
                if let Some(a) = self.current() {
                    let session = read_session(&record);
                    if session.start_ms.is_some_and(is_relative) {
                        a.relative_time = true;
                    }
                    a.sessions.push(session);
                }
            }
            MesgNum::Sport => {
                if let Some(a) = self.current()
                    && let Some(sport) = field(&record, "sport")
                {
                    let sub = field(&record, "sub_sport").map(|v| v.to_string());
                    a.sport_message.get_or_insert((sport.to_string(), sub));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Counts one more message of a kind (`what`) capped at `limit` per file.
    fn count_up(&mut self, what: &'static str, limit: u64) -> Result<(), DecodeError> {
        let seen = self.counts.entry(what).or_insert(0);
        *seen += 1;
        if *seen > limit {
            return Err(DecodeError::TooManyMessages { what, limit });
        }
        Ok(())
    }
}

impl Activity {
    fn add_record(&mut self, record: &FitDataRecord) {
        let mut p = RawPoint::default();
        let mut raw_distance = None;
        let mut altitude = None;
        for f in record.fields() {
            let v = f.value();
            match f.name() {
                "timestamp" => p.time_ms = timestamp_ms(v),
                "position_lat" => p.lat = number(v).map(|x| x * SEMICIRCLE_DEG),
                "position_long" => p.lon = number(v).map(|x| x * SEMICIRCLE_DEG),
                "distance" => raw_distance = number(v),
                "enhanced_altitude" => p.ele = number(v),
                "altitude" => altitude = number(v),
                "heart_rate" => p.hr = number(v).filter(|hr| *hr > 0.0 && *hr < 255.0),
                "cadence" => p.cadence = number(v).filter(|c| *c < 255.0),
                _ => {}
            }
        }
        p.ele = p.ele.or(altitude);
        if p.lat.is_some_and(|x| x.abs() > 90.0) || p.lon.is_some_and(|x| x.abs() > 180.0) {
            p.lat = None;
            p.lon = None;
        }
        if p.time_ms.is_some_and(is_relative) {
            self.relative_time = true;
        }
        let previous = self.points.last();
        p.distance_m = match raw_distance {
            Some(d) => {
                // Counters restart in some multisport files: keep the track cumulative.
                if self.last_raw_distance.is_some_and(|last| d + 1.0 < last) {
                    self.distance_offset += self.last_raw_distance.unwrap_or(0.0);
                }
                self.last_raw_distance = Some(d);
                self.distance_offset + d
            }
            None => match (previous, p.lat, p.lon) {
                (Some(q), Some(lat), Some(lon)) => match (q.lat, q.lon) {
                    (Some(qlat), Some(qlon)) => q.distance_m + haversine_m(qlat, qlon, lat, lon),
                    _ => q.distance_m,
                },
                (Some(q), _, _) => q.distance_m,
                (None, _, _) => 0.0,
            },
        };
        self.points.push(p);
    }
}

fn read_session(record: &FitDataRecord) -> Session {
    let mut s = Session::default();
    let mut cadence = None;
    let mut running_cadence = None;
    for f in record.fields() {
        let v = f.value();
        match f.name() {
            "start_time" => s.start_ms = timestamp_ms(v),
            "timestamp" => s.end_ms = timestamp_ms(v),
            "sport" => s.sport = Some(v.to_string()),
            "sub_sport" => s.sub_sport = Some(v.to_string()),
            "total_distance" => s.distance_m = number(v),
            "total_elapsed_time" => s.elapsed_s = number(v),
            "total_timer_time" => s.timer_s = number(v),
            "avg_heart_rate" => s.avg_hr = number(v).filter(|x| *x > 0.0 && *x < 255.0),
            "max_heart_rate" => s.max_hr = number(v).filter(|x| *x > 0.0 && *x < 255.0),
            "avg_cadence" => cadence = number(v).filter(|x| *x > 0.0 && *x < 255.0),
            "avg_running_cadence" => running_cadence = number(v).filter(|x| *x > 0.0 && *x < 255.0),
            "total_ascent" => s.ascent_m = number(v),
            "num_laps" => s.num_laps = number(v),
            _ => {}
        }
    }
    s.avg_cadence = running_cadence.or(cadence);
    if s.start_ms.is_none() {
        s.start_ms = match (s.end_ms, s.elapsed_s) {
            (Some(end), Some(el)) => Some(end - (el * 1000.0) as i64),
            _ => None,
        };
    }
    s
}

fn summarise(a: Activity, notes: &[String]) -> ActivitySummary {
    let mut notes: Vec<String> = notes.to_vec();
    let sessions = &a.sessions;
    let points = &a.points;
    let timer = |s: &Session| s.timer_s.or(s.elapsed_s).unwrap_or(0.0);
    let weighted = |get: fn(&Session) -> Option<f64>| -> Option<f64> {
        let with: Vec<&Session> = sessions.iter().filter(|s| get(s).is_some()).collect();
        if with.is_empty() {
            return None;
        }
        let total: f64 = with.iter().map(|s| timer(s)).sum();
        if total > 0.0 {
            Some(
                with.iter()
                    .map(|s| get(s).unwrap_or(0.0) * timer(s))
                    .sum::<f64>()
                    / total,
            )
        } else {
            mean(with.iter().filter_map(|s| get(s)))
        }
    };
    let record_hr = || points.avg_hr();
    let record_distance = points.max_distance_m();

    let start_ms = sessions
        .iter()
        .filter_map(|s| s.start_ms)
        .min()
        .or(points.first_time_ms());
    let start_time_ms = start_ms.filter(|t| !a.relative_time && !is_relative(*t));

    let (distance_m, elapsed, moving) = if sessions.is_empty() {
        notes.push(format!(
            "no session message: totals derived from {} records",
            points.len()
        ));
        (record_distance, points.elapsed_s(), points.moving_s())
    } else {
        let distances: Vec<f64> = sessions.iter().filter_map(|s| s.distance_m).collect();
        let distance = if distances.is_empty() {
            record_distance
        } else {
            distances.iter().sum()
        };
        let elapsed: f64 = sessions
            .iter()
            .map(|s| s.elapsed_s.or(s.timer_s).unwrap_or(0.0))
            .sum();
        let moving: f64 = sessions.iter().map(timer).sum();
        (distance, elapsed, moving)
    };

    // A single session's average is the device's; for several sessions, or none, the
    // records are the common ground (multisport devices often omit session averages).
    let avg_hr = match sessions.as_slice() {
        [one] => one.avg_hr.or_else(record_hr),
        [] => record_hr(),
        _ if sessions.iter().all(|s| s.avg_hr.is_some()) => weighted(|s| s.avg_hr),
        _ => record_hr(),
    };
    let max_hr = sessions
        .iter()
        .filter_map(|s| s.max_hr)
        .reduce(f64::max)
        .or(points.max_hr());
    let avg_cadence = weighted(|s| s.avg_cadence).or(points.avg_cadence());
    let ascents: Vec<f64> = sessions.iter().filter_map(|s| s.ascent_m).collect();
    let elevation_gain_m = if ascents.is_empty() {
        points.elevation_gain()
    } else {
        Some(ascents.iter().sum())
    };
    let laps = if a.laps > 0 {
        a.laps
    } else {
        let n: f64 = sessions.iter().filter_map(|s| s.num_laps).sum();
        if n > 0.0 {
            n as u32
        } else {
            sessions.len() as u32
        }
    };

    ActivitySummary {
        sport: sport_of(sessions, a.sport_message.as_ref()),
        start_time_ms,
        distance_m,
        elapsed_s: elapsed,
        moving_s: moving,
        avg_hr,
        max_hr,
        avg_cadence,
        elevation_gain_m,
        laps,
        track: points.drawing(),
        salvaged: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

fn fit_sport(sport: &str, sub_sport: Option<&str>) -> Sport {
    match (sport, sub_sport) {
        ("running", Some("trail")) => Sport::TrailRunning,
        ("running", _) => Sport::Running,
        ("walking", _) => Sport::Walking,
        ("cycling", _) | ("e_biking", _) => Sport::Cycling,
        ("swimming", _) => Sport::Swimming,
        ("multisport", _) => Sport::Multisport,
        (other, _) => Sport::from_name(other),
    }
}

fn sport_of(sessions: &[Session], sport_message: Option<&(String, Option<String>)>) -> Sport {
    let mut sports: Vec<Sport> = Vec::new();
    for s in sessions {
        let Some(name) = s.sport.as_deref() else {
            continue;
        };
        if name == "transition" {
            continue;
        }
        let sport = fit_sport(name, s.sub_sport.as_deref());
        if !sports.contains(&sport) {
            sports.push(sport);
        }
    }
    match sports.len() {
        0 => sport_message
            .map(|(sport, sub)| fit_sport(sport, sub.as_deref()))
            .unwrap_or_else(|| Sport::Other("unspecified".to_string())),
        1 => sports.remove(0),
        _ => Sport::Multisport,
    }
}

fn field<'r>(record: &'r FitDataRecord, name: &str) -> Option<&'r Value> {
    record
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .map(|f| f.value())
}

fn number(v: &Value) -> Option<f64> {
    let x = match v {
        Value::Byte(x) | Value::Enum(x) | Value::UInt8(x) | Value::UInt8z(x) => f64::from(*x),
        Value::SInt8(x) => f64::from(*x),
        Value::SInt16(x) => f64::from(*x),
        Value::UInt16(x) | Value::UInt16z(x) => f64::from(*x),
        Value::SInt32(x) => f64::from(*x),
        Value::UInt32(x) | Value::UInt32z(x) => f64::from(*x),
        Value::SInt64(x) => *x as f64,
        Value::UInt64(x) | Value::UInt64z(x) => *x as f64,
        Value::Float32(x) => f64::from(*x),
        Value::Float64(x) => *x,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

fn timestamp_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Timestamp(t) => Some(t.timestamp_millis()),
        _ => None,
    }
}

/// A device-relative FIT time (seconds since power-on rather than since the FIT epoch).
fn is_relative(unix_ms: i64) -> bool {
    unix_ms.div_euclid(1000) - FIT_EPOCH_UNIX_S < FIT_MIN_ABSOLUTE_TIME
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIT activity of `count` messages of global number `global` (18:
    /// session, 19: lap), each with only `total_elapsed_time` (field 7) = 60 s.
    fn fit_of(global: u16, count: usize) -> Vec<u8> {
        let mut data = vec![0x40, 0, 0];
        data.extend_from_slice(&global.to_le_bytes());
        data.extend_from_slice(&[1, 7, 4, 0x86]);
        for _ in 0..count {
            data.push(0);
            data.extend_from_slice(&60_000u32.to_le_bytes());
        }
        let mut file = vec![14, 0x20, 0x54, 0x08];
        file.extend_from_slice(&(data.len() as u32).to_le_bytes());
        file.extend_from_slice(b".FIT");
        file.extend_from_slice(&crc16(&file[..12]).to_le_bytes());
        file.extend_from_slice(&data);
        let crc = crc16(&file);
        file.extend_from_slice(&crc.to_le_bytes());
        file
    }

    #[test]
    fn sessions_and_laps_are_capped_per_file() {
        let ok = decode(&fit_of(18, MAX_SESSIONS)).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].elapsed_s, 60.0 * MAX_SESSIONS as f64);
        assert_eq!(ok[0].salvaged, None);
        let err = decode(&fit_of(18, MAX_SESSIONS + 1)).unwrap_err();
        assert_eq!(
            err,
            DecodeError::TooManyMessages {
                what: "sessions",
                limit: MAX_SESSIONS as u64
            }
        );
        assert_eq!(
            err.to_string(),
            "FIT file with more than 1000 sessions; an activity has a few"
        );
        let err = decode(&fit_of(19, MAX_LAPS as usize + 1)).unwrap_err();
        assert_eq!(
            err,
            DecodeError::TooManyMessages {
                what: "laps",
                limit: MAX_LAPS
            }
        );
    }
}
