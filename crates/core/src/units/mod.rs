//! Distances, race times and paces, parsed once at the edge.
//!
//! Parse, don't validate: a value of these types is always positive and
//! finite, so nothing downstream re-checks it.

mod distance;
mod pace;
mod race_time;

pub use distance::{Distance, STANDARD_DISTANCES};
pub use pace::{Pace, Units};
pub use race_time::{RaceTime, format_clock};

/// Why a piece of user input could not be read; the message names the input
/// and says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(msg: impl Into<String>) -> Self {
        Self(msg.into())
    }
}

/// Writes `5000` rather than `5000.0` when a number is whole, so JSON reads
/// the way people write distances and times.
pub fn serialize_number<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        s.serialize_i64(*x as i64)
    } else {
        s.serialize_f64(*x)
    }
}
