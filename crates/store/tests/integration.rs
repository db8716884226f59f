//! The store crate's integration tests, one binary (one link, and every
//! test free to run beside any other): each file in tests/ is a module
//! below. A file left out would never run, so core's
//! `every_test_file_is_a_module` checks every crate's list. (The file is
//! not `main.rs`: proptest would then keep its regressions in
//! `proptest-regressions/` instead of beside each test file.)

mod activities;
mod common;
mod contract;
mod feeds;
mod jobs;
mod owners;
