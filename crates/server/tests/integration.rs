//! The server crate's integration tests, one binary (one link, and
//! every test free to run beside any other): each file below is a
//! module. A file in tests/ that is not listed here would never run;
//! `every_test_file_is_a_module` fails when one is missing. (Not `main.rs`:
//! proptest would then keep its regressions under `proptest-regressions/`
//! instead of beside each test file, where they are.)

mod account_email;
mod accounts_hardening;
mod affiliates;
mod api;
mod athlete_day;
mod coaching;
mod coaching_slots;
mod coaching_templates;
mod common;
mod concurrent_logs;
mod connections;
mod daily_pages;
mod dates;
mod feeds;
mod form_pages;
mod import_jobs;
mod import_limits;
mod imports;
mod login_limits;
mod nul;
mod observability;
mod onboarding_prefill;
mod origin;
mod plan_edits;
mod proxy_https;
mod recorded_runs;
mod settings;
mod shop;
mod strength_pages;
mod tokens;
mod training_log;

#[test]
fn every_test_file_is_a_module() {
    let here = include_str!("integration.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "integration" {
            assert!(
                here.contains(&format!("\nmod {stem};")),
                "tests/{stem}.rs is not a module of tests/integration.rs: it never runs"
            );
        }
    }
}
