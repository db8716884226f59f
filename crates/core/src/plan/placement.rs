//! Stage 2: where in the week each run goes.
//!
//! A small exhaustive search over the runner's available weekdays. Hard
//! constraints (§2): quality days never back to back, never the day before
//! the long run, at most two. Scores prefer: no quality the day after the
//! long run, quality days well apart, a rest day before the long run, no
//! long streaks of running days. Ties go to the earliest days, so identical
//! inputs always give identical weeks. The week repeats, so adjacency wraps
//! from Sunday to Monday.

use jiff::civil::Weekday;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Off,
    Easy,
    Long,
    /// The n-th quality session of the week (0 or 1).
    Quality(u8),
}

/// Day index 0 = Monday.
pub type Layout = [Slot; 7];

pub fn day(w: Weekday) -> usize {
    w.to_monday_zero_offset() as usize
}

fn next(d: usize) -> usize {
    (d + 1) % 7
}

fn prev(d: usize) -> usize {
    (d + 6) % 7
}

fn bits(mask: u8) -> impl Iterator<Item = usize> {
    (0..7).filter(move |d| mask & (1 << d) != 0)
}

fn cyclic_gap(a: usize, b: usize) -> usize {
    let d = a.abs_diff(b);
    d.min(7 - d)
}

fn score(runs: u8, quality: u8, long: usize) -> Option<i32> {
    let q: Vec<usize> = bits(quality).collect();
    for &d in &q {
        if next(d) == long || quality & (1 << next(d)) != 0 {
            return None;
        }
    }
    let mut s = 0;
    if q.contains(&next(long)) {
        s -= 4;
    }
    if let [a, b] = q[..] {
        s += 2 * (cyclic_gap(a, b) as i32 - 1).min(2);
    }
    let all = runs | 1 << long;
    if all & (1 << prev(long)) == 0 {
        s += 2;
    }
    // Penalise streaks of more than three running days in a row.
    if all != 0x7f {
        let start = (0..7).find(|&d| all & (1 << d) == 0).unwrap_or(0);
        let mut streak = 0;
        for k in 1..=7 {
            if all & (1 << ((start + k) % 7)) != 0 {
                streak += 1;
                if streak > 3 {
                    s -= 1;
                }
            } else {
                streak = 0;
            }
        }
    }
    Some(s)
}

/// The best layout with `runs` runs (long included) and up to `quality`
/// quality sessions, none on the days in `no_quality` (a bit per day,
/// Monday first); returns how many quality sessions fit.
pub fn layout(
    available: &[Weekday],
    long: Weekday,
    runs: usize,
    quality: u8,
    no_quality: u8,
) -> (Layout, u8) {
    let long = day(long);
    let others: u8 = available
        .iter()
        .map(|&w| day(w))
        .filter(|&d| d != long)
        .fold(0, |m, d| m | 1 << d);
    let want = runs.saturating_sub(1).min(others.count_ones() as usize);
    for q in (0..=quality.min(2)).rev() {
        let mut best: Option<(i32, u8, u8)> = None;
        for run_mask in 0..=0x7fu8 {
            if run_mask & !others != 0 || run_mask.count_ones() as usize != want {
                continue;
            }
            for q_mask in 0..=0x7fu8 {
                if q_mask & !run_mask != 0
                    || q_mask & no_quality != 0
                    || q_mask.count_ones() != u32::from(q)
                {
                    continue;
                }
                if let Some(s) = score(run_mask, q_mask, long)
                    && best.is_none_or(|(b, _, _)| s > b)
                {
                    best = Some((s, run_mask, q_mask));
                }
            }
        }
        if let Some((_, runs, qs)) = best {
            let mut out = [Slot::Off; 7];
            out[long] = Slot::Long;
            for d in bits(runs) {
                out[d] = Slot::Easy;
            }
            for (n, d) in bits(qs).enumerate() {
                out[d] = Slot::Quality(n as u8);
            }
            return (out, q);
        }
    }
    unreachable!("zero quality sessions always fit")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Weekday::*;

    fn show(l: &Layout) -> String {
        l.iter()
            .map(|s| match s {
                Slot::Off => '.',
                Slot::Easy => 'e',
                Slot::Long => 'L',
                Slot::Quality(_) => 'Q',
            })
            .collect()
    }

    #[test]
    fn five_days_two_quality() {
        let (l, q) = layout(
            &[Monday, Tuesday, Thursday, Saturday, Sunday],
            Sunday,
            5,
            2,
            0,
        );
        assert_eq!(q, 2);
        // Quality never Saturday (before the long run), never back to back.
        assert_eq!(show(&l), "eQ.Q.eL");
    }

    #[test]
    fn three_days_fit_two_quality_apart() {
        let (l, q) = layout(&[Tuesday, Thursday, Saturday], Saturday, 3, 2, 0);
        assert_eq!(q, 2);
        assert_eq!(show(&l), ".Q.Q.L.");
        // Thursday barred (say, the day after last week's hard day): one fits.
        let (l, q) = layout(&[Tuesday, Thursday, Saturday], Saturday, 3, 2, 1 << 3);
        assert_eq!(q, 1);
        assert_eq!(show(&l), ".Q.e.L.");
    }

    #[test]
    fn fewer_runs_than_days_leaves_rest_before_long_run() {
        let all = [
            Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
        ];
        let (l, q) = layout(&all, Sunday, 5, 1, 0);
        assert_eq!(q, 1);
        assert_eq!(l[5], Slot::Off, "{}", show(&l));
        assert_eq!(l.iter().filter(|s| **s != Slot::Off).count(), 5);
    }
}
