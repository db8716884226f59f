//! Niggles change the running as well as the strength work: what each one
//! leaves out or swaps, the notes its sessions carry, and the pain rule every
//! niggle plan leads with.

use super::model::{Niggle, Phase, SessionKind};
use crate::exercises::{Exercise, Family};

/// The pain rule and the advice to see a professional, as the plan's first
/// warning when it trains around a niggle.
pub fn pain_rule(niggles: &[Niggle]) -> Option<String> {
    let names: Vec<&str> = niggles.iter().map(|n| n.label()).collect();
    (!names.is_empty()).then(|| {
        format!(
            "Training around a {} niggle: pain up to 3/10 while running is acceptable if it is no worse the next morning; if it is, or it rises above 3/10, swap that day's run for cross-training (bike, pool) and ease off. If it has not settled within two weeks, see a physiotherapist.",
            names.join(" and ")
        )
    })
}

/// Movements a niggle leaves out: deep lunges load a sore knee most, and a
/// sore lower back does not need the heaviest loaded single-leg work.
pub fn banned_movements(niggles: &[Niggle]) -> Vec<&'static str> {
    let mut out = Vec::new();
    if niggles.contains(&Niggle::Knee) {
        out.extend(["reverse_lunge", "bulgarian_split_squat"]);
    }
    if niggles.contains(&Niggle::LowBack) {
        out.push("bulgarian_split_squat");
    }
    out
}

/// Whether a movement is one to reach for with a niggle: from the family
/// the plan swaps in for it (abductors keep a knee or IT band tracking,
/// hip-flexor work and its stretches for the hip flexor, core for the
/// lower back), and not one the niggle leaves out.
pub fn suits(niggle: Niggle, e: &Exercise) -> bool {
    let helps = match niggle {
        Niggle::Knee | Niggle::Itb => e.covers(Family::Abductors),
        Niggle::HipFlexor => {
            e.covers(Family::HipFlexors)
                || matches!(
                    e.id.as_str(),
                    "half_kneeling_hip_flexor_stretch" | "runners_lunge"
                )
        }
        Niggle::LowBack => e.covers(Family::Core),
    };
    helps && !banned_movements(&[niggle]).contains(&e.id.as_str())
}

/// The quality session a niggle asks for instead: fast repetitions (the
/// hardest on knees, and sprinting on hip flexors early on) become tempo.
pub fn instead(kind: SessionKind, phase: Phase, niggles: &[Niggle]) -> SessionKind {
    let knee = niggles.contains(&Niggle::Knee);
    let hip_early = niggles.contains(&Niggle::HipFlexor) && phase == Phase::Base;
    if kind == SessionKind::Repetition && (knee || hip_early) {
        SessionKind::Tempo
    } else {
        kind
    }
}

/// What a run's why adds for the runner's niggles.
pub fn run_note(kind: SessionKind, niggles: &[Niggle]) -> Option<&'static str> {
    let fast = matches!(
        kind,
        SessionKind::Intervals | SessionKind::Repetition | SessionKind::Tempo
    );
    if niggles.contains(&Niggle::Itb) && fast {
        return Some(
            "IT band: on a track, change direction every two reps; on the road, keep off steep camber.",
        );
    }
    if niggles.contains(&Niggle::Knee) && kind == SessionKind::Long {
        return Some("Knee: choose a flat route and walk any steep descent.");
    }
    if niggles.contains(&Niggle::Itb) && kind == SessionKind::Long {
        return Some(
            "IT band: keep off steeply cambered roads; switch sides of the road now and then.",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::{find, library};

    #[test]
    fn each_niggle_has_movements_that_suit_it() {
        let ids = |n: Niggle| -> Vec<&str> {
            library()
                .iter()
                .filter(|e| suits(n, e))
                .map(|e| e.id.as_str())
                .collect()
        };
        assert!(ids(Niggle::Knee).contains(&"clamshell"));
        assert!(!ids(Niggle::Knee).contains(&"reverse_lunge"));
        assert!(ids(Niggle::HipFlexor).contains(&"half_kneeling_hip_flexor_stretch"));
        assert!(ids(Niggle::LowBack).contains(&"dead_bug"));
        for n in [
            Niggle::Knee,
            Niggle::Itb,
            Niggle::HipFlexor,
            Niggle::LowBack,
        ] {
            for id in ids(n) {
                assert!(
                    !banned_movements(&[n]).contains(&id),
                    "{id} is left out for {n:?}"
                );
            }
        }
        assert!(!suits(Niggle::Knee, find("bulgarian_split_squat").unwrap()));
    }
}
