//! GPX tracks, read as a stream with quick-xml.
//!
//! A GPX file is one activity: all its `<trk>`s and `<trkseg>`s are summed (as gpxpy
//! and the services that export GPX do). Distance is the 2D haversine length inside
//! each segment (no distance is counted across a gap between segments or tracks);
//! elapsed time runs from the first to the last timed point of the file; moving
//! time is [`crate::summary`]'s rule (speed above 0.5 m/s, interval at most 60 s).
//! Elements are matched by local name, so prefixes (`gpxtpx:hr`, `ns3:hr`) work
//! whether or not their namespace is declared.

use std::io::BufRead;

use quick_xml::events::BytesStart;

use crate::error::DecodeError;
use crate::summary::{ActivitySummary, RawPoint, Sport, Track, haversine_m};
use crate::time::parse_rfc3339_ms;
use crate::xml;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Metadata,
    Trk,
    Trkseg,
    Trkpt,
    Rtept,
    Other,
}

struct State {
    /// The points, summed as they come: memory stays bounded however many.
    track: Track,
    current: Option<RawPoint>,
    new_segment: bool,
    sport: Option<String>,
    metadata_time: Option<i64>,
    route_points: usize,
}

/// Decodes a GPX file read as a stream from `source`.
pub(crate) fn decode<R: BufRead>(source: R) -> Result<Vec<ActivitySummary>, DecodeError> {
    read(source, Track::default()).map(|(st, salvaged)| vec![summarise(st, salvaged)])
}

/// Reads the points into `track`; also says what was damaged, if the file
/// broke off after some.
fn read<R: BufRead>(source: R, track: Track) -> Result<(State, Option<String>), DecodeError> {
    let mut st = State {
        track,
        current: None,
        new_segment: true,
        sport: None,
        metadata_time: None,
        route_points: 0,
    };
    let fault = xml::walk(source, &mut st);
    if st.track.is_empty() {
        if let Some((position, message)) = fault {
            return Err(DecodeError::Xml {
                format: "GPX",
                position,
                message,
            });
        }
        return Err(DecodeError::NoTrackPoints);
    }
    let salvaged = fault.map(|(at, what)| {
        format!(
            "malformed GPX at byte {at}: {what}; kept the {} track points read before it",
            st.track.len()
        )
    });
    Ok((st, salvaged))
}

impl xml::Handler for State {
    type Tag = Tag;
    const OTHER: Tag = Tag::Other;

    fn tag(e: &BytesStart<'_>) -> Tag {
        match e.local_name().as_ref() {
            "metadata" => Tag::Metadata,
            "trk" => Tag::Trk,
            "trkseg" => Tag::Trkseg,
            "trkpt" => Tag::Trkpt,
            "rtept" => Tag::Rtept,
            _ => Tag::Other,
        }
    }

    fn open(&mut self, t: Tag, e: &BytesStart<'_>) {
        State::open(self, t, e);
    }

    fn close(&mut self, t: Tag, name: &str, stack: &[Tag], text: &str) {
        State::close(self, t, name, stack, text);
    }

    /// An empty element has no text: only an empty `<trkpt/>` counts.
    fn close_empty(&mut self, t: Tag, _name: &str, stack: &[Tag]) {
        State::close(self, t, "", stack, "");
    }
}

impl State {
    fn open(&mut self, t: Tag, e: &BytesStart<'_>) {
        match t {
            Tag::Trk | Tag::Trkseg => self.new_segment = true,
            Tag::Trkpt => {
                let attr = |name: &str| -> Option<f64> {
                    let a = e.try_get_attribute(name).ok()??;
                    a.value.trim().parse::<f64>().ok().filter(|x| x.is_finite())
                };
                self.current = Some(RawPoint {
                    lat: attr("lat").filter(|x| x.abs() <= 90.0),
                    lon: attr("lon").filter(|x| x.abs() <= 180.0),
                    ..RawPoint::default()
                });
            }
            Tag::Rtept => self.route_points += 1,
            _ => {}
        }
    }

    /// An element ends: `t` is its tag, `name` its local name, `stack` its ancestors.
    fn close(&mut self, t: Tag, name: &str, stack: &[Tag], text: &str) {
        let parent = stack.last().copied();
        if t == Tag::Trkpt {
            if let Some(p) = self.current.take() {
                self.push_point(p);
            }
            return;
        }
        let in_trkpt = stack.contains(&Tag::Trkpt);
        if in_trkpt {
            let Some(p) = self.current.as_mut() else {
                return;
            };
            match name {
                "ele" if parent == Some(Tag::Trkpt) => p.ele = num(text),
                "time" if parent == Some(Tag::Trkpt) => p.time_ms = parse_rfc3339_ms(text),
                "hr" | "heartrate" | "heart_rate" => {
                    p.hr = num(text).filter(|x| *x > 0.0 && *x < 255.0)
                }
                "cad" | "cadence" | "runcadence" => {
                    p.cadence = num(text).filter(|x| *x >= 0.0 && *x < 255.0)
                }
                _ => {}
            }
            return;
        }
        match (name, parent) {
            ("type", Some(Tag::Trk)) if self.sport.is_none() && !text.is_empty() => {
                self.sport = Some(text.to_string());
            }
            ("time", Some(Tag::Metadata)) => self.metadata_time = parse_rfc3339_ms(text),
            _ => {}
        }
    }

    fn push_point(&mut self, mut p: RawPoint) {
        let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
            return; // a track point must have a position
        };
        p.segment_start = self.new_segment;
        p.distance_m = match self.track.last() {
            Some(q) if !self.new_segment => {
                q.distance_m + haversine_m(q.lat.unwrap_or(lat), q.lon.unwrap_or(lon), lat, lon)
            }
            Some(q) => q.distance_m,
            None => 0.0,
        };
        self.new_segment = false;
        self.track.push(p);
    }
}

fn num(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// GPX `<type>`: a sport name, or one of Strava's numeric activity types.
fn gpx_sport(name: Option<&str>) -> Sport {
    match name.map(str::trim) {
        None => Sport::Other("unspecified".to_string()),
        Some("1") => Sport::Cycling,
        Some("9") => Sport::Running,
        Some("10") => Sport::Walking,
        Some(other) => Sport::from_name(other),
    }
}

fn summarise(st: State, salvaged: Option<String>) -> ActivitySummary {
    let track = &st.track;
    ActivitySummary {
        sport: gpx_sport(st.sport.as_deref()),
        start_time_ms: track.first_time_ms().or(st.metadata_time),
        distance_m: track.distance_m(),
        elapsed_s: track.elapsed_s(),
        moving_s: track.moving_s(),
        avg_hr: track.avg_hr(),
        max_hr: track.max_hr(),
        avg_cadence: track.avg_cadence(),
        elevation_gain_m: track.elevation_gain(),
        laps: 0,
        track: track.drawing(),
        salvaged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../../testdata/activities/gpx/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The slow GPSBabel hikes are where our moving time differs from gpxpy's; with
    /// gpxpy's own rule (1 km/h, no gap limit) the same points give gpxpy's numbers
    /// exactly, so the difference is the threshold, not the reading.
    #[test]
    fn gpxpy_rule_reproduces_gpxpy_moving_time() {
        for (file, gpxpy_moving) in [
            ("gp__multi-track-no-ele.gpx", 2295.0),
            ("gp__multi-track-partial-times.gpx", 7084.0),
            ("gg__fr620-50k-trail.gpx", 20423.0),
            ("gg__fr620-marathon-hr.gpx", 15219.0),
        ] {
            let gpxpy = Track::with_moving_rule(1.0 / 3.6, f64::INFINITY);
            let (st, salvaged) = read(fixture(file).as_slice(), gpxpy).unwrap();
            assert_eq!(salvaged, None);
            assert_eq!(st.track.moving_s(), gpxpy_moving, "{file}");
        }
    }

    #[test]
    fn messy_gpx_bom_whitespace_undeclared_prefixes_no_times() {
        let gpx = "\u{feff}\n  \r\n<?xml version=\"1.0\"?>\n<gpx:gpx version=\"1.1\">\
            <gpx:trk><gpx:type>Trail Run</gpx:type><gpx:trkseg>\
            <gpx:trkpt lat=\"46.0\" lon=\"14.0\"><gpx:ele>300</gpx:ele>\
              <gpx:extensions><tp:TrackPointExtension><tp:hr>140</tp:hr></tp:TrackPointExtension></gpx:extensions></gpx:trkpt>\
            <gpx:trkpt lat=\"46.001\" lon=\"14.0\"><gpx:ele>310</gpx:ele></gpx:trkpt>\
            <gpx:trkpt lat=\"46.002\" lon=\"14.0\"/>\
            </gpx:trkseg></gpx:trk></gpx:gpx>";
        let s = decode(gpx.as_bytes()).unwrap().remove(0);
        assert_eq!(s.sport, Sport::TrailRunning);
        assert_eq!(s.start_time_ms, None);
        assert!((s.distance_m - 222.39).abs() < 0.1, "{}", s.distance_m);
        assert_eq!((s.elapsed_s, s.moving_s), (0.0, 0.0));
        assert_eq!(s.avg_hr, Some(140.0));
        assert_eq!(s.elevation_gain_m, Some(10.0));
        assert_eq!(s.track.len(), 3);
        assert_eq!(s.salvaged, None);
    }

    #[test]
    fn truncated_gpx_is_salvaged_and_route_only_is_an_error() {
        let whole = fixture("gg__fr620-5k-noHR.gpx");
        let cut = &whole[..whole.len() / 2];
        let s = decode(cut).unwrap().remove(0);
        let note = s.salvaged.expect("a cut file is salvaged");
        assert!(
            note.contains("truncated") && note.contains("kept the"),
            "{note}"
        );
        assert!(
            s.distance_m > 1000.0 && s.distance_m < 4000.0,
            "{}",
            s.distance_m
        );
        assert_eq!(
            decode(fixture("gp__route-only-no-track.gpx").as_slice()),
            Err(DecodeError::NoTrackPoints)
        );
    }
}
