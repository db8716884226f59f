//! The app crate's integration tests, one binary (one link, and
//! every test free to run beside any other): each file below is a
//! module. A file in tests/ that is not listed here would never run;
//! `every_test_file_is_a_module` fails when one is missing. (Not `main.rs`:
//! proptest would then keep its regressions under `proptest-regressions/`
//! instead of beside each test file, where they are.)

mod affiliates;
mod coaching_access;
mod jobs;
mod roster;
mod shop;
mod standing;

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
