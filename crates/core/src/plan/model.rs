//! The plan as runners, coaches, the checker and the API see it. This is a
//! public JSON contract (`runcoach plan --format json`, `/api/v1/plans`):
//! add fields, never rename them.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use crate::exercises::{Equipment, Family};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    Easy,
    Recovery,
    Long,
    Tempo,
    Intervals,
    Repetition,
    MarathonPace,
    Race,
    Strength,
    Mobility,
    CrossTraining,
    Rest,
}

impl SessionKind {
    pub fn is_run(self) -> bool {
        matches!(
            self,
            Self::Easy
                | Self::Recovery
                | Self::Long
                | Self::Tempo
                | Self::Intervals
                | Self::Repetition
                | Self::MarathonPace
                | Self::Race
        )
    }

    /// Sessions the rules call quality: hard days that need spacing.
    pub fn is_quality(self) -> bool {
        matches!(
            self,
            Self::Tempo | Self::Intervals | Self::Repetition | Self::MarathonPace
        )
    }

    /// Very short label for dense grids.
    pub fn short(self) -> &'static str {
        match self {
            Self::Recovery => "Rec",
            Self::Intervals => "Int",
            Self::MarathonPace => "MP",
            other => other.label(),
        }
    }

    /// Short label used everywhere a session kind is shown.
    pub fn label(self) -> &'static str {
        match self {
            Self::Easy => "Easy",
            Self::Recovery => "Recovery",
            Self::Long => "Long",
            Self::Tempo => "Tempo",
            Self::Intervals => "Intervals",
            Self::Repetition => "Reps",
            Self::MarathonPace => "M-pace",
            Self::Race => "RACE",
            Self::Strength => "Hips",
            Self::Mobility => "Mobility",
            Self::CrossTraining => "Cross",
            Self::Rest => "Rest",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Base,
    Build,
    Peak,
    Taper,
    Race,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Base => "base",
            Phase::Build => "build",
            Phase::Peak => "peak",
            Phase::Taper => "taper",
            Phase::Race => "race week",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    FirstTimer,
    Experienced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Niggle {
    Knee,
    Itb,
    HipFlexor,
    LowBack,
}

impl Niggle {
    pub fn label(self) -> &'static str {
        match self {
            Niggle::Knee => "knee",
            Niggle::Itb => "IT band",
            Niggle::HipFlexor => "hip flexor",
            Niggle::LowBack => "lower back",
        }
    }
}

/// A strength or mobility movement as prescribed on a given day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dose {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    pub sets: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reps: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_s: Option<u16>,
    #[serde(default)]
    pub per_side: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Warmup,
    Work,
    Recovery,
    Cooldown,
    Repeat,
}

/// One part of a structured run; a `repeat` step holds the steps it repeats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace_s_per_km: Option<[u32; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpe: Option<[u8; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Stable id once stored; absent in a freshly generated plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub kind: SessionKind,
    #[serde(default)]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// Target pace band, fast then slow, when a race result is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace_s_per_km: Option<[u32; 2]>,
    /// Target effort (RPE 1–10) when no race result is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpe: Option<[u8; 2]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exercises: Vec<Dose>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activation: Vec<Dose>,
    pub why: String,
}

impl Session {
    pub fn km(&self) -> f64 {
        f64::from(self.distance_m.unwrap_or(0)) / 1000.0
    }

    /// The session's one name, on every page and in the calendar feed: its
    /// title in the runner's units while the title still gives the
    /// session's size (a quality title names its workout, "Intervals 5 ×
    /// 1000 m"; a race its race), else its kind and size ("Easy 8.0 km",
    /// "Hip strength 20 min") — an edited distance leaves no stale title.
    pub fn name(&self, units: crate::units::Units) -> String {
        let title = units.localise(self.title.trim());
        let size = if self.kind.is_run() {
            self.distance_m.map(|_| units.distance(self.km()))
        } else {
            self.minutes.map(|m| format!("{m} min"))
        };
        let keeps_title = !title.is_empty()
            && match &size {
                _ if self.kind.is_quality() || self.kind == SessionKind::Race => true,
                Some(size) => title.contains(size.as_str()),
                None => true,
            };
        if keeps_title {
            return title;
        }
        let word = match self.kind {
            SessionKind::Strength => "Hip strength",
            SessionKind::Mobility => "Hip mobility",
            SessionKind::CrossTraining => "Cross-training",
            k => k.label(),
        };
        match size {
            Some(size) => format!("{word} {size}"),
            None => word.to_owned(),
        }
    }

    /// A hard day: a quality session, or a long run with marathon-pace
    /// segments (its work steps).
    pub fn is_hard(&self) -> bool {
        self.kind.is_quality()
            || (self.kind == SessionKind::Long
                && self.steps.iter().any(|s| {
                    s.kind == StepKind::Work
                        || (s.kind == StepKind::Repeat
                            && s.steps.iter().any(|i| i.kind == StepKind::Work))
                }))
    }

    /// The hard kilometres as the easy-share rule counts them: marathon
    /// pace is moderate (a steady effort, not a hard one), so its work
    /// counts half.
    pub fn intensity_km(&self) -> f64 {
        let weight = match self.kind {
            SessionKind::MarathonPace | SessionKind::Long => 0.5,
            _ => 1.0,
        };
        self.hard_km() * weight
    }

    /// Kilometres at quality intensity: the work steps when the structure is
    /// known, the whole session otherwise.
    pub fn hard_km(&self) -> f64 {
        if !self.is_hard() {
            return 0.0;
        }
        if self.steps.is_empty() {
            return self.km();
        }
        fn work(steps: &[Step], times: f64) -> f64 {
            steps
                .iter()
                .map(|s| match s.kind {
                    StepKind::Work => times * f64::from(s.distance_m.unwrap_or(0)) / 1000.0,
                    StepKind::Repeat => work(&s.steps, times * f64::from(s.times.unwrap_or(1))),
                    _ => 0.0,
                })
                .sum()
        }
        work(&self.steps, 1.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    pub date: Date,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    pub index: u32,
    pub start: Date,
    pub phase: Phase,
    pub recovery: bool,
    /// Planned running distance, race included.
    pub run_km: f64,
    /// Planned running distance without the race: what progression and
    /// taper rules measure.
    #[serde(default)]
    pub training_km: f64,
    /// The race's distance in race week, 0 in other weeks: `run_km` is
    /// `training_km` plus this.
    #[serde(default)]
    pub race_km: f64,
    #[serde(default)]
    pub run_minutes: u32,
    #[serde(default)]
    pub focus: String,
    pub days: Vec<Day>,
}

impl Week {
    pub fn sessions(&self) -> impl Iterator<Item = (&Day, &Session)> {
        self.days
            .iter()
            .flat_map(|d| d.sessions.iter().map(move |s| (d, s)))
    }

    /// Running km from the sessions themselves, race excluded.
    pub fn measured_training_km(&self) -> f64 {
        self.sessions()
            .filter(|(_, s)| s.kind.is_run() && s.kind != SessionKind::Race)
            .map(|(_, s)| s.km())
            .sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaceInfo {
    pub name: String,
    pub distance_m: u32,
    pub date: Date,
}

/// The runner facts the guardrails need to judge a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Athlete {
    pub level: Level,
    pub weekly_km: f64,
    /// The runner's longest recent run, when they gave it: with the weekly
    /// volume, whether their history holds the peak long runs' exception.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_run_km: Option<f64>,
    #[serde(with = "weekday_name")]
    pub long_run_day: Weekday,
    /// The days the runner said they can run; a plan that leaves one
    /// without a run says why on that day.
    #[serde(default, with = "weekday_names", skip_serializing_if = "Vec::is_empty")]
    pub run_days: Vec<Weekday>,
    pub strength_days: u8,
    #[serde(default)]
    pub new_to_strength: bool,
    #[serde(default)]
    pub equipment: Vec<Equipment>,
    #[serde(default)]
    pub niggles: Vec<Niggle>,
    /// Units the plan's explanations are written in.
    #[serde(default)]
    pub units: crate::units::Units,
}

/// Training paces the plan's targets come from (s/km).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPaces {
    pub vdot: f64,
    pub source: String,
    pub easy: [u32; 2],
    pub marathon: u32,
    pub threshold: u32,
    pub interval: u32,
    pub repetition: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub race: RaceInfo,
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub athlete: Option<Athlete>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paces: Option<PlanPaces>,
    pub weeks: Vec<Week>,
}

impl Plan {
    /// The runner's units (km when the plan does not say).
    pub fn units(&self) -> crate::units::Units {
        self.athlete.as_ref().map(|a| a.units).unwrap_or_default()
    }
}

/// A list of weekdays as `["mon", "thu"]`.
pub mod weekday_names {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(days: &[Weekday], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(days.iter().map(|d| super::weekday_name::name(*d)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Weekday>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                super::weekday_name::parse(s)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown weekday '{s}'")))
            })
            .collect()
    }
}

/// Weekdays as `mon`…`sun` in JSON and on the command line.
pub mod weekday_name {
    use jiff::civil::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub const NAMES: [(&str, Weekday); 7] = [
        ("mon", Weekday::Monday),
        ("tue", Weekday::Tuesday),
        ("wed", Weekday::Wednesday),
        ("thu", Weekday::Thursday),
        ("fri", Weekday::Friday),
        ("sat", Weekday::Saturday),
        ("sun", Weekday::Sunday),
    ];

    pub fn name(day: Weekday) -> &'static str {
        NAMES[day.to_monday_zero_offset() as usize].0
    }

    pub fn parse(s: &str) -> Option<Weekday> {
        let s = s.trim().to_ascii_lowercase();
        let key = s.get(..3)?;
        let (full, day) = NAMES.iter().find(|(n, _)| *n == key)?;
        let full_name = format!("{:?}", day).to_ascii_lowercase();
        (s == *full || full_name.starts_with(&s)).then_some(*day)
    }

    pub fn serialize<S: Serializer>(day: &Weekday, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Weekday, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown weekday '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::Units;

    fn run(kind: SessionKind, title: &str, metres: u32) -> Session {
        Session {
            id: None,
            kind,
            title: title.to_owned(),
            distance_m: Some(metres),
            duration_s: None,
            minutes: None,
            pace_s_per_km: None,
            rpe: None,
            steps: Vec::new(),
            exercises: Vec::new(),
            activation: Vec::new(),
            why: String::new(),
        }
    }

    #[test]
    fn a_session_has_one_name_in_the_runners_units() {
        let easy = run(SessionKind::Easy, "Easy 8.0 km + 6 strides", 8000);
        assert_eq!(easy.name(Units::Km), "Easy 8.0 km + 6 strides");
        // Made in km, read in miles: the title's distance follows.
        assert_eq!(easy.name(Units::Mi), "Easy 5.0 mi + 6 strides");
        // An edited distance: the title no longer says the size.
        let edited = run(SessionKind::Easy, "Easy 8.0 km", 6000);
        assert_eq!(edited.name(Units::Km), "Easy 6.0 km");
        // A workout's title names it, whatever the total.
        let reps = run(SessionKind::Intervals, "Intervals 5 × 1000 m", 8100);
        assert_eq!(reps.name(Units::Mi), "Intervals 5 × 1000 m");
        let mut hips = run(SessionKind::Strength, "Hip strength 18 min", 0);
        hips.distance_m = None;
        hips.minutes = Some(18);
        assert_eq!(hips.name(Units::Mi), "Hip strength 18 min");
        hips.minutes = Some(25);
        assert_eq!(hips.name(Units::Mi), "Hip strength 25 min");
        assert_eq!(
            run(SessionKind::Long, "", 20_000).name(Units::Km),
            "Long 20.0 km"
        );
    }
}
