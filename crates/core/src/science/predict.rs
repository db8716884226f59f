//! Race predictions from one result, by three models.

use crate::science::vdot::{equivalent_time, race_vdot};
use crate::units::{Distance, ParseError, RaceTime};

/// A race-time prediction model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Daniels & Gilbert (1979): equal VDOT at both distances.
    #[default]
    Daniels,
    /// Riegel P. (1981), *Athletic records and human endurance*:
    /// T2 = T1 · (D2/D1)^1.06.
    Riegel,
    /// Cameron D. (1997/98), a fit to world-class times:
    /// T2 = T1 · (D2/D1) · a(D1)/a(D2), a(d) = 13.49681 − 0.000030363·d + 835.7114·d^−0.7905 (d in metres).
    Cameron,
}

impl Model {
    pub fn name(self) -> &'static str {
        match self {
            Model::Daniels => "daniels",
            Model::Riegel => "riegel",
            Model::Cameron => "cameron",
        }
    }
}

impl std::str::FromStr for Model {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daniels" | "vdot" => Ok(Model::Daniels),
            "riegel" => Ok(Model::Riegel),
            "cameron" => Ok(Model::Cameron),
            _ => Err(ParseError::new(format!(
                "unknown model '{s}': expected daniels, riegel or cameron"
            ))),
        }
    }
}

fn cameron_factor(metres: f64) -> f64 {
    13.49681 - 0.000030363 * metres + 835.7114 / metres.powf(0.7905)
}

/// Predicted time at `target` from `time` at `from`; `None` only when the
/// Daniels model cannot read the result (slower than walking pace).
pub fn predict(
    model: Model,
    from: &Distance,
    time: RaceTime,
    target: &Distance,
) -> Option<RaceTime> {
    let (d1, d2, t1) = (from.metres(), target.metres(), time.seconds());
    let seconds = match model {
        Model::Daniels => return race_vdot(from, time).map(|v| equivalent_time(v, target)),
        Model::Riegel => t1 * (d2 / d1).powf(1.06),
        Model::Cameron => t1 * (d2 / d1) * cameron_factor(d1) / cameron_factor(d2),
    };
    RaceTime::from_seconds(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: Model, from: &str, time: &str, to: &str) -> f64 {
        predict(
            model,
            &from.parse().unwrap(),
            time.parse().unwrap(),
            &to.parse().unwrap(),
        )
        .unwrap()
        .seconds()
    }

    #[test]
    fn riegel_worked_example() {
        // 10K 41:21 → marathon: 2481 · 4.2195^1.06 = 11 413.1 s (3:10:13).
        let t = run(Model::Riegel, "10k", "41:21", "marathon");
        assert!((t - 2481.0 * 4.2195f64.powf(1.06)).abs() < 1e-6);
        assert!((t - 11_413.1).abs() < 0.1, "{t}");
    }

    #[test]
    fn cameron_is_slower_than_riegel_for_the_marathon() {
        // Cameron's curve punishes long extrapolations more than Riegel's.
        let c = run(Model::Cameron, "10k", "41:21", "marathon");
        let r = run(Model::Riegel, "10k", "41:21", "marathon");
        assert!(c > r, "cameron {c} riegel {r}");
        // Same distance predicts the same time for every model.
        for m in [Model::Daniels, Model::Riegel, Model::Cameron] {
            assert!((run(m, "5k", "20:00", "5k") - 1200.0).abs() < 0.01);
        }
    }

    #[test]
    fn daniels_uses_vdot_equivalence() {
        // VDOT 50 row: 10K 41:21 ↔ marathon 3:10:49.
        let t = run(Model::Daniels, "10k", "41:21", "marathon");
        assert!((t - 11_449.0).abs() < 25.0, "{t}");
    }
}
