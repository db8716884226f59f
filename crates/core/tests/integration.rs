//! The core crate's integration tests, one binary (one link, and every
//! test free to run beside any other): each file in tests/ is a module
//! below. A file left out would never run, so core's
//! `every_test_file_is_a_module` checks every crate's list. (The file is
//! not `main.rs`: proptest would then keep its regressions in
//! `proptest-regressions/` instead of beside each test file.)

mod adapt_scenarios;
mod coach_review;
mod coach_rules;
mod daniels_tables;
mod edit_props;
mod fuzz_plan_request;
mod history;
mod load_metrics;
mod long_runs;
mod plan_props;
mod science_props;
mod shop_props;
mod small_weeks;

/// Every crate's `tests/*.rs` is a module of its `tests/integration.rs`
/// (with `autotests = false`, a file left out would never run).
#[test]
fn every_test_file_is_a_module() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for krate in std::fs::read_dir(&crates).unwrap() {
        let tests = krate.unwrap().path().join("tests");
        let Ok(listing) = std::fs::read_to_string(tests.join("integration.rs")) else {
            continue;
        };
        for entry in std::fs::read_dir(&tests).unwrap() {
            let path = entry.unwrap().path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().is_some_and(|e| e == "rs") && stem != "integration" {
                assert!(
                    listing.contains(&format!("\nmod {stem};")),
                    "{} is not a module of its tests/integration.rs: it never runs",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} test files found under {}",
        crates.display()
    );
}
