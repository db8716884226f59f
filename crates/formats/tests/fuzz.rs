//! Fuzzing on stable Rust (cargo-fuzz needs nightly): every decoder gets the
//! real device files of testdata/activities with random damage — bytes
//! flipped, cut short, spliced, repeated — and must answer with activities
//! or an error, never a panic. The calendar writer round-trips any text.
//! Bounded for CI (FUZZ_CASES, default 32 per property);
//! `bench/fuzz.sh` runs them far longer. Crashers found are kept as
//! regression cases in fuzz.proptest-regressions.

use std::io::Cursor;
use std::path::PathBuf;

use proptest::prelude::*;
use runcoach_formats::ics::{self, Calendar, Event, When};
use runcoach_formats::strava;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/activities")
}

/// Every activity file of the fixtures: (name, bytes).
fn fixtures(dirs: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut entries: Vec<_> = std::fs::read_dir(testdata().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// One kind of damage, at positions given as fractions of the length so
/// the same mutation fits any file.
#[derive(Debug, Clone)]
enum Damage {
    Flip { at: f64, xor: u8 },
    Set { at: f64, byte: u8 },
    Cut { at: f64 },
    Insert { at: f64, bytes: Vec<u8> },
    Repeat { from: f64, len: usize, to: f64 },
    Delete { from: f64, len: usize },
}

fn damage() -> impl Strategy<Value = Damage> {
    let at = 0.0..1.0f64;
    prop_oneof![
        4 => (at.clone(), 1..=255u8).prop_map(|(at, xor)| Damage::Flip { at, xor }),
        2 => (at.clone(), any::<u8>()).prop_map(|(at, byte)| Damage::Set { at, byte }),
        1 => at.clone().prop_map(|at| Damage::Cut { at }),
        1 => (at.clone(), proptest::collection::vec(any::<u8>(), 1..32))
            .prop_map(|(at, bytes)| Damage::Insert { at, bytes }),
        1 => (at.clone(), 1..4096usize, at.clone()).prop_map(|(from, len, to)| Damage::Repeat { from, len, to }),
        1 => (at, 1..4096usize).prop_map(|(from, len)| Damage::Delete { from, len }),
    ]
}

fn pos(at: f64, len: usize) -> usize {
    ((at * len as f64) as usize).min(len)
}

fn apply(bytes: &mut Vec<u8>, d: &Damage) {
    let len = bytes.len();
    match d {
        Damage::Flip { at, xor } if len > 0 => {
            let i = pos(*at, len - 1);
            bytes[i] ^= xor;
        }
        Damage::Set { at, byte } if len > 0 => {
            let i = pos(*at, len - 1);
            bytes[i] = *byte;
        }
        Damage::Cut { at } => bytes.truncate(pos(*at, len)),
        Damage::Insert { at, bytes: extra } => {
            let i = pos(*at, len);
            bytes.splice(i..i, extra.iter().copied());
        }
        Damage::Repeat { from, len: n, to } => {
            let a = pos(*from, len);
            let chunk = bytes[a..(a + n).min(len)].to_vec();
            let b = pos(*to, len);
            bytes.splice(b..b, chunk);
        }
        Damage::Delete { from, len: n } => {
            let a = pos(*from, len);
            bytes.drain(a..(a + n).min(len));
        }
        _ => {}
    }
}

fn damaged(pool: &'static [(String, Vec<u8>)]) -> impl Strategy<Value = (String, Vec<u8>)> {
    (0..pool.len(), proptest::collection::vec(damage(), 1..6)).prop_map(move |(i, ds)| {
        let (name, bytes) = &pool[i];
        let mut bytes = bytes.clone();
        for d in &ds {
            apply(&mut bytes, d);
        }
        (name.clone(), bytes)
    })
}

fn pool(dirs: &'static [&'static str]) -> &'static [(String, Vec<u8>)] {
    Box::leak(fixtures(dirs).into_boxed_slice())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// FIT files (good and damaged ones, gzipped too) with more damage.
    #[test]
    fn damaged_fit_files_never_panic((name, bytes) in damaged(pool(&["fit", "bad", "workout"]))) {
        let _ = runcoach_formats::decode(&bytes, &name);
    }

    #[test]
    fn damaged_gpx_files_never_panic((name, bytes) in damaged(pool(&["gpx"]))) {
        let _ = runcoach_formats::decode(&bytes, &name);
    }

    #[test]
    fn damaged_tcx_files_never_panic((name, bytes) in damaged(pool(&["tcx"]))) {
        let _ = runcoach_formats::decode(&bytes, &name);
    }

    /// Gzip wrappers damaged: the inflater and then whichever decoder.
    #[test]
    fn damaged_gzip_files_never_panic((name, bytes) in damaged(pool(&["gz"]))) {
        let _ = runcoach_formats::decode(&bytes, &name);
    }

    /// Strava's activities.csv, damaged.
    #[test]
    fn damaged_strava_csv_never_panics((_, bytes) in damaged(pool(&["strava_export"]))) {
        let _ = strava::parse_activities_csv(&bytes);
    }

    /// A Strava export zip, damaged, read to the end with every entry
    /// decoded (as `runcoach import` does).
    #[test]
    fn damaged_strava_zip_never_panics((_, bytes) in damaged(pool(&["strava_export"]))) {
        if let Ok(export) = strava::read_export(Cursor::new(bytes), strava::Limits::default()) {
            for item in export.take(10_000) {
                let _ = item;
            }
        }
    }

    /// Any text survives the calendar writer: escaped, folded to 75 octets
    /// a line without splitting a character, unfolded and unescaped to
    /// what went in (line ends as `\n`, other controls but tab dropped).
    #[test]
    fn any_text_round_trips_through_ics(summary in any::<String>(), description in any::<String>()) {
        let cal = Calendar {
            name: "fuzz".into(),
            prodid: "-//runcoach//fuzz//EN".into(),
            refresh_minutes: 60,
            dtstamp: jiff::Timestamp::UNIX_EPOCH,
            events: vec![Event {
                uid: "u@runcoach".into(),
                sequence: 0,
                summary: summary.clone(),
                description: description.clone(),
                location: None,
                url: None,
                categories: vec![],
                when: When::AllDay(jiff::civil::date(2027, 3, 28)),
                transparent: false,
            }],
        };
        let doc = ics::write(&cal);
        for line in doc.split("\r\n") {
            prop_assert!(line.len() <= ics::MAX_LINE_OCTETS, "{} octets: {line:?}", line.len());
        }
        let unfolded = ics::unfold(&doc);
        let value = |key: &str| {
            unfolded
                .split("\r\n")
                .find_map(|l| l.strip_prefix(key))
                .map(ics::unescape_text)
        };
        prop_assert_eq!(value("SUMMARY:").unwrap_or_default(), plain(&summary));
        if !description.is_empty() {
            prop_assert_eq!(value("DESCRIPTION:").unwrap_or_default(), plain(&description));
        }
    }
}

/// Text as a calendar keeps it: CRLF and CR become LF, other controls
/// except tab and LF go.
fn plain(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\t' || *c == '\n')
        .collect()
}
