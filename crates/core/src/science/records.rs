//! Senior men's world records, the floor under any plausible result.
//! Source: World Athletics record lists (track to 10,000 m; road half
//! marathon and marathon), as ratified by late 2025.

use crate::units::{Distance, RaceTime};

/// (metres, seconds), ascending by distance.
const RECORDS: [(f64, f64); 10] = [
    (100.0, 9.58),       // Bolt 2009
    (400.0, 43.03),      // van Niekerk 2016
    (800.0, 100.91),     // Rudisha 2012
    (1500.0, 206.00),    // El Guerrouj 1998
    (1609.344, 223.13),  // El Guerrouj 1999, mile
    (3000.0, 437.55),    // Ingebrigtsen 2024
    (5000.0, 755.36),    // Cheptegei 2020
    (10_000.0, 1571.00), // Cheptegei 2020
    (21_097.5, 3450.0),  // Kejelcha 2024, half marathon
    (42_195.0, 7235.0),  // Kiptum 2023, marathon
];

/// The fastest time ever run at `distance`: exact at record distances,
/// log-log interpolated between them, and extrapolated past the marathon
/// with Riegel's exponent 1.06, which errs fast so nothing real is refused.
pub fn world_record(distance: &Distance) -> RaceTime {
    let d = distance.metres();
    let seconds = match RECORDS.iter().position(|&(m, _)| m >= d) {
        Some(0) => RECORDS[0].1 * d / RECORDS[0].0,
        Some(i) => {
            let ((d0, t0), (d1, t1)) = (RECORDS[i - 1], RECORDS[i]);
            let k = (t1 / t0).ln() / (d1 / d0).ln();
            t0 * (d / d0).powf(k)
        }
        None => {
            let (d0, t0) = RECORDS[RECORDS.len() - 1];
            t0 * (d / d0).powf(1.06)
        }
    };
    RaceTime::from_seconds(seconds).expect("positive record")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_and_interpolated() {
        let wr = |s: &str| world_record(&s.parse().unwrap()).seconds();
        assert!((wr("5k") - 755.36).abs() < 1e-9);
        assert!((wr("marathon") - 7235.0).abs() < 1e-9);
        let fifteen = wr("15k");
        assert!(fifteen > 1571.0 * 1.5 && fifteen < 3450.0, "{fifteen}");
        assert!(wr("50k") > 7235.0);
    }
}
