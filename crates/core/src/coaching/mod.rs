//! Coaching rules: which athletes need a coach's attention, and how much.
//! Pure: the roster gathers the signals, these rules judge them.

pub mod alerts;

pub use alerts::{Alert, PainMark, Signals, alerts, attention};
