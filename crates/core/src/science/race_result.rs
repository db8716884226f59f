//! A race result a runner reports: a distance and a plausible time.

use crate::science::records::world_record;
use crate::science::vdot::{Vdot, race_vdot};
use crate::units::{Distance, ParseError, RaceTime, format_clock};

/// A distance and time that can both be read and that beat no world record.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceResult {
    distance: Distance,
    time: RaceTime,
    vdot: Vdot,
}

impl RaceResult {
    pub fn new(distance: Distance, time: RaceTime) -> Result<Self, ParseError> {
        let record = world_record(&distance);
        if time < record {
            return Err(ParseError(format!(
                "{distance} in {time} is faster than the world record ({}); check the time",
                format_clock(record.seconds())
            )));
        }
        let vdot = race_vdot(&distance, time).ok_or_else(|| {
            ParseError(format!(
                "{distance} in {time} is slower than walking pace; check the time"
            ))
        })?;
        Ok(Self {
            distance,
            time,
            vdot,
        })
    }

    pub fn distance(&self) -> &Distance {
        &self.distance
    }

    pub fn time(&self) -> RaceTime {
        self.time
    }

    pub fn vdot(&self) -> Vdot {
        self.vdot
    }
}

impl std::str::FromStr for RaceResult {
    type Err = ParseError;

    /// Reads `10k:52:30` or `half:1:45:00`: distance, a colon, then the time.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let (distance, time) = s.split_once(':').ok_or_else(|| {
            ParseError(format!(
                "invalid race result '{s}': expected DISTANCE:TIME, e.g. 10k:52:30"
            ))
        })?;
        Self::new(distance.parse()?, time.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_distance_and_time() {
        let r: RaceResult = "10k:52:30".parse().unwrap();
        assert_eq!(r.distance().name(), "10k");
        assert_eq!(r.time().seconds(), 3150.0);
        let h: RaceResult = "half:1:45:00".parse().unwrap();
        assert_eq!(h.time().seconds(), 6300.0);
    }

    #[test]
    fn refuses_impossible_results() {
        let err = "5k:11:00".parse::<RaceResult>().unwrap_err().0;
        assert_eq!(
            err,
            "5k in 11:00 is faster than the world record (12:35.4); check the time"
        );
        assert!(
            "10k"
                .parse::<RaceResult>()
                .unwrap_err()
                .0
                .contains("DISTANCE:TIME")
        );
        assert!(
            "400m:59:00"
                .parse::<RaceResult>()
                .unwrap_err()
                .0
                .contains("slower than walking pace")
        );
    }
}
