//! What kind of activity a recording is: one type from the decoders
//! (formats) through storage (store) to the rules (load, history,
//! matching), written everywhere as the same snake_case string.

use serde::{Deserialize, Serialize};

/// What kind of activity a file records.
///
/// Serialised as a single snake_case string: `"running"`, `"trail_running"`,
/// …; any other sport keeps its own (lower-cased, snake_case) name, e.g.
/// `"hiking"`, `"generic"`, `"unspecified"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Sport {
    /// Road, track, treadmill or unspecified running.
    Running,
    /// Running off road (FIT `running/trail`, TCX/GPX `trail_running`).
    TrailRunning,
    /// Walking.
    Walking,
    /// Any kind of cycling (road, mountain, indoor, virtual).
    Cycling,
    /// Pool or open-water swimming.
    Swimming,
    /// More than one sport in one recording (triathlon, brick, adventure race).
    Multisport,
    /// Anything else, by the name the file gives it.
    Other(String),
}

impl Sport {
    /// Maps a sport name as written by devices and services (FIT enum names,
    /// TCX `Sport` attribute, GPX `<type>`, Strava activity types) to a sport.
    pub fn from_name(name: &str) -> Sport {
        let key: String = name
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        match key.as_str() {
            "running" | "run" | "street_running" | "road_running" | "track_running"
            | "treadmill_running" | "indoor_running" | "virtual_run" | "virtualrun"
            | "treadmill" => Sport::Running,
            "trail_running" | "trail_run" | "trailrun" | "trail" => Sport::TrailRunning,
            "walking" | "walk" | "casual_walking" | "speed_walking" => Sport::Walking,
            "cycling" | "biking" | "bike" | "ride" | "road_biking" | "road_cycling"
            | "mountain_biking" | "mountain_bike_ride" | "gravel_cycling" | "indoor_cycling"
            | "virtual_ride" | "virtualride" | "e_bike_ride" | "ebikeride" => Sport::Cycling,
            "swimming" | "swim" | "open_water" | "open_water_swimming" | "lap_swimming" => {
                Sport::Swimming
            }
            "multisport" | "multi_sport" | "triathlon" => Sport::Multisport,
            "" => Sport::Other("unspecified".to_string()),
            _ => Sport::Other(key),
        }
    }

    /// The snake_case name used in serialisation.
    pub fn as_str(&self) -> &str {
        match self {
            Sport::Running => "running",
            Sport::TrailRunning => "trail_running",
            Sport::Walking => "walking",
            Sport::Cycling => "cycling",
            Sport::Swimming => "swimming",
            Sport::Multisport => "multisport",
            Sport::Other(name) => name,
        }
    }

    /// Running of any kind (road, track, treadmill, trail).
    pub fn is_running(&self) -> bool {
        matches!(self, Sport::Running | Sport::TrailRunning)
    }
}

impl Default for Sport {
    /// A file that names no sport.
    fn default() -> Sport {
        Sport::Other("unspecified".to_string())
    }
}

impl From<&str> for Sport {
    fn from(name: &str) -> Sport {
        Sport::from_name(name)
    }
}

impl From<String> for Sport {
    fn from(name: String) -> Sport {
        Sport::from_name(&name)
    }
}

impl From<Sport> for String {
    fn from(sport: Sport) -> String {
        sport.as_str().to_string()
    }
}

impl std::fmt::Display for Sport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
