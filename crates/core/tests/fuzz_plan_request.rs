//! Fuzzing the plan request on stable Rust: a valid API request body with
//! random damage (bytes flipped, cut, spliced; numbers and dates pushed to
//! extremes) is parsed, validated and, when valid, built into a plan. None
//! of it may panic. Bounded for CI (FUZZ_CASES, default 32); bench/fuzz.sh
//! runs it longer.

use proptest::prelude::*;
use runcoach_core::plan::{PlanInput, build_plan};

const VALID: &str = r#"{"race":"half","race_date":"2027-03-28","weeks":12,"run_days":["tue","thu","sat","sun"],"long_run_day":"sun","level":"first-timer","weekly_km":20,"strength_days":2,"recent":{"distance":"10k","time":"55:00"},"equipment":["band"],"niggles":["knee"],"units":"km","week_start":"mon"}"#;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// Values a field might be replaced with: extremes, wrong types, odd text.
fn odd_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("1e308".to_owned()),
        Just("4294967296".to_owned()),
        Just("255".to_owned()),
        Just("null".to_owned()),
        Just("\"9999-12-31\"".to_owned()),
        Just("\"-009999-01-01\"".to_owned()),
        Just("\"1900-01-01\"".to_owned()),
        Just("[]".to_owned()),
        Just("\"\"".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        "\"[^\"\\\\]{0,40}\"",
    ]
}

const KEYS: &[&str] = &[
    "race",
    "race_date",
    "weeks",
    "run_days",
    "long_run_day",
    "level",
    "weekly_km",
    "strength_days",
    "recent",
    "equipment",
    "niggles",
    "units",
    "week_start",
    "start",
    "longest_run_km",
    "today",
    "self_check",
    "new_to_strength",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Fields replaced by odd values: parsed, validated, built, no panic.
    #[test]
    fn odd_field_values_never_panic(changes in proptest::collection::vec((0..KEYS.len(), odd_value()), 1..5)) {
        let mut doc: serde_json::Map<String, serde_json::Value> = serde_json::from_str(VALID).unwrap();
        for (k, v) in &changes {
            if let Ok(value) = serde_json::from_str(v) {
                doc.insert(KEYS[*k].to_owned(), value);
            }
        }
        run(serde_json::to_vec(&doc).unwrap().as_slice());
    }

    /// The body's bytes damaged.
    #[test]
    fn damaged_request_bytes_never_panic(
        edits in proptest::collection::vec((0.0..1.0f64, any::<u8>(), 0..3u8), 1..8)
    ) {
        let mut bytes = VALID.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = ((at * bytes.len() as f64) as usize).min(bytes.len().saturating_sub(1));
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
            if bytes.is_empty() { break; }
        }
        run(&bytes);
    }
}

fn run(body: &[u8]) {
    let Ok(input) = serde_json::from_slice::<PlanInput>(body) else {
        return;
    };
    let today = jiff::civil::date(2026, 11, 28);
    if let Ok(request) = input.validate_on(today) {
        let plan = build_plan(&request);
        let _ = runcoach_core::guardrails::check(&plan);
    }
}
