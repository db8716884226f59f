//! The `runcoach` binary as a runner uses it: real processes, real exit codes.

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

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = runcoach(args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn paces_json_follows_the_contract() {
    let v = json(&["paces", "--race", "5k", "--time", "19:57", "--json"]);
    assert_eq!(v["vdot"], 50.0);
    assert_eq!(v["race"]["distance_m"], 5000);
    assert_eq!(v["race"]["time_s"], 1197);
    let names: Vec<&str> = v["equivalents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "1500m", "mile", "3000m", "2mile", "5k", "10k", "15k", "half", "marathon"
        ]
    );
    let p = &v["paces"];
    assert_eq!(p["threshold"]["s_per_km"], 255);
    assert_eq!(p["interval"]["s_per_km"], 235);
    assert_eq!(p["marathon"]["s_per_km"], 271);
    assert!(p["easy"]["fast_s_per_km"].as_i64() < p["easy"]["slow_s_per_km"].as_i64());
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn predict_json_follows_the_contract() {
    let v = json(&[
        "predict", "--race", "10k", "--time", "41:21", "--target", "marathon", "--model", "riegel",
        "--json",
    ]);
    assert_eq!(v["model"], "riegel");
    assert_eq!(v["target"]["name"], "marathon");
    assert_eq!(v["target"]["distance_m"], 42195);
    assert_eq!(v["target"]["time_s"], 11413.1);
}

#[test]
fn miles_show_per_mile_paces() {
    let out = runcoach(&["paces", "--race", "5k", "--time", "19:57", "--units", "mi"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Threshold  6:51/mi"), "{text}");
}

#[test]
fn bad_input_gets_one_clear_line_and_exit_2() {
    let cases: [(&[&str], &str); 8] = [
        (
            &["paces", "--race", "5k", "--time", "abc"],
            "invalid time 'abc'",
        ),
        (
            &["paces", "--race", "5k", "--time", "0:00"],
            "time '0:00' must be greater than zero",
        ),
        (
            &["paces", "--race", "0km", "--time", "20:00"],
            "distance '0km' must be greater than zero",
        ),
        (
            &["paces", "--race", "-5k", "--time", "20:00"],
            "distance '-5k' must be greater than zero",
        ),
        (
            &["paces", "--race", "5k", "--time", "11:00"],
            "faster than the world record (12:35.4)",
        ),
        (
            &["paces", "--race", "5k", "--time", "20:00", "--pace"],
            "unexpected argument '--pace'",
        ),
        (
            &[
                "predict", "--race", "5k", "--time", "20:00", "--target", "5k", "--model", "magic",
            ],
            "unknown model 'magic'",
        ),
        (&["paces", "--time", "20:00"], "--race <RACE>"),
    ];
    for (args, needle) in cases {
        let out = runcoach(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn out_of_range_vdot_still_answers_with_a_warning() {
    let out = runcoach(&["paces", "--race", "5k", "--time", "45:00", "--json"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).starts_with("warning: VDOT 18.7 is outside 30–85"),
        "{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
}
