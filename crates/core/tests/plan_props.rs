//! Every plan the engine generates for a valid request passes the
//! guardrail checker, and identical requests give identical plans.

use proptest::prelude::*;
use runcoach_core::guardrails::check;
use runcoach_core::plan::{PlanInput, RecentInput, build_plan};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

prop_compose! {
    fn request()(
        race in prop::sample::select(vec!["5k", "10k", "15k", "half", "marathon", "30k", "50k"]),
        weeks in 4u32..=24,
        offset in 0i64..7,
        mask in 0u8..128,
        long_pick in 0usize..7,
        first_timer in any::<bool>(),
        weekly_km in 5.0f64..110.0,
        longest_frac in prop::option::of(0.15f64..0.5),
        recent in prop::option::of((prop::sample::select(vec!["5k", "10k", "half"]), 0.0f64..1.0)),
        strength_days in 2u8..=3,
        new_to_strength in any::<bool>(),
        band in any::<bool>(),
        bench in any::<bool>(),
        niggle in prop::option::of(prop::sample::select(vec!["knee", "itb", "hip-flexor", "low-back"])),
    ) -> PlanInput {
        let mut days: Vec<&str> = (0..7).filter(|d| mask & (1 << d) != 0).map(|d| DAYS[d]).collect();
        for d in DAYS {
            if days.len() >= 3 { break }
            if !days.contains(&d) { days.push(d) }
        }
        let long = days[long_pick % days.len()];
        // Closer races are refused (see `no_request_panics`).
        let weeks = weeks.max(match race { "5k" => 3, "10k" | "15k" => 4, "half" => 5, _ => 6 });
        let race_date = jiff::civil::date(2027, 3, 1) + jiff::Span::new().days(offset);
        let start = race_date - jiff::Span::new().days(i64::from(weeks) * 7 - 1 - offset);
        let recent = recent.map(|(d, f)| {
            // Between VDOT ~30 and ~65 for the distance.
            let (slow, fast) = match d { "5k" => (1800.0, 1020.0), "10k" => (3800.0, 2130.0), _ => (8400.0, 4700.0) };
            let secs = (fast + (slow - fast) * f).round() as u32;
            RecentInput { distance: d.into(), time: format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60) }
        });
        let mut equipment = Vec::new();
        if band { equipment.push("band".to_owned()) }
        if bench { equipment.push("bench".to_owned()) }
        PlanInput {
            race: race.into(),
            race_date: race_date.to_string(),
            start: Some(start.to_string()),
            weeks: None,
            run_days: days.iter().map(|d| d.to_string()).collect(),
            long_run_day: long.into(),
            level: if first_timer { "first-timer" } else { "experienced" }.into(),
            weekly_km,
            longest_run_km: longest_frac.map(|f| (weekly_km * f).max(1.0)),
            recent,
            strength_days,
            new_to_strength,
            equipment,
            niggles: niggle.into_iter().map(String::from).collect(),
            units: None,
            ..Default::default()
        }
    }
}

/// 400 cases, or `PROPTEST_CASES` when set (a longer hunt:
/// `PROPTEST_CASES=2000 cargo test -p runcoach-core --release --test integration plan_props`).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn generated_plans_pass_the_guardrails(input in request()) {
        let req = input.validate().map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let plan = build_plan(&req);
        let found = check(&plan);
        prop_assert!(found.is_empty(), "{input:?}\n{}", found.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
        prop_assert_eq!(&plan, &build_plan(&req));
        // The plan round-trips through its JSON contract unchanged.
        let json = serde_json::to_string(&plan).unwrap();
        let back: runcoach_core::plan::Plan = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(json, serde_json::to_string(&back).unwrap());
    }
}

prop_compose! {
    /// Anything the request parser accepts, over the whole valid range and
    /// a little beyond it, with typed text as a runner might type it.
    fn any_input()(
        race in prop::sample::select(vec!["3k", "5k", "8k", "10k", "15k", "half", "25k", "marathon", "30k", "50k", "100k", "101k", "0k", "foo"]),
        weeks in 0u32..=60,
        mask in 0u8..128,
        repeat_day in prop::bool::weighted(0.1),
        long_pick in 0usize..7,
        first_timer in any::<bool>(),
        weekly_km in prop_oneof![prop::sample::select(vec![0.0, 2.9, 3.0, 3.1, 4.0, 7.5, 250.0, 250.1]), 3.0f64..=250.0],
        longest in prop::option::of(0.5f64..=101.0),
        recent in prop::option::of((prop::sample::select(vec!["5k", "10k", "half", "marathon", "mile"]), 0.0f64..1.0)),
        strength_days in 1u8..=3,
        new_to_strength in any::<bool>(),
        niggles in prop::collection::vec(prop::sample::select(vec!["knee", "itb", "hip-flexor", "low-back"]), 0..4),
        self_check in prop::collection::vec(prop::sample::select(vec!["wobbly-balance", "knee-drift"]), 0..3),
        week_start in prop::option::of(prop::sample::select(DAYS.to_vec())),
        miles in any::<bool>(),
        today_back in 0i64..400,
    ) -> PlanInput {
        let mut days: Vec<&str> = (0..7).filter(|d| mask & (1 << d) != 0).map(|d| DAYS[d]).collect();
        if repeat_day && !days.is_empty() { days.push(days[0]) }
        let long = if days.is_empty() { DAYS[long_pick] } else { days[long_pick % days.len()] };
        let race_date = jiff::civil::date(2027, 3, 1);
        let recent = recent.map(|(d, f)| RecentInput { distance: d.into(), time: format!("{}:{:02}", 10 + (f * 300.0) as u32, 7) });
        PlanInput {
            race: race.into(),
            race_date: race_date.to_string(),
            weeks: Some(weeks),
            run_days: days.iter().map(|d| d.to_string()).collect(),
            long_run_day: long.into(),
            level: if first_timer { "first-timer" } else { "experienced" }.into(),
            weekly_km,
            longest_run_km: longest,
            recent,
            strength_days,
            new_to_strength,
            niggles: niggles.into_iter().map(String::from).collect(),
            self_check: self_check.into_iter().map(String::from).collect(),
            week_start: week_start.map(String::from),
            units: Some(if miles { "mi" } else { "km" }.into()),
            today: Some((race_date - jiff::Span::new().days(today_back - 7)).to_string()),
            ..Default::default()
        }
    }
}

static VALID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// No input panics: a request is either refused with field errors or
    /// planned, and the plan can be checked and written out.
    #[test]
    fn no_request_panics(input in any_input()) {
        match input.validate() {
            Err(errors) => prop_assert!(!errors.is_empty()),
            Ok(req) => {
                VALID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let plan = build_plan(&req);
                let _ = check(&plan);
                serde_json::to_string(&plan).unwrap();
            }
        }
    }
}

/// The weekly volumes at the very bottom of the range, where rounding once
/// made a recovery week impossible and the engine panicked.
#[test]
fn three_km_a_week_is_planned() {
    for km in [3.0, 3.3, 4.0, 5.5] {
        let input = PlanInput {
            race: "10k".into(),
            race_date: "2027-03-07".into(),
            weeks: Some(10),
            run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: km,
            strength_days: 2,
            ..Default::default()
        };
        let plan = build_plan(&input.validate().unwrap());
        assert_eq!(plan.weeks.len(), 10);
    }
}

prop_compose! {
    /// A date anywhere in jiff's calendar (years −9999 to 9999), or one
    /// within three years of `TODAY`, as the API receives it.
    fn any_date()(near in any::<bool>(), y in -9999i16..=9999, day in 0i64..366, shift in -1100i64..1100) -> String {
        let d = if near {
            TODAY.checked_add(jiff::Span::new().days(shift)).unwrap()
        } else {
            let jan1 = jiff::civil::date(y, 1, 1);
            jan1.checked_add(jiff::Span::new().days(day)).unwrap_or(jan1)
        };
        d.to_string()
    }
}

const TODAY: jiff::civil::Date = jiff::civil::date(2026, 11, 28);

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// Dates at the calendar's edges are refused with a reason or make a
    /// plan within 1900–2100: never a panic, in checking or in building.
    #[test]
    fn any_dates_are_refused_or_planned_never_a_panic(
        race_date in any_date(),
        start in prop::option::of(any_date()),
        weeks in prop::option::of(0u32..=60),
    ) {
        let input = PlanInput {
            race: "half".into(),
            race_date,
            start,
            weeks,
            run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: 20.0,
            strength_days: 2,
            ..Default::default()
        };
        if let Ok(req) = input.validate_on(TODAY) {
            let plan = build_plan(&req);
            let days = plan.weeks.iter().flat_map(|w| &w.days);
            for d in days {
                prop_assert!((runcoach_core::dates::EARLIEST..=runcoach_core::dates::LATEST).contains(&d.date));
            }
            prop_assert!(runcoach_core::dates::within_plan_horizon(plan.race.date, TODAY).is_ok());
        }
        // Without the horizon (the offline CLI) the 1900–2100 bound holds.
        if let Ok(req) = input.validate() {
            build_plan(&req);
        }
    }
}

/// Requests random seeds found failing the checker outside CI's runs,
/// kept by name so they stay fixed.
fn assert_passes(input: PlanInput) {
    let req = input.validate().unwrap();
    let plan = build_plan(&req);
    let found = check(&plan);
    assert!(
        found.is_empty(),
        "{input:?}\n{}",
        found
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn regression(race: &str, level: &str, days: &[&str], weekly_km: f64, start: &str) -> PlanInput {
    PlanInput {
        race: race.into(),
        race_date: "2027-03-01".into(),
        start: Some(start.into()),
        run_days: days.iter().map(|d| d.to_string()).collect(),
        long_run_day: days[0].into(),
        level: level.into(),
        weekly_km,
        strength_days: 2,
        ..Default::default()
    }
}

/// Week 13 came back from a recovery week past 110% of week 11, which the
/// run days had held below what the shape wanted.
#[test]
fn regression_half_on_three_days_returns_from_recovery_within_the_progression() {
    assert_passes(PlanInput {
        longest_run_km: Some(9.46),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "1:02:08".into(),
        }),
        ..regression(
            "half",
            "experienced",
            &["mon", "tue", "wed"],
            26.41,
            "2026-09-29",
        )
    });
}

/// A fast first-timer on five short run days: the long run shrank once the
/// quality session came in, so the block peaked in week 3.
#[test]
fn regression_fast_first_timer_15k_on_five_days_peaks_late() {
    for secs in [0, 15, 30, 45, 59] {
        assert_passes(PlanInput {
            recent: Some(RecentInput {
                distance: "5k".into(),
                time: format!("0:17:{secs:02}"),
            }),
            ..regression(
                "15k",
                "first-timer",
                &["mon", "tue", "wed", "thu", "fri"],
                27.88,
                "2026-12-01",
            )
        });
    }
}

/// Found by random seeds after the shape learned what each week holds.
#[test]
fn regression_small_weeks_on_many_days() {
    assert_passes(regression(
        "5k",
        "experienced",
        &["mon", "tue", "thu", "fri", "sat"],
        12.12,
        "2026-10-06",
    ));
    assert_passes(regression(
        "50k",
        "experienced",
        &["mon", "tue", "wed", "thu"],
        16.44,
        "2026-10-13",
    ));
    assert_passes(PlanInput {
        longest_run_km: Some(6.58),
        ..regression(
            "15k",
            "experienced",
            &["mon", "tue", "wed", "thu", "fri"],
            15.61,
            "2026-09-22",
        )
    });
    // A first-timer's 50K on five days: early long runs past what the peak
    // weeks, with their quality session, hold.
    assert_passes(regression(
        "50k",
        "first-timer",
        &["mon", "tue", "thu", "fri", "sat"],
        88.96,
        "2026-11-03",
    ));
}
