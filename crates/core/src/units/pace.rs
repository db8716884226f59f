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

    /// A distance given in km, in these units: "5.0 km", "3.1 mi". Every
    /// distance a runner reads is written here (or by [`Units::amount`]).
    pub fn distance(self, km: f64) -> String {
        format!("{} {}", self.amount(km), self.label())
    }

    /// The number alone, one decimal: "7.5" for 12.07 km in miles. Never
    /// "-0.0": a tiny negative (a rounding leftover) is written as zero.
    pub fn amount(self, km: f64) -> String {
        let x = (km / self.km() * 10.0).round() / 10.0;
        // Adding 0.0 turns -0.0 into 0.0 (IEEE 754).
        format!("{:.1}", x + 0.0)
    }

    /// `text` with every distance written in `from` units, as
    /// [`Units::distance`] writes them ("16.0 km"), rewritten in these
    /// units ("9.9 mi"): wording stored when a plan was made in one unit
    /// reads in the runner's current one.
    pub fn restate(self, text: &str, from: Units) -> String {
        if from == self {
            return text.to_owned();
        }
        let label = format!(" {}", from.label());
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(&label) {
            let (before, after) = rest.split_at(at);
            let after = &after[label.len()..];
            let number_start = before
                .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map_or(0, |i| {
                    i + before[i..].chars().next().map_or(1, char::len_utf8)
                });
            let number = &before[number_start..];
            let whole_word = !after.starts_with(|c: char| c.is_alphanumeric());
            match number.parse::<f64>() {
                Ok(n) if whole_word && !number.is_empty() => {
                    out.push_str(&before[..number_start]);
                    out.push_str(&self.distance(n * from.km()));
                }
                _ => {
                    out.push_str(before);
                    out.push_str(&label);
                }
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// The other unit: the one stored wording may have been written in.
    pub fn other(self) -> Units {
        match self {
            Units::Km => Units::Mi,
            Units::Mi => Units::Km,
        }
    }

    /// Stored wording (a session's why and title, a week's note, an
    /// adjustment) read in these units: every distance ("16.0 km") and pace
    /// ("5:37/km", "5:37–5:45/km") written in the other unit is rewritten.
    /// The one path from stored text to a page or a feed, so a runner who
    /// switched units never reads both on one page.
    pub fn localise(self, text: &str) -> String {
        let from = self.other();
        self.restate_paces(&self.restate(text, from), from)
    }

    /// Paces written per `from` unit ("4:30/km", "5:37–5:45/km") in these
    /// units.
    fn restate_paces(self, text: &str, from: Units) -> String {
        let label = format!("/{}", from.label());
        let per = |clock: &str| -> Option<String> {
            let (m, s) = clock.split_once(':')?;
            if s.len() != 2 {
                return None;
            }
            let (m, s): (u32, u32) = (m.parse().ok()?, s.parse().ok()?);
            if s >= 60 {
                return None;
            }
            let secs = f64::from(m * 60 + s) / from.km() * self.km();
            Some(format_clock(secs.round()))
        };
        // The clock that ends `before`, as (start, text).
        let clock_end = |before: &str| -> (usize, String) {
            let start = before
                .rfind(|c: char| !(c.is_ascii_digit() || c == ':'))
                .map_or(0, |i| {
                    i + before[i..].chars().next().map_or(1, char::len_utf8)
                });
            (start, before[start..].to_owned())
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(&label) {
            let (before, after) = rest.split_at(at);
            let after = &after[label.len()..];
            let whole_word = !after.starts_with(|c: char| c.is_alphanumeric());
            let (start, slow) = clock_end(before);
            match per(&slow).filter(|_| whole_word) {
                Some(slow) => {
                    // A band: "5:37–5:45/km" has its unit once, at the end.
                    let head = &before[..start];
                    let band = head.strip_suffix('–').map(|h| (h, clock_end(h)));
                    match band.and_then(|(h, (s, fast))| Some((h, s, per(&fast)?))) {
                        Some((h, s, fast)) => {
                            out.push_str(&h[..s]);
                            out.push_str(&format!("{fast}–{slow}"));
                        }
                        None => {
                            out.push_str(head);
                            out.push_str(&slow);
                        }
                    }
                    out.push('/');
                    out.push_str(self.label());
                }
                None => {
                    out.push_str(before);
                    out.push_str(&label);
                }
            }
            rest = after;
        }
        out.push_str(rest);
        out
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
    fn distances_never_read_negative_zero() {
        assert_eq!(Units::Km.distance(-0.0), "0.0 km");
        assert_eq!(Units::Km.distance(-0.04), "0.0 km");
        assert_eq!(Units::Mi.distance(12.07), "7.5 mi");
        assert_eq!(Units::Mi.amount(16.0), "9.9");
        assert_eq!(Units::Km.amount(16.0), "16.0");
    }

    #[test]
    fn stored_wording_is_restated_in_the_runners_units() {
        let note = "Build phase, week 3 of 12: 16.0 km, +5% on the larger of the two weeks before (15.2 km); the limit is 110%, 16.8 km.";
        assert_eq!(
            Units::Mi.restate(note, Units::Km),
            "Build phase, week 3 of 12: 9.9 mi, +5% on the larger of the two weeks before (9.4 mi); the limit is 110%, 10.4 mi."
        );
        // Same units: untouched; words that only begin like a unit stay.
        assert_eq!(Units::Km.restate(note, Units::Km), note);
        assert_eq!(
            Units::Km.restate(
                "Recovery week: 9.9 mi → 8.0 mi, 3 miles of hills",
                Units::Mi
            ),
            "Recovery week: 15.9 km → 12.9 km, 3 miles of hills"
        );
        // A label with no number before it is left as it is.
        assert_eq!(
            Units::Mi.restate("in km (or mi)", Units::Km),
            "in km (or mi)"
        );
    }

    #[test]
    fn stored_paces_and_distances_read_in_the_runners_units() {
        let why = "Tempo 6.0 km at 4:50–4:56/km; easy runs at 6:00/km, 3 miles of hills.";
        assert_eq!(
            Units::Mi.localise(why),
            "Tempo 3.7 mi at 7:47–7:56/mi; easy runs at 9:39/mi, 3 miles of hills."
        );
        // Wording already in the runner's units is left as it is.
        assert_eq!(Units::Km.localise(why), why);
        assert_eq!(
            Units::Km.localise("Easy 5.0 mi at 9:39/mi"),
            "Easy 8.0 km at 6:00/km"
        );
        // Not a pace: no clock before the unit, or a longer word after it.
        assert_eq!(Units::Mi.localise("per km/kmh 1:2/km"), "per km/kmh 1:2/km");
    }

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
