//! TCX (Garmin Training Center) activities, read as a stream with quick-xml.
//!
//! One summary per `<Activity>` (a TCX file may hold several). Totals follow the
//! laps, as Garmin's own tools do: distance = Σ `Lap/DistanceMeters`, timer =
//! Σ `Lap/TotalTimeSeconds`; elapsed runs from `Id` (the start) to the last
//! trackpoint; average heart rate is the lap averages weighted by lap time when
//! every lap has one, else the trackpoint mean.

use quick_xml::events::{BytesStart, Event};

use crate::error::DecodeError;
use crate::summary::{
    ActivitySummary, ELEVATION_HYSTERESIS_M, RawPoint, Sport, downsample, elevation_gain,
    haversine_m, mean, moving_time_s,
};
use crate::time::parse_rfc3339_ms;
use crate::xml;

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

#[derive(Debug, Default)]
struct Lap {
    start_ms: Option<i64>,
    time_s: Option<f64>,
    distance_m: Option<f64>,
    avg_hr: Option<f64>,
    max_hr: Option<f64>,
    cadence: Option<f64>,
}

#[derive(Debug, Default)]
struct Activity {
    sport: Option<String>,
    id_time: Option<i64>,
    laps: Vec<Lap>,
    points: Vec<RawPoint>,
    current: Option<RawPoint>,
    /// The trackpoint's own `DistanceMeters`, if it has one.
    current_distance: Option<f64>,
    new_track: bool,
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<ActivitySummary>, DecodeError> {
    let (text, skipped) = xml::text(bytes);
    let mut reader = xml::reader(&text);
    let mut stack: Vec<Tag> = Vec::with_capacity(16);
    let mut text_buf = String::new();
    let mut activities: Vec<Activity> = Vec::new();
    let mut fault: Option<(u64, String)> = None;
    loop {
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                fault = Some((reader.error_position() + skipped as u64, xml::describe(&e)));
                break;
            }
        };
        match event {
            Event::Start(e) => {
                if let Some(deep) =
                    xml::too_deep(stack.len(), reader.buffer_position() + skipped as u64)
                {
                    fault = Some(deep);
                    break;
                }
                let t = tag(&e);
                open(&mut activities, t, &e);
                stack.push(t);
                text_buf.clear();
            }
            Event::Empty(e) => {
                let t = tag(&e);
                open(&mut activities, t, &e);
                close(&mut activities, t, e.local_name().as_ref(), &stack, "");
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = xml::entity(&r.xml10_content()) {
                    text_buf.push(c);
                }
            }
            Event::End(e) => {
                let t = stack.pop().unwrap_or(Tag::Other);
                close(
                    &mut activities,
                    t,
                    e.local_name().as_ref(),
                    &stack,
                    text_buf.trim(),
                );
                text_buf.clear();
            }
            Event::Eof => {
                if !stack.is_empty() {
                    fault = Some((
                        bytes.len() as u64,
                        "the file ends inside an open element (truncated)".to_string(),
                    ));
                }
                break;
            }
            _ => {}
        }
    }
    activities.retain(|a| !a.laps.is_empty() || !a.points.is_empty());
    if activities.is_empty() {
        return Err(match fault {
            Some((position, message)) => DecodeError::Xml {
                format: "TCX",
                position,
                message,
            },
            None => DecodeError::NoActivities,
        });
    }
    let salvaged = fault.map(|(at, what)| {
        format!("malformed TCX at byte {at}: {what}; kept the laps and trackpoints read before it")
    });
    Ok(activities
        .into_iter()
        .map(|a| summarise(a, salvaged.clone()))
        .collect())
}

fn open(activities: &mut Vec<Activity>, t: Tag, e: &BytesStart<'_>) {
    let attr = |name: &str| -> Option<String> {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .map(|a| a.value.trim().to_string())
    };
    if t == Tag::Activity {
        activities.push(Activity {
            sport: attr("Sport"),
            ..Activity::default()
        });
        return;
    }
    let Some(a) = activities.last_mut() else {
        return;
    };
    match t {
        Tag::Lap => a.laps.push(Lap {
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

/// An element ends: `t` is its tag, `name` its local name, `stack` its ancestors.
fn close(activities: &mut [Activity], t: Tag, name: &str, stack: &[Tag], text: &str) {
    let Some(a) = activities.last_mut() else {
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
            let Some(lap) = a.laps.last_mut() else {
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

fn summarise(a: Activity, salvaged: Option<String>) -> ActivitySummary {
    let points = &a.points;
    let laps = &a.laps;
    let lap_time: f64 = laps.iter().filter_map(|l| l.time_s).sum();
    let lap_distances: Vec<f64> = laps.iter().filter_map(|l| l.distance_m).collect();
    let point_distance = points.iter().map(|p| p.distance_m).fold(0.0, f64::max);
    let distance_m = if lap_distances.is_empty() {
        point_distance
    } else {
        lap_distances.iter().sum()
    };
    let first_point = points.iter().find_map(|p| p.time_ms);
    let start_ms = a
        .id_time
        .or_else(|| laps.iter().find_map(|l| l.start_ms))
        .or(first_point);
    let last_point = points.iter().rev().find_map(|p| p.time_ms);
    let moving_s = if lap_time > 0.0 {
        lap_time
    } else {
        moving_time_s(points)
    };
    let elapsed_s = match (start_ms, last_point) {
        (Some(s), Some(e)) if e > s => (e - s) as f64 / 1000.0,
        _ => moving_s,
    };
    // Lap averages weighted by lap time, when every lap has them.
    let weighted = |get: fn(&Lap) -> Option<f64>| -> Option<f64> {
        if laps.is_empty() || !laps.iter().all(|l| get(l).is_some()) {
            return None;
        }
        let total: f64 = laps.iter().map(|l| l.time_s.unwrap_or(0.0)).sum();
        if total <= 0.0 {
            return mean(laps.iter().filter_map(get));
        }
        Some(
            laps.iter()
                .map(|l| get(l).unwrap_or(0.0) * l.time_s.unwrap_or(0.0))
                .sum::<f64>()
                / total,
        )
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
        avg_hr: weighted(|l| l.avg_hr).or_else(|| mean(points.iter().filter_map(|p| p.hr))),
        max_hr: laps
            .iter()
            .filter_map(|l| l.max_hr)
            .chain(points.iter().filter_map(|p| p.hr))
            .reduce(f64::max),
        avg_cadence: weighted(|l| l.cadence)
            .or_else(|| mean(points.iter().filter_map(|p| p.cadence).filter(|c| *c > 0.0))),
        elevation_gain_m: elevation_gain(
            points.iter().filter_map(|p| p.ele),
            ELEVATION_HYSTERESIS_M,
        ),
        laps: laps.len() as u32,
        track: downsample(points),
        salvaged,
    }
}
