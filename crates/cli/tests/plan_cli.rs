//! `runcoach plan`, `check` and `exercises` as processes.

use std::process::{Command, Output};

fn runcoach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(args)
        .env_clear()
        // A fixed "today" keeps these plans valid after their dates pass.
        .env("RUNCOACH_TODAY", "2026-11-28")
        .output()
        .expect("runcoach runs")
}

const MARATHON: [&str; 20] = [
    "plan",
    "--race",
    "marathon",
    "--race-date",
    "2027-04-25",
    "--start",
    "2026-12-21",
    "--run-days",
    "mon,tue,thu,sat,sun",
    "--long-run-day",
    "sun",
    "--level",
    "first-timer",
    "--weekly-km",
    "25",
    "--longest-run-km",
    "10",
    "--recent",
    "10k:52:30",
    "--new-to-strength",
];

fn with(extra: &[&'static str]) -> Vec<&'static str> {
    MARATHON
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

/// The marathon request with some flags replaced: later flags override
/// earlier ones only for clap's repeatable lists, so build it from scratch.
fn overriding<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = MARATHON.to_vec();
    let mut i = 0;
    while i < extra.len() {
        if let Some(p) = args.iter().position(|a| *a == extra[i]) {
            args[p + 1] = extra[i + 1];
        } else {
            args.extend_from_slice(&extra[i..i + 2]);
        }
        i += 2;
    }
    args
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn marathon_plan_json_follows_the_contract_and_passes_check() {
    let out = runcoach(&with(&["--format", "json", "--equipment", "band,bench"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["race"]["name"], "marathon");
    assert_eq!(v["race"]["distance_m"], 42195);
    assert_eq!(v["race"]["date"], "2027-04-25");
    let weeks = v["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 18);
    assert_eq!(weeks[0]["start"], "2026-12-21");
    assert_eq!(weeks[0]["phase"], "base");
    assert_eq!(weeks[0]["index"], 1);
    assert_eq!(weeks[17]["phase"], "race");
    let sessions: Vec<&serde_json::Value> = weeks
        .iter()
        .flat_map(|w| w["days"].as_array().unwrap())
        .flat_map(|d| d["sessions"].as_array().unwrap())
        .collect();
    assert!(
        sessions
            .iter()
            .all(|s| !s["why"].as_str().unwrap().is_empty())
    );
    let strength = sessions.iter().find(|s| s["kind"] == "strength").unwrap();
    assert!(strength["minutes"].as_u64().unwrap() >= 5);
    let first = &strength["exercises"][0];
    assert!(first["id"].is_string() && first["family"].is_string() && first["sets"].is_u64());
    // Marathon pace from the runner's 10K; the base's fartlek by feel, with
    // its activation drills.
    let paced = sessions
        .iter()
        .find(|s| s["kind"] == "marathon_pace")
        .unwrap();
    assert_eq!(paced["pace_s_per_km"], serde_json::json!([342, 350]));
    let fartlek = sessions
        .iter()
        .find(|s| s["title"].as_str().unwrap().starts_with("Fartlek"))
        .unwrap();
    assert!(fartlek["pace_s_per_km"].is_null());
    assert_eq!(fartlek["rpe"], serde_json::json!([7, 8]));
    assert!(!fartlek["activation"].as_array().unwrap().is_empty());
    assert_eq!(sessions.iter().filter(|s| s["kind"] == "race").count(), 1);

    let file = std::env::temp_dir().join(format!("runcoach-plan-{}.json", std::process::id()));
    std::fs::write(&file, &out.stdout).unwrap();
    let checked = runcoach(&["check", file.to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("passes all guardrails (18 weeks)"));

    // A coach's edit that breaks the rules: a long run on the strength day
    // and a huge jump in volume.
    let mut edited: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let day = &mut edited["weeks"][2]["days"][0]["sessions"];
    day.as_array_mut().unwrap().push(serde_json::json!({
        "kind": "long", "distance_m": 30000, "why": "coach edit"
    }));
    edited["weeks"][2]["run_km"] = serde_json::json!(0.0);
    std::fs::write(&file, serde_json::to_vec(&edited).unwrap()).unwrap();
    let checked = runcoach(&["check", file.to_str().unwrap()]);
    let text = stdout(&checked);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert!(
        text.contains("week 3 (2027-01-04) weekly_progression"),
        "{text}"
    );
    assert!(
        text.contains("week 3 (2027-01-04) strength_long_run_day"),
        "{text}"
    );
    assert!(
        text.contains("week 3 long_run: 2 long runs in one week"),
        "{text}"
    );
    std::fs::remove_file(&file).ok();
}

#[test]
fn bad_plan_requests_get_one_line_and_exit_2() {
    let cases: [(&[&str], &str); 12] = [
        (
            &["--run-days", "mon,tue,mon,sun"],
            "run day 'mon' is given twice",
        ),
        (&["--race", "fast"], "invalid distance 'fast'"),
        (&["--race", "400k"], "outside the 3–100 km"),
        (
            &["--race-date", "2026-11-27", "--start", "2026-11-01"],
            "race date 2026-11-27 has already passed (today is 2026-11-28)",
        ),
        (
            &["--race-date", "2027-01-03", "--start", "2026-12-21"],
            "a marathon needs at least 6 weeks",
        ),
        (&["--run-days", "mon,sun"], "at least 3 days"),
        (
            &["--long-run-day", "wed"],
            "long-run day 'wed' is not one of the run days",
        ),
        (
            &["--race-date", "2026-12-01", "--today", "2026-11-01"],
            "is before the start",
        ),
        (
            &["--strength-days", "5"],
            "--strength-days: 5 strength days a week",
        ),
        (
            &["--run-days", "mon,tue,funday"],
            "unknown weekday 'funday'",
        ),
        (
            &["--weekly-km", "400"],
            "weekly volume 400 km is outside 3–250 km",
        ),
        (
            &["--race-date", "2027-02-30"],
            "'2027-02-30' is not a real date",
        ),
    ];
    for (extra, needle) in cases {
        let out = runcoach(&overriding(extra));
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
    let out = runcoach(&with(&["--weekly-km", "0"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn tiny_volumes_and_odd_weeks_are_planned_not_panicked() {
    for km in ["3", "3.5", "250"] {
        let out = runcoach(&overriding(&["--weekly-km", km, "--longest-run-km", "2"]));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{km}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Weeks start on the chosen weekday; the plan begins on the first one
    // on or after the start asked for.
    let out = runcoach(&with(&["--week-start", "thu", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["weeks"][0]["start"], "2026-12-24");
    let last = v["weeks"].as_array().unwrap().last().unwrap();
    assert_eq!(last["start"], "2027-04-22");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(MARATHON)
        .args(["--format", "markdown"])
        .env_clear()
        .env("RUNCOACH_TODAY", "2026-11-28")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read a little, then hang up like `| head -1` does.
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn check_rejects_files_that_are_not_plans() {
    let file = std::env::temp_dir().join(format!("runcoach-bad-{}.json", std::process::id()));
    std::fs::write(&file, b"{\"weeks\": 3}").unwrap();
    let out = runcoach(&["check", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not a runcoach plan"), "{err}");
    let out = runcoach(&["check", "/nonexistent/plan.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read plan file"));
    std::fs::remove_file(&file).ok();
}

#[test]
fn exercises_json_lists_the_library() {
    let out = runcoach(&["exercises", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = v.as_array().unwrap();
    assert!(all.len() >= 20);
    let clam = all.iter().find(|e| e["id"] == "clamshell").unwrap();
    assert_eq!(clam["family"], "abductors");
    assert_eq!(clam["load"], "light");
    assert_eq!(clam["name"], "Clamshells");
}

#[test]
fn week_at_a_glance_tables() {
    let table = |args: &[&str]| {
        let out = runcoach(args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    insta::assert_snapshot!("first_timer_marathon", table(&MARATHON));
    insta::assert_snapshot!(
        "experienced_10k_miles",
        table(&[
            "plan",
            "--race",
            "10k",
            "--race-date",
            "2027-03-14",
            "--weeks",
            "10",
            "--run-days",
            "tue,wed,thu,sat,sun",
            "--long-run-day",
            "sun",
            "--level",
            "experienced",
            "--weekly-km",
            "45",
            "--recent",
            "5k:21:30",
            "--strength-days",
            "3",
            "--equipment",
            "band",
            "--niggle",
            "knee",
            "--units",
            "mi",
        ])
    );
    insta::assert_snapshot!(
        "half_markdown_week",
        table(&[
            "plan",
            "--race",
            "half",
            "--race-date",
            "2027-03-28",
            "--weeks",
            "12",
            "--run-days",
            "mon,wed,fri,sat",
            "--long-run-day",
            "sat",
            "--level",
            "first-timer",
            "--weekly-km",
            "20",
            "--strength-days",
            "2",
            "--niggle",
            "hip-flexor",
            "--format",
            "markdown",
        ])
        .split("## Week 2")
        .next()
        .unwrap()
        .to_owned()
    );
}

/// The 13 runner profiles of issue #12 (dates as of late November 2026).
const PROFILES: [&str; 13] = [
    "--race marathon --weeks 16 --race-date 2027-04-18 --run-days mon,tue,wed,thu,sat,sun --long-run-day sun --level experienced --weekly-km 70 --longest-run-km 24 --recent 10k:45:00",
    "--race marathon --race-date 2027-05-02 --weeks 20 --run-days tue,thu,sat,sun --long-run-day sat --level first-timer --weekly-km 30 --longest-run-km 12 --new-to-strength --niggle knee",
    "--race marathon --race-date 2027-02-07 --weeks 10 --run-days mon,wed,thu,sat,sun --long-run-day sun --level experienced --weekly-km 50 --longest-run-km 18 --recent half:1:45:00",
    "--race half --race-date 2027-02-28 --weeks 12 --run-days tue,thu,sun --long-run-day sun --level first-timer --weekly-km 15 --longest-run-km 6",
    "--race half --race-date 2027-03-14 --weeks 12 --run-days mon,tue,wed,thu,fri,sat,sun --long-run-day wed --level experienced --weekly-km 95 --longest-run-km 25 --recent half:1:25:00 --units mi",
    "--race 5k --race-date 2027-01-24 --weeks 8 --run-days mon,wed,sat --long-run-day sat --level first-timer --weekly-km 10 --new-to-strength --niggle itb",
    "--race 5k --race-date 2027-01-24 --weeks 8 --run-days mon,tue,wed,thu,fri,sun --long-run-day sun --level experienced --weekly-km 60 --longest-run-km 16 --recent 5k:19:30 --niggle hip-flexor",
    "--race 10k --race-date 2027-02-21 --weeks 12 --run-days mon,tue,thu,fri,sat --long-run-day sat --level experienced --weekly-km 45 --longest-run-km 14 --recent 10k:40:00 --niggle low-back --equipment band,bench --strength-days 3",
    "--race 10k --race-date 2027-01-24 --weeks 8 --run-days tue,thu,sat,sun --long-run-day sun --level first-timer --weekly-km 12 --units mi",
    "--race 50k --race-date 2027-04-18 --weeks 20 --run-days mon,tue,wed,thu,sat,sun --long-run-day sat --level experienced --weekly-km 90 --longest-run-km 30 --recent marathon:3:10:00",
    "--race 30k --race-date 2027-02-21 --weeks 12 --run-days tue,wed,fri,sun --long-run-day sun --level experienced --weekly-km 40 --recent 10k:50:00",
    "--race marathon --race-date 2027-04-15 --weeks 20 --run-days mon,tue,wed,thu,fri,sat,sun --long-run-day thu --level experienced --weekly-km 100 --longest-run-km 30 --recent half:1:20:00 --equipment band,bench --strength-days 3",
    "--race marathon --race-date 2027-03-21 --weeks 16 --run-days mon,wed,fri,sun --long-run-day sun --level first-timer --weekly-km 15 --longest-run-km 8 --new-to-strength",
];

fn profile(flags: &str, extra: &[&str]) -> Output {
    let mut args = vec!["plan"];
    args.extend(flags.split(' '));
    args.extend(extra);
    runcoach(&args)
}

#[test]
fn the_thirteen_profiles_pass_the_checker() {
    for (i, flags) in PROFILES.iter().enumerate() {
        let out = profile(flags, &["--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "profile {}: {}",
            i + 1,
            String::from_utf8_lossy(&out.stderr)
        );
        let file = std::env::temp_dir().join(format!(
            "runcoach-profile-{}-{}.json",
            std::process::id(),
            i + 1
        ));
        std::fs::write(&file, &out.stdout).unwrap();
        let checked = runcoach(&["check", file.to_str().unwrap()]);
        assert_eq!(
            checked.status.code(),
            Some(0),
            "profile {}: {}",
            i + 1,
            stdout(&checked)
        );
        std::fs::remove_file(&file).ok();
    }
    // A marathon two weeks away is refused, not planned.
    let out = profile(PROFILES[0], &["--weeks", "2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The four plans a coach reads week by week when the engine changes.
#[test]
fn coach_review_plans() {
    let table = |flags: &str| {
        let out = profile(flags, &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out)
    };
    insta::assert_snapshot!("first_timer_half_3_days", table(PROFILES[3]));
    insta::assert_snapshot!("experienced_marathon_6_days", table(PROFILES[0]));
    insta::assert_snapshot!(
        "first_timer_5k_3_days_knee",
        table(&PROFILES[5].replace("--niggle itb", "--niggle knee"))
    );
    insta::assert_snapshot!("experienced_50k", table(PROFILES[9]));
}

/// Issue #12's first finding: 70 km a week on four days for a 10K is not
/// planned as a 30 km "easy" run; the plan is still made, and says what to do.
#[test]
fn volume_the_run_days_cannot_carry_is_a_warning_with_options() {
    let out = profile(
        "--race 10k --race-date 2027-02-21 --weeks 12 --run-days tue,thu,sat,sun --long-run-day sun --level experienced --weekly-km 70 --recent 10k:38:00",
        &["--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warning = v["warnings"][0].as_str().unwrap();
    assert!(
        warning.contains("4 run days do not carry the volume"),
        "{warning}"
    );
    assert!(
        warning.contains("run 5 days a week") && warning.contains("from less volume (about "),
        "{warning}"
    );
    for w in v["weeks"].as_array().unwrap() {
        let sessions: Vec<&serde_json::Value> = w["days"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|d| d["sessions"].as_array().unwrap())
            .collect();
        let long = sessions
            .iter()
            .filter(|s| s["kind"] == "long")
            .filter_map(|s| s["distance_m"].as_f64())
            .fold(0.0, f64::max);
        for s in sessions.iter().filter(|s| s["kind"] == "easy") {
            let m = s["distance_m"].as_f64().unwrap();
            assert!(
                long == 0.0 || m <= 0.75 * long + 500.0,
                "{m} vs long {long}"
            );
        }
    }
}
