//! History → onboarding numbers, on worked examples.

use jiff::civil::{Date, date};
use runcoach_core::history::{HistoryActivity, summarise};
use runcoach_core::plan::{Level, PlanInput};
use runcoach_core::science::race_vdot;
use runcoach_core::units::{Distance, RaceTime};

fn run(day: Date, km: f64, seconds: f64) -> HistoryActivity {
    HistoryActivity {
        date: day,
        running: true,
        distance_m: km * 1000.0,
        moving_s: seconds,
        elapsed_s: seconds,
    }
}

/// Today is Wednesday 2026-11-25; the current week began Monday 2026-11-23.
fn today() -> Date {
    date(2026, 11, 25)
}

fn experienced_history() -> Vec<HistoryActivity> {
    let d = |m, day| date(2026, m, day);
    let mut ride = run(d(11, 14), 50.0, 6000.0);
    ride.running = false;
    vec![
        // Week of Mon 10-26: 15 km, with a 5K race in 20:00 on Sunday.
        run(d(10, 27), 10.0, 3600.0),
        run(d(11, 1), 5.0, 1200.0),
        // Week of 11-02: 20 km.
        run(d(11, 3), 8.0, 2880.0),
        run(d(11, 7), 12.0, 4320.0),
        // Week of 11-09: 25 km of running, and a ride that does not count.
        run(d(11, 10), 6.0, 2160.0),
        run(d(11, 12), 6.0, 2160.0),
        run(d(11, 15), 13.0, 4680.0),
        ride,
        // Week of 11-16: 30 km.
        run(d(11, 18), 10.0, 3600.0),
        run(d(11, 22), 20.0, 7200.0),
        // This week (unfinished): not in the weekly volume.
        run(d(11, 24), 7.0, 2520.0),
        // After today: ignored everywhere.
        run(d(11, 28), 30.0, 10_800.0),
        // 42 days back (10-15 is the first day of the 6-week window) and one day more.
        run(d(10, 15), 21.0, 7560.0),
        run(d(10, 14), 25.0, 9000.0),
        // A GPS glitch faster than the world record, and a fast run under 3 km.
        run(d(10, 20), 5.0, 600.0),
        run(d(10, 21), 2.9, 540.0),
        // A fast 10K just outside the 12-week window (09-03 is its first day).
        run(d(9, 1), 10.0, 2280.0),
    ]
}

#[test]
fn worked_example_experienced_runner() {
    let s = summarise(&experienced_history(), today());
    // (15 + 20 + 25 + 30) / 4
    assert_eq!(s.weekly_km, 22.5);
    let weeks: Vec<_> = s.recent_weeks.iter().map(|w| (w.monday, w.km)).collect();
    assert_eq!(
        weeks,
        [
            (date(2026, 10, 26), 15.0),
            (date(2026, 11, 2), 20.0),
            (date(2026, 11, 9), 25.0),
            (date(2026, 11, 16), 30.0),
        ]
    );
    // 12 full weeks from Mon 08-31: 90 + 25 + 21 + 10 + 5 + 2.9 = 153.9 km.
    assert!((s.average_weekly_km_12_weeks - 153.9 / 12.0).abs() < 1e-9);
    assert_eq!(s.longest_run_km, Some(21.0));
    assert_eq!(s.longest_run_ever_km, Some(25.0));
    // Under 15 km a week, but a 25 km run: experienced.
    assert_eq!(s.level, Level::Experienced);
    assert_eq!(
        s.level_reason,
        "you have run 25.0 km in one go: long runs are familiar ground"
    );
    // The 5K in 20:00 is the best effort; the 38:00 10K is too old, the 10:00 5K
    // beats the world record, the 2.9 km run is too short.
    let best = s.best_effort.as_ref().unwrap();
    assert_eq!(best.date, date(2026, 11, 1));
    assert_eq!((best.distance_m, best.time_s), (5000.0, 1200.0));
    let want = race_vdot(
        &Distance::standard("5k").unwrap(),
        RaceTime::from_seconds(1200.0).unwrap(),
    )
    .unwrap()
    .value();
    assert_eq!(best.vdot, want);
    // Daniels' table: 5K 19:57 is VDOT 50, so 20:00 is just under.
    assert!((best.vdot - 49.8).abs() < 0.1, "{}", best.vdot);
    assert_eq!(s.runs, 15);
    assert_eq!(
        s.notes,
        [
            "VDOT 49.8 is an estimate from your best whole run of the last 12 weeks \
          (5.00 km in 20:00), not from a race: a recent race result gives truer paces"
        ]
    );
}

#[test]
fn prefills_the_onboarding_form() {
    let s = summarise(&experienced_history(), today());
    let mut input = PlanInput {
        weekly_km: 99.0,
        level: "first-timer".into(),
        ..PlanInput::default()
    };
    s.prefill(&mut input);
    assert_eq!(input.weekly_km, 22.5);
    assert_eq!(input.longest_run_km, Some(21.0));
    assert_eq!(input.level, "experienced");
    let recent = input.recent.unwrap();
    assert_eq!(
        (recent.distance.as_str(), recent.time.as_str()),
        ("5k", "20:00")
    );
    // The form's own parsers read it back.
    assert_eq!(
        recent.distance.parse::<Distance>().unwrap().metres(),
        5000.0
    );
    assert_eq!(recent.time.parse::<RaceTime>().unwrap().seconds(), 1200.0);
}

#[test]
fn an_odd_distance_is_offered_in_km_to_ten_metres() {
    let s = summarise(&[run(date(2026, 11, 20), 10.0234, 2651.4)], today());
    let recent = s.recent_input().unwrap();
    assert_eq!(recent.distance, "10.02k");
    assert_eq!(recent.time, "44:11");
    // One 10 km run in the last 4 full weeks.
    assert!((s.weekly_km - 2.50585).abs() < 1e-12, "{}", s.weekly_km);
}

#[test]
fn level_thresholds() {
    // 13 km a week for 12 weeks, longest 10 km: a first-timer.
    let weeks = |km_per_week: &[f64]| -> Vec<HistoryActivity> {
        let mut all = Vec::new();
        for w in 1..=12 {
            let monday = date(2026, 11, 23)
                .checked_sub(jiff::Span::new().days(7 * w))
                .unwrap();
            for (i, km) in km_per_week.iter().enumerate() {
                let day = monday
                    .checked_add(jiff::Span::new().days(i as i64))
                    .unwrap();
                all.push(run(day, *km, km * 400.0));
            }
        }
        all
    };
    let s = summarise(&weeks(&[5.0, 3.0, 5.0]), today());
    assert_eq!(s.average_weekly_km_12_weeks, 13.0);
    assert_eq!(s.level, Level::FirstTimer);
    assert_eq!(
        s.level_reason,
        "13.0 km a week over the last 12 weeks and no run of 15 km or more yet: \
         a first-timer's plan builds up gently"
    );
    // Exactly 15 km a week: experienced.
    let s = summarise(&weeks(&[5.0, 5.0, 5.0]), today());
    assert_eq!(s.average_weekly_km_12_weeks, 15.0);
    assert_eq!(s.level, Level::Experienced);
    assert_eq!(
        s.level_reason,
        "15.0 km a week over the last 12 weeks: a steady base"
    );
    // Little volume but one 15 km run two years ago: experienced.
    let mut h = weeks(&[5.0]);
    h.push(run(date(2024, 10, 1), 15.0, 6000.0));
    let s = summarise(&h, today());
    assert_eq!(s.level, Level::Experienced);
    assert_eq!(s.longest_run_ever_km, Some(15.0));
    assert_eq!(s.longest_run_km, Some(5.0));
    // 14.9 km: not yet.
    let mut h = weeks(&[5.0]);
    h.push(run(date(2024, 10, 1), 14.9, 6000.0));
    assert_eq!(summarise(&h, today()).level, Level::FirstTimer);
}

#[test]
fn empty_and_non_running_histories() {
    let mut swim = run(date(2026, 11, 20), 2.0, 3000.0);
    swim.running = false;
    for history in [vec![], vec![swim]] {
        let s = summarise(&history, today());
        assert_eq!(s.weekly_km, 0.0);
        assert_eq!(s.longest_run_km, None);
        assert_eq!(s.best_effort, None);
        assert_eq!(s.level, Level::FirstTimer);
        assert_eq!(s.runs, 0);
        assert_eq!(
            s.notes,
            ["no runs in the history: enter your weekly km by hand"]
        );
        let mut input = PlanInput::default();
        s.prefill(&mut input);
        assert_eq!(input.recent, None);
        assert_eq!(input.longest_run_km, None);
    }
}

#[test]
fn moving_time_is_used_when_elapsed_is_unknown() {
    let mut r = run(date(2026, 11, 20), 10.0, 0.0);
    r.moving_s = 2400.0;
    let s = summarise(&[r], today());
    assert_eq!(s.best_effort.unwrap().time_s, 2400.0);
}
