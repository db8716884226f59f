//! Importing history: the engine that decodes and stores activity files
//! (used by `runcoach import` directly), and uploads run as durable jobs.

mod engine;
pub mod matching;
pub mod uploads;

pub use engine::{
    DecodeStats, ImportOptions, ImportReport, MAX_FILE_BYTES, Problem, Progress, RUNNING_SPORTS,
    Salvage, UPLOAD_LIMIT, WINDOW, Work, ZIP_WINDOW, decode_only, is_zip, plan_work, run_import,
    same_activity,
};
