//! runcoach's domain, pure: no IO, no async, no clocks.
//!
//! Everything a plan, a pace table or a guardrail needs is computed here so
//! the CLI, the web server and the checker share one set of rules.

pub mod adapt;
pub mod affiliate;
pub mod coaching;
pub mod dates;
pub mod exercise_search;
pub mod exercises;
pub mod guardrails;
pub mod history;
pub mod load;
pub mod matching;
pub mod pacing;
pub mod plan;
pub mod poses;
pub mod science;
pub mod shop;
pub mod sport;
pub mod status;
pub mod units;
