//! The server crate's integration tests, one binary (one link, and every
//! test free to run beside any other): each file in tests/ is a module
//! below. A file left out would never run, so core's
//! `every_test_file_is_a_module` checks every crate's list. (The file is
//! not `main.rs`: proptest would then keep its regressions in
//! `proptest-regressions/` instead of beside each test file.)

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
mod runner_words;
mod settings;
mod shop;
mod strength_pages;
mod tokens;
mod training_log;
