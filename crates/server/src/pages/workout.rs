//! A run's structure for people: the session drawn as blocks (height is
//! effort, width is time) and its steps listed with time, distance and
//! target each. The blocks come from `core::plan::profile`.

use std::fmt::Write;

use runcoach_core::plan::profile::{self, Block};
use runcoach_core::plan::{Session, SessionKind, Step, StepKind};
use runcoach_core::units::Units;

use super::view;

/// A block's rectangle in a drawing `w` wide and `h` tall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub kind: StepKind,
}

/// The geometry: x and width share out `w` by time, height is effort out
/// of 10 on `h`, every block standing on the baseline.
pub fn rects(blocks: &[Block], w: f64, h: f64) -> Vec<Rect> {
    let total = f64::from(profile::total_s(blocks).max(1));
    blocks
        .iter()
        .map(|b| {
            let height = h * b.effort.clamp(1.0, 10.0) / 10.0;
            Rect {
                x: w * f64::from(b.start_s) / total,
                y: h - height,
                w: w * f64::from(b.duration_s) / total,
                h: height,
                kind: b.kind,
            }
        })
        .collect()
}

fn part(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Warmup => "warmup",
        StepKind::Work => "work",
        StepKind::Recovery => "recovery",
        StepKind::Cooldown => "cooldown",
        StepKind::Repeat => "repeat",
    }
}

/// Seconds in words, never as a clock (which reads as a pace): "4 min
/// 30 s", "45 s", "1 h 5 min"; rounded to 5 s, to the minute past ten.
pub fn spell(secs: u32) -> String {
    let secs = if secs >= 600 {
        (secs + 30) / 60 * 60
    } else {
        (secs + 2) / 5 * 5
    };
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 {
        parts.push(format!("{m} min"));
    }
    if s > 0 || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// What the work of a session feels like, in words.
fn work_word(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Tempo => "comfortably hard",
        SessionKind::Intervals | SessionKind::Repetition => "hard",
        SessionKind::MarathonPace => "at marathon pace",
        SessionKind::Race => "race",
        _ => "steady",
    }
}

/// One line of the list: "1.0 km hard", "about 5 min 40 s", "5:37–5:45/km".
pub struct StepRow {
    pub what: String,
    pub also: String,
    pub target: String,
    pub part: &'static str,
}

/// The list: plain steps, and repeats as a count with their rows.
pub struct StepGroup {
    pub times: Option<u16>,
    pub rows: Vec<StepRow>,
}

fn row(s: &Step, kind: SessionKind, units: Units) -> StepRow {
    let name = match s.kind {
        StepKind::Warmup => "warm-up",
        StepKind::Cooldown => "cool-down",
        StepKind::Recovery => "jog",
        _ => work_word(kind),
    };
    let secs = s.duration_s;
    let metres = s.distance_m.filter(|m| *m > 0);
    let distance = |m: u32| view::distance(m, units);
    // A recovery is timed; other steps are run to a distance, unless the
    // distance is only an estimate (a tempo set by minutes).
    let by_time = s.kind == StepKind::Recovery || metres.is_none_or(|m| m % 100 != 0);
    let (what, also) = match (by_time, secs, metres) {
        (true, Some(t), m) => (
            format!("{} {name}", spell(t)),
            m.map(|m| format!("about {}", distance(m)))
                .unwrap_or_default(),
        ),
        (_, t, Some(m)) => (
            format!("{} {name}", distance(m)),
            t.map(|t| format!("about {}", spell(t))).unwrap_or_default(),
        ),
        _ => (name.to_owned(), String::new()),
    };
    let target = match (s.pace_s_per_km, s.rpe) {
        (Some(b), _) => view::band(b, units),
        (None, rpe) => {
            let [a, b] = rpe.unwrap_or_else(|| runcoach_core::plan::workouts::rpe(kind));
            format!("effort {a}–{b} of 10")
        }
    };
    StepRow {
        what,
        also,
        target,
        part: part(s.kind),
    }
}

pub fn step_groups(s: &Session, units: Units) -> Vec<StepGroup> {
    s.steps
        .iter()
        .map(|st| {
            if st.kind == StepKind::Repeat {
                StepGroup {
                    times: st.times,
                    rows: st.steps.iter().map(|i| row(i, s.kind, units)).collect(),
                }
            } else {
                StepGroup {
                    times: None,
                    rows: vec![row(st, s.kind, units)],
                }
            }
        })
        .collect()
}

/// The session in one sentence, for the drawing's label.
pub fn describe(s: &Session, units: Units) -> String {
    let blocks = profile::blocks(s);
    let parts: Vec<String> = step_groups(s, units)
        .iter()
        .map(|g| {
            let rows: Vec<&str> = g.rows.iter().map(|r| r.what.as_str()).collect();
            match g.times {
                Some(n) => format!("{n} times {}", rows.join(" then ")),
                None => rows.join(", "),
            }
        })
        .collect();
    format!(
        "{}, about {}: {}. Taller blocks are harder.",
        s.kind.label(),
        spell(profile::total_s(&blocks)),
        parts.join("; ")
    )
}

const W: f64 = 320.0;
const H: f64 = 64.0;

/// A run as drawn: its own steps, or for a run without any (an easy or
/// long run is one steady effort) a single step of the whole session at
/// its pace or effort, so it is drawn as one block. `None` for sessions
/// that are not runs or say neither distance nor time.
fn as_drawn(s: &Session) -> Option<std::borrow::Cow<'_, Session>> {
    if !s.steps.is_empty() {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let duration_s = s.duration_s.or(s.minutes.map(|m| m * 60));
    if !s.kind.is_run() || (s.distance_m.is_none() && duration_s.is_none()) {
        return None;
    }
    let whole = Step {
        kind: StepKind::Work,
        times: None,
        distance_m: s.distance_m,
        duration_s,
        pace_s_per_km: s.pace_s_per_km,
        rpe: s.rpe,
        steps: Vec::new(),
    };
    Some(std::borrow::Cow::Owned(Session {
        steps: vec![whole],
        ..s.clone()
    }))
}

/// The drawing on a session page; empty for a session that is not a run.
pub fn drawing(s: &Session, units: Units) -> String {
    let Some(s) = as_drawn(s) else {
        return String::new();
    };
    let s = s.as_ref();
    let blocks = profile::blocks(s);
    if blocks.is_empty() {
        return String::new();
    }
    let mut out = format!(
        r#"<svg class="workout k-{}" viewBox="0 0 {W} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        view::kind_class(s.kind),
        H + 14.0,
        describe(s, units).replace('"', "&quot;")
    );
    for r in rects(&blocks, W, H) {
        // A hairline gap keeps neighbouring blocks apart.
        let _ = write!(
            out,
            r#"<rect class="b-{}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
            part(r.kind),
            r.x,
            r.y,
            (r.w - 0.6).max(0.4),
            r.h
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="0" y1="{H}" x2="{W}" y2="{H}" stroke="currentColor"/><text x="0" y="{:.0}" fill="currentColor">0</text><text x="{W}" y="{:.0}" text-anchor="end" fill="currentColor">{}</text></svg>"#,
        H + 12.0,
        H + 12.0,
        spell(profile::total_s(&blocks))
    );
    out
}

/// The small drawing in a calendar cell: decoration beside the words.
pub fn thumbnail(s: &Session) -> String {
    let blocks = profile::blocks(s);
    if blocks.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        r#"<svg class="workout-mini" viewBox="0 0 100 20" preserveAspectRatio="none" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">"#,
    );
    for r in rects(&blocks, 100.0, 20.0) {
        let _ = write!(
            out,
            r#"<rect class="b-{}" x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}"/>"#,
            part(r.kind),
            r.x,
            r.y,
            (r.w - 0.3).max(0.2),
            r.h
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use runcoach_core::plan::profile::blocks;

    fn step(kind: StepKind, m: u32, s: u32, pace: Option<[u32; 2]>) -> Step {
        Step {
            kind,
            times: None,
            distance_m: Some(m),
            duration_s: Some(s),
            pace_s_per_km: pace,
            rpe: if pace.is_none() { Some([2, 3]) } else { None },
            steps: Vec::new(),
        }
    }

    /// 2 km warm-up, 5 × (1 km at 4:37–4:45 + 2 min 30 s jog), 1.5 km
    /// cool-down: the interval session the snapshot draws.
    pub fn intervals() -> Session {
        Session {
            id: Some("s1".into()),
            kind: SessionKind::Intervals,
            title: "Intervals".into(),
            distance_m: Some(8000),
            duration_s: Some(2955),
            minutes: None,
            pace_s_per_km: Some([277, 285]),
            rpe: None,
            steps: vec![
                step(StepKind::Warmup, 2000, 780, Some([370, 400])),
                Step {
                    kind: StepKind::Repeat,
                    times: Some(5),
                    steps: vec![
                        step(StepKind::Work, 1000, 281, Some([277, 285])),
                        step(StepKind::Recovery, 360, 150, None),
                    ],
                    ..step(StepKind::Repeat, 0, 0, None)
                },
                step(StepKind::Cooldown, 1500, 585, Some([370, 400])),
            ],
            exercises: Vec::new(),
            activation: Vec::new(),
            why: String::new(),
        }
    }

    #[test]
    fn blocks_share_the_width_by_time_and_stand_on_the_base() {
        let s = intervals();
        let r = rects(&blocks(&s), 320.0, 64.0);
        assert_eq!(r.len(), 12);
        let width: f64 = r.iter().map(|r| r.w).sum();
        assert!((width - 320.0).abs() < 1e-9);
        for w in r.windows(2) {
            assert!(
                (w[0].x + w[0].w - w[1].x).abs() < 1e-9,
                "no gaps, no overlaps"
            );
        }
        assert!(r.iter().all(|r| (r.y + r.h - 64.0).abs() < 1e-9));
        // Intervals (8–9) stand 8.5/10 tall, jogs 2.5/10, warm-up 3.5/10.
        assert!((r[1].h - 64.0 * 0.85).abs() < 1e-9);
        assert!((r[2].h - 64.0 * 0.25).abs() < 1e-9);
        assert!((r[0].h - 64.0 * 0.35).abs() < 1e-9);
        // The warm-up is 780 of 2955 s.
        let total = 780.0 + 5.0 * 431.0 + 585.0;
        assert!((r[0].w - 320.0 * 780.0 / total).abs() < 1e-9);
    }

    #[test]
    fn times_are_spelled_never_clocks() {
        assert_eq!(spell(270), "4 min 30 s");
        assert_eq!(spell(45), "45 s");
        assert_eq!(spell(60), "1 min");
        assert_eq!(spell(1199), "20 min");
        assert_eq!(spell(3900), "1 h 5 min");
        assert_eq!(spell(283), "4 min 45 s");
    }

    #[test]
    fn every_step_has_time_distance_and_target() {
        let g = step_groups(&intervals(), Units::Km);
        assert_eq!(g.len(), 3);
        assert_eq!(g[1].times, Some(5));
        let jog = &g[1].rows[1];
        assert_eq!(jog.what, "2 min 30 s jog");
        assert_eq!(jog.also, "about 0.4 km");
        assert_eq!(jog.target, "effort 2–3 of 10");
        let rep = &g[1].rows[0];
        assert_eq!(
            (rep.what.as_str(), rep.also.as_str(), rep.target.as_str()),
            ("1.0 km hard", "about 4 min 40 s", "4:37–4:45/km")
        );
        assert_eq!(g[0].rows[0].what, "2.0 km warm-up");
        assert_eq!(g[0].rows[0].target, "6:10–6:40/km");
        assert_eq!(g[2].rows[0].what, "1.5 km cool-down");
    }

    #[test]
    fn a_run_without_steps_is_one_block_at_its_effort() {
        let easy = Session {
            kind: SessionKind::Easy,
            title: "Easy run".into(),
            distance_m: Some(8000),
            duration_s: Some(3120),
            pace_s_per_km: Some([370, 400]),
            steps: Vec::new(),
            ..intervals()
        };
        let svg = drawing(&easy, Units::Mi);
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        assert!(
            svg.contains(
                r#"aria-label="Easy, about 52 min: 5.0 mi steady. Taller blocks are harder.""#
            ),
            "{svg}"
        );
        // The whole width, and an easy run's height (effort 3–4 of 10).
        assert!(
            svg.contains(r#"x="0.0" y="41.6" width="319.4" height="22.4""#),
            "{svg}"
        );
        assert!(svg.contains(">52 min</text>"), "{svg}");
        // Strength is not a run: nothing drawn.
        let strength = Session {
            kind: SessionKind::Strength,
            ..easy
        };
        assert_eq!(drawing(&strength, Units::Km), "");
    }

    #[test]
    fn interval_drawing_snapshot() {
        let svg = drawing(&intervals(), Units::Km);
        insta::assert_snapshot!(svg);
        assert_eq!(thumbnail(&intervals()).matches("<rect").count(), 12);
    }
}
