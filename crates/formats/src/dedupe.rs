//! The same run arriving twice (a watch upload and a Strava export, a FIT and its
//! GPX copy) is counted once.
//!
//! Two activities are the same when their starts are at most
//! [`MAX_START_GAP_MS`] apart and their distances differ by at most
//! [`MAX_DISTANCE_DIFF`] of the longer one. The sport is not compared: services
//! name sports differently, and two different activities starting within a minute
//! with the same distance do not happen.

use crate::ActivitySummary;
use crate::strava::{ImportedActivity, Origin};

/// Starts at most this far apart (inclusive), milliseconds: 60 s.
pub const MAX_START_GAP_MS: i64 = 60_000;

/// Distances differing by at most this fraction of the longer one (inclusive): 2 %.
pub const MAX_DISTANCE_DIFF: f64 = 0.02;

/// Whether two activities are one. Activities without a start time are never
/// duplicates (nothing places them).
pub fn is_duplicate(a: &ActivitySummary, b: &ActivitySummary) -> bool {
    let (Some(sa), Some(sb)) = (a.start_time_ms, b.start_time_ms) else {
        return false;
    };
    if (sa - sb).abs() > MAX_START_GAP_MS {
        return false;
    }
    let (da, db) = (a.distance_m.max(0.0), b.distance_m.max(0.0));
    // Compare in a way that is exact at the edges for decimal inputs: 2 % of 10 km
    // is 200 m, and 200 m apart is a duplicate.
    (da - db).abs() <= MAX_DISTANCE_DIFF * da.max(db) + 1e-9
}

/// Something that carries an activity summary and can be deduplicated.
pub trait Deduplicate {
    /// The activity.
    fn summary(&self) -> &ActivitySummary;

    /// Which of two duplicates to keep: the one with the higher richness (ties keep
    /// the one met first, i.e. the earlier start). Default: [`richness`].
    fn richness(&self) -> u32 {
        richness(self.summary())
    }
}

impl Deduplicate for ActivitySummary {
    fn summary(&self) -> &ActivitySummary {
        self
    }
}

impl Deduplicate for ImportedActivity {
    fn summary(&self) -> &ActivitySummary {
        &self.summary
    }

    /// A decoded file beats a CSV-only row; then [`richness`].
    fn richness(&self) -> u32 {
        let file = u32::from(self.origin == Origin::File);
        file * 1000 + richness(&self.summary)
    }
}

/// How much an activity says: a track, heart rate, laps, cadence, elevation, and
/// not salvaged from a damaged file.
pub fn richness(s: &ActivitySummary) -> u32 {
    u32::from(!s.track.is_empty()) * 16
        + u32::from(s.avg_hr.is_some()) * 8
        + u32::from(s.laps > 0) * 4
        + u32::from(s.avg_cadence.is_some()) * 2
        + u32::from(s.elevation_gain_m.is_some())
        + u32::from(s.salvaged.is_none()) * 32
}

/// An activity dropped as a duplicate, and which kept activity it duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate<T> {
    /// The dropped activity.
    pub item: T,
    /// Index into the kept list of the activity it is the same as.
    pub of: usize,
}

/// Splits activities into the kept ones, sorted by start time (those without a
/// start last, in input order), and the duplicates.
///
/// Each activity is compared with the kept ones that start shortly before it; of
/// two duplicates the richer is kept ([`Deduplicate::richness`]). Duplicates are
/// not chained: each dropped activity matches the kept one it names.
///
/// Cost: a sort, O(n log n), plus for each activity a look at the kept
/// activities starting within 2 min before it (a handful in any real history).
pub fn dedupe<T: Deduplicate>(items: Vec<T>) -> (Vec<T>, Vec<Duplicate<T>>) {
    let mut items: Vec<(usize, T)> = items.into_iter().enumerate().collect();
    // Stable on input order for equal starts; no start time sorts last.
    items.sort_by_key(|(i, t)| {
        (
            t.summary().start_time_ms.is_none(),
            t.summary().start_time_ms,
            *i,
        )
    });
    // Kept items are in start order except where a richer duplicate replaced one,
    // which moves that slot's start by at most MAX_START_GAP_MS: so the window looks
    // two gaps back.
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    let mut dropped: Vec<(T, usize)> = Vec::new();
    for (_, item) in items {
        let Some(start) = item.summary().start_time_ms else {
            kept.push(item);
            continue;
        };
        let mut matched = None;
        for k in (0..kept.len()).rev() {
            let Some(ks) = kept[k].summary().start_time_ms else {
                continue;
            };
            if start - ks > 2 * MAX_START_GAP_MS {
                break;
            }
            if is_duplicate(kept[k].summary(), item.summary()) {
                matched = Some(k);
                break;
            }
        }
        match matched {
            Some(k) if item.richness() > kept[k].richness() => {
                let old = std::mem::replace(&mut kept[k], item);
                dropped.push((old, k));
            }
            Some(k) => dropped.push((item, k)),
            None => kept.push(item),
        }
    }
    // A swap may have put a later start before an earlier one: restore the order
    // and renumber the duplicates' references.
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by_key(|&k| {
        let s = kept[k].summary().start_time_ms;
        (s.is_none(), s, k)
    });
    let mut new_index = vec![0; kept.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<T>> = kept.into_iter().map(Some).collect();
    let kept: Vec<T> = order
        .iter()
        .map(|&k| slots[k].take().expect("each kept item once"))
        .collect();
    let duplicates = dropped
        .into_iter()
        .map(|(item, k)| Duplicate {
            item,
            of: new_index[k],
        })
        .collect();
    (kept, duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sport;

    fn run(start_s: i64, distance_m: f64) -> ActivitySummary {
        ActivitySummary {
            sport: Sport::Running,
            start_time_ms: Some(1_700_000_000_000 + start_s * 1000),
            distance_m,
            elapsed_s: 3000.0,
            moving_s: 3000.0,
            avg_hr: None,
            max_hr: None,
            avg_cadence: None,
            elevation_gain_m: None,
            laps: 0,
            track: Vec::new(),
            salvaged: None,
        }
    }

    #[test]
    fn edges_of_the_rule() {
        let a = run(0, 10_000.0);
        assert!(is_duplicate(&a, &run(59, 10_190.0)));
        assert!(is_duplicate(&a, &run(60, 10_200.0)));
        assert!(is_duplicate(&run(-59, 9_810.0), &a));
        assert!(!is_duplicate(&a, &run(61, 10_000.0)));
        assert!(!is_duplicate(&a, &run(0, 10_210.0)));
        let mut no_time = run(0, 10_000.0);
        no_time.start_time_ms = None;
        assert!(!is_duplicate(&a, &no_time));
        assert!(!is_duplicate(&no_time, &no_time.clone()));
    }
}
