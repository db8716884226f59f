//! A structured run's profile: its steps laid end to end as blocks of
//! effort over time, repeats expanded. Pages draw it (height is effort,
//! width is time) and list it; the numbers come from here once.

use super::model::{Session, SessionKind, Step, StepKind};
use super::workouts::rpe;

/// One stretch of running at one effort.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Block {
    pub kind: StepKind,
    /// Seconds from the start of the session.
    pub start_s: u32,
    pub duration_s: u32,
    pub distance_m: u32,
    /// Effort on the RPE scale (1–10), the middle of the step's band.
    pub effort: f64,
    /// Which repetition this is (1-based) and of how many, inside a repeat.
    pub rep: Option<(u16, u16)>,
}

/// Seconds per km assumed for a step with a distance but no time: an easy
/// 6:30/km, only so the block gets a width.
const FALLBACK_S_PER_KM: f64 = 390.0;

/// The effort a step asks for: its own band, else what its part of the
/// session usually is (warm-up and cool-down easy, recoveries very easy,
/// work at the session's kind).
pub fn effort(step: &Step, session: SessionKind) -> f64 {
    let [a, b] = step.rpe.unwrap_or_else(|| match step.kind {
        StepKind::Warmup | StepKind::Cooldown => rpe(SessionKind::Easy),
        StepKind::Recovery => rpe(SessionKind::Recovery),
        StepKind::Work | StepKind::Repeat => rpe(session),
    });
    (f64::from(a) + f64::from(b)) / 2.0
}

/// A step's seconds: stated, or from its distance at its pace band.
fn seconds(step: &Step) -> u32 {
    step.duration_s.unwrap_or_else(|| {
        let per_km = step.pace_s_per_km.map_or(FALLBACK_S_PER_KM, |[f, s]| {
            (f64::from(f) + f64::from(s)) / 2.0
        });
        (f64::from(step.distance_m.unwrap_or(0)) / 1000.0 * per_km).round() as u32
    })
}

/// The session's blocks in running order; empty when it has no steps.
pub fn blocks(session: &Session) -> Vec<Block> {
    let mut out = Vec::new();
    let mut t = 0;
    lay(&session.steps, session.kind, None, &mut t, &mut out);
    out
}

fn lay(
    steps: &[Step],
    session: SessionKind,
    rep: Option<(u16, u16)>,
    t: &mut u32,
    out: &mut Vec<Block>,
) {
    for step in steps {
        if step.kind == StepKind::Repeat {
            let n = step.times.unwrap_or(1).max(1);
            for i in 1..=n {
                lay(&step.steps, session, Some((i, n)), t, out);
            }
        } else {
            let duration_s = seconds(step);
            out.push(Block {
                kind: step.kind,
                start_s: *t,
                duration_s,
                distance_m: step.distance_m.unwrap_or(0),
                effort: effort(step, session),
                rep,
            });
            *t += duration_s;
        }
    }
}

/// Total seconds of the blocks.
pub fn total_s(blocks: &[Block]) -> u32 {
    blocks.last().map_or(0, |b| b.start_s + b.duration_s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn step(kind: StepKind, m: u32, s: Option<u32>) -> Step {
        Step {
            kind,
            times: None,
            distance_m: Some(m),
            duration_s: s,
            pace_s_per_km: None,
            rpe: None,
            steps: Vec::new(),
        }
    }

    fn session(steps: Vec<Step>) -> Session {
        Session {
            id: None,
            kind: SessionKind::Intervals,
            title: String::new(),
            distance_m: None,
            duration_s: None,
            minutes: None,
            pace_s_per_km: None,
            rpe: None,
            steps,
            exercises: Vec::new(),
            activation: Vec::new(),
            why: String::new(),
        }
    }

    #[test]
    fn repeats_expand_in_order_with_their_efforts() {
        let s = session(vec![
            step(StepKind::Warmup, 2000, Some(720)),
            Step {
                kind: StepKind::Repeat,
                times: Some(3),
                steps: vec![
                    step(StepKind::Work, 1000, Some(300)),
                    step(StepKind::Recovery, 400, Some(270)),
                ],
                ..step(StepKind::Repeat, 0, None)
            },
            step(StepKind::Cooldown, 1500, Some(540)),
        ]);
        let b = blocks(&s);
        let kinds: Vec<StepKind> = b.iter().map(|b| b.kind).collect();
        use StepKind::*;
        assert_eq!(
            kinds,
            [
                Warmup, Work, Recovery, Work, Recovery, Work, Recovery, Cooldown
            ]
        );
        assert_eq!(b[1].rep, Some((1, 3)));
        assert_eq!(b[6].rep, Some((3, 3)));
        assert_eq!(b[3].start_s, 720 + 300 + 270);
        assert_eq!(total_s(&b), 720 + 3 * 570 + 540);
        // Intervals are 8–9, easy 3–4, recoveries 2–3.
        assert_eq!((b[0].effort, b[1].effort, b[2].effort), (3.5, 8.5, 2.5));
    }

    #[test]
    fn a_step_without_time_takes_its_pace() {
        let mut st = step(StepKind::Work, 2000, None);
        st.pace_s_per_km = Some([290, 300]);
        assert_eq!(blocks(&session(vec![st]))[0].duration_s, 590);
    }

    proptest! {
        /// Blocks tile the session: each starts where the last ended, and
        /// the total is the sum of the steps' times.
        #[test]
        fn blocks_tile_time(times in 1u16..8, work in 30u32..1200, jog in 0u32..600, warm in 0u32..1800) {
            let s = session(vec![
                step(StepKind::Warmup, 1000, Some(warm)),
                Step { kind: StepKind::Repeat, times: Some(times), steps: vec![
                    step(StepKind::Work, 400, Some(work)),
                    step(StepKind::Recovery, 200, Some(jog)),
                ], ..step(StepKind::Repeat, 0, None) },
            ]);
            let b = blocks(&s);
            prop_assert_eq!(b.len(), 1 + 2 * usize::from(times));
            for w in b.windows(2) {
                prop_assert_eq!(w[0].start_s + w[0].duration_s, w[1].start_s);
            }
            prop_assert_eq!(total_s(&b), warm + u32::from(times) * (work + jog));
            prop_assert!(b.iter().all(|b| (1.0..=10.0).contains(&b.effort)));
        }
    }
}
