//! runcoach's application layer: each module is one area of use-cases
//! (the shop today; accounts, plans, the log, imports, feeds, affiliates
//! and coaching move or arrive here). A use-case takes who is acting,
//! typed inputs and the database, runs as one transaction, and returns a
//! typed result or a domain error. No HTTP types: the web API, the pages
//! and the command line are adapters over it.

pub mod accounts;
mod actor;
pub mod affiliates;
pub mod calendar;
pub mod coaching;
pub mod feeds;
pub mod imports;
pub mod jobs;
pub mod log;
pub mod mail;
pub mod plans;
pub mod progress;
pub mod secrets;
pub mod shop;

pub use actor::Actor;
