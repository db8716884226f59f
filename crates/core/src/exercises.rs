//! The exercise library: hip, adductor, hip-flexor, core and mobility
//! movements with doses and how-to, from `data/exercises.toml`, embedded in
//! the binary so a plan never refers to a movement that does not exist.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Muscle group or purpose a movement trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Abductors,
    Extensors,
    SingleLeg,
    Adductors,
    Core,
    Mobility,
    HipFlexors,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Abductors => "abductors",
            Family::Extensors => "extensors",
            Family::SingleLeg => "single-leg control",
            Family::Adductors => "adductors",
            Family::Core => "core",
            Family::Mobility => "mobility",
            Family::HipFlexors => "hip flexors",
        }
    }

    /// The family as a runner would name it, the anatomy in brackets: the
    /// library's headings and filter.
    pub fn plain_label(self) -> &'static str {
        match self {
            Family::Abductors => "Side of the hip (abductors)",
            Family::Extensors => "Glutes and hamstrings (hip extensors)",
            Family::SingleLeg => "Single-leg control",
            Family::Adductors => "Inner thigh (adductors)",
            Family::Core => "Core",
            Family::Mobility => "Mobility",
            Family::HipFlexors => "Front of the hip (hip flexors)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Load {
    Light,
    Moderate,
    Heavy,
}

/// Kit a runner may have at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Equipment {
    Band,
    Bench,
}

impl std::str::FromStr for Equipment {
    type Err = crate::units::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "band" | "resistance-band" | "bands" => Ok(Equipment::Band),
            "bench" | "step" | "box" | "chair" => Ok(Equipment::Bench),
            other => Err(crate::units::ParseError(format!(
                "unknown equipment '{other}': expected band or bench"
            ))),
        }
    }
}

/// One movement of the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub name: String,
    pub family: Family,
    #[serde(default)]
    pub also: Vec<Family>,
    pub load: Load,
    #[serde(default)]
    pub activation: bool,
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    #[serde(default)]
    pub optional_equipment: Vec<Equipment>,
    #[serde(default)]
    pub without_equipment: String,
    pub sets: [u8; 2],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<[u16; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<[u16; 2]>,
    pub per_side: bool,
    pub focus: String,
    pub steps: Vec<String>,
    pub mistakes: Vec<String>,
    pub easier: String,
    pub harder: String,
}

impl Exercise {
    /// Whether this movement counts towards `family` (its own or an `also`).
    pub fn covers(&self, family: Family) -> bool {
        self.family == family || self.also.contains(&family)
    }

    pub fn needs_only(&self, have: &[Equipment]) -> bool {
        self.equipment.iter().all(|e| have.contains(e))
    }

    /// Rest between sets, in seconds: a mobility drill flows on, heavier
    /// work needs longer for the muscle to be ready for the next set.
    pub fn rest_s(&self) -> u16 {
        if self.family == Family::Mobility {
            return 15;
        }
        match self.load {
            Load::Light => 30,
            Load::Moderate => 45,
            Load::Heavy => 60,
        }
    }
}

impl Family {
    /// Every family, in the order the library lists them.
    pub const ALL: [Family; 7] = [
        Family::Abductors,
        Family::Extensors,
        Family::SingleLeg,
        Family::Adductors,
        Family::HipFlexors,
        Family::Core,
        Family::Mobility,
    ];

    /// The snake_case name used in data and query strings.
    pub fn key(self) -> &'static str {
        match self {
            Family::Abductors => "abductors",
            Family::Extensors => "extensors",
            Family::SingleLeg => "single_leg",
            Family::Adductors => "adductors",
            Family::Core => "core",
            Family::Mobility => "mobility",
            Family::HipFlexors => "hip_flexors",
        }
    }
}

impl Equipment {
    pub fn label(self) -> &'static str {
        match self {
            Equipment::Band => "resistance band",
            Equipment::Bench => "bench, step or sturdy chair",
        }
    }
}

/// The kit a session needs (the union of its movements'), in a fixed order.
pub fn kit_for<'a>(exercises: impl IntoIterator<Item = &'a Exercise>) -> Vec<Equipment> {
    let mut kit: Vec<Equipment> = exercises
        .into_iter()
        .flat_map(|e| e.equipment.iter().copied())
        .collect();
    kit.sort();
    kit.dedup();
    kit
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LibraryFile {
    exercise: Vec<Exercise>,
}

/// The whole library, parsed once.
pub fn library() -> &'static [Exercise] {
    static LIBRARY: OnceLock<Vec<Exercise>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let file: LibraryFile = toml::from_str(include_str!("../../../data/exercises.toml"))
            .expect("data/exercises.toml is checked by the exercise-library tests");
        file.exercise
    })
}

/// A movement by its stable id.
pub fn find(id: &str) -> Option<&'static Exercise> {
    library().iter().find(|e| e.id == id)
}

/// The movement to do with the runner's kit: the exercise itself, or its
/// stand-in when it needs something they lack.
pub fn with_equipment<'a>(exercise: &'a Exercise, have: &[Equipment]) -> Option<&'a Exercise>
where
    'static: 'a,
{
    if exercise.needs_only(have) {
        Some(exercise)
    } else {
        find(&exercise.without_equipment).filter(|e| e.needs_only(have))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn library_is_complete_and_consistent() {
        let lib = library();
        let ids: HashSet<&str> = lib.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), lib.len(), "ids are unique");
        for id in [
            "clamshell",
            "single_leg_glute_bridge",
            "monster_walk",
            "side_lying_leg_raise",
            "bulgarian_split_squat",
            "hip_thrust",
            "lateral_step_up",
            "fire_hydrant",
            "reverse_lunge",
            "side_plank_leg_lift",
            "leg_swing",
            "hip_90_90",
            "half_kneeling_hip_flexor_stretch",
            "runners_lunge",
            "standing_march",
            "marching_bridge",
        ] {
            assert!(ids.contains(id), "{id} missing");
        }
        for e in lib {
            assert!(
                e.reps.is_some() != e.hold_s.is_some(),
                "{}: exactly one of reps and hold_s",
                e.id
            );
            assert!(e.sets[0] >= 1 && e.sets[0] <= e.sets[1], "{}", e.id);
            assert!(!e.steps.is_empty() && !e.mistakes.is_empty(), "{}", e.id);
            assert!(
                e.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
                "{} is snake_case",
                e.id
            );
            if !e.equipment.is_empty() {
                let sub = find(&e.without_equipment).unwrap_or_else(|| panic!("{}", e.id));
                assert!(sub.equipment.is_empty(), "{} stand-in needs no kit", e.id);
            }
        }
        assert!(lib.iter().any(|e| e.family == Family::Adductors));
    }

    #[test]
    fn article_doses() {
        // The business's table: clamshells 2–3 × 15; split squats 2 × 8–10/side;
        // side plank with leg lift 2 × 20–30 s/side.
        let c = find("clamshell").unwrap();
        assert_eq!((c.sets, c.reps), ([2, 3], Some([15, 15])));
        let b = find("bulgarian_split_squat").unwrap();
        assert_eq!(
            (b.sets, b.reps, b.per_side, b.load),
            ([2, 2], Some([8, 10]), true, Load::Heavy)
        );
        let s = find("side_plank_leg_lift").unwrap();
        assert_eq!((s.sets, s.hold_s, s.reps), ([2, 2], Some([20, 30]), None));
    }

    #[test]
    fn rest_and_kit() {
        assert_eq!(find("leg_swing").unwrap().rest_s(), 15);
        assert_eq!(find("bulgarian_split_squat").unwrap().rest_s(), 60);
        assert_eq!(find("clamshell").unwrap().rest_s(), 30);
        let session = ["monster_walk", "hip_thrust", "clamshell", "lateral_step_up"]
            .map(|id| find(id).unwrap());
        assert_eq!(kit_for(session), [Equipment::Band, Equipment::Bench]);
        assert!(kit_for([find("clamshell").unwrap()]).is_empty());
        for f in Family::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), f.key());
        }
    }

    #[test]
    fn stand_ins_respect_missing_kit() {
        let split = find("bulgarian_split_squat").unwrap();
        assert_eq!(with_equipment(split, &[]).unwrap().id, "reverse_lunge");
        assert_eq!(
            with_equipment(split, &[Equipment::Bench]).unwrap().id,
            split.id
        );
    }
}
