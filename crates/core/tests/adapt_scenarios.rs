//! Adaptation scenarios: a plan, a log, and what changes and why. Every
//! adapted plan passes the guardrail checker and undo restores the
//! original exactly.

use std::collections::BTreeSet;

use jiff::ToSpan;
use jiff::civil::{Date, date};
use proptest::prelude::*;
use runcoach_core::adapt::{Action, Adjustment, Rule, StrengthShift, adapt, apply};
use runcoach_core::exercises::{Family, find};
use runcoach_core::guardrails::check;
use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession, Pain, PainLocation};
use runcoach_core::plan::{Plan, PlanInput, RecentInput, SessionKind, Week, build_plan};

/// 14-week half-marathon plan, experienced runner on 35 km a week with a
/// 10K in 50:00. Weeks start on Mondays from 2027-01-18; week 3 runs
/// 42.0 km, week 4 is a recovery week of 31.5 km, week 5 runs 46.0 km.
fn half_input() -> PlanInput {
    PlanInput {
        race: "half".into(),
        race_date: "2027-04-25".into(),
        weeks: Some(14),
        run_days: ["mon", "tue", "thu", "sat", "sun"]
            .map(String::from)
            .to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 35.0,
        longest_run_km: Some(14.0),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "50:00".into(),
        }),
        strength_days: 2,
        ..Default::default()
    }
}

fn half_plan() -> Plan {
    let plan = build_plan(&half_input().validate().unwrap());
    assert!(check(&plan).is_empty());
    plan
}

fn week(plan: &Plan, index: u32) -> &Week {
    plan.weeks.iter().find(|w| w.index == index).unwrap()
}

fn km(plan: &Plan, index: u32) -> f64 {
    week(plan, index).measured_training_km()
}

fn quality(w: &Week) -> usize {
    w.sessions().filter(|(_, s)| s.kind.is_quality()).count()
}

fn long_km(w: &Week) -> f64 {
    w.sessions()
        .find(|(_, s)| s.kind == SessionKind::Long)
        .map_or(0.0, |(_, s)| s.km())
}

fn abductor_moves(w: &Week) -> usize {
    w.sessions()
        .filter(|(_, s)| s.kind == SessionKind::Strength)
        .flat_map(|(_, s)| &s.exercises)
        .filter(|d| find(&d.id).is_some_and(|e| e.covers(Family::Abductors)))
        .count()
}

/// Every planned run from `from` to `to` logged as done, at `rpe`.
fn as_planned(plan: &Plan, from: Date, to: Date, rpe: u8) -> Vec<LoggedSession> {
    plan.weeks
        .iter()
        .flat_map(|w| w.sessions())
        .filter(|(d, s)| d.date >= from && d.date <= to && s.kind.is_run())
        .map(|(d, s)| LoggedSession {
            date: d.date,
            kind: ActivityKind::of_planned(s.kind),
            status: LogStatus::Done,
            duration_s: s.duration_s.unwrap_or(0),
            distance_m: s.distance_m.unwrap_or(0),
            rpe: Some(rpe),
            pain: Vec::new(),
            notes: String::new(),
        })
        .collect()
}

fn without(adjs: &[Adjustment], id: &str) -> Vec<Adjustment> {
    adjs.iter().filter(|a| a.id != id).cloned().collect()
}

fn assert_passes(plan: &Plan) {
    let found = check(plan);
    assert!(
        found.is_empty(),
        "{}",
        found
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn knee(score: u8) -> Vec<Pain> {
    vec![Pain {
        location: PainLocation::Knee,
        score,
    }]
}

#[test]
fn knee_pain_on_two_days_lowers_the_next_week() {
    let plan = half_plan();
    let w3 = week(&plan, 3).start; // Mon 2027-02-01
    let mut logs = as_planned(&plan, plan.weeks[0].start, w3 + 6.days(), 4);
    for log in logs.iter_mut() {
        // Tempo on Tue 2 Feb and easy run on Thu 4 Feb: knee 5/10.
        if log.date == w3 + 1.days() || log.date == w3 + 3.days() {
            log.pain = knee(5);
        }
    }
    let today = w3 + 6.days(); // Sun 2027-02-07
    let all = adapt(&plan, &logs, today, &[]);
    // The rest of week 3 after Tuesday's pain is eased at once too (see
    // knee_pain_eases_the_coming_days_and_drops_lunges); here, week 4.
    assert_eq!(
        all.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["pain_days-w3", "pain-w4"]
    );
    let adjs = without(&all, "pain_days-w3");
    let pain = &adjs[0];
    assert_eq!((pain.rule, pain.week, pain.on), (Rule::Pain, 4, today));
    assert!(
        pain.why
            .contains("knee pain 5/10 on 2 days (Tue 2 Feb, Thu 4 Feb)"),
        "{}",
        pain.why
    );
    assert!(pain.why.contains("see a physiotherapist or doctor"));
    assert_eq!(
        pain.action,
        Action::Ease {
            cut: 0.25,
            swap_quality: true,
            strength: vec![
                StrengthShift::Abductors,
                StrengthShift::LeaveOut(runcoach_core::plan::Niggle::Knee)
            ]
        }
    );

    let adapted = apply(&plan, &adjs);
    assert_passes(&adapted);
    // Week 4 is already a recovery week (31.5 km after week 3's 42.0): −25 %
    // would be 23.6 km, 44 % below week 3, past the 20–30 % the recovery
    // rule allows, so it goes to the floor: 0.70 × 42.0 = 29.4 km.
    assert_eq!((km(&plan, 3), km(&plan, 4)), (42.0, 31.5));
    assert!((km(&adapted, 4) - 29.4).abs() < 1e-9, "{}", km(&adapted, 4));
    assert!(
        pain.summary
            .starts_with("knee pain 5/10 on 2 days → volume −7%"),
        "{}",
        pain.summary
    );
    assert_eq!(quality(week(&plan, 4)), 1);
    assert_eq!(quality(week(&adapted, 4)), 0);
    // Movements of other families swapped for abductor work (at most two
    // a session), and the reverse lunge, which a sore knee leaves out, for
    // a single-leg balance reach (single-leg work that is abductor work too).
    assert_eq!(
        (
            abductor_moves(week(&plan, 4)),
            abductor_moves(week(&adapted, 4))
        ),
        (6, 10)
    );
    // Nothing before week 4 changes.
    assert_eq!(adapted.weeks[..3], plan.weeks[..3]);
    // Every changed session says so first.
    let changed: Vec<_> = week(&adapted, 4)
        .sessions()
        .zip(week(&plan, 4).sessions())
        .filter(|(a, b)| a.1 != b.1)
        .collect();
    assert!(changed.len() >= 4);
    for ((_, s), _) in &changed {
        assert!(
            s.why
                .starts_with("Adjusted: knee pain 5/10 on 2 days → volume −7%"),
            "{}",
            s.why
        );
    }
    // The week's quality session (hill repeats in the base) turns easy.
    let tempo = &pain
        .touched
        .iter()
        .find(|t| t.before.starts_with("Hill repeats"))
        .unwrap_or_else(|| panic!("{:#?}", pain.touched));
    assert_eq!(tempo.date, date(2027, 2, 9));
    assert!(tempo.after.starts_with("Easy"), "{tempo:?}");
    // Undo: apply without it gives the original back, exactly.
    assert_eq!(apply(&plan, &without(&adjs, "pain-w4")), plan);
    assert_eq!(apply(&plan, &[]), plan);
    // Stable: asked again weeks later, the same adjustments come back.
    let later = adapt(&plan, &logs, today + 20.days(), &[]);
    assert_eq!(later, all);
    // An undone adjustment is not proposed again.
    let undone = ["pain-w4".to_owned(), "pain_days-w3".to_owned()];
    assert!(adapt(&plan, &logs, today, &undone).is_empty());
}

#[test]
fn severe_pain_on_one_day_lowers_a_building_week_and_the_weeks_after() {
    let plan = half_plan();
    let w4 = week(&plan, 4).start;
    let mut logs = as_planned(&plan, plan.weeks[0].start, w4 + 6.days(), 4);
    logs.push(LoggedSession {
        date: w4 + 4.days(),
        kind: ActivityKind::Cross,
        status: LogStatus::Done,
        duration_s: 1800,
        distance_m: 0,
        rpe: Some(3),
        pain: vec![Pain {
            location: PainLocation::HipFlexor,
            score: 7,
        }],
        notes: "sharp at the front of the hip".into(),
    });
    let adjs = adapt(&plan, &logs, w4 + 6.days(), &[]);
    assert_eq!(adjs.len(), 1, "{adjs:?}");
    let a = &adjs[0];
    assert_eq!(a.id, "pain-w5");
    assert!(a.summary.starts_with("hip flexor pain 7/10 → volume −30%"));
    let adapted = apply(&plan, &adjs);
    assert_passes(&adapted);
    // 7/10 cuts 30 %: 46.0 × 0.7 = 32.2 km.
    assert!((km(&adapted, 5) - 32.2).abs() < 1e-9);
    // Week 6 (50.5 km) may not exceed 110 % of the larger of weeks 4 and 5
    // (31.5 and 32.2): 35.42 km.
    assert!(
        (km(&adapted, 6) - 35.42).abs() < 1e-9,
        "{}",
        km(&adapted, 6)
    );
    assert!(a.touched.iter().any(|t| t.week == 6));
    assert!(a.why.contains("to keep the progression"), "{}", a.why);
    let flexor = week(&adapted, 5)
        .sessions()
        .filter(|(_, s)| s.kind == SessionKind::Strength)
        .all(|(_, s)| {
            s.exercises
                .iter()
                .any(|d| find(&d.id).unwrap().family == Family::HipFlexors)
        });
    assert!(
        flexor,
        "every strength session of week 5 has hip-flexor work"
    );
    assert_eq!(apply(&plan, &[]), plan);
}

/// A log whose week 4 spikes the load: four easy weeks before the plan,
/// then week 4 at RPE 9 with an hour of hard cross-training every day.
/// Returns the log and the day it is read (week 4's Sunday).
fn load_spike_log(plan: &Plan) -> (Vec<LoggedSession>, Date) {
    let start = plan.weeks[0].start;
    let w4 = week(plan, 4).start;
    // Four weeks before the plan: 30 min a day at RPE 3 (90 AU a day).
    let mut logs: Vec<LoggedSession> = (1..=28)
        .map(|d| LoggedSession {
            date: start - d.days(),
            kind: ActivityKind::Run,
            status: LogStatus::Done,
            duration_s: 1800,
            distance_m: 5000,
            rpe: Some(3),
            pain: Vec::new(),
            notes: String::new(),
        })
        .collect();
    logs.extend(as_planned(plan, start, w4 - 1.days(), 4));
    // Week 4 run as planned but every run at RPE 9 plus an hour of hard
    // cross-training each day.
    logs.extend(as_planned(plan, w4, w4 + 6.days(), 9));
    logs.extend((0..7).map(|d| LoggedSession {
        date: w4 + d.days(),
        kind: ActivityKind::Cross,
        status: LogStatus::Done,
        duration_s: 3600,
        distance_m: 0,
        rpe: Some(8),
        pain: Vec::new(),
        notes: String::new(),
    }));
    (logs, w4 + 6.days())
}

#[test]
fn acwr_spike_lowers_the_next_week_by_a_fifth() {
    let plan = half_plan();
    let (logs, today) = load_spike_log(&plan);
    let adjs = adapt(&plan, &logs, today, &[]);
    assert_eq!(
        adjs.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["acwr_spike-w5"]
    );
    let a = &adjs[0];
    assert!(a.why.contains("times your usual week"), "{}", a.why);
    assert!(a.summary.contains("above 1.5) → volume −20%"));
    let adapted = apply(&plan, &adjs);
    assert_passes(&adapted);
    // 46.0 × 0.8 = 36.8 km, no quality.
    assert!((km(&adapted, 5) - 36.8).abs() < 1e-9);
    assert_eq!(quality(week(&adapted, 5)), 0);
    // Week 6: at most 110 % of max(31.5, 36.8) = 40.48 km.
    assert!((km(&adapted, 6) - 40.48).abs() < 1e-9);
    assert_eq!(apply(&plan, &[]), plan);
}

#[test]
fn a_missed_long_run_is_not_stacked_and_missed_volume_is_not_made_up() {
    let plan = half_plan();
    let w5 = week(&plan, 5).start;
    let sunday = w5 + 6.days();
    let mut logs = as_planned(&plan, plan.weeks[0].start, sunday, 4);
    for log in logs.iter_mut().filter(|l| l.date == sunday) {
        log.status = LogStatus::Skipped;
        log.rpe = None;
        log.duration_s = 0;
        log.distance_m = 0;
    }
    let adjs = adapt(&plan, &logs, sunday, &[]);
    let ids: Vec<&str> = adjs.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["missed_long_run-w6", "missed_volume-w6"]);
    // Week 5's long run was 17.5 km; week 6's is 18.0 km: held at 17.5.
    assert_eq!(
        (long_km(week(&plan, 5)), long_km(week(&plan, 6))),
        (17.5, 18.0)
    );
    let long = apply(&plan, &adjs[..1]);
    assert_passes(&long);
    assert_eq!(long_km(week(&long, 6)), 17.5);
    assert!(
        (km(&long, 6) - (km(&plan, 6) - 0.5)).abs() < 1e-9,
        "{}",
        km(&long, 6)
    );
    assert!(
        adjs[0].why.contains("was skipped (longest run that week: "),
        "{}",
        adjs[0].why
    );
    // Week 4 (recovery) ran 31.5 km, week 5 46.0 − 17.5 = 28.5 km: week 6
    // may not exceed 110 % × 31.5 = 34.65 km (planned 50.5).
    assert!(
        adjs[1].why.contains("week 5: 28.5 of 46.0 km"),
        "{}",
        adjs[1].why
    );
    assert!(
        adjs[1].why.contains("instead of the planned 50.5 km"),
        "{}",
        adjs[1].why
    );
    let both = apply(&plan, &adjs);
    assert_passes(&both);
    assert!((km(&both, 6) - 34.6).abs() < 0.05, "{}", km(&both, 6));
    assert!(long_km(week(&both, 6)) <= 17.5);
    // Either one undone leaves the other's effect.
    assert_eq!(apply(&plan, &without(&adjs, "missed_volume-w6")), long);
    assert_eq!(apply(&plan, &[]), plan);
}

#[test]
fn a_new_race_result_updates_paces_and_the_prediction() {
    let plan = half_plan();
    let old = plan.paces.clone().unwrap();
    let race_day = date(2027, 2, 20); // Sat of week 5
    let mut logs = as_planned(&plan, plan.weeks[0].start, race_day - 1.days(), 4);
    logs.push(LoggedSession {
        date: race_day,
        kind: ActivityKind::Race,
        status: LogStatus::Done,
        duration_s: 45 * 60,
        distance_m: 10_000,
        rpe: Some(9),
        pain: Vec::new(),
        notes: String::new(),
    });
    let adjs = adapt(&plan, &logs, race_day, &[]);
    assert_eq!(
        adjs.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["new_race_result-w5"]
    );
    let a = &adjs[0];
    // 10K in 50:00 → VDOT 40.0; in 45:00 → VDOT 45.3 (Daniels–Gilbert).
    assert_eq!(old.vdot, 40.0);
    let Action::Repace { vdot, after, .. } = &a.action else {
        panic!("{a:?}")
    };
    assert_eq!((*vdot, *after), (45.3, race_day));
    let adapted = apply(&plan, &adjs);
    assert_passes(&adapted);
    let new = adapted.paces.as_ref().unwrap();
    assert_eq!(new.vdot, 45.3);
    assert!(new.threshold < old.threshold && new.easy[0] < old.easy[0]);
    // Quality after the race: threshold ± 3 s/km; before it: unchanged.
    for w in &adapted.weeks {
        for (d, s) in w.sessions() {
            if s.kind == SessionKind::Tempo {
                let centre = if d.date > race_day {
                    new.threshold
                } else {
                    old.threshold
                };
                assert_eq!(
                    s.pace_s_per_km,
                    Some([centre - 3, centre + 3]),
                    "{}",
                    d.date
                );
            }
        }
    }
    let race = |p: &Plan| {
        p.weeks
            .last()
            .unwrap()
            .sessions()
            .find(|(_, s)| s.kind == SessionKind::Race)
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    assert!(race(&adapted).duration_s < race(&plan).duration_s);
    assert!(
        race(&adapted)
            .why
            .starts_with("Adjusted: new 10k result 45:00")
    );
    assert!(
        a.why
            .contains("the plan's paces came from an earlier result"),
        "{}",
        a.why
    );
    assert!(
        a.why
            .contains("easy 5:22–6:00/km, threshold 4:36/km (was 5:05/km)"),
        "{}",
        a.why
    );
    assert_eq!(adapted.weeks[..4], plan.weeks[..4]);
    assert_eq!(apply(&plan, &[]), plan);
}

/// A log that fires most rules at once: knee pain on two days of week 3, a
/// 10K race in 45:00 on Saturday of week 4 and week 5's long run skipped.
/// Returns the log and the day it is read (week 5's Sunday).
fn eventful_log(plan: &Plan) -> (Vec<LoggedSession>, Date) {
    let w3 = week(plan, 3).start;
    let sunday = week(plan, 5).start + 6.days();
    let race_day = sunday - 8.days();
    let mut logs = as_planned(plan, plan.weeks[0].start, sunday, 4);
    for log in logs.iter_mut() {
        if log.date == w3 + 1.days() || log.date == w3 + 3.days() {
            log.pain = knee(5);
        }
        if log.date == sunday {
            log.status = LogStatus::Skipped;
            log.rpe = None;
            log.duration_s = 0;
            log.distance_m = 0;
        }
    }
    logs.push(LoggedSession {
        date: race_day,
        kind: ActivityKind::Race,
        status: LogStatus::Done,
        duration_s: 45 * 60,
        distance_m: 10_000,
        rpe: Some(9),
        pain: Vec::new(),
        notes: String::new(),
    });
    (logs, sunday)
}

/// Everything the runner reads about the adjustments: their summaries,
/// whys and before/after lines, and the titles and whys of every session
/// of the adapted plan.
fn runner_text(adjs: &[Adjustment], adapted: &Plan) -> Vec<String> {
    let mut out: Vec<String> = adjs
        .iter()
        .flat_map(|a| {
            [a.summary.clone(), a.why.clone()].into_iter().chain(
                a.touched
                    .iter()
                    .flat_map(|t| [t.before.clone(), t.after.clone()]),
            )
        })
        .collect();
    out.extend(
        adapted
            .weeks
            .iter()
            .flat_map(|w| w.sessions())
            .flat_map(|(_, s)| [s.title.clone(), s.why.clone()]),
    );
    out
}

/// Adapted plans for the eventful and the load-spike logs, in `units`.
fn adapted_plans(units: &str) -> Vec<(Vec<Adjustment>, Plan)> {
    let mut input = half_input();
    input.units = Some(units.into());
    let plan = build_plan(&input.validate().unwrap());
    [eventful_log(&plan), load_spike_log(&plan)]
        .into_iter()
        .map(|(logs, today)| {
            let adjs = adapt(&plan, &logs, today, &[]);
            let adapted = apply(&plan, &adjs);
            (adjs, adapted)
        })
        .collect()
}

/// A name and a year, as in a citation ("Gabbett 2016", "Ramskov et al.
/// 2015"): a four-digit year after a capitalised word or "al.".
fn cites_a_year(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).any(|w| {
        let year = w[1].trim_matches(|c: char| !c.is_ascii_digit());
        let named = w[0].starts_with(|c: char| c.is_uppercase()) || w[0] == "al.";
        named
            && year.len() == 4
            && year.bytes().all(|c| c.is_ascii_digit())
            && (year.starts_with("19") || year.starts_with("20"))
            && w[1].trim_start_matches('(').starts_with(year)
    })
}

#[test]
fn what_the_runner_reads_has_no_citations_or_jargon() {
    const JARGON: [&str; 10] = [
        "VDOT",
        "ACWR",
        "EWMA",
        "acute:chronic",
        "RPE",
        "Daniels",
        "Gilbert",
        "Gabbett",
        "Ramskov",
        "et al",
    ];
    for units in ["km", "mi"] {
        let plans = adapted_plans(units);
        let rules: BTreeSet<Rule> = plans.iter().flat_map(|p| &p.0).map(|a| a.rule).collect();
        assert_eq!(rules.len(), 6, "every rule fires: {rules:?}");
        for (adjs, adapted) in &plans {
            for text in runner_text(adjs, adapted) {
                for word in JARGON {
                    assert!(!text.contains(word), "{word:?} in: {text}");
                }
                assert!(!cites_a_year(&text), "a citation in: {text}");
            }
        }
    }
}

#[test]
fn adjustments_speak_the_runners_units() {
    for (adjs, adapted) in adapted_plans("mi") {
        let touched: BTreeSet<(Date, usize)> = adjs
            .iter()
            .flat_map(|a| &a.touched)
            .map(|t| (t.date, t.session))
            .collect();
        let mut texts = runner_text(
            &adjs,
            &Plan {
                weeks: Vec::new(),
                ..adapted.clone()
            },
        );
        for w in &adapted.weeks {
            for d in &w.days {
                for (i, s) in d.sessions.iter().enumerate() {
                    if touched.contains(&(d.date, i)) {
                        texts.extend([s.title.clone(), s.why.clone()]);
                    }
                }
            }
        }
        for text in texts {
            assert!(
                !text.contains(" km") && !text.contains("/km"),
                "km in a miles plan: {text}"
            );
        }
    }
}

/// A resized run's why names the size in its title (Today showed "Easy
/// 11.5 km" explained as "Easy 11.9 km at conversational effort").
#[test]
fn a_resized_runs_why_says_its_new_size() {
    let mut resized = 0;
    for units in ["km", "mi"] {
        let mut input = half_input();
        input.units = Some(units.into());
        let plan = build_plan(&input.validate().unwrap());
        for (_, adapted) in adapted_plans(units) {
            for (w, before) in adapted.weeks.iter().zip(&plan.weeks) {
                for ((_, s), (_, b)) in w.sessions().zip(before.sessions()) {
                    let steady = matches!(s.kind, SessionKind::Easy | SessionKind::Recovery);
                    // A steady run's why opens with its title ("Easy 9.5 km at
                    // ..."), after any adjustment's note.
                    if steady && s.kind == b.kind && b.why.starts_with(&b.title) {
                        assert!(s.why.contains(&s.title), "{} / {}", s.title, s.why);
                        resized += usize::from(s.title != b.title);
                    }
                }
            }
        }
    }
    assert!(resized > 0, "the logs resize some easy runs");
}

#[test]
fn adjustments_round_trip_through_json() {
    let plan = half_plan();
    let w3 = week(&plan, 3).start;
    let mut logs = as_planned(&plan, plan.weeks[0].start, w3 + 6.days(), 4);
    logs[10].pain = knee(6);
    let adjs = adapt(&plan, &logs, w3 + 6.days(), &[]);
    let json = serde_json::to_value(&adjs).unwrap();
    // The rest of the sore week eased at once, then the next week.
    assert_eq!(json[0]["rule"], "pain_days");
    assert_eq!(json[0]["action"]["type"], "ease_days");
    assert_eq!(json[1]["rule"], "pain");
    assert_eq!(json[1]["action"]["type"], "ease");
    assert_eq!(
        json[1]["action"]["strength"],
        serde_json::json!(["abductors", {"leave_out": "knee"}])
    );
    let back: Vec<Adjustment> = serde_json::from_value(json).unwrap();
    assert_eq!(apply(&plan, &back), apply(&plan, &adjs));
}

const DAYS: [&str; 7] = ["mon", "tue", "thu", "wed", "fri", "sat", "sun"];

prop_compose! {
    fn request()(
        race in prop::sample::select(vec!["5k", "10k", "half", "marathon", "50k"]),
        weeks in 6u32..=20,
        mask in 0u8..128,
        long_pick in 0usize..7,
        first_timer in any::<bool>(),
        weekly_km in 10.0f64..90.0,
        recent in any::<bool>(),
        strength_days in 2u8..=3,
        band in any::<bool>(),
        bench in any::<bool>(),
    ) -> PlanInput {
        let mut days: Vec<&str> = (0..7).filter(|d| mask & (1 << d) != 0).map(|d| DAYS[d]).collect();
        for d in DAYS {
            if days.len() >= 3 { break }
            if !days.contains(&d) { days.push(d) }
        }
        let mut equipment = Vec::new();
        if band { equipment.push("band".to_owned()) }
        if bench { equipment.push("bench".to_owned()) }
        PlanInput {
            race: race.into(),
            race_date: "2027-05-02".into(),
            weeks: Some(weeks),
            run_days: days.iter().map(|d| d.to_string()).collect(),
            long_run_day: days[long_pick % days.len()].into(),
            level: if first_timer { "first-timer" } else { "experienced" }.into(),
            weekly_km,
            recent: recent.then(|| RecentInput { distance: "10k".into(), time: "48:00".into() }),
            strength_days,
            equipment,
            ..Default::default()
        }
    }
}

/// The checker's findings without the two run-size rules: runs of at least
/// 20 minutes (`run_length`) and easy runs within three quarters of the long
/// run and 90 minutes (`easy_run_size`). Adaptation refits a lowered week's
/// runs to them (fewer, longer runs) but never cuts volume to do so: the
/// cut was balanced against the rules between weeks (recovery 20–30 %,
/// progression, taper), which win. A week whose runs cannot carry its
/// volume is left as it was, so it can keep a run the generated plan would
/// not have: in tiny plans (around 10 km a week) whose quality session is
/// most of the week. Race week's runs (`race_week_runs`) and the warning
/// when the longest run falls short (`feasibility`) are kept.
///
/// `long_run_longest` (no quality session longer than the long run) gives
/// way the same way: a lowered long run or a faster re-pace's longer
/// warm-up can leave a small week's session past it; a lowered week whose
/// long run falls under a session turns that session easy (see
/// `set_volume`). `long_run_progression` gives way to the missed-long-run
/// rule, which holds the long run where it was on purpose. `base_speed`
/// (strides in the base) gives way when a lowered week drops the easy run
/// that carried them.
///
/// `lone_run` (a week of one run no longer than the longest long run so
/// far) gives way to the same rules between weeks: a lowered week too small
/// to split whose floor (a recovery week at most 30 % below the week
/// before, race week within reach) is above the longest long run keeps its
/// one run at that floor, since lowering it further would break them.
/// `peak_timing` and `race_specific` judge the block as built: adaptation
/// lowers late weeks after pain or misses, which can leave the peak early
/// or turn the race-pace session easy, as it should. `recovery_quality`
/// (a recovery week's session within three quarters of the biggest of its
/// kind before it) measures against earlier weeks, which an ease may have
/// cut after the plan was built.
fn adapted_findings(
    adapted: &runcoach_core::plan::Plan,
) -> Vec<runcoach_core::guardrails::Violation> {
    between_weeks(check(adapted))
}

/// An ultra's back-to-back long run is a share of the long run before it:
/// when missed volume or a missed long run lowers the long run, the
/// back-to-back shrinks with it and stays a long run on its day.
#[test]
fn an_ultras_back_to_back_scales_with_a_lowered_long_run() {
    let plan = build_plan(&crate::long_runs::ultra_50k().validate().unwrap());
    let longs = |w: &Week| -> Vec<f64> {
        w.sessions()
            .filter(|(_, s)| s.kind == SessionKind::Long)
            .map(|(_, s)| s.km())
            .collect()
    };
    let i = plan.weeks.iter().position(|w| longs(w).len() == 2).unwrap();
    let week = plan.weeks[i].index;
    let (long, b2b) = (longs(&plan.weeks[i])[0], longs(&plan.weeks[i])[1]);
    let planned = plan.weeks[i].measured_training_km();
    for action in [
        Action::CapVolume {
            max_km: planned * 0.7,
        },
        Action::CapLongRun { max_km: long * 0.7 },
    ] {
        let rule = match action {
            Action::CapVolume { .. } => Rule::MissedVolume,
            _ => Rule::MissedLongRun,
        };
        let adapted = apply(&plan, &[adjustment(rule, week, action.clone())]);
        let now = longs(&adapted.weeks[i]);
        assert_eq!(now.len(), 2, "{action:?}: {now:?}");
        assert!(now[0] < long, "{action:?}: {now:?}");
        assert!(now[1] < b2b, "{action:?}: {now:?} after {b2b}");
        assert!(
            (0.5..=0.6).contains(&(now[1] / now[0])),
            "{action:?}: {now:?}"
        );
        let found = adapted_findings(&adapted);
        assert!(found.is_empty(), "{action:?}: {found:?}");
    }
}

fn between_weeks(
    found: Vec<runcoach_core::guardrails::Violation>,
) -> Vec<runcoach_core::guardrails::Violation> {
    found
        .into_iter()
        .filter(|v| {
            !matches!(
                v.rule,
                "run_length"
                    | "easy_run_size"
                    | "lone_run"
                    | "long_run_longest"
                    | "long_run_progression"
                    | "base_speed"
                    | "peak_timing"
                    | "race_specific"
                    | "recovery_quality"
            )
        })
        .collect()
}

fn adjustment(rule: Rule, week: u32, action: Action) -> Adjustment {
    Adjustment {
        id: Adjustment::id_for(rule, week),
        rule,
        week,
        on: date(2027, 1, 1),
        summary: format!("test {rule}"),
        why: String::new(),
        action,
        touched: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any ease, cap or re-pace of any week of any generated plan leaves a
    /// plan the checker passes, and applying nothing changes nothing.
    #[test]
    fn adapted_plans_pass_the_guardrails(
        input in request(),
        picks in prop::collection::vec((0usize..40, 0u8..4, 0.15f64..0.35, any::<bool>()), 1..4),
        vdot in 30.0f64..60.0,
    ) {
        let plan = build_plan(&input.validate().map_err(|e| TestCaseError::fail(format!("{e:?}")))?);
        prop_assume!(check(&plan).is_empty());
        let n = plan.weeks.len();
        let adjs: Vec<Adjustment> = picks.iter().map(|&(w, kind, x, flag)| {
            let week = plan.weeks[w % n].index;
            let planned = plan.weeks[w % n].measured_training_km();
            match kind {
                0 => adjustment(Rule::Pain, week, Action::Ease {
                    cut: x,
                    swap_quality: true,
                    strength: if flag { vec![StrengthShift::Abductors, StrengthShift::HipFlexors] } else { vec![StrengthShift::Abductors] },
                }),
                1 => adjustment(Rule::MissedVolume, week, Action::CapVolume { max_km: planned * (1.0 - x) }),
                2 => adjustment(Rule::MissedLongRun, week, Action::CapLongRun { max_km: 8.0 + 20.0 * x }),
                _ => adjustment(Rule::NewRaceResult, week, Action::Repace {
                    after: plan.weeks[w % n].start,
                    vdot,
                    source: "a test race".into(),
                }),
            }
        }).collect();
        let adapted = apply(&plan, &adjs);
        let found = adapted_findings(&adapted);
        prop_assert!(found.is_empty(), "{input:?}\n{adjs:?}\n{}", found.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
        // Order does not matter.
        let mut reversed = adjs.clone();
        reversed.reverse();
        prop_assert_eq!(&apply(&plan, &reversed), &adapted);
        prop_assert_eq!(&apply(&plan, &[]), &plan);
        // Eased weeks are never raised and lose their quality sessions.
        for a in &adjs {
            if let Action::Ease { .. } = a.action {
                let i = plan.weeks.iter().position(|w| w.index == a.week).unwrap();
                prop_assert!(adapted.weeks[i].measured_training_km() <= plan.weeks[i].measured_training_km() + 1e-9);
                prop_assert_eq!(quality(&adapted.weeks[i]), 0);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, ..ProptestConfig::default() })]

    /// Whatever the log says, what adapt proposes applies to a plan the
    /// checker passes, alone or together, and each can be undone.
    #[test]
    fn adapting_to_any_log_passes_the_guardrails(
        input in request(),
        days in prop::collection::vec((0u8..3, 1u8..=10, 0.3f64..1.6, prop::option::of((0usize..9, 0u8..=10))), 1..140),
        today_at in 0usize..140,
        race in prop::option::of((0usize..140, 0.9f64..1.3)),
    ) {
        let plan = build_plan(&input.validate().map_err(|e| TestCaseError::fail(format!("{e:?}")))?);
        prop_assume!(check(&plan).is_empty());
        let planned: Vec<(Date, SessionKind, u32, u32)> = plan.weeks.iter().flat_map(|w| w.sessions())
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .map(|(d, s)| (d.date, s.kind, s.duration_s.unwrap_or(0), s.distance_m.unwrap_or(0)))
            .collect();
        let mut logs: Vec<LoggedSession> = planned.iter().zip(&days).map(|(&(date, kind, dur, dist), &(status, rpe, scale, pain))| {
            let status = [LogStatus::Done, LogStatus::Partial, LogStatus::Skipped][usize::from(status)];
            let f = if status == LogStatus::Skipped { 0.0 } else { scale };
            LoggedSession {
                date,
                kind: ActivityKind::of_planned(kind),
                status,
                duration_s: (f64::from(dur) * f) as u32,
                distance_m: (f64::from(dist) * f) as u32,
                rpe: (status != LogStatus::Skipped).then_some(rpe),
                pain: pain.map(|(l, score)| Pain { location: PainLocation::ALL[l], score }).into_iter().collect(),
                notes: String::new(),
            }
        }).collect();
        if let Some((at, f)) = race {
            logs.push(LoggedSession {
                date: plan.weeks[0].start + (at as i64).days(),
                kind: ActivityKind::Race,
                status: LogStatus::Done,
                duration_s: (2880.0 * f) as u32,
                distance_m: 10_000,
                rpe: Some(9),
                pain: Vec::new(),
                notes: String::new(),
            });
        }
        let today = plan.weeks[0].start + (today_at as i64).days();
        let adjs = adapt(&plan, &logs, today, &[]);
        let adapted = apply(&plan, &adjs);
        let found = adapted_findings(&adapted);
        prop_assert!(found.is_empty(), "{input:?}\n{adjs:#?}\n{}", found.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
        for a in &adjs {
            prop_assert!(!a.touched.is_empty() && !a.why.is_empty());
            prop_assert_eq!(&a.id, &Adjustment::id_for(a.rule, a.week));
            let rest = without(&adjs, &a.id);
            let found = adapted_findings(&apply(&plan, &rest));
            prop_assert!(found.is_empty(), "{input:?}\n{rest:#?}\n{}", found.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("\n"));
            prop_assert_eq!(&adapt(&plan, &logs, today, std::slice::from_ref(&a.id)), &rest);
        }
        prop_assert_eq!(&adapt(&plan, &logs, today, &[]), &adjs);
    }
}

/// Found by the property test: new, faster paces made week 6's 3 km easy
/// run too short in time; refitting dropped it beside a 3.6 km interval
/// session and left only 74% of the week easy. The refit now keeps the
/// run rather than break the easy share.
#[test]
fn a_repace_never_leaves_a_week_mostly_hard() {
    let input = PlanInput {
        race: "half".into(),
        race_date: "2027-05-02".into(),
        weeks: Some(9),
        run_days: ["mon", "tue", "wed", "sat"].map(String::from).to_vec(),
        long_run_day: "mon".into(),
        level: "experienced".into(),
        weekly_km: 12.21650473529884,
        strength_days: 2,
        ..Default::default()
    };
    let plan = build_plan(&input.validate().unwrap());
    let repace = adjustment(
        Rule::NewRaceResult,
        plan.weeks[0].index,
        Action::Repace {
            after: plan.weeks[0].start,
            vdot: 52.81581607032347,
            source: "a test race".into(),
        },
    );
    let rules: Vec<&str> = check(&apply(&plan, &[repace]))
        .iter()
        .map(|v| v.rule)
        .collect();
    assert!(!rules.contains(&"easy_share"), "{rules:?}");
}

/// Knee pain 5/10 on a Thursday eases the days that follow at once, not
/// only the next week: the next run becomes cross-training of the same
/// time, Sunday's long run is run easy and a quarter shorter, and the
/// coming strength sessions drop lunges and split squats as a knee niggle
/// does. The why lists what changed.
#[test]
fn knee_pain_eases_the_coming_days_and_drops_lunges() {
    let plan = half_plan();
    let w3 = week(&plan, 3).start; // Mon 2027-02-01
    let thu = w3 + 3.days();
    let mut logs = as_planned(&plan, plan.weeks[0].start, thu, 4);
    for log in logs.iter_mut().filter(|l| l.date == thu) {
        log.pain = knee(5);
    }
    let today = w3 + 5.days(); // Sat 6 Feb
    let adjs = adapt(&plan, &logs, today, &[]);
    let ids: Vec<&str> = adjs.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["pain_days-w3", "pain-w4"]);
    let days = &adjs[0];
    assert_eq!((days.rule, days.week), (Rule::PainDays, 3));
    let Action::EaseDays { from, to, .. } = &days.action else {
        panic!("{:?}", days.action);
    };
    assert_eq!((*from, *to), (thu + 1.days(), w3 + 6.days()));
    let adapted = apply(&plan, &adjs);
    // Lowering week 3 lowers later long runs too, so week 10's long run
    // steps up more than the rule likes, as every easing can.
    assert_eq!(adapted_findings(&adapted), []);
    let on = |p: &Plan, d: Date| -> Vec<(SessionKind, f64, Option<u32>)> {
        p.weeks
            .iter()
            .flat_map(|w| &w.days)
            .find(|x| x.date == d)
            .unwrap()
            .sessions
            .iter()
            .map(|s| (s.kind, s.km(), s.duration_s))
            .collect()
    };
    let sat = w3 + 5.days();
    let sun = w3 + 6.days();
    // Saturday's easy run: cross-training of the same time (40:44 → 41 min).
    assert_eq!(on(&plan, sat), [(SessionKind::Easy, 6.5, Some(2444))]);
    assert_eq!(
        on(&adapted, sat),
        [(SessionKind::CrossTraining, 0.0, Some(2460))]
    );
    // Sunday's long run: a quarter shorter (16.5 → 12.4 km), easy.
    assert_eq!(on(&plan, sun)[1].0, SessionKind::Long);
    assert_eq!(on(&plan, sun)[1].1, 16.5);
    assert_eq!(on(&adapted, sun)[1].0, SessionKind::Long);
    assert_eq!(on(&adapted, sun)[1].1, 12.4);
    assert_eq!(
        days.summary,
        "knee pain 5/10 → the rest of this week eased: the next run swapped for cross-training, the other runs easy and 25% shorter; see a physio or doctor if it persists"
    );
    for said in [
        "Pain logged: knee pain 5/10 (Thu 4 Feb).",
        "eased: Fri 5 Feb to Sun 7 Feb.",
        "Sat 6 Feb: Easy 6.5 km, 40:44 at 5:55–6:37/km → Cross-training 41 min;",
        "Sun 7 Feb: Long 16.5 km, 1:43:24 at 5:55–6:37/km → Long 12.4 km",
        "see a physiotherapist or doctor",
    ] {
        assert!(days.why.contains(said), "{said}: {}", days.why);
    }
    let changed = week(&adapted, 3)
        .sessions()
        .filter(|(d, _)| d.date == sat)
        .all(|(_, s)| {
            s.why
                .starts_with("Adjusted: knee pain 5/10 → the rest of this week eased")
        });
    assert!(changed);
    // Nothing before the pain changes.
    for d in 0..4 {
        assert_eq!(on(&adapted, w3 + d.days()), on(&plan, w3 + d.days()));
    }
    let banned = ["reverse_lunge", "bulgarian_split_squat"];
    let lunges = |p: &Plan, from: Date, to: Date| -> usize {
        p.weeks
            .iter()
            .flat_map(|w| w.sessions())
            .filter(|(d, s)| d.date >= from && d.date <= to && s.kind == SessionKind::Strength)
            .flat_map(|(_, s)| &s.exercises)
            .filter(|x| banned.contains(&x.id.as_str()))
            .count()
    };
    let next_week_end = w3 + 13.days();
    assert_eq!(lunges(&plan, thu + 1.days(), next_week_end), 1);
    assert_eq!(lunges(&adapted, thu + 1.days(), next_week_end), 0);
    assert_eq!(
        apply(&plan, &without(&adjs, "pain_days-w3")),
        apply(&plan, &adjs[1..])
    );
    let later = adapt(&plan, &logs, today + 20.days(), &[]);
    assert_eq!(later.iter().find(|a| a.id == "pain_days-w3"), Some(days));

    // Saturday's run already logged: what the runner did stays as it was,
    // and the next run still to come, Sunday's long run, is eased instead.
    logs.extend(as_planned(&plan, sat, sat, 4));
    let adjs = adapt(&plan, &logs, today, &[]);
    let days = adjs.iter().find(|a| a.id == "pain_days-w3").unwrap();
    let Action::EaseDays { keep, .. } = &days.action else {
        panic!("{:?}", days.action);
    };
    assert_eq!(keep, &[sat]);
    let adapted = apply(&plan, std::slice::from_ref(days));
    assert_eq!(on(&adapted, sat), on(&plan, sat));
    assert_eq!(on(&adapted, sun)[1].0, SessionKind::CrossTraining);
    assert!(days.why.contains("Sun 7 Feb: Long 16.5 km"), "{}", days.why);
}
