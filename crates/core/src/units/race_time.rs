use std::fmt;

use super::ParseError;

/// A finishing or run time: positive and finite, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RaceTime(f64);

impl RaceTime {
    /// `None` unless positive and finite.
    pub fn from_seconds(seconds: f64) -> Option<Self> {
        (seconds.is_finite() && seconds > 0.0).then_some(Self(seconds))
    }

    pub fn seconds(self) -> f64 {
        self.0
    }

    pub fn minutes(self) -> f64 {
        self.0 / 60.0
    }
}

/// `m:ss` or `h:mm:ss`, with tenths when the time has a fraction.
pub fn format_clock(seconds: f64) -> String {
    let tenths = (seconds * 10.0).round() as i64;
    let (whole, frac) = (tenths / 10, tenths % 10);
    let (h, m, s) = (whole / 3600, whole / 60 % 60, whole % 60);
    let mut out = if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    };
    if frac != 0 {
        out.push_str(&format!(".{frac}"));
    }
    out
}

impl std::str::FromStr for RaceTime {
    type Err = ParseError;

    /// Reads `19:57`, `63:36`, `1:31:35`, `3:10:49.5`.
    fn from_str(input: &str) -> Result<Self, ParseError> {
        let bad = || {
            ParseError::new(format!(
                "invalid time '{input}': expected mm:ss or h:mm:ss, e.g. 19:57 or 1:31:35"
            ))
        };
        let parts: Vec<&str> = input.trim().split(':').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let (last, leading) = parts.split_last().expect("two or three parts");
        let whole = |p: &str| -> Result<u32, ParseError> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let seconds: f64 = if last.len() >= 2
            && last.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && last.as_bytes()[..2].iter().all(u8::is_ascii_digit)
        {
            last.parse().map_err(|_| bad())?
        } else {
            return Err(bad());
        };
        if seconds >= 60.0 {
            return Err(ParseError::new(format!(
                "invalid time '{input}': seconds must be below 60"
            )));
        }
        let total = match leading {
            [m] => f64::from(whole(m)?) * 60.0 + seconds,
            [h, m] => {
                let minutes = whole(m)?;
                if minutes >= 60 || m.len() != 2 {
                    return Err(ParseError::new(format!(
                        "invalid time '{input}': minutes must be two digits below 60 in h:mm:ss"
                    )));
                }
                f64::from(whole(h)?) * 3600.0 + f64::from(minutes) * 60.0 + seconds
            }
            _ => unreachable!("two or three parts"),
        };
        Self::from_seconds(total)
            .ok_or_else(|| ParseError::new(format!("time '{input}' must be greater than zero")))
    }
}

impl fmt::Display for RaceTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_clock(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> f64 {
        s.parse::<RaceTime>().unwrap().seconds()
    }

    #[test]
    fn reads_clock_forms() {
        assert_eq!(secs("19:57"), 1197.0);
        assert_eq!(secs("63:36"), 3816.0);
        assert_eq!(secs("1:31:35"), 5495.0);
        assert_eq!(secs("3:10:49.5"), 11_449.5);
        assert_eq!(secs(" 0:59 "), 59.0);
    }

    #[test]
    fn rejects_with_reason() {
        let err = |s: &str| s.parse::<RaceTime>().unwrap_err().0;
        assert!(err("abc").starts_with("invalid time 'abc': expected mm:ss"));
        assert_eq!(err("0:00"), "time '0:00' must be greater than zero");
        assert!(err("19:75").contains("seconds must be below 60"));
        assert!(err("1:75:00").contains("minutes must be two digits"));
        assert!(err("1197").starts_with("invalid time"));
        assert!(err("19:5").starts_with("invalid time"));
        assert!(err("-1:00").starts_with("invalid time"));
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_clock(1197.0), "19:57");
        assert_eq!(format_clock(5495.0), "1:31:35");
        assert_eq!(format_clock(11_449.5), "3:10:49.5");
        assert_eq!(format_clock(324.04), "5:24");
    }
}
