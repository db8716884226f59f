//! FIT workout files decoded by an independent reader (fitparser): the file written
//! for Garmin's own reference workout matches the reference field for field, and
//! every run and strength session of a generated plan decodes to the steps,
//! durations and targets the plan prescribes. The same files are checked with
//! Garmin's official SDK by `fit_sdk_check.py` (run from `garmin_sdk_decodes_*`
//! when `garmin_fit_sdk` is importable).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use fitparser::Value;
use fitparser::profile::MesgNum;
use runcoach_core::plan::{Plan, PlanInput, RecentInput, SessionKind, build_plan};
use runcoach_formats::fit_workout::{
    Duration, Intensity, Step, Target, Workout, WorkoutSport, WorkoutStep, crc16, encode,
    flat_step_count,
};
use runcoach_formats::plan_export::{kind_name, planned_sessions, session_workout};

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/activities/workout/sdk_encoded_running_intervals.fit"
);

type Fields = BTreeMap<String, Value>;

/// Every message of a file as (kind, named fields).
fn decode(bytes: &[u8]) -> Vec<(MesgNum, Fields)> {
    let mut reader = bytes;
    fitparser::from_reader(&mut reader)
        .expect("fitparser decodes the file")
        .into_iter()
        .map(|r| {
            let fields = r
                .fields()
                .iter()
                .map(|f| (f.name().to_owned(), f.value().clone()))
                .collect();
            (r.kind(), fields)
        })
        .collect()
}

fn of_kind(messages: &[(MesgNum, Fields)], kind: MesgNum) -> Vec<Fields> {
    messages
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, f)| f.clone())
        .collect()
}

fn num(f: &Fields, name: &str) -> f64 {
    match f.get(name) {
        Some(Value::Float64(v)) => *v,
        Some(Value::Float32(v)) => f64::from(*v),
        Some(Value::UInt8(v) | Value::Enum(v) | Value::Byte(v) | Value::UInt8z(v)) => f64::from(*v),
        Some(Value::UInt16(v) | Value::UInt16z(v)) => f64::from(*v),
        Some(Value::UInt32(v) | Value::UInt32z(v)) => f64::from(*v),
        Some(Value::SInt32(v)) => f64::from(*v),
        Some(Value::SInt64(v)) => *v as f64,
        Some(Value::UInt64(v) | Value::UInt64z(v)) => *v as f64,
        other => panic!("{name}: not a number: {other:?} in {f:?}"),
    }
}

fn text(f: &Fields, name: &str) -> String {
    match f.get(name) {
        Some(Value::String(s)) => s.clone(),
        other => panic!("{name}: not text: {other:?} in {f:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

fn reference_like() -> Workout {
    let single = |s: Step| WorkoutStep::Single(s);
    Workout {
        name: "5x1k @ 4:00-4:10".into(),
        sport: WorkoutSport::Running,
        description: None,
        serial_number: 1234,
        time_created: runcoach_formats::fit_workout::fit_time(1_736_164_800),
        steps: vec![
            single(
                Step::new("Warm up", Duration::Time { s: 600 }, Intensity::Warmup).with_target(
                    Target::HeartRate {
                        low_bpm: 120,
                        high_bpm: 140,
                    },
                ),
            ),
            WorkoutStep::Repeat {
                times: 5,
                steps: vec![
                    single(
                        Step::new(
                            "1 km rep",
                            Duration::Distance { m: 1000 },
                            Intensity::Active,
                        )
                        .with_target(Target::Speed {
                            low_mps: 4.0,
                            high_mps: 4.167,
                        }),
                    ),
                    single(Step::new(
                        "Recover",
                        Duration::Time { s: 120 },
                        Intensity::Recovery,
                    )),
                ],
            },
            single(Step::new("Cool down", Duration::Open, Intensity::Cooldown)),
        ],
    }
}

#[test]
fn our_crc_agrees_with_the_reference_file() {
    let bytes = std::fs::read(REFERENCE).unwrap();
    assert_eq!(bytes[0], 14);
    assert_eq!(
        crc16(&bytes[..12]),
        u16::from_le_bytes([bytes[12], bytes[13]])
    );
    let n = bytes.len();
    assert_eq!(
        crc16(&bytes[..n - 2]),
        u16::from_le_bytes([bytes[n - 2], bytes[n - 1]])
    );
}

#[test]
fn the_reference_workout_encodes_to_the_same_messages_as_garmins_sdk() {
    let reference = decode(&std::fs::read(REFERENCE).unwrap());
    let ours_bytes = encode(&reference_like());
    assert_eq!(crc16(&ours_bytes), 0, "file CRC");
    let ours = decode(&ours_bytes);
    for kind in [MesgNum::FileId, MesgNum::Workout, MesgNum::WorkoutStep] {
        let (a, b) = (of_kind(&reference, kind), of_kind(&ours, kind));
        assert_eq!(a.len(), b.len(), "{kind:?}");
        for (r, o) in a.iter().zip(&b) {
            // Garmin's SDK leaves out what it need not write; every field it wrote
            // must be ours too, with the same value.
            for (name, value) in r {
                assert_eq!(o.get(name), Some(value), "{kind:?}.{name}: {r:?} vs {o:?}");
            }
        }
    }
    let steps = of_kind(&ours, MesgNum::WorkoutStep);
    assert_eq!(text(&steps[1], "duration_type"), "distance");
    assert!(close(num(&steps[1], "duration_distance"), 1000.0));
    assert!(close(num(&steps[1], "custom_target_speed_low"), 4.0));
    assert!(close(num(&steps[1], "custom_target_speed_high"), 4.167));
    assert_eq!(text(&steps[3], "duration_type"), "repeat_until_steps_cmplt");
    assert!(close(num(&steps[3], "duration_step"), 1.0));
    assert!(close(num(&steps[3], "repeat_steps"), 5.0));
}

fn plan(recent: Option<&str>) -> Plan {
    let input: PlanInput = serde_json::from_value(serde_json::json!({
        "race": "half",
        "race_date": "2026-10-04",
        "weeks": 12,
        "run_days": ["mon", "wed", "thu", "sat", "sun"],
        "long_run_day": "sun",
        "level": "experienced",
        "weekly_km": 40.0,
        "strength_days": 2,
    }))
    .unwrap();
    let input = PlanInput {
        recent: recent.map(|r| RecentInput::parse(r).unwrap()),
        ..input
    };
    build_plan(&input.validate().expect("valid input"))
}

/// The decoded steps of a file, after checking the file's frame and workout message.
fn decoded_steps(bytes: &[u8], name: &str, sport: &str, sub_sport: &str) -> Vec<Fields> {
    assert_eq!(crc16(bytes), 0, "{name}: file CRC");
    let messages = decode(bytes);
    let file_id = &of_kind(&messages, MesgNum::FileId)[0];
    assert_eq!(text(file_id, "type"), "workout", "{name}");
    assert_eq!(text(file_id, "manufacturer"), "development", "{name}");
    let workout = &of_kind(&messages, MesgNum::Workout)[0];
    assert_eq!(text(workout, "sport"), sport, "{name}");
    assert_eq!(text(workout, "sub_sport"), sub_sport, "{name}");
    let steps = of_kind(&messages, MesgNum::WorkoutStep);
    assert_eq!(
        num(workout, "num_valid_steps") as usize,
        steps.len(),
        "{name}"
    );
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(num(s, "message_index") as usize, i, "{name}");
    }
    steps
}

#[test]
fn an_interval_session_becomes_warmup_repeats_recoveries_and_cooldown() {
    let plan = plan(Some("10k:50:00"));
    let p = planned_sessions(&plan)
        .into_iter()
        // Paced intervals: the base phase's fartlek is run by feel.
        .find(|p| p.session.kind == SessionKind::Intervals && p.session.pace_s_per_km.is_some())
        .expect("the plan has intervals");
    let s = p.session;
    let warm = &s.steps[0];
    let block = &s.steps[1];
    let (work, jog) = (&block.steps[0], &block.steps[1]);
    let cool = s.steps.last().unwrap();
    let bytes = encode(&session_workout(s, p.date));
    let steps = decoded_steps(&bytes, &s.title, "running", "generic");
    // warm-up, work, recovery, repeat, cool-down
    assert_eq!(steps.len(), 5);

    let speed = |pace: u32| 1000.0 / f64::from(pace);
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;

    assert_eq!(text(&steps[0], "wkt_step_name"), "Warm-up");
    assert_eq!(text(&steps[0], "intensity"), "warmup");
    assert_eq!(text(&steps[0], "duration_type"), "distance");
    assert!(close(
        num(&steps[0], "duration_distance"),
        f64::from(warm.distance_m.unwrap())
    ));
    let [fast, slow] = warm.pace_s_per_km.unwrap();
    assert_eq!(text(&steps[0], "target_type"), "speed");
    assert!(close(
        num(&steps[0], "custom_target_speed_low"),
        mm(speed(slow))
    ));
    assert!(close(
        num(&steps[0], "custom_target_speed_high"),
        mm(speed(fast))
    ));

    assert_eq!(text(&steps[1], "intensity"), "active");
    assert_eq!(text(&steps[1], "wkt_step_name"), "Intervals");
    assert!(close(
        num(&steps[1], "duration_distance"),
        f64::from(work.distance_m.unwrap())
    ));
    let [fast, slow] = work.pace_s_per_km.unwrap();
    assert!(close(
        num(&steps[1], "custom_target_speed_low"),
        mm(speed(slow))
    ));
    assert!(close(
        num(&steps[1], "custom_target_speed_high"),
        mm(speed(fast))
    ));

    assert_eq!(text(&steps[2], "intensity"), "recovery");
    assert_eq!(text(&steps[2], "duration_type"), "time");
    assert!(close(
        num(&steps[2], "duration_time"),
        f64::from(jog.duration_s.unwrap())
    ));
    assert_eq!(text(&steps[2], "target_type"), "open");
    assert_eq!(text(&steps[2], "notes"), "RPE 2-3");

    assert_eq!(text(&steps[3], "duration_type"), "repeat_until_steps_cmplt");
    assert!(close(num(&steps[3], "duration_step"), 1.0));
    assert!(close(
        num(&steps[3], "repeat_steps"),
        f64::from(block.times.unwrap())
    ));

    assert_eq!(text(&steps[4], "intensity"), "cooldown");
    assert!(close(
        num(&steps[4], "duration_distance"),
        f64::from(cool.distance_m.unwrap())
    ));
}

#[test]
fn every_session_of_a_plan_decodes_with_its_steps_and_targets() {
    for recent in [Some("10k:50:00"), None] {
        let plan = plan(recent);
        let mut kinds = BTreeMap::new();
        for p in planned_sessions(&plan) {
            let s = p.session;
            let name = format!("{} {}", p.date, kind_name(s.kind));
            let workout = session_workout(s, p.date);
            let bytes = encode(&workout);
            *kinds.entry(kind_name(s.kind)).or_insert(0) += 1;
            match s.kind {
                k if k.is_run() => {
                    let steps = decoded_steps(&bytes, &name, "running", "generic");
                    assert_eq!(steps.len(), flat_step_count(&workout.steps), "{name}");
                    if s.steps.is_empty() {
                        // One step: the whole distance at the session's band or effort.
                        assert_eq!(steps.len(), 1, "{name}");
                        assert!(close(
                            num(&steps[0], "duration_distance"),
                            f64::from(s.distance_m.unwrap())
                        ));
                        match (s.pace_s_per_km, s.rpe) {
                            (Some([fast, slow]), _) => {
                                assert_eq!(text(&steps[0], "target_type"), "speed");
                                let lo = num(&steps[0], "custom_target_speed_low");
                                let hi = num(&steps[0], "custom_target_speed_high");
                                assert!((lo - 1000.0 / f64::from(slow)).abs() <= 0.0005, "{name}");
                                assert!((hi - 1000.0 / f64::from(fast)).abs() <= 0.0005, "{name}");
                            }
                            (None, Some([a, b])) => {
                                assert_eq!(text(&steps[0], "target_type"), "open", "{name}");
                                assert_eq!(text(&steps[0], "notes"), format!("RPE {a}-{b}"));
                            }
                            other => panic!("{name}: no target {other:?}"),
                        }
                    }
                    // Distances and times add up to what the plan says.
                    let total_m: f64 = metres(&steps);
                    assert!(
                        (total_m - f64::from(s.distance_m.unwrap())).abs() < 1.0
                            || steps.iter().any(|f| text(f, "duration_type") == "time"),
                        "{name}: {total_m} m"
                    );
                    if recent.is_none() {
                        for f in &steps {
                            assert_ne!(text(f, "target_type"), "speed", "{name}: RPE plan");
                        }
                    }
                }
                SessionKind::Strength | SessionKind::Mobility => {
                    let sub = if s.kind == SessionKind::Strength {
                        "strength_training"
                    } else {
                        "flexibility_training"
                    };
                    let steps = decoded_steps(&bytes, &name, "training", sub);
                    let doses: Vec<_> = s.activation.iter().chain(&s.exercises).collect();
                    assert_eq!(steps.len(), doses.len(), "{name}");
                    for (f, d) in steps.iter().zip(doses) {
                        assert_eq!(
                            text(f, "wkt_step_name"),
                            d.name.clone().unwrap().replace('×', "x")
                        );
                        assert_eq!(text(f, "duration_type"), "open");
                        let amount = match (d.reps, d.hold_s) {
                            (Some(r), _) => format!("{} x {r}", d.sets),
                            (None, Some(h)) => format!("{} x {h} s", d.sets),
                            _ => unreachable!(),
                        };
                        let side = if d.per_side { " per side" } else { "" };
                        assert_eq!(text(f, "notes"), format!("{amount}{side}"), "{name}");
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        for k in ["easy", "long", "strength", "tempo", "race"] {
            assert!(kinds.contains_key(k), "{recent:?}: no {k} in {kinds:?}");
        }
    }
}

/// Metres of a flat step list with repeats expanded (distance steps only).
fn metres(steps: &[Fields]) -> f64 {
    let mut total = 0.0;
    let mut i = 0;
    let mut counted = vec![0.0; steps.len()];
    while i < steps.len() {
        let f = &steps[i];
        if text(f, "duration_type") == "repeat_until_steps_cmplt" {
            let from = num(f, "duration_step") as usize;
            let block: f64 = counted[from..i].iter().sum();
            let extra = block * (num(f, "repeat_steps") - 1.0);
            total += extra;
            counted[i] = extra;
        } else if text(f, "duration_type") == "distance" {
            counted[i] = num(f, "duration_distance");
            total += counted[i];
        }
        i += 1;
    }
    total
}

#[test]
fn strength_notes_say_sets_by_reps() {
    let plan = plan(Some("10k:50:00"));
    let p = planned_sessions(&plan)
        .into_iter()
        .find(|p| p.session.kind == SessionKind::Strength)
        .unwrap();
    let bytes = encode(&session_workout(p.session, p.date));
    let steps = decoded_steps(&bytes, "strength", "training", "strength_training");
    let notes: Vec<String> = steps.iter().map(|f| text(f, "notes")).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.ends_with("per side") && n.contains(" x ")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .all(|n| n.chars().next().unwrap().is_ascii_digit())
    );
}

/// Writes the reference-like workout and a whole plan's sessions, each with a JSON
/// file of the values Garmin's SDK must read back, for `fit_sdk_check.py`.
fn write_sdk_fixtures(dir: &Path) -> usize {
    std::fs::create_dir_all(dir).unwrap();
    let mut workouts = vec![("reference-like".to_owned(), reference_like())];
    for (tag, recent) in [("paced", Some("10k:50:00")), ("rpe", None)] {
        let plan = plan(recent);
        for (i, p) in planned_sessions(&plan).into_iter().enumerate() {
            workouts.push((
                format!("{tag}-{i:03}-{}-{}", p.date, kind_name(p.session.kind)),
                session_workout(p.session, p.date),
            ));
        }
    }
    for (name, w) in &workouts {
        std::fs::write(dir.join(format!("{name}.fit")), encode(w)).unwrap();
        std::fs::write(
            dir.join(format!("{name}.json")),
            serde_json::to_vec_pretty(&expectation(w)).unwrap(),
        )
        .unwrap();
    }
    workouts.len()
}

fn expectation(w: &Workout) -> serde_json::Value {
    let (sport, sub_sport) = match w.sport {
        WorkoutSport::Running => ("running", "generic"),
        WorkoutSport::Strength => ("training", "strength_training"),
        WorkoutSport::Mobility => ("training", "flexibility_training"),
    };
    let mut steps = Vec::new();
    flatten(&w.steps, &mut steps);
    serde_json::json!({
        "wkt_name": w.name,
        "sport": sport,
        "sub_sport": sub_sport,
        "serial_number": w.serial_number,
        "steps": steps,
    })
}

fn flatten(steps: &[WorkoutStep], out: &mut Vec<serde_json::Value>) {
    for s in steps {
        match s {
            WorkoutStep::Single(s) => {
                let mut v = serde_json::json!({
                    "message_index": out.len(),
                    "intensity": match s.intensity {
                        Intensity::Active => "active",
                        Intensity::Rest => "rest",
                        Intensity::Warmup => "warmup",
                        Intensity::Cooldown => "cooldown",
                        Intensity::Recovery => "recovery",
                    },
                });
                let o = v.as_object_mut().unwrap();
                if !s.name.is_empty() {
                    o.insert("wkt_step_name".into(), s.name.clone().into());
                }
                if !s.notes.is_empty() {
                    o.insert("notes".into(), s.notes.clone().into());
                }
                match s.duration {
                    Duration::Time { s } => {
                        o.insert("duration_type".into(), "time".into());
                        o.insert("duration_time".into(), f64::from(s).into());
                    }
                    Duration::Distance { m } => {
                        o.insert("duration_type".into(), "distance".into());
                        o.insert("duration_distance".into(), f64::from(m).into());
                    }
                    Duration::Open => {
                        o.insert("duration_type".into(), "open".into());
                    }
                    Duration::Reps(n) => {
                        o.insert("duration_type".into(), "reps".into());
                        o.insert("duration_reps".into(), n.into());
                    }
                }
                match s.target {
                    Target::Open => {
                        o.insert("target_type".into(), "open".into());
                    }
                    Target::Speed { low_mps, high_mps } => {
                        o.insert("target_type".into(), "speed".into());
                        let mm = |v: f64| (v * 1000.0).round() / 1000.0;
                        o.insert("custom_target_speed_low".into(), mm(low_mps).into());
                        o.insert("custom_target_speed_high".into(), mm(high_mps).into());
                    }
                    Target::HeartRate { low_bpm, high_bpm } => {
                        o.insert("target_type".into(), "heart_rate".into());
                        o.insert(
                            "custom_target_heart_rate_low".into(),
                            (u32::from(low_bpm) + 100).into(),
                        );
                        o.insert(
                            "custom_target_heart_rate_high".into(),
                            (u32::from(high_bpm) + 100).into(),
                        );
                    }
                }
                out.push(v);
            }
            WorkoutStep::Repeat { times, steps } => {
                let first = out.len();
                flatten(steps, out);
                out.push(serde_json::json!({
                    "message_index": out.len(),
                    "duration_type": "repeat_until_steps_cmplt",
                    "duration_step": first,
                    "repeat_steps": times,
                }));
            }
        }
    }
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn garmin_sdk_decodes_every_file_with_the_expected_steps() {
    if !python_has("garmin_fit_sdk") {
        assert!(
            std::env::var_os("RUNCOACH_REQUIRE_PYTHON_CHECKS").is_none(),
            "RUNCOACH_REQUIRE_PYTHON_CHECKS is set but garmin_fit_sdk is not importable"
        );
        eprintln!(
            "skipped: Garmin's FIT SDK is not installed (pip install garmin-fit-sdk); \
             CI installs it"
        );
        return;
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("runcoach-fit-sdk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let n = write_sdk_fixtures(&dir);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fit_sdk_check.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&dir)
        .arg(REFERENCE)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("checked {n} workout files")),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
