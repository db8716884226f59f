//! The decoded shape of an activity and the arithmetic shared by all formats
//! (distance on the sphere, moving time, elevation gain, downsampling).

use serde::{Deserialize, Serialize};

pub use runcoach_core::sport::Sport;

/// One point of the (downsampled) track, for charts and maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    /// Seconds since the activity's first timed point; `None` when the point has no time.
    pub t_s: Option<f64>,
    /// Latitude in degrees (WGS84), when the point has a position.
    pub lat: Option<f64>,
    /// Longitude in degrees (WGS84), when the point has a position.
    pub lon: Option<f64>,
    /// Elevation in metres, when recorded.
    pub ele: Option<f64>,
    /// Heart rate in beats per minute, when recorded.
    pub hr: Option<f64>,
    /// Cumulative distance in metres from the start.
    pub distance_m: f64,
}

/// What one activity amounts to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    /// The sport (for multi-session FIT files: [`Sport::Multisport`] when sessions differ).
    pub sport: Sport,
    /// Start, UTC unix milliseconds. `None` when the file has no times, or only
    /// device-relative FIT times (`< 0x10000000`) that cannot be placed in UTC.
    pub start_time_ms: Option<i64>,
    /// Distance in metres.
    pub distance_m: f64,
    /// Wall-clock duration from start to end, in seconds (pauses included).
    pub elapsed_s: f64,
    /// Timer time (FIT/TCX: what the device's timer counted) or, where the file has
    /// no timer (GPX, unterminated FIT), moving time derived from the points.
    pub moving_s: f64,
    /// Average heart rate in bpm.
    pub avg_hr: Option<f64>,
    /// Maximum heart rate in bpm.
    pub max_hr: Option<f64>,
    /// Average cadence as the device records it: per minute of one foot (strides,
    /// half of steps/min) for running and walking, revolutions per minute for cycling.
    pub avg_cadence: Option<f64>,
    /// Total ascent in metres (device total when present, else from elevations with
    /// a [`ELEVATION_HYSTERESIS_M`] hysteresis).
    pub elevation_gain_m: Option<f64>,
    /// Number of laps (GPX has no laps: 0).
    pub laps: u32,
    /// Track downsampled to at most [`MAX_TRACK_POINTS`] points.
    pub track: Vec<TrackPoint>,
    /// When the data was recovered from a damaged file: what was damaged and what was lost.
    pub salvaged: Option<String>,
}

/// The most points kept in [`ActivitySummary::track`].
pub const MAX_TRACK_POINTS: usize = 500;

/// An interval between two points counts as moving when its speed is above this (m/s).
/// 0.5 m/s = 1.8 km/h: slower than a hiker on a steep climb, faster than GPS drift.
pub const MOVING_SPEED_MPS: f64 = 0.5;

/// An interval between two points longer than this (s) is a pause (watch paused while
/// moving, lost signal), not movement, whatever the distance between the points.
/// Two minutes: longer than the sparsest "smart recording" and old loggers' intervals.
pub const MAX_MOVING_GAP_S: f64 = 120.0;

/// Elevation changes smaller than this (m) are treated as noise when summing the gain.
pub const ELEVATION_HYSTERESIS_M: f64 = 2.0;

/// Mean earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two WGS84 positions in degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Total ascent with hysteresis: a climb counts once it exceeds `hysteresis` metres
/// above the lowest point since the last counted climb.
pub fn elevation_gain(elevations: impl IntoIterator<Item = f64>, hysteresis: f64) -> Option<f64> {
    let mut climb = Climb::new(hysteresis);
    elevations.into_iter().for_each(|e| climb.push(e));
    climb.gain()
}

/// [`elevation_gain`] one elevation at a time.
#[derive(Debug, Clone)]
pub(crate) struct Climb {
    hysteresis: f64,
    reference: Option<f64>,
    gain: f64,
}

impl Climb {
    pub(crate) fn new(hysteresis: f64) -> Self {
        Climb {
            hysteresis,
            reference: None,
            gain: 0.0,
        }
    }

    pub(crate) fn push(&mut self, e: f64) {
        if !e.is_finite() {
            return;
        }
        match self.reference {
            None => self.reference = Some(e),
            Some(r) if e > r + self.hysteresis => {
                self.gain += e - r;
                self.reference = Some(e);
            }
            Some(r) if e < r => self.reference = Some(e),
            Some(_) => {}
        }
    }

    pub(crate) fn gain(&self) -> Option<f64> {
        self.reference.map(|_| self.gain)
    }
}

/// A point as the formats see it before summarising: time, position, cumulative distance.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawPoint {
    pub time_ms: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub ele: Option<f64>,
    pub hr: Option<f64>,
    pub cadence: Option<f64>,
    /// Cumulative distance from the start, metres.
    pub distance_m: f64,
    /// First point of a new segment (GPX `trkseg`/`trk`): no movement is counted
    /// from the previous point to this one.
    pub segment_start: bool,
}

/// A running mean: values summed in arrival order, as a mean over a list would.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Mean {
    sum: f64,
    n: u64,
}

impl Mean {
    pub(crate) fn push(&mut self, v: f64) {
        self.sum += v;
        self.n += 1;
    }

    pub(crate) fn get(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }
}

/// Mean of the present values (e.g. lap averages), `None` when there are none.
pub(crate) fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut m = Mean::default();
    values.into_iter().for_each(|v| m.push(v));
    m.get()
}

/// How many points a [`Track`] keeps for its drawing before thinning them:
/// twice what the drawing shows, so that what it picks from is still dense.
const KEPT_POINTS: usize = 2 * MAX_TRACK_POINTS;

/// An activity's points, summed as they arrive, in bounded memory whatever the
/// file's size: totals (distance, times, heart rate, cadence, climb) follow
/// every point; only a thinned sample is kept for the drawing. Up to
/// [`KEPT_POINTS`] points every one is kept, so a track of that many comes
/// out exactly as a list of all points would give it; past that, every
/// other kept point is dropped and the stride doubles, so the kept points
/// stay evenly spaced (indices 0, s, 2s, …) and the last point is kept apart.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    count: u64,
    last: Option<RawPoint>,
    first_time_ms: Option<i64>,
    last_time_ms: Option<i64>,
    max_distance_m: f64,
    /// Moving time: thresholds, total and the previous timed point of the segment.
    min_speed: f64,
    max_gap: f64,
    moving_s: f64,
    previous: Option<(i64, f64)>,
    hr: Mean,
    max_hr: Option<f64>,
    cadence: Mean,
    climb: Climb,
    kept: Vec<RawPoint>,
    stride: u64,
}

impl Default for Track {
    fn default() -> Self {
        Track::with_moving_rule(MOVING_SPEED_MPS, MAX_MOVING_GAP_S)
    }
}

impl Track {
    /// A track whose moving time counts intervals faster than `min_speed` m/s
    /// and no longer than `max_gap` s (gpxpy's `get_moving_data` is
    /// `min_speed` = 1 km/h with no gap limit).
    pub(crate) fn with_moving_rule(min_speed: f64, max_gap: f64) -> Self {
        Track {
            count: 0,
            last: None,
            first_time_ms: None,
            last_time_ms: None,
            max_distance_m: 0.0,
            min_speed,
            max_gap,
            moving_s: 0.0,
            previous: None,
            hr: Mean::default(),
            max_hr: None,
            cadence: Mean::default(),
            climb: Climb::new(ELEVATION_HYSTERESIS_M),
            kept: Vec::new(),
            stride: 1,
        }
    }

    /// The newest point, for the next one's distance.
    pub(crate) fn last(&self) -> Option<&RawPoint> {
        self.last.as_ref()
    }

    pub(crate) fn push(&mut self, p: RawPoint) {
        if p.segment_start {
            self.previous = None;
        }
        if let Some(t) = p.time_ms {
            self.first_time_ms.get_or_insert(t);
            self.last_time_ms = Some(t);
            if let Some((pt, pd)) = self.previous {
                let dt = (t - pt) as f64 / 1000.0;
                if dt > 0.0 && dt <= self.max_gap && (p.distance_m - pd) / dt > self.min_speed {
                    self.moving_s += dt;
                }
            }
            self.previous = Some((t, p.distance_m));
        }
        self.max_distance_m = self.max_distance_m.max(p.distance_m);
        if let Some(hr) = p.hr {
            self.hr.push(hr);
            self.max_hr = Some(self.max_hr.map_or(hr, |m| m.max(hr)));
        }
        if let Some(c) = p.cadence.filter(|c| *c > 0.0) {
            self.cadence.push(c);
        }
        if let Some(e) = p.ele {
            self.climb.push(e);
        }
        if self.count.is_multiple_of(self.stride) {
            if self.kept.len() == KEPT_POINTS {
                // Indices 0, s, …, (K-1)s become 0, 2s, …: this one (K·s) fits the new stride.
                let mut i = 0;
                self.kept.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
                self.stride *= 2;
            }
            self.kept.push(p.clone());
        }
        self.count += 1;
        self.last = Some(p);
    }

    /// How many points were pushed.
    pub(crate) fn len(&self) -> u64 {
        self.count
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(crate) fn first_time_ms(&self) -> Option<i64> {
        self.first_time_ms
    }

    pub(crate) fn last_time_ms(&self) -> Option<i64> {
        self.last_time_ms
    }

    /// The last point's cumulative distance.
    pub(crate) fn distance_m(&self) -> f64 {
        self.last.as_ref().map_or(0.0, |p| p.distance_m)
    }

    /// The largest cumulative distance of any point.
    pub(crate) fn max_distance_m(&self) -> f64 {
        self.max_distance_m
    }

    /// Moving time: the sum of intervals between consecutive timed points of
    /// one segment faster than the track's speed and no longer than its gap.
    pub(crate) fn moving_s(&self) -> f64 {
        self.moving_s
    }

    /// Wall-clock span from the first to the last timed point, seconds.
    pub(crate) fn elapsed_s(&self) -> f64 {
        match (self.first_time_ms, self.last_time_ms) {
            (Some(a), Some(b)) if b > a => (b - a) as f64 / 1000.0,
            _ => 0.0,
        }
    }

    pub(crate) fn avg_hr(&self) -> Option<f64> {
        self.hr.get()
    }

    pub(crate) fn max_hr(&self) -> Option<f64> {
        self.max_hr
    }

    /// Mean of the non-zero cadences.
    pub(crate) fn avg_cadence(&self) -> Option<f64> {
        self.cadence.get()
    }

    /// Total ascent with [`ELEVATION_HYSTERESIS_M`].
    pub(crate) fn elevation_gain(&self) -> Option<f64> {
        self.climb.gain()
    }

    /// At most [`MAX_TRACK_POINTS`] evenly spaced points of the kept ones,
    /// always the first and the last, with times relative to the first
    /// timed point.
    pub(crate) fn drawing(&self) -> Vec<TrackPoint> {
        let origin = self.first_time_ms;
        let to_track = |p: &RawPoint| TrackPoint {
            t_s: match (p.time_ms, origin) {
                (Some(t), Some(o)) => Some((t - o) as f64 / 1000.0),
                _ => None,
            },
            lat: p.lat,
            lon: p.lon,
            ele: p.ele,
            hr: p.hr,
            distance_m: p.distance_m,
        };
        // The last point is kept unless it fell on the stride already.
        let last_kept = self.count == 0 || (self.count - 1).is_multiple_of(self.stride);
        let tail = self.last.iter().filter(|_| !last_kept);
        let points: Vec<&RawPoint> = self.kept.iter().chain(tail).collect();
        let n = points.len();
        if n <= MAX_TRACK_POINTS {
            return points.into_iter().map(to_track).collect();
        }
        (0..MAX_TRACK_POINTS)
            .map(|i| to_track(points[i * (n - 1) / (MAX_TRACK_POINTS - 1)]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_one_degree_of_latitude() {
        let d = haversine_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.0).abs() < 1.0, "{d}");
    }

    #[test]
    fn elevation_gain_ignores_noise_below_hysteresis() {
        let noisy = [100.0, 101.0, 100.0, 101.5, 100.2, 101.0];
        assert_eq!(elevation_gain(noisy, 2.0), Some(0.0));
        let climb = [100.0, 99.0, 105.0, 104.0, 110.0, 100.0, 103.0];
        // 99 -> 105 (6), 104 -> 110 (6), 100 -> 103 (3)
        assert_eq!(elevation_gain(climb, 2.0), Some(15.0));
        assert_eq!(elevation_gain([], 2.0), None);
    }

    #[test]
    fn moving_time_skips_slow_and_long_intervals_and_segment_joins() {
        let p = |t: i64, d: f64, seg: bool| RawPoint {
            time_ms: Some(t * 1000),
            distance_m: d,
            segment_start: seg,
            ..RawPoint::default()
        };
        let pts = [
            p(0, 0.0, true),
            p(10, 30.0, false),   // 3 m/s: moving 10
            p(20, 31.0, false),   // 0.1 m/s: stopped
            p(200, 700.0, false), // gap of 180 s: pause
            p(210, 730.0, false), // moving 10
            p(400, 740.0, true),  // new segment: not counted
            p(405, 760.0, false), // moving 5
        ];
        let mut track = Track::default();
        let mut gpxpy = Track::with_moving_rule(1.0 / 3.6, f64::INFINITY);
        for p in pts {
            track.push(p.clone());
            gpxpy.push(p);
        }
        assert_eq!(track.moving_s(), 25.0);
        assert_eq!(track.elapsed_s(), 405.0);
        // gpxpy's rule: 1 km/h, no gap limit: the 180 s interval (3.8 m/s) counts,
        // the 0.1 m/s one still does not.
        assert_eq!(gpxpy.moving_s(), 205.0);
    }

    fn numbered(i: i64) -> RawPoint {
        RawPoint {
            time_ms: Some(1_000_000 + i * 1000),
            distance_m: i as f64,
            ..RawPoint::default()
        }
    }

    #[test]
    fn drawing_keeps_ends_and_caps_count() {
        let mut track = Track::default();
        (0..1234).for_each(|i| track.push(numbered(i)));
        let drawing = track.drawing();
        assert_eq!(drawing.len(), MAX_TRACK_POINTS);
        assert_eq!(drawing[0].t_s, Some(0.0));
        assert_eq!(drawing.last().unwrap().distance_m, 1233.0);
        assert_eq!(drawing.last().unwrap().t_s, Some(1233.0));
        assert_eq!(track.len(), 1234);
    }

    /// Up to KEPT_POINTS points the drawing is the even pick over all points,
    /// as when every point was held in a list.
    #[test]
    fn short_tracks_draw_as_a_list_of_all_points_would() {
        for n in [1, 2, 499, 500, 501, 777, KEPT_POINTS as i64] {
            let mut track = Track::default();
            (0..n).for_each(|i| track.push(numbered(i)));
            let want: Vec<f64> = if n as usize <= MAX_TRACK_POINTS {
                (0..n).map(|i| i as f64).collect()
            } else {
                (0..MAX_TRACK_POINTS as i64)
                    .map(|i| (i * (n - 1) / (MAX_TRACK_POINTS as i64 - 1)) as f64)
                    .collect()
            };
            let got: Vec<f64> = track.drawing().iter().map(|p| p.distance_m).collect();
            assert_eq!(got, want, "{n} points");
        }
    }

    proptest::proptest! {
        /// However many points arrive, the kept sample stays at most
        /// KEPT_POINTS, evenly spaced from the first, and the drawing is
        /// ordered, capped and ends on the last point.
        #[test]
        fn kept_points_stay_bounded_and_even(n in 1i64..20_000) {
            let mut track = Track::default();
            (0..n).for_each(|i| track.push(numbered(i)));
            proptest::prop_assert!(track.kept.len() <= KEPT_POINTS);
            for (k, p) in track.kept.iter().enumerate() {
                proptest::prop_assert_eq!(p.distance_m, (k as u64 * track.stride) as f64);
            }
            let drawing = track.drawing();
            proptest::prop_assert!(drawing.len() <= MAX_TRACK_POINTS);
            proptest::prop_assert_eq!(drawing[0].distance_m, 0.0);
            proptest::prop_assert_eq!(drawing.last().unwrap().distance_m, (n - 1) as f64);
            for w in drawing.windows(2) {
                proptest::prop_assert!(w[1].distance_m > w[0].distance_m);
            }
            proptest::prop_assert_eq!(track.max_distance_m(), (n - 1) as f64);
            proptest::prop_assert_eq!(track.elapsed_s(), (n - 1) as f64);
        }
    }

    #[test]
    fn sport_names_and_serde() {
        assert_eq!(Sport::from_name("Running"), Sport::Running);
        assert_eq!(Sport::from_name("street_running"), Sport::Running);
        assert_eq!(Sport::from_name("Trail Run"), Sport::TrailRunning);
        assert_eq!(Sport::from_name("Biking"), Sport::Cycling);
        assert_eq!(Sport::from_name("Hiking"), Sport::Other("hiking".into()));
        assert_eq!(Sport::TrailRunning.to_string(), "trail_running");
        assert_eq!(Sport::from(String::from("multisport")), Sport::Multisport);
    }
}
