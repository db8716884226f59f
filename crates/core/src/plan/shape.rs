//! Stage 1: the plan's shape — phases, recovery weeks, taper, and each
//! week's running volume, long run and number of quality sessions.
//!
//! Rules (training-rules.md §2): a week never exceeds 110 % of the larger of
//! the two before it; a recovery week at least every four weeks, 20–30 %
//! below the week before; the taper cuts volume progressively to 40–60 %
//! below peak by race week (Bosquet et al. 2007).

use jiff::ToSpan;
use jiff::civil::Date;

use super::model::{Level, Phase};
use super::request::PlanRequest;

/// The rules that differ by race distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaceCategory {
    pub name: &'static str,
    /// Recommended plan length in weeks.
    pub weeks: (u32, u32),
    /// Taper weeks, race week included.
    pub taper: u32,
    /// Peak weekly km a plan aims for, first-timer and experienced.
    pub peak_km: (f64, f64),
    /// Absolute long-run cap in km and minutes.
    pub long_cap_km: f64,
    pub long_cap_min: f64,
    /// Volume of each taper week relative to peak, race week last.
    pub taper_factors: &'static [f64],
}

const CATEGORIES: [RaceCategory; 5] = [
    RaceCategory {
        name: "5K",
        weeks: (6, 10),
        taper: 1,
        peak_km: (25.0, 45.0),
        long_cap_km: 14.0,
        long_cap_min: 100.0,
        taper_factors: &[0.55],
    },
    RaceCategory {
        name: "10K",
        weeks: (8, 12),
        taper: 2,
        peak_km: (30.0, 55.0),
        long_cap_km: 16.0,
        long_cap_min: 110.0,
        taper_factors: &[0.75, 0.5],
    },
    RaceCategory {
        name: "half marathon",
        weeks: (10, 16),
        taper: 2,
        peak_km: (40.0, 65.0),
        long_cap_km: 22.0,
        long_cap_min: 150.0,
        taper_factors: &[0.7, 0.5],
    },
    RaceCategory {
        name: "marathon",
        weeks: (16, 20),
        taper: 3,
        peak_km: (55.0, 80.0),
        long_cap_km: 33.0,
        long_cap_min: 210.0,
        taper_factors: &[0.8, 0.65, 0.45],
    },
    RaceCategory {
        name: "ultra",
        weeks: (16, 24),
        taper: 3,
        peak_km: (65.0, 90.0),
        long_cap_km: 38.0,
        long_cap_min: 240.0,
        taper_factors: &[0.8, 0.65, 0.45],
    },
];

impl RaceCategory {
    pub fn of(race_metres: f64) -> Self {
        let i = match race_metres {
            m if m <= 7_500.0 => 0,
            m if m <= 16_000.0 => 1,
            m if m <= 25_000.0 => 2,
            m if m <= 42_195.5 => 3,
            _ => 4,
        };
        CATEGORIES[i]
    }

    /// Taper weeks (race week included) for a plan of `weeks` weeks.
    pub fn taper_weeks(&self, weeks: u32) -> u32 {
        let wanted = if weeks < self.weeks.0 && self.taper > 2 {
            2
        } else {
            self.taper
        };
        wanted.min(weeks.saturating_sub(1)).max(1)
    }

    pub fn taper_factors(&self, taper_weeks: u32) -> &'static [f64] {
        let f = self.taper_factors;
        &f[f.len() - taper_weeks as usize..]
    }
}

/// The race as a runner names it: "5K", "half marathon", "30K".
pub fn race_label(race: &crate::units::Distance) -> String {
    match race.name() {
        "5k" => "5K".to_owned(),
        "10k" => "10K".to_owned(),
        "15k" => "15K".to_owned(),
        "half" => "half marathon".to_owned(),
        "marathon" => "marathon".to_owned(),
        _ => {
            let km = race.km();
            if (km - km.round()).abs() < 0.05 {
                format!("{:.0}K", km)
            } else {
                format!("{km:.1} km race")
            }
        }
    }
}

/// Long-run share of weekly volume (§2): half the week for low-volume
/// runners, 40 % up to 60 km, a third and a bit above.
pub fn long_run_share_cap(week_km: f64) -> f64 {
    if week_km < 40.0 {
        0.50
    } else if week_km <= 60.0 {
        0.40
    } else {
        0.35
    }
}

/// A small week (under 40 km) of just two runs, the long run and one easy
/// run: the easy run stays within three quarters of the long run, so the long
/// run needs 4/7 of the week (57 %). Its share rises to that rather than the
/// week falling to a single run.
pub const TWO_RUN_LONG_SHARE: f64 = 1.0 / (1.0 + crate::plan::sizing::EASY_TO_LONG);

/// The long-run share cap for a week of `week_km` holding `runs` runs (the
/// race not counted): [`long_run_share_cap`], raised to
/// [`TWO_RUN_LONG_SHARE`] for a small week of two runs.
pub fn long_run_share_cap_for_runs(week_km: f64, runs: usize) -> f64 {
    let cap = long_run_share_cap(week_km);
    if runs == 2 && week_km < 40.0 {
        cap.max(TWO_RUN_LONG_SHARE)
    } else {
        cap
    }
}

/// The longest long run a week of `week_km` holds. The share steps down at
/// 40 and 60 km; planning as if the week were a little bigger keeps a week
/// whose sessions round up past a step within the rule.
pub fn long_run_cap_km(week_km: f64) -> f64 {
    long_run_share_cap(week_km + 0.25) * week_km
}

/// The longest a long run may be after `longest` km, the longest long run
/// before it: 10 % or 3 km more, whichever is larger (the step rule; a week
/// after a recovery week returns to what was held, no further).
pub fn long_run_step_cap(longest: f64) -> f64 {
    longest + (longest * 0.10).max(3.0)
}

/// The peak long runs' exception to the share: an experienced marathoner
/// whose history holds it (60 km weeks and a 22 km long run) takes the long
/// runs of the last three weeks before the taper (recovery weeks not) to
/// 30–32 km, past the week's share: 32 km or three hours, whichever comes
/// first. A 3-hour marathoner at 80 km a week would otherwise stop at 28 km.
pub const PEAK_LONG_KM: f64 = 32.0;
pub const PEAK_LONG_MIN: f64 = 180.0;
/// The peak long-run weeks: the last three before the taper.
pub const PEAK_LONG_WEEKS: u32 = 3;

/// Whether a runner qualifies for the peak long runs' exception (see
/// [`PEAK_LONG_KM`]): a marathon, an experienced runner, and a history of
/// 60 km weeks and a long run of 22 km or more.
pub fn peak_long_runner(
    race_m: f64,
    level: Level,
    weekly_km: f64,
    longest_km: Option<f64>,
) -> bool {
    (40_000.0..=42_300.0).contains(&race_m)
        && level == Level::Experienced
        && weekly_km >= 60.0 - 1e-9
        && longest_km.is_some_and(|l| l >= 22.0 - 1e-9)
}

/// Whether week `index` of a plan whose taper starts after `pre_taper`
/// weeks is a peak long-run week (recovery weeks are not).
pub fn peak_long_week(index: u32, pre_taper: u32, recovery: bool) -> bool {
    !recovery && index <= pre_taper && index + PEAK_LONG_WEEKS > pre_taper
}

/// The peak long run's exception at the long run's pace: 32 km or three
/// hours, whichever comes first.
pub fn peak_long_cap_km(long_s_per_km: f64) -> f64 {
    PEAK_LONG_KM.min(PEAK_LONG_MIN * 60.0 / long_s_per_km.max(1.0))
}

/// The most of its week a peak long run under the exception may take: a
/// peak week trimmed small keeps its long run in proportion.
pub const PEAK_LONG_SHARE: f64 = 0.45;

/// The longest long run each week holds: its share of the week
/// ([`long_run_cap_km`]), and for a runner who qualifies, the peak long
/// runs' exception in the peak weeks. The shape and the layout both ask it.
#[derive(Debug, Clone, Copy)]
pub struct LongShare {
    /// The exception's km at the runner's long-run pace, when they qualify.
    peak_km: Option<f64>,
    pre_taper: u32,
}

impl LongShare {
    pub fn new(req: &PlanRequest, long_s_per_km: f64) -> Self {
        let cat = RaceCategory::of(req.race.metres());
        let qualifies = peak_long_runner(
            req.race.metres(),
            req.level,
            req.weekly_km,
            req.longest_run_km,
        );
        Self {
            peak_km: qualifies
                .then(|| floor_half(peak_long_cap_km(long_s_per_km).min(cat.long_cap_km))),
            pre_taper: req.weeks() - cat.taper_weeks(req.weeks()),
        }
    }

    /// The exception's long run in week `index`, when it applies there.
    pub fn peak_km(&self, index: u32, recovery: bool) -> Option<f64> {
        self.peak_km
            .filter(|_| peak_long_week(index, self.pre_taper, recovery))
    }

    /// The longest long run week `index` of `week_km` holds.
    pub fn cap_km(&self, index: u32, recovery: bool, week_km: f64) -> f64 {
        let share = long_run_cap_km(week_km);
        match self.peak_km(index, recovery) {
            Some(p) => share.max(p.min(PEAK_LONG_SHARE * week_km)),
            None => share,
        }
    }
}

/// The most a block builds to from the volume a runner starts with: 40 %
/// more, or 16 km more for low volumes, whichever is larger.
pub fn block_peak_cap(start_km: f64) -> f64 {
    (start_km * 1.4).max(start_km + 16.0)
}

/// Highest volume a week may have after weeks `a` and `b`.
pub fn progression_limit(previous_two_max: f64) -> f64 {
    previous_two_max * 1.10
}

/// A recovery week's quality session is cut with its volume: at most three
/// quarters of the work of the biggest session of its kind before it (a
/// shorter marathon-pace run, fewer reps), or strides instead.
pub const RECOVERY_QUALITY_SHARE: f64 = 0.75;

/// The most work (km) a recovery week's quality session of `kind` may
/// hold after `weeks` (infinite when none of its kind came before).
pub fn recovery_quality_cap(weeks: &[super::model::Week], kind: super::model::SessionKind) -> f64 {
    let biggest = weeks
        .iter()
        .flat_map(super::model::Week::sessions)
        .filter(|(_, s)| s.kind == kind)
        .map(|(_, s)| s.hard_km())
        .fold(0.0, f64::max);
    if biggest > 0.0 {
        RECOVERY_QUALITY_SHARE * biggest
    } else {
        f64::INFINITY
    }
}

/// Recovery weeks sit 20–30 % below the week before; runcoach aims for 25 %.
pub const RECOVERY_CUT: f64 = 0.25;

/// A recovery week's volume: 25 % below the week before, in 0.5 km steps
/// when they land inside 20–30 %, in 0.1 km steps for small volumes where
/// no half-kilometre does.
fn recovery_km(before: f64) -> f64 {
    let (lo, hi) = (before * 0.70, before * 0.80);
    let half = round_half(before * (1.0 - RECOVERY_CUT));
    if (lo..=hi).contains(&half) {
        half
    } else {
        ((before * (1.0 - RECOVERY_CUT)) * 10.0).round() / 10.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeekShape {
    pub index: u32,
    pub start: Date,
    pub phase: Phase,
    pub recovery: bool,
    /// Training volume, race excluded.
    pub km: f64,
    pub long_km: f64,
    pub quality: u8,
    /// Previous week's volume and the limit that applied.
    pub prev_km: f64,
    pub limit_km: f64,
    /// Weeks since the last recovery week, when this is one.
    pub weeks_since_recovery: u32,
    pub peak_km: f64,
}

fn floor_half(km: f64) -> f64 {
    (km * 2.0 + 1e-9).floor() / 2.0
}

fn round_half(km: f64) -> f64 {
    (km * 2.0).round() / 2.0
}

/// The long run through the block: from a little over what the runner has
/// done (never above four fifths of the peak, so there is room to grow) up
/// to the peak long run in the last three weeks before the taper (3–5 weeks
/// out for a marathon), growing steadily in the building weeks between.
/// Recovery weeks are not on the curve: they lower the long run.
struct LongRunCurve {
    pre: u32,
    peak_from: u32,
    start: f64,
    peak: f64,
}

impl LongRunCurve {
    fn new(pre: u32, peak: f64, from_history: f64) -> Self {
        // The first building week in the window before the taper reaches
        // the peak.
        let window = pre.saturating_sub(2).max(1);
        let peak_from = (window..=pre)
            .find(|&i| !(pre >= 4 && i % 4 == 0))
            .unwrap_or(pre);
        Self {
            pre,
            peak_from,
            start: from_history.min(peak * 0.8),
            peak,
        }
    }

    /// The long run week `i` aims for, given the building weeks' long runs
    /// so far.
    fn at(&self, i: u32, before: &[f64], after_recovery: bool) -> f64 {
        if i < self.peak_from {
            let building = |to: u32| (1..to).filter(|&k| !(self.pre >= 4 && k % 4 == 0)).count();
            let (k, total) = (building(i), building(self.peak_from));
            if total == 0 {
                return self.peak;
            }
            self.start + (self.peak - self.start) * k as f64 / total as f64
        } else if !after_recovery && before.last().is_some_and(|&l| l >= self.peak - 0.25) {
            // Peak long runs are spaced: a shorter one after each (a
            // recovery week between them is spacing enough, so the last
            // peak long run falls 3–4 weeks before the race).
            self.peak * PEAK_SPACING
        } else {
            self.peak
        }
    }
}

/// A peak long run's spaced follow-up: this share of the peak long run.
pub const PEAK_SPACING: f64 = 0.85;

/// The building weeks' volume on its way to the peak (see [`LongRunCurve`]:
/// the same steady climb, from the runner's volume now).
struct VolumeRamp {
    curve: LongRunCurve,
    on: bool,
}

impl VolumeRamp {
    fn at(&self, i: u32) -> f64 {
        if !self.on {
            return f64::INFINITY;
        }
        let c = &self.curve;
        if i >= c.peak_from {
            return c.peak;
        }
        let building = |to: u32| (1..to).filter(|&k| !(c.pre >= 4 && k % 4 == 0)).count();
        let total = building(c.peak_from);
        if total == 0 {
            return c.peak;
        }
        // Rounded up to the half kilometre, so the climb never stalls on
        // rounding down.
        let km = c.start + (c.peak - c.start) * building(i) as f64 / total as f64;
        (km * 2.0 - 1e-9).ceil() / 2.0
    }
}

/// A long run that would be the third of the same length in a row (building
/// weeks) steps back: the same long run week after week builds nothing.
fn spaced(long_km: f64, before: &[f64]) -> Option<f64> {
    match before {
        [.., a, b] if (a - long_km).abs() < 0.05 && (b - long_km).abs() < 0.05 => {
            Some(floor_half(long_km * 0.85))
        }
        _ => None,
    }
}

/// The volume just under a long-run share step (40 or 60 km) for a week
/// of `km` at most 2 km over it: such a week holds a shorter long run than
/// the one just under the step.
fn under_share_step(km: f64) -> Option<f64> {
    [39.5, 59.5]
        .into_iter()
        .find(|&under| km > under && km <= under + 2.0)
}

/// Phase of each pre-taper week, and the warnings the shape raises.
fn phases(pre_taper: u32, level: Level) -> Vec<Phase> {
    let peak = match pre_taper {
        p if p >= 6 => (p / 5).clamp(1, 3),
        p if p >= 3 => 1,
        _ => 0,
    };
    let rest = pre_taper - peak;
    let base_share = if level == Level::FirstTimer {
        0.55
    } else {
        0.45
    };
    let base = ((f64::from(rest) * base_share).round() as u32).min(rest);
    let build = rest - base;
    std::iter::repeat_n(Phase::Base, base as usize)
        .chain(std::iter::repeat_n(Phase::Build, build as usize))
        .chain(std::iter::repeat_n(Phase::Peak, peak as usize))
        .collect()
}

fn units_dist(km: f64, u: crate::units::Units) -> String {
    format!("{:.1} {}", km / u.km(), u.label())
}

/// Assumed easy pace (s/km) for time-based caps when no race is known.
pub fn long_run_time_cap_km(cat: &RaceCategory, easy_s_per_km: f64) -> f64 {
    cat.long_cap_min * 60.0 / easy_s_per_km
}

/// What lays a week's runs out, asked while the shape is drawn.
pub trait Carrier {
    /// How much of the week's volume its run days carry with runs worth
    /// doing (see `sizing`), and the long run they lay out.
    fn carries(&mut self, w: &WeekShape) -> (f64, f64);
    /// The same, for a week the shape only looks ahead to (not recorded
    /// as held below what it wanted).
    fn peek(&mut self, w: &WeekShape) -> (f64, f64);
    /// The week's shape is final: the weeks after it are sized from the
    /// runs it really holds (its sessions, its long run), not a guess.
    /// Returns the training km the week holds as built (the layout can
    /// end a little below the shape's figure): the weeks after it
    /// progress from that.
    fn commit(&mut self, w: &WeekShape) -> f64;
}

/// The plan's weeks, each committed to `carrier` as soon as it is final;
/// `caps` holds, per week, a limit found by building the plan once
/// (infinite when not known).
pub fn shape(
    req: &PlanRequest,
    easy_s_per_km: f64,
    caps: &[f64],
    carrier: &mut dyn Carrier,
) -> (Vec<WeekShape>, Vec<String>) {
    // Volume the run days cannot carry is left out here, so progression,
    // recovery weeks and the taper are measured from what is planned.
    let cat = RaceCategory::of(req.race.metres());
    let long_caps = cat
        .long_cap_km
        .min(long_run_time_cap_km(&cat, easy_s_per_km));
    let shares = LongShare::new(req, easy_s_per_km);
    // Returns the week and the long run its runs lay out.
    // `grow`: whether the long run may grow for the easy runs' sake (not
    // when it was just stepped back for spacing), and up to how far: never
    // past the step rule.
    let fit = |carrier: &mut dyn Carrier, mut ws: WeekShape, grow: Option<f64>| {
        let (grow, ceiling) = (grow.is_some(), grow.unwrap_or(0.0));
        let mut laid = ws.long_km;
        let mut grown = !grow;
        let (wanted, mut regrown) = (ws.km, !grow);
        for _ in 0..5 {
            let (most, long) = carrier.carries(&ws);
            laid = long;
            if most >= ws.km - 1e-9 {
                break;
            }
            // Easy runs stay within three quarters of the long run: a long
            // run still under its cap grows before the week shrinks.
            let cap = floor_half(shares.cap_km(ws.index, ws.recovery, ws.km).min(long_caps));
            if !grown && ws.long_km > 0.0 && ws.long_km < cap.min(floor_half(ceiling)) - 0.05 {
                ws.long_km = cap
                    .min(ws.long_km + ((ws.km - most) * 2.0).ceil() / 2.0)
                    .min(floor_half(ceiling))
                    .max(ws.long_km);
                grown = true;
                continue;
            }
            ws.km = most;
            ws.long_km = ws
                .long_km
                .min(floor_half(shares.cap_km(ws.index, ws.recovery, most)));
            // A week trimmed under a share step (40 or 60 km) may hold a
            // longer long run than the bigger week did: it grows back, and
            // the week with it, staying under the step.
            // The longest long run whose week (the easy runs growing with
            // it) still gives it its share.
            let mut long = floor_half(long_caps.min(ceiling));
            while !regrown && long > ws.long_km + 0.25 {
                let more = (long - ws.long_km) * (1.0 + crate::plan::sizing::EASY_TO_LONG);
                let km = floor_half((most + more).min(wanted));
                if floor_half(shares.cap_km(ws.index, ws.recovery, km)) >= long {
                    regrown = true;
                    ws.km = km;
                    ws.long_km = long;
                }
                long -= 0.5;
            }
            // Trimmed to just over a share step: just under it holds the
            // longer long run the week wanted.
            if let Some(under) = under_share_step(ws.km).filter(|_| grow && !ws.recovery) {
                let long = floor_half(
                    shares
                        .cap_km(ws.index, ws.recovery, under)
                        .min(long_caps)
                        .min(ceiling),
                );
                if long > ws.long_km + 0.25 {
                    ws.km = under;
                    ws.long_km = long;
                }
            }
        }
        (ws, laid)
    };
    let n = req.weeks();
    let label = race_label(&req.race);
    let mut warnings = Vec::new();
    if n < cat.weeks.0 {
        warnings.push(format!(
            "race is {n} weeks away; a {label} plan wants {}–{} weeks, so volume builds less and the taper is shorter",
            cat.weeks.0, cat.weeks.1
        ));
    } else if n > cat.weeks.1 {
        warnings.push(format!(
            "race is {n} weeks away; a {label} plan wants {}–{} weeks, so the early weeks are extra base building",
            cat.weeks.0, cat.weeks.1
        ));
    }
    let taper = cat.taper_weeks(n);
    let pre = n - taper;
    let level = req.level;
    let first_timer = level == Level::FirstTimer;
    let ultra = req.race.metres() > 42_300.0;
    let phase_of = phases(pre, level);
    let cycle = 4;
    let growth = if first_timer { 1.08 } else { 1.10 };
    let category_peak = if first_timer {
        cat.peak_km.0
    } else {
        cat.peak_km.1
    };
    // A marathon or ultra block still builds for a runner who already runs
    // the usual peak: the long run needs the volume to grow.
    // An ultra builds a fifth past what the runner runs now (within the
    // block's growth cap): its long runs and back-to-back weekends need it.
    let category_peak = if req.race.metres() > 42_300.0 {
        category_peak.max(req.weekly_km * 1.2)
    } else if req.race.metres() > 40_000.0 {
        category_peak.max(req.weekly_km * 1.1)
    } else {
        category_peak
    };
    let peak_target = category_peak
        .min(block_peak_cap(req.weekly_km))
        .max(req.weekly_km);
    let time_cap = long_run_time_cap_km(&cat, easy_s_per_km);
    let long_step = if first_timer { 1.5 } else { 2.0 };
    let peak_long = floor_half(
        shares
            .cap_km(pre, false, peak_target)
            .min(cat.long_cap_km)
            .min(time_cap),
    );
    // The long run the peak weeks really hold on three or four run days,
    // or a first-timer's five (a quality session in place of an easy run,
    // easy runs capped at three quarters of the long run): the block
    // builds to that, so no early week's long run outgrows the peak.
    let peak_long = if pre >= 2 && (req.run_days.len() <= 4 || first_timer) {
        let (_, holds) = carrier.peek(&WeekShape {
            index: pre,
            start: req.start + (7 * (i64::from(pre) - 1)).days(),
            phase: phase_of[(pre - 1) as usize],
            recovery: false,
            km: peak_target,
            long_km: peak_long,
            quality: if first_timer { 1 } else { 2 },
            prev_km: peak_target,
            limit_km: peak_target,
            weeks_since_recovery: 0,
            peak_km: 0.0,
        });
        if holds > 0.0 {
            peak_long.min(floor_half(holds)).max(peak_long * 0.5)
        } else {
            peak_long
        }
    } else {
        peak_long
    };
    let curve = LongRunCurve::new(
        pre,
        peak_long,
        req.longest_run_km.unwrap_or(req.weekly_km * 0.3).max(3.0) + long_step,
    );
    // The peak long runs' exception lifts the peak, not the start: the
    // early weeks still have room to grow under their share.
    let curve = LongRunCurve {
        start: curve
            .start
            .min(0.8 * long_run_cap_km(peak_target).min(cat.long_cap_km)),
        ..curve
    };
    // A marathon or ultra climbs to its peak volume through the block, in
    // blocks of building weeks between recovery weeks, reaching it in the
    // last weeks before the taper: not at the peak in week 2 and flat
    // for months.
    let ramp = VolumeRamp {
        curve: LongRunCurve {
            start: req.weekly_km.min(peak_target),
            ..LongRunCurve::new(pre, peak_target, 0.0)
        },
        on: req.race.metres() > 40_000.0,
    };
    // Long runs of the building weeks, newest last, for the spacing rule.
    let mut building_longs: Vec<f64> = Vec::new();

    let mut weeks = Vec::with_capacity(n as usize);
    let (mut two_back, mut one_back) = (req.weekly_km, req.weekly_km);
    let mut last_build_km = req.weekly_km;
    let mut last_long = req.longest_run_km.unwrap_or(req.weekly_km * 0.3).max(3.0);
    // The longest long run planned so far (the runner's before week 1).
    let mut longest = last_long;
    let mut since_recovery = 0;
    // The last base or build week's long run as laid out (none yet: the
    // runner's own history is no floor).
    let mut growth_long = 0.0f64;
    for i in 1..=pre {
        let phase = phase_of[(i - 1) as usize];
        let recovery = pre >= cycle && i % cycle == 0;
        let limit = progression_limit(two_back.max(one_back));
        let km = if recovery {
            recovery_km(one_back)
        } else if i == 1 {
            floor_half(req.weekly_km.min(peak_target))
        } else {
            floor_half(
                (last_build_km * growth)
                    .min(ramp.at(i))
                    .min(peak_target)
                    .min(limit),
            )
        };
        let km = km.min(caps.get(i as usize - 1).copied().unwrap_or(f64::INFINITY));
        let cap_of = |km: f64| {
            shares
                .cap_km(i, recovery, km)
                .min(cat.long_cap_km)
                .min(time_cap)
        };
        // A week just over a share step (40 or 60 km) holds a shorter long
        // run than one just under it: when that would cut a building
        // week's long run below the last one, the week stays under the
        // step (the long run carries the block, not the odd kilometre or
        // two).
        let km = under_share_step(km)
            .filter(|&under| {
                !recovery && cap_of(km) < last_long - 0.05 && cap_of(under) > cap_of(km)
            })
            .unwrap_or(km);
        let cap = cap_of(km);
        let after_recovery = weeks.last().is_some_and(|w: &WeekShape| w.recovery);
        let long_km = if recovery {
            floor_half(cap.min(last_long * 0.8))
        } else {
            floor_half(
                cap.min(curve.at(i, &building_longs, after_recovery))
                    .min(last_long + long_step),
            )
        };
        // A base or build week's long run holds at least the last one
        // (within its share of the week) until the peak's spacing.
        let long_km =
            if !recovery && matches!(phase, Phase::Base | Phase::Build) && i < curve.peak_from {
                long_km.max(floor_half(cap.min(growth_long)))
            } else {
                long_km
            };
        let quality = match (phase, recovery, first_timer) {
            (_, true, true) => 0,
            // An ultra's recovery week keeps strides, no intervals.
            (_, true, false) if ultra => 0,
            (_, true, false) => 1,
            (Phase::Base, _, true) if i <= 3.max(pre / 4) => 0,
            (_, _, true) => 1,
            (Phase::Base, _, false) => 1,
            // An ultra's second hard day is the back-to-back weekend.
            (_, _, false) if ultra => 1,
            (_, _, false) => 2,
        };
        let (mut ws, mut laid) = fit(
            carrier,
            WeekShape {
                index: i,
                start: req.start + (7 * (i64::from(i) - 1)).days(),
                phase,
                recovery,
                km,
                long_km,
                quality,
                prev_km: one_back,
                limit_km: limit,
                weeks_since_recovery: since_recovery,
                peak_km: 0.0,
            },
            Some((last_long + long_step).max(longest).min(peak_long)),
        );
        if !recovery {
            // The runs as laid out decide whether the long run would be the
            // same a third building week running (the run days can hold it
            // below the curve): then it steps back.
            // Right after a recovery week (which already lowered it) the
            // layout's half-kilometre step is spacing enough: a deeper step
            // back would cut the week's volume with it.
            if let Some(back) = spaced(laid, &building_longs).filter(|_| !after_recovery) {
                (ws, laid) = fit(
                    carrier,
                    WeekShape {
                        long_km: back.min(ws.long_km),
                        ..ws
                    },
                    None,
                );
            }
            last_build_km = ws.km;
            // The step rule counts from the long run the runs lay out (the
            // run days can hold it below the shape's).
            last_long = if laid > 0.0 {
                ws.long_km.min(laid)
            } else {
                ws.long_km
            };
            building_longs.push(laid);
            if matches!(phase, Phase::Base | Phase::Build) {
                growth_long = last_long;
            }
        }
        since_recovery = if recovery { 0 } else { since_recovery + 1 };
        longest = longest.max(laid);
        let built = carrier.commit(&ws);
        (two_back, one_back) = (one_back, ws.km.min(built));
        weeks.push(ws);
    }
    let peak = weeks.iter().map(|w| w.km).fold(
        if weeks.is_empty() {
            req.weekly_km.min(peak_target)
        } else {
            0.0
        },
        f64::max,
    );
    let peak_long = weeks.iter().map(|w| w.long_km).fold(last_long, f64::max);
    for (k, factor) in cat.taper_factors(taper).iter().enumerate() {
        let i = pre + k as u32 + 1;
        let race_week = i == n;
        let km = floor_half((peak * factor).min(one_back))
            .min(caps.get(i as usize - 1).copied().unwrap_or(f64::INFINITY));
        let long_km = if race_week {
            0.0
        } else {
            floor_half((peak_long * (factor + 0.05)).min(long_run_cap_km(km)))
        };
        let (ws, _) = fit(
            carrier,
            WeekShape {
                index: i,
                start: req.start + (7 * (i64::from(i) - 1)).days(),
                phase: if race_week { Phase::Race } else { Phase::Taper },
                recovery: false,
                km,
                long_km,
                // Race week's one is a short sharpener.
                quality: 1,
                prev_km: one_back,
                limit_km: progression_limit(two_back.max(one_back)),
                weeks_since_recovery: 0,
                peak_km: peak,
            },
            Some(longest),
        );
        let built = carrier.commit(&ws);
        (two_back, one_back) = (one_back, ws.km.min(built));
        weeks.push(ws);
    }
    (weeks, warnings)
}

/// The warning for a marathon or longer whose longest planned run (the
/// runs as laid out, the race not counted) stays short of what such plans
/// usually reach.
pub fn longest_run_warning(req: &PlanRequest, longest_km: f64) -> Option<String> {
    (req.race.metres() >= 42_000.0 && longest_km < 28.0 - 0.05).then(|| {
        format!(
            "the longest planned run is {}; plans for a marathon or longer usually reach {:.0}–{:.0} {}, so treat the race as a long, steady effort",
            units_dist(longest_km, req.units),
            28.0 / req.units.km(),
            33.0 / req.units.km(),
            req.units.label()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_by_distance() {
        assert_eq!(RaceCategory::of(5000.0).name, "5K");
        assert_eq!(RaceCategory::of(10_000.0).name, "10K");
        assert_eq!(RaceCategory::of(15_000.0).name, "10K");
        assert_eq!(RaceCategory::of(21_097.5).name, "half marathon");
        assert_eq!(RaceCategory::of(42_195.0).name, "marathon");
        assert_eq!(RaceCategory::of(50_000.0).name, "ultra");
    }

    #[test]
    fn share_cap_steps_down_with_volume() {
        assert_eq!(long_run_share_cap(30.0), 0.5);
        assert_eq!(long_run_share_cap(40.0), 0.4);
        assert_eq!(long_run_share_cap(60.0), 0.4);
        assert_eq!(long_run_share_cap(80.0), 0.35);
        // Two runs in a small week: the long run may take 4/7.
        assert!((long_run_share_cap_for_runs(8.5, 2) - 4.0 / 7.0).abs() < 1e-9);
        assert_eq!(long_run_share_cap_for_runs(8.5, 3), 0.5);
        assert_eq!(long_run_share_cap_for_runs(45.0, 2), 0.4);
    }

    #[test]
    fn block_growth_is_capped() {
        assert_eq!(block_peak_cap(50.0), 70.0);
        assert_eq!(block_peak_cap(15.0), 31.0);
    }
}
