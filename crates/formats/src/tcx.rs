//! TCX (Garmin Training Center) activities, read as a stream with quick-xml.
//!
//! One summary per `<Activity>` (a TCX file may hold several). Totals follow the
//! laps, as Garmin's own tools do: distance = Σ `Lap/DistanceMeters`, timer =
//! Σ `Lap/TotalTimeSeconds`; elapsed runs from `Id` (the start) to the last
//! trackpoint; average heart rate is the lap averages weighted by lap time when
//! every lap has one, else the trackpoint mean.

use std::io::BufRead;

use quick_xml::events::BytesStart;

use crate::error::DecodeError;
use crate::summary::{ActivitySummary, Mean, RawPoint, Sport, Track, haversine_m};
use crate::time::parse_rfc3339_ms;
use crate::xml;

/// Activities read from one file at most; the rest of a file with more is
/// not read (each kept activity holds its summary until the end).
pub const MAX_ACTIVITIES: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Activity,
    Lap,
    Track,
    Trackpoint,
    Position,
    AvgHr,
    MaxHr,
    Hr,
    Other,
}

/// The lap being read: its fields may come in any order.
#[derive(Debug, Default)]
struct Lap {
    start_ms: Option<i64>,
    time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
    cadence: Option<f64>,
}

/// A lap average weighted by lap time over all laps, when every lap has one.
#[derive(Debug, Default)]
struct Weighted {
    missing: bool,
    sum: f64,
    time_s: f64,
    plain: Mean,
}

impl Weighted {
    fn push(&mut self, value: Option<f64>, time_s: Option<f64>) {
        let Some(v) = value else {
            self.missing = true;
            return;
        };
        self.sum += v * time_s.unwrap_or(0.0);
        self.time_s += time_s.unwrap_or(0.0);
        self.plain.push(v);
    }

    fn get(&self, laps: u32) -> Option<f64> {
        if laps == 0 || self.missing {
            return None;
        }
        if self.time_s <= 0.0 {
            return self.plain.get();
        }
        Some(self.sum / self.time_s)
    }
}

/// The laps read so far, summed, and the one being read.
#[derive(Debug, Default)]
struct Laps {
    count: u32,
    current: Option<Lap>,
    time_s: f64,
    distance_m: Option<f64>,
    first_start_ms: Option<i64>,
    max_hr: Option<f64>,
    avg_hr: Weighted,
    cadence: Weighted,
}

impl Laps {
    fn open(&mut self, lap: Lap) {
        self.finish();
        self.count += 1;
        self.current = Some(lap);
    }

    /// Adds the lap being read to the totals.
    fn finish(&mut self) {
        let Some(lap) = self.current.take() else {
            return;
        };
        if let Some(t) = lap.time_s {
            self.time_s += t;
        }
        if let Some(d) = lap.distance_m {
            self.distance_m = Some(self.distance_m.map_or(d, |sum| sum + d));
        }
        if self.first_start_ms.is_none() {
            self.first_start_ms = lap.start_ms;
        }
        if let Some(m) = lap.max_hr {
            self.max_hr = Some(self.max_hr.map_or(m, |x| x.max(m)));
        }
        self.avg_hr.push(lap.avg_hr, lap.time_s);
        self.cadence.push(lap.cadence, lap.time_s);
    }
}

#[derive(Debug, Default)]
struct Activity {
    sport: Option<String>,
    id_time: Option<i64>,
    laps: Laps,
    /// The trackpoints, summed as they come: memory stays bounded however many.
    points: Track,
    current: Option<RawPoint>,
    /// The trackpoint's own `DistanceMeters`, if it has one.
    current_distance: Option<f64>,
    new_track: bool,
}

impl Activity {
    fn has_data(&self) -> bool {
        self.laps.count > 0 || !self.points.is_empty()
    }
}

/// The file being read: the activities before the current one are summed up
/// (nothing more reaches them), the current one is being read.
#[derive(Default)]
struct State {
    done: Vec<ActivitySummary>,
    current: Option<Activity>,
    too_many: bool,
}

impl State {
    /// The current activity is complete: summed up if it holds anything.
    fn finish(&mut self) {
        if let Some(a) = self.current.take().filter(Activity::has_data) {
            self.done.push(summarise(a));
        }
    }
}

/// Decodes a TCX file read as a stream from `source`: one summary per activity.
pub(crate) fn decode<R: BufRead>(source: R) -> Result<Vec<ActivitySummary>, DecodeError> {
    let mut st = State::default();
    let fault = xml::walk(source, &mut st);
    st.finish();
    if st.done.is_empty() {
        return Err(match fault {
            Some((position, message)) => DecodeError::Xml {
                format: "TCX",
                position,
                message,
            },
            None => DecodeError::NoActivities,
        });
    }
    if let Some((at, what)) = fault {
        let note = format!(
            "malformed TCX at byte {at}: {what}; kept the laps and trackpoints read before it"
        );
        for s in &mut st.done {
            s.salvaged = Some(note.clone());
        }
    }
    Ok(st.done)
}

impl xml::Handler for State {
    type Tag = Tag;
    const OTHER: Tag = Tag::Other;

    fn tag(e: &BytesStart<'_>) -> Tag {
        match e.local_name().as_ref() {
            "Activity" => Tag::Activity,
            "Lap" => Tag::Lap,
            "Track" => Tag::Track,
            "Trackpoint" => Tag::Trackpoint,
            "Position" => Tag::Position,
            "AverageHeartRateBpm" => Tag::AvgHr,
            "MaximumHeartRateBpm" => Tag::MaxHr,
            "HeartRateBpm" => Tag::Hr,
            _ => Tag::Other,
        }
    }

    fn open(&mut self, t: Tag, e: &BytesStart<'_>) {
        let attr = |name: &str| -> Option<String> {
            e.try_get_attribute(name)
                .ok()
                .flatten()
                .map(|a| a.value.trim().to_string())
        };
        if t == Tag::Activity {
            self.finish();
            if self.done.len() >= MAX_ACTIVITIES {
                self.too_many = true;
                return;
            }
            self.current = Some(Activity {
                sport: attr("Sport"),
                ..Activity::default()
            });
            return;
        }
        let Some(a) = self.current.as_mut() else {
            return;
        };
        match t {
            Tag::Lap => a.laps.open(Lap {
                start_ms: attr("StartTime").and_then(|s| parse_rfc3339_ms(&s)),
                ..Lap::default()
            }),
            Tag::Track => a.new_track = true,
            Tag::Trackpoint => {
                a.current = Some(RawPoint::default());
                a.current_distance = None;
            }
            _ => {}
        }
    }

    fn close(&mut self, t: Tag, name: &str, stack: &[Tag], text: &str) {
        close(self.current.as_mut(), t, name, stack, text);
    }

    fn fault(&mut self) -> Option<String> {
        self.too_many.then(|| {
            format!("more than {MAX_ACTIVITIES} activities in one file: the rest were not read")
        })
    }
}

/// An element ends: `t` is its tag, `name` its local name, `stack` its ancestors.
fn close(a: Option<&mut Activity>, t: Tag, name: &str, stack: &[Tag], text: &str) {
    let Some(a) = a else {
        return;
    };
    let parent = stack.last().copied().unwrap_or(Tag::Other);
    if t == Tag::Trackpoint {
        a.push_point();
        return;
    }
    if stack.contains(&Tag::Trackpoint) {
        let Some(p) = a.current.as_mut() else {
            return;
        };
        match (name, parent) {
            ("Time", Tag::Trackpoint) => p.time_ms = parse_rfc3339_ms(text),
            ("LatitudeDegrees", Tag::Position) => p.lat = num(text).filter(|x| x.abs() <= 90.0),
            ("LongitudeDegrees", Tag::Position) => p.lon = num(text).filter(|x| x.abs() <= 180.0),
            ("AltitudeMeters", Tag::Trackpoint) => p.ele = num(text),
            ("DistanceMeters", Tag::Trackpoint) => a.current_distance = num(text),
            ("Value", Tag::Hr) => p.hr = num(text).filter(|x| *x > 0.0 && *x < 255.0),
            ("Cadence", Tag::Trackpoint) | ("RunCadence", _) => {
                p.cadence = num(text).filter(|x| *x >= 0.0 && *x < 255.0)
            }
            _ => {}
        }
        return;
    }
    match (name, parent) {
        ("Id", Tag::Activity) => a.id_time = parse_rfc3339_ms(text),
        (_, _) if stack.contains(&Tag::Lap) => {
            let Some(lap) = a.laps.current.as_mut() else {
                return;
            };
            match (name, parent) {
                ("TotalTimeSeconds", Tag::Lap) => lap.time_s = num(text),
                ("DistanceMeters", Tag::Lap) => lap.distance_m = num(text),
                ("Value", Tag::AvgHr) => lap.avg_hr = num(text).filter(|x| *x > 0.0),
                ("Value", Tag::MaxHr) => lap.max_hr = num(text).filter(|x| *x > 0.0),
                ("Cadence", Tag::Lap) | ("AvgRunCadence", _) => {
                    lap.cadence = num(text).filter(|x| *x > 0.0 && *x < 255.0)
                }
                _ => {}
            }
        }
        _ => {}
    }
}

impl Activity {
    fn push_point(&mut self) {
        let Some(mut p) = self.current.take() else {
            return;
        };
        let new_track = std::mem::replace(&mut self.new_track, false);
        p.segment_start = new_track;
        let previous = self.points.last();
        p.distance_m = match (self.current_distance.take(), previous) {
            (Some(d), _) => d,
            (None, Some(q)) => match (q.lat, q.lon, p.lat, p.lon) {
                (Some(a), Some(b), Some(c), Some(d)) if !new_track => {
                    q.distance_m + haversine_m(a, b, c, d)
                }
                _ => q.distance_m,
            },
            (None, None) => 0.0,
        };
        self.points.push(p);
    }
}

fn num(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

fn summarise(mut a: Activity) -> ActivitySummary {
    a.laps.finish();
    let (points, laps) = (&a.points, &a.laps);
    let distance_m = laps.distance_m.unwrap_or(points.max_distance_m());
    let start_ms = a.id_time.or(laps.first_start_ms).or(points.first_time_ms());
    let last_point = points.last_time_ms();
    let moving_s = if laps.time_s > 0.0 {
        laps.time_s
    } else {
        points.moving_s()
    };
    let elapsed_s = match (start_ms, last_point) {
        (Some(s), Some(e)) if e > s => (e - s) as f64 / 1000.0,
        _ => moving_s,
    };
    let max_hr = match (laps.max_hr, points.max_hr()) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    ActivitySummary {
        sport: a
            .sport
            .as_deref()
            .map_or_else(|| Sport::Other("unspecified".to_string()), Sport::from_name),
        start_time_ms: start_ms,
        distance_m,
        elapsed_s,
        moving_s,
        avg_hr: laps.avg_hr.get(laps.count).or(points.avg_hr()),
        max_hr,
        avg_cadence: laps.cadence.get(laps.count).or(points.avg_cadence()),
        elevation_gain_m: points.elevation_gain(),
        laps: laps.count,
        track: points.drawing(),
        salvaged: None,
    }
}
