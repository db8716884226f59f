use std::fmt;

use super::ParseError;
use super::race_time::format_clock;

const KM_PER_MILE: f64 = 1.609344;

/// Distance units a runner reads paces and volumes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    #[default]
    Km,
    Mi,
}

impl Units {
    /// Kilometres in one of this unit.
    pub fn km(self) -> f64 {
        match self {
            Units::Km => 1.0,
            Units::Mi => KM_PER_MILE,
        }
    }

    /// A distance given in km, in these units: "5.0 km", "3.1 mi".
    pub fn distance(self, km: f64) -> String {
        format!("{:.1} {}", km / self.km(), self.label())
    }

    pub fn label(self) -> &'static str {
        match self {
            Units::Km => "km",
            Units::Mi => "mi",
        }
    }
}

impl std::str::FromStr for Units {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "km" | "metric" => Ok(Units::Km),
            "mi" | "mile" | "miles" | "imperial" => Ok(Units::Mi),
            _ => Err(ParseError::new(format!(
                "unknown units '{s}': expected km or mi"
            ))),
        }
    }
}

impl fmt::Display for Units {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A running pace, stored as seconds per kilometre.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Pace(f64);

impl Pace {
    /// `None` unless positive and finite.
    pub fn from_s_per_km(s: f64) -> Option<Self> {
        (s.is_finite() && s > 0.0).then_some(Self(s))
    }

    /// The pace of covering `metres` in `seconds`.
    pub fn of(metres: f64, seconds: f64) -> Option<Self> {
        Self::from_s_per_km(seconds / metres * 1000.0)
    }

    pub fn s_per_km(self) -> f64 {
        self.0
    }

    /// Seconds per kilometre or per mile.
    pub fn seconds_per(self, units: Units) -> f64 {
        self.0 * units.km()
    }

    /// `4:15/km`.
    pub fn display(self, units: Units) -> String {
        format!(
            "{}/{}",
            format_clock(self.seconds_per(units).round()),
            units
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_in_either_unit() {
        let p = Pace::of(5000.0, 1197.0).unwrap();
        assert!((p.s_per_km() - 239.4).abs() < 1e-9);
        assert_eq!(p.display(Units::Km), "3:59/km");
        assert_eq!(p.display(Units::Mi), "6:25/mi");
        assert_eq!("miles".parse::<Units>().unwrap(), Units::Mi);
        assert_eq!(
            "furlong".parse::<Units>().unwrap_err().0,
            "unknown units 'furlong': expected km or mi"
        );
    }
}
