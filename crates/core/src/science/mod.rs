//! Pace science: what a race result says about a runner's fitness, what it
//! predicts at other distances, and the training paces that follow.

mod paces;
mod predict;
mod race_result;
mod records;
mod report;
mod vdot;

pub use paces::{PaceRange, TrainingPaces};
pub use predict::{Model, predict};
pub use race_result::RaceResult;
pub use records::world_record;
pub use report::{PaceReport, Prediction};
pub use vdot::{Vdot, VdotWarning, equivalent_time, race_vdot};
