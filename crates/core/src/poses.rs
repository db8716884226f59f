//! Every movement of the library as a stick figure: a start and an end
//! position per exercise, each a handful of segment angles kept in
//! `data/poses.toml`. Angles in, joint positions out; pages draw the lines.
//!
//! An angle is the direction a segment points, in degrees, seen from the
//! side with the runner facing right: 0 straight down, 90 forward,
//! 180 straight up, -90 backward. Lengths are fixed here, so a limb keeps
//! its length in every frame by construction.

use std::sync::OnceLock;

use serde::Deserialize;

/// The drawing box of one figure, and the floor line inside it.
pub const WIDTH: f64 = 120.0;
pub const HEIGHT: f64 = 100.0;
pub const FLOOR: f64 = 94.0;

pub const TORSO: f64 = 26.0;
/// Shoulder to the centre of the head.
pub const NECK: f64 = 10.0;
pub const HEAD_R: f64 = 5.0;
pub const UPPER_ARM: f64 = 13.0;
pub const FOREARM: f64 = 12.0;
pub const THIGH: f64 = 18.0;
pub const SHIN: f64 = 17.0;
pub const FOOT: f64 = 6.0;

/// A point of the figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Joint {
    Hip,
    Shoulder,
    Head,
    NearElbow,
    NearHand,
    FarElbow,
    FarHand,
    NearKnee,
    NearAnkle,
    NearToe,
    FarKnee,
    FarAnkle,
    FarToe,
}

/// Each segment as (from, to, length): what the drawing joins and the
/// tests measure.
pub const SEGMENTS: [(Joint, Joint, f64); 12] = [
    (Joint::Hip, Joint::Shoulder, TORSO),
    (Joint::Shoulder, Joint::Head, NECK),
    (Joint::Shoulder, Joint::NearElbow, UPPER_ARM),
    (Joint::NearElbow, Joint::NearHand, FOREARM),
    (Joint::Shoulder, Joint::FarElbow, UPPER_ARM),
    (Joint::FarElbow, Joint::FarHand, FOREARM),
    (Joint::Hip, Joint::NearKnee, THIGH),
    (Joint::NearKnee, Joint::NearAnkle, SHIN),
    (Joint::NearAnkle, Joint::NearToe, FOOT),
    (Joint::Hip, Joint::FarKnee, THIGH),
    (Joint::FarKnee, Joint::FarAnkle, SHIN),
    (Joint::FarAnkle, Joint::FarToe, FOOT),
];

/// One position of the body.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Angles {
    pub torso: f64,
    /// The head's direction from the shoulders; the torso's when absent.
    #[serde(default)]
    pub head: Option<f64>,
    /// Near upper arm, near forearm, far upper arm, far forearm.
    pub arms: [f64; 4],
    /// Near thigh, near shin, far thigh, far shin.
    pub legs: [f64; 4],
    /// Near and far foot; square to the shin (pointing forward) when absent.
    #[serde(default)]
    pub feet: Option<[f64; 2]>,
    /// How far the lowest point sits above the floor (standing on a step).
    #[serde(default)]
    pub raise: f64,
}

/// A movement drawn: its two positions and any kit in the picture.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub exercise: String,
    /// The point that stays put between start and end (a planted foot).
    #[serde(default = "hip")]
    pub anchor: Joint,
    /// A bench or step: left edge relative to the anchor, width, height.
    #[serde(default)]
    pub bench: Option<[f64; 3]>,
    /// A resistance band stretched between two points.
    #[serde(default)]
    pub band: Option<[Joint; 2]>,
    /// A small ball held at a point (between the knees).
    #[serde(default)]
    pub ball: Option<Joint>,
    /// Whether the floor line is drawn: not for a movement seen from above.
    #[serde(default = "yes")]
    pub floor: bool,
    pub start: Angles,
    pub end: Angles,
}

fn yes() -> bool {
    true
}

fn hip() -> Joint {
    Joint::Hip
}

/// Joint positions in the drawing box (y grows downward, as in SVG).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skeleton([(f64, f64); 13]);

impl Skeleton {
    pub fn at(&self, j: Joint) -> (f64, f64) {
        self.0[j as usize]
    }

    fn shift(&mut self, dx: f64, dy: f64) {
        for p in &mut self.0 {
            p.0 += dx;
            p.1 += dy;
        }
    }

    /// Lowest y the body reaches (the head counts with its radius).
    fn lowest(&self) -> f64 {
        let head = self.at(Joint::Head).1 + HEAD_R;
        self.0.iter().map(|p| p.1).fold(head, f64::max)
    }

    /// Left, top, right, bottom, the head included.
    pub fn bounds(&self) -> [f64; 4] {
        let (hx, hy) = self.at(Joint::Head);
        self.0.iter().fold(
            [hx - HEAD_R, hy - HEAD_R, hx + HEAD_R, hy + HEAD_R],
            |b, p| [b[0].min(p.0), b[1].min(p.1), b[2].max(p.0), b[3].max(p.1)],
        )
    }
}

fn toward(from: (f64, f64), degrees: f64, length: f64) -> (f64, f64) {
    let r = degrees.to_radians();
    (from.0 + length * r.sin(), from.1 + length * r.cos())
}

impl Angles {
    /// The joints with the hip at the origin.
    pub fn skeleton(&self) -> Skeleton {
        let hip = (0.0, 0.0);
        let shoulder = toward(hip, self.torso, TORSO);
        let head = toward(shoulder, self.head.unwrap_or(self.torso), NECK);
        let [nu, nf, fu, ff] = self.arms;
        let [nt, ns, ft, fs] = self.legs;
        let [nfoot, ffoot] = self.feet.unwrap_or([ns + 90.0, fs + 90.0]);
        let near_elbow = toward(shoulder, nu, UPPER_ARM);
        let far_elbow = toward(shoulder, fu, UPPER_ARM);
        let near_knee = toward(hip, nt, THIGH);
        let far_knee = toward(hip, ft, THIGH);
        let near_ankle = toward(near_knee, ns, SHIN);
        let far_ankle = toward(far_knee, fs, SHIN);
        Skeleton([
            hip,
            shoulder,
            head,
            near_elbow,
            toward(near_elbow, nf, FOREARM),
            far_elbow,
            toward(far_elbow, ff, FOREARM),
            near_knee,
            near_ankle,
            toward(near_ankle, nfoot, FOOT),
            far_knee,
            far_ankle,
            toward(far_ankle, ffoot, FOOT),
        ])
    }

    /// The position `t` of the way (0–1) from `self` to `to`, angle by angle.
    pub fn toward(&self, to: &Angles, t: f64) -> Angles {
        let l = |a: f64, b: f64| a + (b - a) * t;
        let feet = |a: &Angles| a.feet.unwrap_or([a.legs[1] + 90.0, a.legs[3] + 90.0]);
        let (fa, fb) = (feet(self), feet(to));
        Angles {
            torso: l(self.torso, to.torso),
            head: Some(l(
                self.head.unwrap_or(self.torso),
                to.head.unwrap_or(to.torso),
            )),
            arms: std::array::from_fn(|i| l(self.arms[i], to.arms[i])),
            legs: std::array::from_fn(|i| l(self.legs[i], to.legs[i])),
            feet: Some([l(fa[0], fb[0]), l(fa[1], fb[1])]),
            raise: l(self.raise, to.raise),
        }
    }
}

/// The figure placed in its box: `frames` positions from start to end
/// (2: just the two), each standing on the floor (or `raise` above it),
/// the anchor kept where it is, the whole movement centred.
pub struct Placed {
    pub frames: Vec<Skeleton>,
    /// The bench as x, y, width, height.
    pub bench: Option<[f64; 4]>,
}

impl Figure {
    pub fn place(&self, frames: usize) -> Placed {
        let n = frames.max(2);
        let mut out: Vec<Skeleton> = (0..n)
            .map(|i| {
                let a = self.start.toward(&self.end, i as f64 / (n - 1) as f64);
                let mut s = a.skeleton();
                let dy = FLOOR - a.raise - s.lowest();
                let dx = -s.at(self.anchor).0;
                s.shift(dx, dy);
                s
            })
            .collect();
        let bench = self.bench.map(|[x, w, h]| [x, FLOOR - h, w, h]);
        let mut b = out.iter().map(Skeleton::bounds).fold(
            [f64::MAX, f64::MAX, f64::MIN, f64::MIN],
            |a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            },
        );
        if let Some([x, _, w, _]) = bench {
            b[0] = b[0].min(x);
            b[2] = b[2].max(x + w);
        }
        let dx = WIDTH / 2.0 - (b[0] + b[2]) / 2.0;
        for s in &mut out {
            s.shift(dx, 0.0);
        }
        Placed {
            frames: out,
            bench: bench.map(|[x, y, w, h]| [x + dx, y, w, h]),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PosesFile {
    pose: Vec<Figure>,
}

/// Every figure, parsed once.
pub fn figures() -> &'static [Figure] {
    static FIGURES: OnceLock<Vec<Figure>> = OnceLock::new();
    FIGURES.get_or_init(|| {
        let file: PosesFile = toml::from_str(include_str!("../../../data/poses.toml"))
            .expect("data/poses.toml is checked by the pose tests");
        file.pose
    })
}

/// The figure of a movement.
pub fn figure(exercise: &str) -> Option<&'static Figure> {
    figures().iter().find(|f| f.exercise == exercise)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::library;

    fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    #[test]
    fn every_exercise_has_exactly_one_figure() {
        for e in library() {
            let n = figures().iter().filter(|f| f.exercise == e.id).count();
            assert_eq!(n, 1, "{} has {n} figures", e.id);
        }
        for f in figures() {
            assert!(
                crate::exercises::find(&f.exercise).is_some(),
                "{} is not in the library",
                f.exercise
            );
        }
    }

    #[test]
    fn limbs_keep_their_length_through_the_movement() {
        for f in figures() {
            let placed = f.place(9);
            for s in &placed.frames {
                for (a, b, len) in SEGMENTS {
                    let d = dist(s.at(a), s.at(b));
                    assert!(
                        (d - len).abs() < 1e-6,
                        "{}: {a:?}–{b:?} is {d}, not {len}",
                        f.exercise
                    );
                }
            }
        }
    }

    #[test]
    fn figures_stay_in_their_box_on_the_floor() {
        for f in figures() {
            let placed = f.place(9);
            for (i, s) in placed.frames.iter().enumerate() {
                let [l, t, r, b] = s.bounds();
                assert!(
                    l >= 1.0 && r <= WIDTH - 1.0 && t >= 1.0,
                    "{} frame {i} leaves the box: {l:.1} {t:.1} {r:.1}",
                    f.exercise
                );
                // Standing on the floor (or on what it stands on), never in it.
                assert!(
                    b <= FLOOR + 1e-6,
                    "{} frame {i} is below the floor",
                    f.exercise
                );
            }
            // The anchor does not slide.
            let xs: Vec<f64> = placed.frames.iter().map(|s| s.at(f.anchor).0).collect();
            assert!(
                xs.iter().all(|x| (x - xs[0]).abs() < 1e-6),
                "{} anchor slides",
                f.exercise
            );
            if let Some([x, y, w, _]) = placed.bench {
                assert!(
                    x >= 0.0 && x + w <= WIDTH && y > 0.0,
                    "{} bench",
                    f.exercise
                );
            }
            if let Some([a, b]) = f.band {
                assert_ne!(a, b, "{} band joins a point to itself", f.exercise);
            }
            // Start and end differ: the figure shows a movement.
            assert_ne!(f.start, f.end, "{} does not move", f.exercise);
        }
    }

    #[test]
    fn angles_point_where_the_convention_says() {
        let standing = Angles {
            torso: 180.0,
            head: None,
            arms: [0.0; 4],
            legs: [0.0; 4],
            feet: None,
            raise: 0.0,
        };
        let s = standing.skeleton();
        assert!(s.at(Joint::Shoulder).1 < -25.9, "torso up");
        assert!(s.at(Joint::NearAnkle).1 > 34.9, "legs down");
        let toe = s.at(Joint::NearToe);
        assert!(toe.0 > 5.9 && (toe.1 - 35.0).abs() < 1e-9, "foot forward");
    }
}
