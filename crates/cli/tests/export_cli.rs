//! `runcoach export fit|ics` and `runcoach plan --format ics` as processes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use runcoach_core::plan::{Plan, SessionKind};
use runcoach_formats::fit_workout::{crc16, encode};
use runcoach_formats::plan_export::{kind_name, planned_sessions, session_workout};

fn runcoach(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runcoach"))
        .args(args)
        .env_clear()
        // A fixed "today" keeps these plans valid after their dates pass.
        .env("RUNCOACH_TODAY", "2026-07-01")
        .output()
        .expect("runcoach runs")
}

const PLAN: [&str; 19] = [
    "plan",
    "--race",
    "half",
    "--race-date",
    "2026-10-04",
    "--weeks",
    "10",
    "--run-days",
    "mon,wed,thu,sat,sun",
    "--long-run-day",
    "sun",
    "--level",
    "experienced",
    "--weekly-km",
    "40",
    "--recent",
    "10k:50:00",
    "--strength-days",
    "2",
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("runcoach-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn plan_file(dir: &Path) -> (PathBuf, Plan) {
    let mut args = PLAN.to_vec();
    args.extend(["--format", "json"]);
    let out = runcoach(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("plan.json");
    std::fs::write(&path, &out.stdout).unwrap();
    (path, serde_json::from_slice(&out.stdout).unwrap())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn exportable(k: SessionKind) -> bool {
    k.is_run() || matches!(k, SessionKind::Strength | SessionKind::Mobility)
}

#[test]
fn export_fit_writes_one_file_per_session() {
    let dir = scratch("all");
    let (plan_path, plan) = plan_file(&dir);
    let out_dir = dir.join("watch");
    let out = runcoach(&[
        "export",
        "fit",
        "--plan",
        plan_path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sessions: Vec<_> = planned_sessions(&plan)
        .into_iter()
        .filter(|p| exportable(p.session.kind))
        .collect();
    let runs = sessions.iter().filter(|p| p.session.kind.is_run()).count();
    assert_eq!(
        stdout(&out),
        format!(
            "wrote {} workout files to {} (10 weeks: {runs} runs, {} strength and mobility)\n",
            sessions.len(),
            out_dir.display(),
            sessions.len() - runs
        )
    );
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), sessions.len());
    for p in &sessions {
        let name = format!("{}-{}.fit", p.date, kind_name(p.session.kind));
        let bytes = std::fs::read(out_dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&bytes[8..12], b".FIT", "{name}");
        assert_eq!(crc16(&bytes), 0, "{name}: CRC");
        assert_eq!(bytes, encode(&session_workout(p.session, p.date)), "{name}");
    }
    assert!(files.iter().any(|f| f.ends_with("-long.fit")));
    assert!(files.iter().any(|f| f.ends_with("-strength.fit")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_fit_one_week() {
    let dir = scratch("week");
    let (plan_path, plan) = plan_file(&dir);
    let out_dir = dir.join("w3");
    let out = runcoach(&[
        "export",
        "fit",
        "--plan",
        plan_path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--week",
        "3",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let week = &plan.weeks[2];
    let expected: Vec<String> = week
        .sessions()
        .filter(|(_, s)| exportable(s.kind))
        .map(|(d, s)| format!("{}-{}.fit", d.date, kind_name(s.kind)))
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut sorted = expected.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(stdout(&out).contains(&format!("wrote {} workout files", expected.len())));
    assert!(stdout(&out).contains("(week 3: "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_fit_bad_input_is_one_line_and_exit_2() {
    let dir = scratch("bad");
    let (plan_path, _) = plan_file(&dir);
    let garbage = dir.join("notes.json");
    std::fs::write(&garbage, "{\"hello\": 1}").unwrap();
    let out_dir = dir.join("out");
    let plan_arg = plan_path.to_str().unwrap();
    let garbage_arg = garbage.to_str().unwrap();
    let cases: [(Vec<&str>, String); 3] = [
        (
            vec!["--plan", "/nonexistent/plan.json"],
            "runcoach: cannot read plan file /nonexistent/plan.json: ".to_owned(),
        ),
        (
            vec!["--plan", garbage_arg],
            format!("runcoach: {} is not a runcoach plan: ", garbage.display()),
        ),
        (
            vec!["--plan", plan_arg, "--week", "11"],
            "runcoach: --week 11: the plan has weeks 1–10".to_owned(),
        ),
    ];
    for (extra, start) in cases {
        let mut args = vec!["export", "fit", "--out", out_dir.to_str().unwrap()];
        args.extend(extra);
        let out = runcoach(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with(&start), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(stdout(&out).is_empty());
    }
    assert!(!out_dir.exists(), "nothing written on bad input");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_format_ics_is_deterministic_and_matches_export_ics() {
    let mut args = PLAN.to_vec();
    args.extend(["--format", "ics", "--units", "mi"]);
    let a = runcoach(&args);
    assert!(a.status.success(), "{}", stderr(&a));
    let b = runcoach(&args);
    assert_eq!(a.stdout, b.stdout, "same input, same bytes");
    let feed = stdout(&a);
    assert!(feed.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(feed.ends_with("END:VCALENDAR\r\n"));
    assert!(feed.contains("X-WR-CALNAME:runcoach: half on 2026-10-04\r\n"));

    let dir = scratch("ics");
    let (_, plan) = plan_file(&dir);
    let start = plan.weeks[0].start.strftime("%Y%m%d").to_string();
    // The same plan built in miles: its explanations are in miles too.
    let mut json_args = PLAN.to_vec();
    json_args.extend(["--format", "json", "--units", "mi"]);
    let in_miles = runcoach(&json_args);
    let plan_path = dir.join("plan-mi.json");
    std::fs::write(&plan_path, &in_miles.stdout).unwrap();
    assert!(feed.contains(&format!("DTSTAMP:{start}T000000Z\r\n")));
    let events = feed.matches("BEGIN:VEVENT").count();
    assert_eq!(events, planned_sessions(&plan).len());
    // Miles in summaries.
    assert!(feed.contains(" mi\r\n"), "miles in summaries");

    let exported = runcoach(&[
        "export",
        "ics",
        "--plan",
        plan_path.to_str().unwrap(),
        "--units",
        "mi",
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert_eq!(exported.stdout, a.stdout, "plan --format ics = export ics");

    let busy = runcoach(&[
        "export",
        "ics",
        "--plan",
        plan_path.to_str().unwrap(),
        "--busy-only",
        "--dtstamp",
        "2026-01-02T03:04:05Z",
    ]);
    assert!(busy.status.success(), "{}", stderr(&busy));
    let busy = stdout(&busy);
    assert_eq!(busy.matches("SUMMARY:Busy\r\n").count(), events);
    assert!(!busy.contains("DESCRIPTION"));
    assert_eq!(busy.matches("DTSTAMP:20260102T030405Z\r\n").count(), events);

    let bad = runcoach(&[
        "export",
        "ics",
        "--plan",
        plan_path.to_str().unwrap(),
        "--dtstamp",
        "yesterday",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(stderr(&bad).lines().count(), 1, "{}", stderr(&bad));
    let _ = std::fs::remove_dir_all(&dir);
}
