//! Load metrics: hand-computed small cases for every metric (the arithmetic
//! is in the comments) and the bounds that truly hold for any log.

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use runcoach_core::load::{
    ActivityKind, LogStatus, LoggedSession, Pain, PainLocation, compliance, daily_loads, report,
    series,
};
use runcoach_core::plan::{Day, Phase, Session, SessionKind, Week};

const EPS: f64 = 1e-9;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn start() -> Date {
    date(2027, 1, 4)
}

fn run(on: Date, minutes: u32, rpe: u8, km: f64) -> LoggedSession {
    LoggedSession {
        date: on,
        kind: ActivityKind::Run,
        status: LogStatus::Done,
        duration_s: minutes * 60,
        distance_m: (km * 1000.0).round() as u32,
        rpe: Some(rpe),
        pain: Vec::new(),
        notes: String::new(),
    }
}

#[test]
fn session_load_is_rpe_times_minutes() {
    // Foster 2001: RPE 6 × 45 min = 270 AU.
    assert_eq!(run(start(), 45, 6, 9.0).load(), 270.0);
    // 2,700 s + 30 s = 45.5 min × RPE 4 = 182 AU.
    let mut s = run(start(), 45, 4, 9.0);
    s.duration_s += 30;
    assert!(close(s.load(), 182.0, EPS));
    // A skipped session adds nothing, whatever it says.
    s.status = LogStatus::Skipped;
    assert_eq!(s.load(), 0.0);
    assert_eq!(s.run_km(), 0.0);
    // No RPE: no load counted.
    let mut s = run(start(), 30, 5, 6.0);
    s.rpe = None;
    assert_eq!(s.load(), 0.0);
}

#[test]
fn daily_series_sums_a_day_and_keeps_rest_days() {
    let d = start();
    let logs = vec![
        run(d + 2.days(), 30, 5, 6.0),  // 150
        run(d, 40, 3, 8.0),             // 120
        run(d + 2.days(), 20, 8, 4.0),  // 160 → day 3 = 150 + 160 = 310
        run(d + 9.days(), 60, 5, 12.0), // outside the range: ignored
        run(d - 1.days(), 60, 5, 12.0), // before it: ignored
    ];
    assert_eq!(
        daily_loads(&logs, d, d + 3.days()),
        vec![120.0, 0.0, 310.0, 0.0]
    );
}

#[test]
fn monotony_and_strain_hand_computed() {
    let from = start();
    // Alternate days of 100 AU: 100,0,100,0,100,0,100 → load 400,
    // mean = 400/7 = 57.142857; four days at 100, three at 0:
    // variance = p(1−p)·100² with p = 4/7 → 12/49 · 10,000 = 2,448.98,
    // SD (population, ÷7) = 100·√12/7 = 49.487;
    // monotony = (400/7) / (100·√12/7) = 4/√12 = 2/√3 = 1.154701;
    // strain = 400 × 1.154701 = 461.880.
    let r = series(from, &[100.0, 0.0, 100.0, 0.0, 100.0, 0.0, 100.0]);
    let w = r.weeks[0];
    assert_eq!(w.load, 400.0);
    assert!(close(w.mean, 57.142_857, 1e-6));
    assert!(close(w.sd, 49.487_166, 1e-6));
    assert!(close(w.monotony.unwrap(), 1.154_700_5, 1e-6));
    assert!(close(w.strain.unwrap(), 461.880_215, 1e-5));

    // One 700 AU day and six rest days: mean 100,
    // variance = (600² + 6·100²)/7 = 420,000/7 = 60,000, SD = 244.949;
    // monotony = 100/244.949 = 1/√6 = 0.408248 — the lowest monotony any
    // week can have; strain = 700/√6 = 285.774.
    let w = series(from, &[700.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).weeks[0];
    assert!(close(w.sd, 244.948_974, 1e-6));
    assert!(close(w.monotony.unwrap(), 0.408_248_3, 1e-6));
    assert!(close(w.strain.unwrap(), 285.773_803, 1e-5));

    // Six days of 100 and one of 40: load 640, mean 91.43;
    // variance = (6/7)(1/7)·60² = 440.82, SD = 60·√6/7 = 20.996;
    // monotony = 640/(60·√6) = 4.354648; strain = 640 × 4.354648 = 2,786.975.
    let w = series(from, &[100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 40.0]).weeks[0];
    assert!(close(w.monotony.unwrap(), 4.354_648_4, 1e-6));
    assert!(close(w.strain.unwrap(), 2_786.974_996, 1e-4));

    // The same load every day: SD 0, monotony undefined (not infinite).
    let w = series(from, &[0.1; 7]).weeks[0];
    assert_eq!((w.monotony, w.strain), (None, None));
    // A week of rest too.
    let w = series(from, &[0.0; 7]).weeks[0];
    assert_eq!((w.load, w.monotony, w.strain), (0.0, None, None));
    // An unfinished week gets a load but no monotony.
    let r = series(from, &[100.0; 10]);
    assert_eq!(r.weeks.len(), 2);
    assert_eq!((r.weeks[1].days, r.weeks[1].load), (3, 300.0));
    assert_eq!(r.weeks[1].start, from + 7.days());
    assert_eq!(r.weeks[1].monotony, None);
}

#[test]
fn rolling_acwr_hand_computed() {
    // 21 days at 100 AU, then 7 days at 200 AU.
    // Day 28: acute = 7 × 200 = 1,400; chronic = 21 × 100 + 1,400 = 3,500;
    // ACWR = 1,400 / (3,500 / 4) = 1,400 / 875 = 1.6.
    let mut daily = vec![100.0; 21];
    daily.extend([200.0; 7]);
    let r = series(start(), &daily);
    let d28 = r.days[27];
    assert_eq!(d28.date, start() + 27.days());
    assert_eq!((d28.acute_sum, d28.chronic_sum), (1_400.0, 3_500.0));
    assert!(close(d28.acwr.unwrap(), 1.6, EPS));
    // Day 27 has only 27 days of history: no ratio yet.
    assert_eq!(r.days[26].acwr, None);
    assert_eq!(r.days[26].acwr_ewma, None);
    // Day 29 at 0 AU: acute = 6 × 200 = 1,200; chronic drops day 1 (100):
    // 3,400; ACWR = 1,200 / 850 = 1.411765.
    daily.push(0.0);
    let d29 = series(start(), &daily).days[28];
    assert!(close(d29.acwr.unwrap(), 1_200.0 / 850.0, EPS));
    // The week's ratio is its last day's.
    assert!(close(r.weeks[3].acwr.unwrap(), 1.6, EPS));
    // Four weeks of rest then a run: chronic 0 until the run, then the
    // ratio is 4 (acute = chronic), its maximum.
    let mut rest = vec![0.0; 28];
    let r = series(start(), &rest);
    assert_eq!(r.days[27].acwr, None, "no chronic load, no ratio");
    rest.push(300.0);
    assert!(close(
        series(start(), &rest).days[28].acwr.unwrap(),
        4.0,
        EPS
    ));
}

#[test]
fn ewma_acwr_hand_computed() {
    // λ7 = 2/8 = 0.25, λ28 = 2/29 = 0.068966; both averages start at 0.
    // Day 1 at 100: acute = 0.25 × 100 = 25; chronic = 100 × 2/29 = 6.896552.
    // Day 2 at 0: acute = 25 × 0.75 = 18.75; chronic = 6.896552 × 27/29 = 6.420927.
    let r = series(start(), &[100.0, 0.0]);
    assert!(close(r.days[0].acute_ewma, 25.0, EPS));
    assert!(close(r.days[0].chronic_ewma, 200.0 / 29.0, EPS));
    assert!(close(r.days[1].acute_ewma, 18.75, EPS));
    assert!(close(r.days[1].chronic_ewma, 6.420_927_467, 1e-9));
    // 28 days at 100: acute = 100(1 − 0.75²⁸) = 99.968252;
    // chronic = 100(1 − (27/29)²⁸) = 86.477984; ratio = 1.155997.
    let r = series(start(), &[100.0; 28]);
    let d = r.days[27];
    assert!(close(d.acute_ewma, 99.968_252_07, 1e-6));
    assert!(close(d.chronic_ewma, 86.477_983_69, 1e-6));
    assert!(close(d.acwr_ewma.unwrap(), 1.155_996_56, 1e-6));
}

#[test]
fn fitness_fatigue_form_hand_computed() {
    // λ = 1/42 and 1/7, from 0. Day 1 at 100: fitness 100/42 = 2.380952,
    // fatigue 100/7 = 14.285714, form = −11.904762.
    // Day 2 at 100: fitness = 2.380952 + (100 − 2.380952)/42 = 4.705215;
    // fatigue = 14.285714 + (100 − 14.285714)/7 = 26.530612; form −21.825397.
    let r = series(start(), &[100.0, 100.0]);
    assert!(close(r.days[0].fitness, 2.380_952_381, 1e-9));
    assert!(close(r.days[0].fatigue, 14.285_714_286, 1e-9));
    assert!(close(r.days[0].form, -11.904_761_905, 1e-9));
    assert!(close(r.days[1].fitness, 4.705_215_420, 1e-9));
    assert!(close(r.days[1].fatigue, 26.530_612_245, 1e-9));
    assert!(close(r.days[1].form, -21.825_396_825, 1e-9));
}

fn session(kind: SessionKind, km: f64, minutes: u32) -> Session {
    Session {
        id: None,
        kind,
        title: kind.label().to_owned(),
        distance_m: Some((km * 1000.0) as u32),
        duration_s: Some(minutes * 60),
        minutes: None,
        pace_s_per_km: None,
        rpe: None,
        steps: Vec::new(),
        exercises: Vec::new(),
        activation: Vec::new(),
        why: String::new(),
    }
}

#[test]
fn weekly_compliance_hand_computed() {
    let s = start();
    let mut days: Vec<Day> = (0..7)
        .map(|i| Day {
            date: s + i.days(),
            sessions: Vec::new(),
        })
        .collect();
    days[0].sessions.push(session(SessionKind::Easy, 8.0, 48));
    days[2].sessions.push(session(SessionKind::Tempo, 10.0, 55));
    days[6].sessions.push(session(SessionKind::Long, 16.0, 100));
    let week = Week {
        index: 1,
        start: s,
        phase: Phase::Base,
        recovery: false,
        run_km: 34.0,
        training_km: 34.0,
        race_km: 0.0,
        run_minutes: 203,
        focus: String::new(),
        days,
    };
    let mut partial = run(s + 2.days(), 35, 7, 6.0);
    partial.status = LogStatus::Partial;
    let mut skipped = run(s + 5.days(), 0, 1, 0.0);
    skipped.status = LogStatus::Skipped;
    let logs = vec![
        run(s, 48, 3, 8.0),              // Mon: 8 of 8 km
        partial,                         // Wed: 6 of 10 km
        run(s + 3.days(), 30, 3, 5.0),   // Thu: unplanned 5 km
        skipped,                         // Sat: nothing
        run(s + 6.days(), 110, 5, 18.0), // Sun: 18 km for a planned 16
        run(s + 7.days(), 60, 5, 10.0),  // next week: not counted
    ];
    // Planned 8 + 10 + 16 = 34 km. Done within the plan:
    // min(8, 8) + min(6, 10) + min(18, 16) = 8 + 6 + 16 = 30 km;
    // compliance = 30 / 34 = 0.882353. All running: 8 + 6 + 5 + 18 = 37 km.
    let c = compliance(&week, &logs);
    assert_eq!(c.planned_km, 34.0);
    assert_eq!(c.done_km, 37.0);
    assert!(close(c.compliance.unwrap(), 30.0 / 34.0, EPS));
    // Minutes: planned 48 + 55 + 100 = 203; done 48 + 35 + 30 + 110 = 223.
    assert_eq!((c.planned_minutes, c.done_minutes), (203.0, 223.0));
    // Nothing logged: 0; an empty week: no compliance at all.
    assert_eq!(compliance(&week, &[]).compliance, Some(0.0));
    let rest = Week {
        days: Vec::new(),
        ..week
    };
    assert_eq!(compliance(&rest, &logs).compliance, None);
}

#[test]
fn bad_logs_are_refused_with_every_problem_named() {
    let today = start();
    let mut s = run(today + 5.days(), 30, 11, 6.0);
    s.pain = vec![
        Pain {
            location: PainLocation::Knee,
            score: 12,
        },
        Pain {
            location: PainLocation::Knee,
            score: 3,
        },
    ];
    let errors = s.validate(today).unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["rpe", "pain", "pain", "date"], "{errors:?}");
    assert!(errors[0].message.contains("RPE 11 is outside 1–10"));
    // 10 km in 5 minutes is 33 m/s.
    let fast = run(today, 5, 5, 10.0);
    assert_eq!(fast.validate(today).unwrap_err()[0].field, "distance_m");
    let mut long = run(today, 60, 5, 10.0);
    long.duration_s = 90_000;
    assert_eq!(long.validate(today).unwrap_err()[0].field, "duration_s");
    // Tomorrow is fine (time zones); a valid log passes.
    assert!(run(today + 1.days(), 30, 5, 6.0).validate(today).is_ok());
}

#[test]
fn logs_read_the_api_json() {
    let json = r#"{"date":"2027-01-12","kind":"run","status":"partial","duration_s":1800,
        "distance_m":5000,"rpe":6,"pain":[{"location":"it_band","score":4},
        {"location":"calf_achilles","score":2}],"notes":"windy"}"#;
    let s: LoggedSession = serde_json::from_str(json).unwrap();
    assert_eq!(s.pain[0].location, PainLocation::ItBand);
    assert_eq!(s.pain_at(PainLocation::CalfAchilles), Some(2));
    assert_eq!(s.load(), 180.0);
    let back = serde_json::to_value(&s).unwrap();
    assert_eq!(back["pain"][1]["location"], "calf_achilles");
    assert_eq!(back["status"], "partial");
}

fn loads() -> impl Strategy<Value = Vec<f64>> {
    // Rest days are common: a third of the days are zero.
    prop::collection::vec(
        prop_oneof![Just(0.0), 0.0..1_200.0f64, 1.0..100.0f64],
        1..200,
    )
}

proptest! {
    #[test]
    fn ratios_stay_within_their_true_bounds(daily in loads()) {
        let r = series(start(), &daily);
        prop_assert_eq!(r.days.len(), daily.len());
        prop_assert_eq!(r.weeks.len(), daily.len().div_ceil(7));
        for (i, d) in r.days.iter().enumerate() {
            if let Some(a) = d.acwr {
                // The acute week is inside the chronic window: 0 ≤ ACWR ≤ 4.
                prop_assert!((0.0..=4.0 + 1e-9).contains(&a), "day {i}: {a}");
            }
            if let Some(a) = d.acwr_ewma {
                // Weights λa(1−λa)^k / λc(1−λc)^k fall with k: at most
                // λ7/λ28 = 0.25 / (2/29) = 3.625.
                prop_assert!((0.0..=3.625 + 1e-9).contains(&a), "day {i}: {a}");
            }
            prop_assert_eq!(d.acwr.is_some(), i >= 27 && d.chronic_sum > 1e-9);
            // The running sums match a recount of the window.
            let lo7 = (i + 1).saturating_sub(7);
            let lo28 = (i + 1).saturating_sub(28);
            let a7: f64 = daily[lo7..=i].iter().sum();
            let a28: f64 = daily[lo28..=i].iter().sum();
            prop_assert!(close(d.acute_sum, a7, 1e-6 * a7.max(1.0)));
            prop_assert!(close(d.chronic_sum, a28, 1e-6 * a28.max(1.0)));
            prop_assert!(d.fitness >= 0.0 && d.fatigue >= 0.0);
            prop_assert!(close(d.form, d.fitness - d.fatigue, 1e-9));
        }
        for w in &r.weeks {
            let days = &daily[r.days.iter().position(|d| d.date == w.start).unwrap()..][..usize::from(w.days)];
            prop_assert!(close(w.load, days.iter().sum::<f64>(), 1e-6));
            match w.monotony {
                Some(m) => {
                    // Not ≥ 1: one hard day and six rest days give 1/√6.
                    // For 7 non-negative loads, Σx² ≤ (Σx)², so
                    // SD ≤ Σx·√6/7 and mean/SD ≥ 1/√6 ≈ 0.408.
                    prop_assert!(m >= 1.0 / 6f64.sqrt() - 1e-9, "{m}");
                    prop_assert!(w.strain.unwrap() >= w.load / 6f64.sqrt() - 1e-6);
                    prop_assert_eq!(w.days, 7);
                }
                None => prop_assert!(w.days < 7 || w.sd <= 1e-9 * w.mean.max(1.0)),
            }
        }
    }

    #[test]
    fn a_constant_load_is_where_the_averages_settle(c in 1.0..1_000.0f64, n in 1usize..400) {
        let r = series(start(), &vec![c; n]);
        let d = r.days[n - 1];
        // From zero, an EWMA of a constant c is c·(1 − (1−λ)ⁿ) after n days.
        let gap = |lambda: f64| c * (1.0 - lambda).powi(n as i32);
        prop_assert!(close(c - d.acute_ewma, gap(0.25), 1e-9 * c));
        prop_assert!(close(c - d.chronic_ewma, gap(2.0 / 29.0), 1e-9 * c));
        prop_assert!(close(c - d.fitness, gap(1.0 / 42.0), 1e-9 * c));
        prop_assert!(close(c - d.fatigue, gap(1.0 / 7.0), 1e-9 * c));
        prop_assert!(d.acute_ewma <= c + 1e-9 && d.fitness <= c + 1e-9);
        if n >= 28 {
            prop_assert!(close(d.acwr.unwrap(), 1.0, 1e-9));
        }
        for w in r.weeks.iter().filter(|w| w.days == 7) {
            prop_assert_eq!(w.monotony, None, "the same load every day has no monotony");
        }
    }

    #[test]
    fn log_order_does_not_matter(
        entries in prop::collection::vec((0i64..60, 1u32..180, 1u8..=10), 0..80),
        seed in any::<u64>(),
    ) {
        let logs: Vec<LoggedSession> = entries
            .iter()
            .map(|&(d, m, r)| run(start() + d.days(), m, r, 5.0))
            .collect();
        let mut shuffled = logs.clone();
        let k = shuffled.len().max(1);
        shuffled.rotate_left((seed as usize) % k);
        shuffled.reverse();
        let to = start() + 59.days();
        let a = report(&logs, start(), to);
        let b = report(&shuffled, start(), to);
        prop_assert_eq!(a.days.len(), 60);
        for (x, y) in a.days.iter().zip(&b.days) {
            prop_assert!(close(x.load, y.load, 1e-9));
        }
        let total: f64 = logs.iter().map(LoggedSession::load).sum();
        prop_assert!(close(a.weeks.iter().map(|w| w.load).sum::<f64>(), total, 1e-6));
    }
}
