//! runcoach against Daniels' published VDOT tables (Daniels' Running
//! Formula), VDOT 30–85: race equivalents and training paces. The fixture
//! names its sources in its header.

use runcoach_core::science::{TrainingPaces, Vdot, equivalent_time};
use runcoach_core::units::Distance;

struct Row {
    vdot: f64,
    cells: Vec<Option<f64>>,
}

fn table() -> (Vec<String>, Vec<Row>) {
    let text = include_str!("fixtures/daniels_vdot.csv");
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<Option<f64>> = l.split(',').map(|c| c.trim().parse().ok()).collect();
            Row {
                vdot: cells[0].unwrap(),
                cells,
            }
        })
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[test]
fn race_equivalents_match_the_tables() {
    let (header, rows) = table();
    assert!(rows.len() >= 50, "fixture has {} rows", rows.len());
    let mut worst_short = 0.0f64;
    let mut worst_marathon = 0.0f64;
    for (name, column) in [
        ("1500m", "1500m_s"),
        ("mile", "mile_s"),
        ("3000m", "3000m_s"),
        ("2mile", "2mile_s"),
        ("5k", "5k_s"),
        ("10k", "10k_s"),
        ("15k", "15k_s"),
        ("half", "half_s"),
        ("marathon", "marathon_s"),
    ] {
        let d = Distance::standard(name).unwrap();
        let c = col(&header, column);
        for r in &rows {
            let Some(table) = r.cells[c] else { continue };
            let ours = equivalent_time(Vdot::new(r.vdot).unwrap(), &d).seconds();
            if name == "marathon" {
                let rel = (ours - table).abs() / table;
                worst_marathon = worst_marathon.max(rel);
                assert!(
                    rel < 0.003,
                    "VDOT {} marathon: ours {ours:.0} s, table {table} s",
                    r.vdot
                );
            } else {
                // A few seconds, or 0.2 % for the slowest runners' long races.
                let diff = (ours - table).abs();
                worst_short = worst_short.max(diff);
                let tolerance = (table * 0.002).max(4.0);
                assert!(
                    diff <= tolerance,
                    "VDOT {} {name}: ours {ours:.1} s, table {table} s",
                    r.vdot
                );
            }
        }
    }
    println!(
        "worst: {worst_short:.1} s up to the half, {:.3}% marathon",
        worst_marathon * 100.0
    );
}

#[test]
fn training_paces_match_the_tables() {
    let (header, rows) = table();
    type Get = fn(&TrainingPaces) -> f64;
    let checks: [(&str, f64, Get); 6] = [
        ("easy_fast_s_per_km", 3.0, |p| p.easy.fast.s_per_km()),
        ("easy_slow_s_per_km", 3.0, |p| p.easy.slow.s_per_km()),
        ("marathon_s_per_km", 2.0, |p| p.marathon.s_per_km()),
        ("threshold_s_per_km", 2.0, |p| p.threshold.s_per_km()),
        ("interval_s_per_km", 2.0, |p| p.interval.s_per_km()),
        // The tables give R per 400 m; ×2.5 rounds coarsely.
        ("repetition_s_per_km", 5.5, |p| p.repetition.s_per_km()),
    ];
    for (column, tolerance, get) in checks {
        let c = col(&header, column);
        let mut worst = 0.0f64;
        for r in &rows {
            let Some(table) = r.cells[c] else { continue };
            let ours = get(&TrainingPaces::from_vdot(Vdot::new(r.vdot).unwrap()));
            worst = worst.max((ours - table).abs());
            assert!(
                (ours - table).abs() <= tolerance,
                "VDOT {} {column}: ours {ours:.1}, table {table}",
                r.vdot
            );
        }
        println!("{column}: worst {worst:.1} s/km");
    }
}
