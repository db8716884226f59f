use std::fmt;

use super::ParseError;

const METRES_PER_MILE: f64 = 1609.344;
/// Longer than any race a plan is built for; beyond it a typo is likelier.
const MAX_METRES: f64 = 1_000_000.0;

/// The distances a pace table lists, shortest first.
pub const STANDARD_DISTANCES: [(&str, f64); 9] = [
    ("1500m", 1500.0),
    ("mile", METRES_PER_MILE),
    ("3000m", 3000.0),
    ("2mile", 2.0 * METRES_PER_MILE),
    ("5k", 5000.0),
    ("10k", 10_000.0),
    ("15k", 15_000.0),
    ("half", 21_097.5),
    ("marathon", 42_195.0),
];

const ALIASES: [(&str, &str); 8] = [
    ("1mile", "mile"),
    ("1mi", "mile"),
    ("2mi", "2mile"),
    ("2miles", "2mile"),
    ("half-marathon", "half"),
    ("halfmarathon", "half"),
    ("hm", "half"),
    ("full", "marathon"),
];

/// A race or run distance: positive, finite, at most 1000 km.
#[derive(Debug, Clone, PartialEq)]
pub struct Distance {
    metres: f64,
    name: String,
}

impl Distance {
    /// A distance in metres; `None` unless positive, finite and at most 1000 km.
    pub fn from_metres(metres: f64) -> Option<Self> {
        (metres.is_finite() && metres > 0.0 && metres <= MAX_METRES).then(|| Self {
            metres,
            name: standard_name(metres)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{}m", trim_number(metres))),
        })
    }

    /// One of [`STANDARD_DISTANCES`] by name.
    pub fn standard(name: &str) -> Option<Self> {
        STANDARD_DISTANCES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(n, m)| Self {
                metres: m,
                name: n.to_owned(),
            })
    }

    pub fn metres(&self) -> f64 {
        self.metres
    }

    pub fn km(&self) -> f64 {
        self.metres / 1000.0
    }

    /// `5k`, `marathon`, or the custom form such as `12.5k`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

fn standard_name(metres: f64) -> Option<&'static str> {
    STANDARD_DISTANCES
        .iter()
        .find(|(_, m)| (m - metres).abs() < 0.5)
        .map(|(n, _)| *n)
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl std::str::FromStr for Distance {
    type Err = ParseError;

    /// Reads `5k`, `half`, `marathon`, `mile`, `1500m`, `12.5km`, `8mi`, `50k`.
    fn from_str(input: &str) -> Result<Self, ParseError> {
        let text = input.trim().to_ascii_lowercase().replace(' ', "");
        let text = ALIASES
            .iter()
            .find(|(a, _)| *a == text)
            .map_or(text.as_str(), |(_, canonical)| canonical);
        if let Some(d) = Self::standard(text) {
            return Ok(d);
        }
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let expected = "expected e.g. 5k, 10k, half, marathon, 1500m, 12.5km or 8mi";
        let value: f64 = number
            .parse()
            .map_err(|_| ParseError::new(format!("invalid distance '{input}': {expected}")))?;
        let (factor, suffix) = match unit {
            "k" | "km" => (1000.0, "k"),
            "m" => (1.0, "m"),
            "mi" | "mile" | "miles" => (METRES_PER_MILE, "mi"),
            "" => {
                return Err(ParseError::new(format!(
                    "distance '{input}' has no unit: {expected}"
                )));
            }
            _ => {
                return Err(ParseError::new(format!(
                    "unknown unit '{unit}' in distance '{input}': {expected}"
                )));
            }
        };
        if !value.is_finite() || value <= 0.0 {
            return Err(ParseError::new(format!(
                "distance '{input}' must be greater than zero"
            )));
        }
        let metres = value * factor;
        if metres > MAX_METRES {
            return Err(ParseError::new(format!(
                "distance '{input}' is longer than 1000 km"
            )));
        }
        Ok(match standard_name(metres) {
            Some(name) => Self::standard(name).expect("standard name"),
            None => Self {
                metres,
                name: format!("{}{suffix}", trim_number(value)),
            },
        })
    }
}

impl fmt::Display for Distance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Distance, ParseError> {
        s.parse()
    }

    #[test]
    fn named_and_free_forms() {
        let cases = [
            ("5k", "5k", 5000.0),
            ("5KM", "5k", 5000.0),
            ("10k", "10k", 10_000.0),
            ("15k", "15k", 15_000.0),
            ("half", "half", 21_097.5),
            ("Half-Marathon", "half", 21_097.5),
            ("marathon", "marathon", 42_195.0),
            ("1500m", "1500m", 1500.0),
            ("mile", "mile", 1609.344),
            ("3000m", "3000m", 3000.0),
            ("2mile", "2mile", 3218.688),
            ("12.5km", "12.5k", 12_500.0),
            ("8mi", "8mi", 12_874.752),
            ("30k", "30k", 30_000.0),
            ("50k", "50k", 50_000.0),
            ("42.195km", "marathon", 42_195.0),
        ];
        for (input, name, metres) in cases {
            let d = parse(input).unwrap();
            assert_eq!(d.name(), name, "{input}");
            assert!(
                (d.metres() - metres).abs() < 1e-6,
                "{input}: {}",
                d.metres()
            );
        }
    }

    #[test]
    fn bad_distances_name_the_problem() {
        assert_eq!(
            parse("0km").unwrap_err().0,
            "distance '0km' must be greater than zero"
        );
        assert_eq!(
            parse("-5k").unwrap_err().0,
            "distance '-5k' must be greater than zero"
        );
        assert!(parse("5").unwrap_err().0.contains("has no unit"));
        assert!(
            parse("5furlongs")
                .unwrap_err()
                .0
                .contains("unknown unit 'furlongs'")
        );
        assert!(
            parse("abc")
                .unwrap_err()
                .0
                .starts_with("invalid distance 'abc'")
        );
        assert!(
            parse("2000km")
                .unwrap_err()
                .0
                .contains("longer than 1000 km")
        );
    }
}
