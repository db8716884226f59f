//! The roster's alerts and attention score.
//!
//! - `pain`: a pain score of 4 or more in the last 7 days, or pain at the
//!   same location on two days running (the adaptation's own thresholds:
//!   4/10 is where running through pain stops being advised).
//! - `load_spike`: acute:chronic workload ratio above 1.5, the band where
//!   injury risk rises sharply (Gabbett 2016), once there are 3 weeks of
//!   history (before that the chronic side is mostly empty days and any
//!   week looks like a spike).
//! - `missed_long_runs`: the last two planned long runs both missed.
//! - `inactive`: nothing logged or imported for 7 days.
//! - `race_soon`: the race is 14 days away or fewer.

use jiff::civil::Date;
use serde::Serialize;

use crate::load::PainLocation;

/// Pain at or above this score alerts on its own.
pub const PAIN_ALERT_SCORE: u8 = 4;
pub const ACWR_SPIKE: f64 = 1.5;
pub const INACTIVE_DAYS: i32 = 7;
/// History the load ratio needs before it can alert.
pub const ACWR_HISTORY_DAYS: i32 = 21;
pub const RACE_SOON_DAYS: i32 = 14;
/// How far back pain counts.
pub const PAIN_WINDOW_DAYS: i32 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alert {
    Pain,
    LoadSpike,
    MissedLongRuns,
    Inactive,
    RaceSoon,
}

/// One day's pain at one location (score 1–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PainMark {
    pub location: PainLocation,
    pub score: u8,
    pub date: Date,
}

/// What the roster knows of one athlete.
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub today: Date,
    /// Pain logged, any order; marks outside the window are ignored.
    pub pain: Vec<PainMark>,
    pub acwr: Option<f64>,
    /// The first day with anything logged or imported (as far back as the
    /// roster looks).
    pub first_activity: Option<Date>,
    /// Planned long runs before today, oldest first: `true` when done.
    pub long_runs: Vec<bool>,
    pub last_activity: Option<Date>,
    pub race_date: Option<Date>,
    /// Comments from the athlete the coach has not read.
    pub unread: u32,
}

fn days(from: Date, to: Date) -> i32 {
    (to - from).get_days()
}

impl Signals {
    /// The pain marks inside the window (today and the 6 days before).
    pub fn recent_pain(&self) -> impl Iterator<Item = &PainMark> {
        self.pain.iter().filter(|p| {
            let ago = days(p.date, self.today);
            p.score > 0 && (0..PAIN_WINDOW_DAYS).contains(&ago)
        })
    }

    fn pain_alert(&self) -> bool {
        let recent: Vec<&PainMark> = self.recent_pain().collect();
        recent.iter().any(|p| p.score >= PAIN_ALERT_SCORE)
            || recent.iter().any(|a| {
                recent
                    .iter()
                    .any(|b| a.location == b.location && days(a.date, b.date) == 1)
            })
    }

    fn days_inactive(&self) -> Option<i32> {
        self.last_activity.map(|d| days(d, self.today).max(0))
    }

    fn days_to_race(&self) -> Option<i32> {
        self.race_date.map(|d| days(self.today, d))
    }
}

/// The alerts that fire, in a fixed order.
pub fn alerts(s: &Signals) -> Vec<Alert> {
    let mut out = Vec::new();
    if s.pain_alert() {
        out.push(Alert::Pain);
    }
    let history = s
        .first_activity
        .is_some_and(|d| days(d, s.today) >= ACWR_HISTORY_DAYS);
    if history && s.acwr.is_some_and(|a| a > ACWR_SPIKE) {
        out.push(Alert::LoadSpike);
    }
    if s.long_runs.len() >= 2 && s.long_runs[s.long_runs.len() - 2..].iter().all(|d| !d) {
        out.push(Alert::MissedLongRuns);
    }
    if s.days_inactive().is_none_or(|d| d >= INACTIVE_DAYS) {
        out.push(Alert::Inactive);
    }
    if s.days_to_race()
        .is_some_and(|d| (0..=RACE_SOON_DAYS).contains(&d))
    {
        out.push(Alert::RaceSoon);
    }
    out
}

/// Pain outweighs every other signal together (at most 279): an athlete
/// who may be getting injured comes before any number of other worries.
const PAIN_WEIGHT: u32 = 300;

/// How much the athlete needs the coach now: higher first. Pain weighs
/// most (and more the worse it is), then a load spike, missed long runs,
/// silence and a near race; unread messages add a little.
pub fn attention(s: &Signals) -> u32 {
    let fired = alerts(s);
    let mut score = 0u32;
    for alert in &fired {
        score += match alert {
            Alert::Pain => {
                let worst = s.recent_pain().map(|p| p.score.min(10)).max().unwrap_or(0);
                PAIN_WEIGHT + 10 * u32::from(worst)
            }
            Alert::LoadSpike => {
                let over = s.acwr.unwrap_or(ACWR_SPIKE) - ACWR_SPIKE;
                // Up to 50 more for a ratio of 2.0 and beyond.
                60 + (over.clamp(0.0, 0.5) * 100.0).round() as u32
            }
            Alert::MissedLongRuns => 50,
            Alert::Inactive => {
                let extra = s
                    .days_inactive()
                    .map_or(30, |d| (d - INACTIVE_DAYS).clamp(0, 30));
                30 + extra as u32
            }
            Alert::RaceSoon => {
                let left = s.days_to_race().unwrap_or(RACE_SOON_DAYS);
                20 + (RACE_SOON_DAYS - left.clamp(0, RACE_SOON_DAYS)) as u32
            }
        };
    }
    score + 5 * s.unread.min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2026, 5, 20);

    fn quiet() -> Signals {
        Signals {
            today: TODAY,
            pain: vec![],
            acwr: Some(1.0),
            first_activity: Some(TODAY - 40.days()),
            long_runs: vec![true, true],
            last_activity: Some(TODAY - 1.day()),
            race_date: Some(TODAY + 60.days()),
            unread: 0,
        }
    }

    fn pain(location: PainLocation, score: u8, ago: i64) -> PainMark {
        PainMark {
            location,
            score,
            date: TODAY - ago.days(),
        }
    }

    #[test]
    fn a_quiet_athlete_raises_nothing() {
        assert_eq!(alerts(&quiet()), vec![]);
        assert_eq!(attention(&quiet()), 0);
    }

    #[test]
    fn pain_alerts_on_a_high_score_or_two_days_running_in_the_last_week() {
        let with = |p: Vec<PainMark>| alerts(&Signals { pain: p, ..quiet() });
        assert_eq!(
            with(vec![pain(PainLocation::Knee, 4, 0)]),
            vec![Alert::Pain]
        );
        assert_eq!(
            with(vec![pain(PainLocation::Knee, 4, 6)]),
            vec![Alert::Pain]
        );
        // Outside the 7 days, or too mild once: nothing.
        assert_eq!(with(vec![pain(PainLocation::Knee, 9, 7)]), vec![]);
        assert_eq!(with(vec![pain(PainLocation::Knee, 3, 1)]), vec![]);
        // Mild, but the same place two days running.
        assert_eq!(
            with(vec![
                pain(PainLocation::Shin, 2, 3),
                pain(PainLocation::Shin, 2, 2)
            ]),
            vec![Alert::Pain]
        );
        // Two days running, different places; or the same place two days apart.
        assert_eq!(
            with(vec![
                pain(PainLocation::Shin, 2, 3),
                pain(PainLocation::Knee, 2, 2)
            ]),
            vec![]
        );
        assert_eq!(
            with(vec![
                pain(PainLocation::Shin, 2, 4),
                pain(PainLocation::Shin, 2, 2)
            ]),
            vec![]
        );
    }

    #[test]
    fn the_other_rules_fire_at_their_thresholds() {
        let a = |s: Signals| alerts(&s);
        assert_eq!(
            a(Signals {
                acwr: Some(1.5),
                ..quiet()
            }),
            vec![]
        );
        assert_eq!(
            a(Signals {
                acwr: Some(1.51),
                ..quiet()
            }),
            vec![Alert::LoadSpike]
        );
        assert_eq!(
            a(Signals {
                long_runs: vec![false, true, false],
                ..quiet()
            }),
            vec![]
        );
        assert_eq!(
            a(Signals {
                long_runs: vec![true, false, false],
                ..quiet()
            }),
            vec![Alert::MissedLongRuns]
        );
        assert_eq!(
            a(Signals {
                long_runs: vec![false],
                ..quiet()
            }),
            vec![]
        );
        assert_eq!(
            a(Signals {
                last_activity: Some(TODAY - 6.days()),
                ..quiet()
            }),
            vec![]
        );
        assert_eq!(
            a(Signals {
                last_activity: Some(TODAY - 7.days()),
                ..quiet()
            }),
            vec![Alert::Inactive]
        );
        assert_eq!(
            a(Signals {
                last_activity: None,
                ..quiet()
            }),
            vec![Alert::Inactive]
        );
        assert_eq!(
            a(Signals {
                race_date: Some(TODAY + 14.days()),
                ..quiet()
            }),
            vec![Alert::RaceSoon]
        );
        assert_eq!(
            a(Signals {
                race_date: Some(TODAY + 15.days()),
                ..quiet()
            }),
            vec![]
        );
        assert_eq!(
            a(Signals {
                race_date: Some(TODAY - 1.day()),
                ..quiet()
            }),
            vec![]
        );
    }

    #[test]
    fn knee_pain_five_outranks_everything_else_together_but_pain() {
        let hurt = Signals {
            pain: vec![pain(PainLocation::Knee, 5, 1)],
            ..quiet()
        };
        let busy = Signals {
            acwr: Some(2.5),
            long_runs: vec![false, false],
            last_activity: None,
            race_date: Some(TODAY),
            unread: 9,
            ..quiet()
        };
        assert_eq!(alerts(&busy).len(), 4);
        assert!(
            attention(&hurt) > attention(&busy),
            "{} {}",
            attention(&hurt),
            attention(&busy)
        );
    }

    fn signals() -> impl Strategy<Value = Signals> {
        (
            prop::collection::vec((0usize..9, 0u8..=10, 0i64..20), 0..6),
            prop::option::of(0.0f64..3.0),
            prop::option::of(0i64..60),
            prop::collection::vec(any::<bool>(), 0..5),
            prop::option::of(0i64..40),
            prop::option::of(-10i64..60),
            0u32..10,
        )
            .prop_map(
                |(pain, acwr, first, long_runs, idle, race, unread)| Signals {
                    today: TODAY,
                    pain: pain
                        .into_iter()
                        .map(|(l, s, ago)| PainMark {
                            location: PainLocation::ALL[l],
                            score: s,
                            date: TODAY - ago.days(),
                        })
                        .collect(),
                    acwr,
                    first_activity: first.map(|d| TODAY - d.days()),
                    long_runs,
                    last_activity: idle.map(|d| TODAY - d.days()),
                    race_date: race.map(|d| TODAY + d.days()),
                    unread,
                },
            )
    }

    proptest! {
        /// More pain never lowers attention, and fresh pain of 4+ always
        /// raises the alert.
        #[test]
        fn more_pain_never_lowers_attention(s in signals(), l in 0usize..9, score in 1u8..=10, ago in 0i64..7) {
            let mut worse = s.clone();
            worse.pain.push(PainMark { location: PainLocation::ALL[l], score, date: TODAY - ago.days() });
            prop_assert!(attention(&worse) >= attention(&s));
            if score >= PAIN_ALERT_SCORE {
                prop_assert!(alerts(&worse).contains(&Alert::Pain));
            }
        }

        /// A higher load ratio, another missed long run, a longer silence,
        /// more unread messages: never less attention.
        #[test]
        fn worse_signals_never_lower_attention(s in signals(), more in 0.0f64..1.0, idle in 0i64..10) {
            let base = attention(&s);
            let spiked = Signals { acwr: s.acwr.map(|a| a + more), ..s.clone() };
            prop_assert!(attention(&spiked) >= base);
            let mut missed = s.clone();
            missed.long_runs.push(false);
            // Only a newly fired alert can change the score, upwards.
            prop_assert!(attention(&missed) >= base || alerts(&s).contains(&Alert::MissedLongRuns));
            let quieter = Signals { last_activity: s.last_activity.map(|d| d - idle.days()), ..s.clone() };
            prop_assert!(attention(&quieter) >= base);
            let chattier = Signals { unread: s.unread + 1, ..s.clone() };
            prop_assert!(attention(&chattier) >= base);
        }

        /// No alert, no attention beyond unread messages; every alert adds
        /// at least 20.
        #[test]
        fn attention_is_the_sum_of_fired_alerts(s in signals()) {
            let fired = alerts(&s);
            let unread = 5 * s.unread.min(5);
            prop_assert!(attention(&s) >= unread + 20 * fired.len() as u32);
            if fired.is_empty() {
                prop_assert_eq!(attention(&s), unread);
            }
        }
    }
}
