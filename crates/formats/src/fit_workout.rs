//! A small FIT encoder for workout files: what Garmin watches load from
//! `GARMIN/NewFiles` (or Garmin Connect imports) as a structured workout.
//!
//! ```
//! use runcoach_formats::fit_workout::*;
//!
//! let workout = Workout {
//!     name: "5 × 1 km".into(),
//!     sport: WorkoutSport::Running,
//!     description: None,
//!     serial_number: 1,
//!     time_created: 1_000_000_000,
//!     steps: vec![
//!         WorkoutStep::Single(Step::new("Warm-up", Duration::Time { s: 600 }, Intensity::Warmup)),
//!         WorkoutStep::Repeat {
//!             times: 5,
//!             steps: vec![
//!                 WorkoutStep::Single(
//!                     Step::new("1 km", Duration::Distance { m: 1000 }, Intensity::Active)
//!                         .with_target(Target::Speed { low_mps: 4.0, high_mps: 4.167 }),
//!                 ),
//!                 WorkoutStep::Single(Step::new("Jog", Duration::Time { s: 120 }, Intensity::Recovery)),
//!             ],
//!         },
//!         WorkoutStep::Single(Step::new("Cool-down", Duration::Open, Intensity::Cooldown)),
//!     ],
//! };
//! let bytes = encode(&workout);
//! assert_eq!(&bytes[8..12], b".FIT");
//! ```
//!
//! The file holds `file_id` (type workout, manufacturer development, as Garmin's own
//! SDK writes it), one `workout` and one `workout_step` per step, repeats flattened
//! into FIT's "repeat until steps complete" step that points back at the first step
//! it repeats. Little-endian, protocol 1.0 (no developer fields, so every FIT device
//! reads it), header and file CRC-16 as in the FIT SDK.

/// FIT epoch (1989-12-31T00:00:00Z) as Unix seconds.
pub const FIT_EPOCH_UNIX_S: i64 = 631_065_600;

/// Longest string written for names (bytes, before the terminating NUL).
pub const MAX_NAME_BYTES: usize = 63;
/// Longest string written for notes and the workout description.
pub const MAX_NOTES_BYTES: usize = 253;

/// A workout as a watch shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Workout {
    /// `wkt_name`, cut to [`MAX_NAME_BYTES`] at a character boundary.
    pub name: String,
    /// Sport and sub-sport.
    pub sport: WorkoutSport,
    /// `wkt_description`, if any (cut to [`MAX_NOTES_BYTES`]).
    pub description: Option<String>,
    /// `file_id.serial_number`: with `time_created` it identifies the file, so two
    /// different workouts copied to one watch must not share both.
    pub serial_number: u32,
    /// `file_id.time_created`, seconds since the FIT epoch (see [`fit_time`]).
    pub time_created: u32,
    /// The steps, in order.
    pub steps: Vec<WorkoutStep>,
}

/// What kind of session the workout is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkoutSport {
    /// sport running (1), sub_sport generic (0).
    Running,
    /// sport training (10), sub_sport strength_training (20).
    Strength,
    /// sport training (10), sub_sport flexibility_training (19).
    Mobility,
}

impl WorkoutSport {
    /// FIT `sport` and `sub_sport` values.
    pub fn fit_values(self) -> (u8, u8) {
        match self {
            Self::Running => (1, 0),
            Self::Strength => (10, 20),
            Self::Mobility => (10, 19),
        }
    }
}

/// A step, or a block of steps done several times.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkoutStep {
    /// One step.
    Single(Step),
    /// `steps` done `times` times in all.
    Repeat {
        /// Total number of times (FIT `repeat_steps`).
        times: u32,
        /// The repeated steps (may nest).
        steps: Vec<WorkoutStep>,
    },
}

/// One step of a workout.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `wkt_step_name` (empty: none written).
    pub name: String,
    /// When the step ends.
    pub duration: Duration,
    /// What the watch holds the runner to.
    pub target: Target,
    /// warm-up, active, rest, recovery, cool-down.
    pub intensity: Intensity,
    /// `notes` (empty: none written).
    pub notes: String,
}

impl Step {
    /// A step with an open target and no notes.
    pub fn new(name: impl Into<String>, duration: Duration, intensity: Intensity) -> Self {
        Self {
            name: name.into(),
            duration,
            target: Target::Open,
            intensity,
            notes: String::new(),
        }
    }

    /// The same step with this target.
    pub fn with_target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// The same step with these notes.
    pub fn with_notes(mut self, notes: impl Into<String>) -> Self {
        self.notes = notes.into();
        self
    }
}

/// When a step ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duration {
    /// After this many seconds (FIT stores milliseconds).
    Time {
        /// Seconds.
        s: u32,
    },
    /// After this many metres (FIT stores centimetres).
    Distance {
        /// Metres.
        m: u32,
    },
    /// When the lap button is pressed.
    Open,
    /// After this many repetitions (strength steps).
    Reps(u32),
}

/// What a step targets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// No target.
    Open,
    /// A speed range in m/s (FIT stores mm/s); a pace band's slow end is `low_mps`.
    Speed {
        /// Slowest allowed speed, m/s.
        low_mps: f64,
        /// Fastest allowed speed, m/s.
        high_mps: f64,
    },
    /// A heart-rate range in beats per minute.
    HeartRate {
        /// Lowest bpm.
        low_bpm: u16,
        /// Highest bpm.
        high_bpm: u16,
    },
}

/// FIT `intensity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intensity {
    /// 0
    Active,
    /// 1: standing or walking rest.
    Rest,
    /// 2
    Warmup,
    /// 3
    Cooldown,
    /// 4: easy jog between efforts.
    Recovery,
}

impl Intensity {
    /// The FIT enum value.
    pub fn fit_value(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Rest => 1,
            Self::Warmup => 2,
            Self::Cooldown => 3,
            Self::Recovery => 4,
        }
    }
}

/// Seconds since the FIT epoch for a Unix time (clamped to the `u32` range).
pub fn fit_time(unix_s: i64) -> u32 {
    (unix_s - FIT_EPOCH_UNIX_S).clamp(0, i64::from(u32::MAX - 1)) as u32
}

/// The number of `workout_step` messages `steps` becomes (repeat steps included).
pub fn flat_step_count(steps: &[WorkoutStep]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            WorkoutStep::Single(_) => 1,
            WorkoutStep::Repeat { steps, .. } => flat_step_count(steps) + 1,
        })
        .sum()
}

// FIT global message numbers.
const MESG_FILE_ID: u16 = 0;
const MESG_WORKOUT: u16 = 26;
const MESG_WORKOUT_STEP: u16 = 27;

// FIT base types.
const ENUM: u8 = 0x00;
const STRING: u8 = 0x07;
const UINT16: u8 = 0x84;
const UINT32: u8 = 0x86;
const UINT32Z: u8 = 0x8C;

const FILE_TYPE_WORKOUT: u8 = 5;
const MANUFACTURER_DEVELOPMENT: u16 = 255;
const PROTOCOL_VERSION: u8 = 0x10; // 1.0
const PROFILE_VERSION: u16 = 21218; // the profile of the SDK the reference file came from

// duration_type values.
const DUR_TIME: u8 = 0;
const DUR_DISTANCE: u8 = 1;
const DUR_OPEN: u8 = 5;
const DUR_REPEAT_UNTIL_STEPS_CMPLT: u8 = 6;
const DUR_REPS: u8 = 29;
// target_type values.
const TARGET_SPEED: u8 = 0;
const TARGET_HEART_RATE: u8 = 1;
const TARGET_OPEN: u8 = 2;

/// Encodes a workout as a complete FIT file (header, messages, CRC).
pub fn encode(workout: &Workout) -> Vec<u8> {
    let mut records = Records::default();
    let (sport, sub_sport) = workout.sport.fit_values();

    records.message(
        MESG_FILE_ID,
        vec![
            Field::u8(0, FILE_TYPE_WORKOUT),
            Field::u16(1, MANUFACTURER_DEVELOPMENT),
            Field::u16(2, 0),
            Field::new(
                3,
                UINT32Z,
                workout.serial_number.max(1).to_le_bytes().to_vec(),
            ),
            Field::u32(4, workout.time_created),
        ],
    );

    let n_steps = flat_step_count(&workout.steps);
    let mut fields = Vec::new();
    fields.extend(Field::string(8, &workout.name, MAX_NAME_BYTES));
    fields.push(Field::u8(4, sport));
    fields.push(Field::u8(11, sub_sport));
    fields.push(Field::u16(6, n_steps.min(0xFFFE) as u16));
    if let Some(d) = &workout.description {
        fields.extend(Field::string(17, d, MAX_NOTES_BYTES));
    }
    records.message(MESG_WORKOUT, fields);

    let mut index = 0u16;
    write_steps(&mut records, &workout.steps, &mut index);

    let mut file = Vec::with_capacity(14 + records.bytes.len() + 2);
    file.push(14);
    file.push(PROTOCOL_VERSION);
    file.extend_from_slice(&PROFILE_VERSION.to_le_bytes());
    file.extend_from_slice(&(records.bytes.len() as u32).to_le_bytes());
    file.extend_from_slice(b".FIT");
    let header_crc = crc16(&file);
    file.extend_from_slice(&header_crc.to_le_bytes());
    file.extend_from_slice(&records.bytes);
    let crc = crc16(&file);
    file.extend_from_slice(&crc.to_le_bytes());
    file
}

fn write_steps(records: &mut Records, steps: &[WorkoutStep], index: &mut u16) {
    for step in steps {
        match step {
            WorkoutStep::Single(s) => {
                records.message(MESG_WORKOUT_STEP, step_fields(*index, s));
                *index += 1;
            }
            WorkoutStep::Repeat { times, steps } => {
                let first = *index;
                write_steps(records, steps, index);
                records.message(
                    MESG_WORKOUT_STEP,
                    vec![
                        Field::u16(254, *index),
                        Field::u8(1, DUR_REPEAT_UNTIL_STEPS_CMPLT),
                        Field::u32(2, u32::from(first)),
                        Field::u8(3, TARGET_OPEN),
                        Field::u32(4, *times),
                        Field::u8(7, Intensity::Active.fit_value()),
                    ],
                );
                *index += 1;
            }
        }
    }
}

fn step_fields(index: u16, s: &Step) -> Vec<Field> {
    let mut f = vec![Field::u16(254, index)];
    f.extend(Field::string(0, &s.name, MAX_NAME_BYTES));
    let (dtype, dvalue) = match s.duration {
        Duration::Time { s } => (DUR_TIME, s.saturating_mul(1000)),
        Duration::Distance { m } => (DUR_DISTANCE, m.saturating_mul(100)),
        Duration::Open => (DUR_OPEN, 0),
        Duration::Reps(n) => (DUR_REPS, n),
    };
    f.push(Field::u8(1, dtype));
    f.push(Field::u32(2, dvalue));
    match s.target {
        Target::Open => {
            f.push(Field::u8(3, TARGET_OPEN));
            f.push(Field::u32(4, 0));
        }
        Target::Speed { low_mps, high_mps } => {
            let mm = |v: f64| (v.max(0.0) * 1000.0).round().min(f64::from(u32::MAX - 1)) as u32;
            let (lo, hi) = (mm(low_mps.min(high_mps)), mm(low_mps.max(high_mps)));
            f.push(Field::u8(3, TARGET_SPEED));
            f.push(Field::u32(4, 0)); // 0: custom range, not a zone
            f.push(Field::u32(5, lo));
            f.push(Field::u32(6, hi));
        }
        Target::HeartRate { low_bpm, high_bpm } => {
            // Custom heart rates are offset by 100 (values ≤ 100 are % of max HR).
            f.push(Field::u8(3, TARGET_HEART_RATE));
            f.push(Field::u32(4, 0));
            f.push(Field::u32(5, u32::from(low_bpm.min(high_bpm)) + 100));
            f.push(Field::u32(6, u32::from(low_bpm.max(high_bpm)) + 100));
        }
    }
    f.push(Field::u8(7, s.intensity.fit_value()));
    f.extend(Field::string(8, &s.notes, MAX_NOTES_BYTES));
    f
}

/// One field of a message: number, base type, little-endian value bytes.
struct Field {
    num: u8,
    base: u8,
    value: Vec<u8>,
}

impl Field {
    fn new(num: u8, base: u8, value: Vec<u8>) -> Self {
        Self { num, base, value }
    }
    fn u8(num: u8, v: u8) -> Self {
        Self::new(num, ENUM, vec![v])
    }
    fn u16(num: u8, v: u16) -> Self {
        Self::new(num, UINT16, v.to_le_bytes().to_vec())
    }
    fn u32(num: u8, v: u32) -> Self {
        Self::new(num, UINT32, v.to_le_bytes().to_vec())
    }
    /// A NUL-terminated UTF-8 string cut to `max` bytes at a character boundary;
    /// `None` for an empty string (FIT has no use for an empty field).
    fn string(num: u8, s: &str, max: usize) -> Option<Self> {
        let s: String = s.chars().filter(|c| *c != '\0').collect();
        let cut = truncate(&s, max);
        if cut.is_empty() {
            return None;
        }
        let mut value = cut.as_bytes().to_vec();
        value.push(0);
        Some(Self::new(num, STRING, value))
    }
}

/// `s` cut to at most `max` bytes without splitting a character.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Record bytes, each data message preceded by its own definition (local message 0
/// redefined each time: fields and string sizes differ from step to step).
#[derive(Default)]
struct Records {
    bytes: Vec<u8>,
}

impl Records {
    fn message(&mut self, global: u16, fields: Vec<Field>) {
        let b = &mut self.bytes;
        b.push(0x40); // definition, local message 0
        b.push(0); // reserved
        b.push(0); // little-endian
        b.extend_from_slice(&global.to_le_bytes());
        b.push(fields.len() as u8);
        for f in &fields {
            b.extend_from_slice(&[f.num, f.value.len() as u8, f.base]);
        }
        b.push(0x00); // data, local message 0
        for f in &fields {
            b.extend_from_slice(&f.value);
        }
    }
}

const CRC_TABLE: [u16; 16] = [
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800, 0xB401,
    0x5000, 0x9C01, 0x8801, 0x4400,
];

/// The FIT SDK's CRC-16 (nibble table) over `bytes`.
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |mut crc, &byte| {
        let tmp = CRC_TABLE[usize::from(crc & 0xF)];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ CRC_TABLE[usize::from(byte & 0xF)];
        let tmp = CRC_TABLE[usize::from(crc & 0xF)];
        crc = (crc >> 4) & 0x0FFF;
        crc ^ tmp ^ CRC_TABLE[usize::from(byte >> 4)]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_fit_sdk() {
        // CRC-16/ARC check value: the FIT CRC is the same polynomial (0xA001, reflected).
        assert_eq!(crc16(b"123456789"), 0xBB3D);
        assert_eq!(crc16(&[]), 0);
        // A file's CRC over itself, stored little-endian, gives zero.
        let data = b"runcoach";
        let mut with_crc = data.to_vec();
        with_crc.extend_from_slice(&crc16(data).to_le_bytes());
        assert_eq!(crc16(&with_crc), 0);
    }

    #[test]
    fn header_is_fourteen_bytes_with_crc() {
        let w = Workout {
            name: "x".into(),
            sport: WorkoutSport::Running,
            description: None,
            serial_number: 7,
            time_created: 1,
            steps: vec![WorkoutStep::Single(Step::new(
                "",
                Duration::Open,
                Intensity::Active,
            ))],
        };
        let bytes = encode(&w);
        assert_eq!(bytes[0], 14);
        assert_eq!(bytes[1], 0x10);
        let data_len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        assert_eq!(bytes.len(), 14 + data_len + 2);
        assert_eq!(
            u16::from_le_bytes([bytes[12], bytes[13]]),
            crc16(&bytes[..12])
        );
        assert_eq!(crc16(&bytes), 0, "file CRC");
    }

    #[test]
    fn strings_are_cut_at_character_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("abc", 10), "abc");
        let f = Field::string(0, &"é".repeat(40), MAX_NAME_BYTES).unwrap();
        assert_eq!(f.value.len(), 62 + 1);
        assert_eq!(*f.value.last().unwrap(), 0);
        assert!(Field::string(0, "", 10).is_none());
    }

    #[test]
    fn repeats_flatten_and_point_back() {
        let s = |n: &str| WorkoutStep::Single(Step::new(n, Duration::Open, Intensity::Active));
        let steps = vec![
            s("a"),
            WorkoutStep::Repeat {
                times: 3,
                steps: vec![
                    s("b"),
                    WorkoutStep::Repeat {
                        times: 2,
                        steps: vec![s("c")],
                    },
                ],
            },
            s("d"),
        ];
        // a, b, c, repeat(→2), repeat(→1), d
        assert_eq!(flat_step_count(&steps), 6);
        let mut records = Records::default();
        let mut index = 0;
        write_steps(&mut records, &steps, &mut index);
        assert_eq!(index, 6);
    }

    #[test]
    fn fit_time_counts_from_1989_12_31() {
        assert_eq!(fit_time(FIT_EPOCH_UNIX_S), 0);
        assert_eq!(fit_time(0), 0);
        // 2025-01-06T12:00:00Z, the reference file's time_created.
        assert_eq!(fit_time(1_736_164_800), 0x41DE_79C0);
    }
}
