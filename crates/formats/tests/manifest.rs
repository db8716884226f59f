//! Every file of `testdata/activities/MANIFEST.csv` decoded and checked against the
//! reference totals there (fitdecode / garmin-fit-sdk / gpxpy / python-tcxparser),
//! within 1%, except where a row of [`EXCEPTIONS`] says why we legitimately differ.

use runcoach_formats::{ActivitySummary, DecodeError, Sport, decode};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/activities");
const TOLERANCE: f64 = 0.01;

fn read(file: &str) -> Vec<u8> {
    let path = format!("{DATA}/{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// How a file must come out of `decode`.
enum Outcome {
    /// Clean: no salvage note.
    Clean,
    /// Damaged but readable: exactly this note.
    Salvaged(&'static str),
    /// Nothing usable: exactly this error message.
    Error(&'static str),
}

/// Files that are not clean, with the exact note or error. All other files must decode clean.
const OUTCOMES: &[(&str, Outcome)] = &[
    (
        "bad/pf__bad-file-crc.fit",
        Outcome::Salvaged(
            "file CRC mismatch at byte 769 (stored 45525, computed 41429): the data may be corrupt",
        ),
    ),
    (
        "bad/pf__chained-corrupt-header.fit",
        Outcome::Salvaged(
            "the chained FIT file at byte 771 has an invalid header (83 bytes skipped); \
             the activity before it is complete",
        ),
    ),
    (
        "bad/pf__chained-no-data.fit",
        Outcome::Salvaged(
            "truncated FIT file: ended at byte 786 of 853; the activity before it is complete",
        ),
    ),
    (
        "bad/pf__sigma-unterminated-no-session.fit",
        Outcome::Salvaged(
            "truncated FIT file: the message at byte 403437 runs past the end of the file \
             (403456 bytes) and there is no CRC; the last 19 bytes were skipped; kept the 14391 \
             records read before; no session message: totals derived from 14391 records",
        ),
    ),
    (
        "bad/pf__strava-android-run-undefined-local-msg.fit",
        Outcome::Salvaged(
            "corrupt FIT data at byte 7471: undefined local message 11; the last 70762 bytes \
             were skipped; kept the 473 records and the session message read before",
        ),
    ),
    (
        "bad/pf__truncated-eof.fit",
        Outcome::Salvaged(
            "truncated FIT file: ended at byte 768 of 771; the last 17 bytes were skipped; \
             kept the 14 records and the session message read before",
        ),
    ),
    (
        "fit/pf__vivofit-monitoring-not-activity.fit",
        Outcome::Error("not an activity file (file type monitoring_b)"),
    ),
    (
        "gpx/gp__route-only-no-track.gpx",
        Outcome::Error(
            "no track points (the GPX file has no <trk> with points; routes and waypoints are \
             not activities)",
        ),
    ),
    (
        "workout/sdk_encoded_running_intervals.fit",
        Outcome::Error("not an activity file (file type workout)"),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Sport,
    Distance,
    Timer,
    AvgHr,
}

/// Where we differ from the manifest, or the manifest has no value: our value and why.
/// Numbers still have to match ours within 1%; sports exactly.
const EXCEPTIONS: &[(&str, Field, &str, &str)] = &[
    (
        "fit/pf__coros-pace2-ride-misaligned.fit",
        Field::AvgHr,
        "131.94",
        "the manifest's 139.3 is 'records, partial': the mean of the 1784 heart rates before \
         byte 41093, where fitdecode gives up on the misaligned uint32 field. We read the whole \
         file, as garmin-fit-sdk does: 8946 records with heart rate, mean 131.94; the session \
         has no avg_heart_rate",
    ),
    (
        "fit/pf__fr70-run-relative-time.fit",
        Field::Distance,
        "0",
        "no reference value: the file has no distance at all (no GPS, no total_distance in the \
         session, no distance in records)",
    ),
    (
        "bad/pf__sigma-unterminated-no-session.fit",
        Field::Timer,
        "14296",
        "no reference value: there is no session, so no device timer; moving time from the \
         records (speed > 0.5 m/s, gaps <= 120 s) over 16723 s elapsed",
    ),
    (
        "bad/pf__sigma-unterminated-no-session.fit",
        Field::Sport,
        "cycling",
        "the manifest gives the file type; there is no session, and the file's sport message \
         says cycling (113.6 km in 4.6 h)",
    ),
    (
        "gpx/gp__multi-track-no-ele.gpx",
        Field::Timer,
        "1953",
        "slow walk logged by GPSBabel: gpxpy counts every interval faster than 1 km/h as \
         moving, we count those faster than 0.5 m/s (1.8 km/h), because GPS drift while \
         standing reaches 1 km/h; with gpxpy's rule we get its 2295 s exactly \
         (gpx::tests::gpxpy_rule_reproduces_gpxpy_moving_time)",
    ),
    (
        "gpx/gp__multi-track-partial-times.gpx",
        Field::Timer,
        "5900",
        "slow hike logged by GPSBabel: same threshold difference as gp__multi-track-no-ele.gpx; \
         with gpxpy's rule we get its 7084 s exactly",
    ),
    (
        "gpx/gp__multi-track-partial-times.gpx",
        Field::Sport,
        "jkljkl",
        "the file's <trk><type> really is 'jkljkl' (gpxpy test data); gpxpy's summary does not \
         read <type>",
    ),
];

/// One row of MANIFEST.csv, the columns used here.
#[derive(Debug)]
struct Row {
    file: String,
    sport: String,
    start_time: String,
    distance: String,
    elapsed: String,
    laps: String,
    avg_hr: String,
    timer: String,
}

fn manifest() -> Vec<Row> {
    let text = String::from_utf8(read("MANIFEST.csv")).unwrap();
    let mut records = csv(&text).into_iter();
    let header = records.next().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (file, sport, start, dist, elapsed, laps, hr, timer) = (
        col("file"),
        col("sport"),
        col("start_time"),
        col("distance_m"),
        col("elapsed_s"),
        col("laps"),
        col("avg_hr"),
        col("timer_or_moving_s"),
    );
    records
        .map(|r| Row {
            file: r[file].clone(),
            sport: r[sport].clone(),
            start_time: r[start].clone(),
            distance: r[dist].clone(),
            elapsed: r[elapsed].clone(),
            laps: r[laps].clone(),
            avg_hr: r[hr].clone(),
            timer: r[timer].clone(),
        })
        .collect()
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines.
fn csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Leading number of a manifest cell ("146.3 (records)" → 146.3).
fn leading_number(cell: &str) -> Option<f64> {
    cell.split_whitespace().next()?.parse().ok()
}

fn exception(file: &str, field: Field) -> Option<&'static str> {
    EXCEPTIONS
        .iter()
        .find(|(f, fld, _, _)| *f == file && *fld == field)
        .map(|(_, _, value, _)| *value)
}

fn close(ours: f64, reference: f64) -> bool {
    if reference == 0.0 {
        ours.abs() < 1e-9
    } else {
        ((ours - reference) / reference).abs() <= TOLERANCE
    }
}

/// UTC unix ms of "2012-04-09 21:22:26+00:00" or "2012-12-26T21:29:53Z"/".000Z".
fn manifest_time_ms(cell: &str) -> Option<i64> {
    let b = cell.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| cell[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let secs = n(11..13) * 3600 + n(14..16) * 60 + n(17..19);
    assert!(
        cell[19..].trim_start_matches(".000").trim() == "Z"
            || cell[19..].trim() == "+00:00"
            || cell[19..].is_empty(),
        "unexpected zone in {cell}"
    );
    // days from civil (Hinnant)
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some((days * 86_400 + secs) * 1000)
}

fn manifest_sport(cell: &str) -> Sport {
    if cell.contains('+') {
        return Sport::Multisport;
    }
    Sport::from_name(cell.split('/').next().unwrap())
}

/// The single summary of a file that decodes, checked field by field. Returns the
/// list of mismatches (empty when all agree).
fn check(row: &Row, s: &ActivitySummary) -> Vec<String> {
    let mut bad = Vec::new();
    let f = row.file.as_str();
    let mut number = |field: Field, name: &str, ours: f64, cell: &str| {
        let reference = match exception(f, field) {
            Some(v) => v.parse::<f64>().unwrap(),
            None => match leading_number(cell) {
                Some(v) => v,
                None => {
                    bad.push(format!(
                        "{name}: manifest has no value and no exception; ours {ours}"
                    ));
                    return;
                }
            },
        };
        if !close(ours, reference) {
            bad.push(format!(
                "{name}: ours {ours:.2} vs reference {reference:.2}"
            ));
        }
    };
    number(Field::Distance, "distance_m", s.distance_m, &row.distance);
    number(Field::Timer, "timer/moving_s", s.moving_s, &row.timer);
    // Elapsed has no exceptions: every file that decodes has a reference.
    match leading_number(&row.elapsed) {
        Some(reference) if close(s.elapsed_s, reference) => {}
        reference => bad.push(format!("elapsed_s: ours {} vs {reference:?}", s.elapsed_s)),
    }
    match (
        exception(f, Field::AvgHr),
        leading_number(&row.avg_hr),
        s.avg_hr,
    ) {
        (Some(v), _, Some(ours)) if close(ours, v.parse().unwrap()) => {}
        (None, Some(reference), Some(ours)) if close(ours, reference) => {}
        (None, None, None) => {}
        (e, reference, ours) => bad.push(format!(
            "avg_hr: ours {ours:?} vs reference {reference:?} (exception {e:?})"
        )),
    }
    let laps_reference: u32 = row.laps.parse().unwrap_or(0); // GPX: blank, and we say 0
    if s.laps != laps_reference {
        bad.push(format!("laps: ours {} vs {laps_reference}", s.laps));
    }
    let sport_reference = match exception(f, Field::Sport) {
        Some(name) => Sport::from_name(name),
        None => manifest_sport(&row.sport),
    };
    if s.sport != sport_reference {
        bad.push(format!("sport: ours {} vs {sport_reference}", s.sport));
    }
    // A bare number is a device-relative FIT time, which has no UTC start.
    let start_reference = if row.start_time.parse::<i64>().is_ok() {
        None
    } else {
        manifest_time_ms(&row.start_time)
    };
    if s.start_time_ms != start_reference {
        bad.push(format!(
            "start_time_ms: ours {:?} vs {start_reference:?}",
            s.start_time_ms
        ));
    }
    bad
}

fn outcome(file: &str) -> &'static Outcome {
    OUTCOMES
        .iter()
        .find(|(f, _)| *f == file)
        .map_or(&Outcome::Clean, |(_, o)| o)
}

#[test]
fn every_manifest_file_matches_its_reference_totals() {
    let rows = manifest();
    assert!(rows.len() >= 40, "manifest has {} rows", rows.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in &rows {
        // The Strava export (zip + its activities.csv) is the export importer's input,
        // not an activity file; its activity files are copies of files checked here.
        if row.file.starts_with("strava_export/") {
            continue;
        }
        let result = decode(&read(&row.file), &row.file);
        match (outcome(&row.file), result) {
            (Outcome::Error(message), Err(e)) => {
                if e.to_string() != *message {
                    failures.push(format!("{}: error {e:?}, expected {message:?}", row.file));
                }
            }
            (Outcome::Error(message), Ok(s)) => failures.push(format!(
                "{}: decoded {} activities, expected error {message:?}",
                row.file,
                s.len()
            )),
            (_, Err(e)) => failures.push(format!("{}: unexpected error {e}", row.file)),
            (expected, Ok(summaries)) => {
                if summaries.len() != 1 {
                    failures.push(format!("{}: {} activities", row.file, summaries.len()));
                    continue;
                }
                let s = &summaries[0];
                let note = match expected {
                    Outcome::Salvaged(n) => Some(*n),
                    _ => None,
                };
                if s.salvaged.as_deref() != note {
                    failures.push(format!(
                        "{}: salvaged {:?}, expected {note:?}",
                        row.file, s.salvaged
                    ));
                }
                for mismatch in check(row, s) {
                    failures.push(format!("{}: {mismatch}", row.file));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert_eq!(checked, 38, "files decoded and compared");
}

#[test]
fn every_exception_and_outcome_names_a_manifest_file() {
    let rows = manifest();
    let known = |f: &str| rows.iter().any(|r| r.file == f);
    for (file, ..) in EXCEPTIONS {
        assert!(known(file), "exception for unknown file {file}");
    }
    for (file, _) in OUTCOMES {
        assert!(known(file), "outcome for unknown file {file}");
    }
}

#[test]
fn gzipped_copies_decode_like_their_originals() {
    let gz: Vec<String> = manifest()
        .into_iter()
        .map(|r| r.file)
        .filter(|f| f.starts_with("gz/"))
        .collect();
    assert_eq!(gz.len(), 3);
    for file in gz {
        let name = file.trim_start_matches("gz/").trim_end_matches(".gz");
        let dir = match name.rsplit('.').next().unwrap() {
            "fit" => "fit",
            "gpx" => "gpx",
            _ => "tcx",
        };
        let original = decode(&read(&format!("{dir}/{name}")), name).unwrap();
        assert_eq!(decode(&read(&file), &file).unwrap(), original, "{file}");
        // The gzip magic is enough: a misleading name does not matter.
        assert_eq!(
            decode(&read(&file), "upload.bin").unwrap(),
            original,
            "{file}"
        );
    }
}

#[test]
fn salvaged_files_keep_their_own_numbers() {
    // Unterminated Sigma file: totals come from 14391 records.
    let s = decode(&read("bad/pf__sigma-unterminated-no-session.fit"), "x.fit")
        .unwrap()
        .remove(0);
    assert!((s.distance_m - 113_550.87).abs() < 0.01, "{}", s.distance_m);
    assert_eq!(s.elapsed_s, 16_723.0);
    assert!(
        s.moving_s > 10_000.0 && s.moving_s < s.elapsed_s,
        "{}",
        s.moving_s
    );
    assert_eq!(s.max_hr, Some(160.0));
    assert_eq!(s.track.len(), 500);
    // Strava Android run: cut at byte 7471, but its session (written first) survives.
    let s = decode(
        &read("bad/pf__strava-android-run-undefined-local-msg.fit"),
        "x.fit",
    )
    .unwrap()
    .remove(0);
    assert_eq!(s.distance_m, 11_274.04);
    assert_eq!(s.track.len(), 473);
}

#[test]
fn device_relative_fit_times_have_no_start_but_keep_durations() {
    for file in [
        "fit/pf__fr70-run-compressed-ts.fit",
        "fit/pf__fr70-run-relative-time.fit",
    ] {
        let s = decode(&read(file), file).unwrap().remove(0);
        assert_eq!(s.start_time_ms, None, "{file}");
        let last = s.track.last().unwrap().t_s.unwrap();
        // Compressed timestamps advance the track's clock to about the session's end.
        assert!(
            (last - s.elapsed_s).abs() < 60.0,
            "{file}: {last} vs {}",
            s.elapsed_s
        );
    }
}

#[test]
fn tracks_are_downsampled_ordered_and_cumulative() {
    for row in manifest() {
        let Ok(summaries) = decode(&read(&row.file), &row.file) else {
            continue;
        };
        for s in summaries {
            assert!(!s.track.is_empty() && s.track.len() <= 500, "{}", row.file);
            for w in s.track.windows(2) {
                assert!(w[1].distance_m >= w[0].distance_m, "{}", row.file);
                if let (Some(a), Some(b)) = (w[0].t_s, w[1].t_s) {
                    assert!(b >= a, "{}: time goes back {a} -> {b}", row.file);
                }
            }
        }
    }
}

#[test]
fn fenix2_run_details() {
    let s = decode(&read("fit/pf__fenix2-run.fit"), "a.fit")
        .unwrap()
        .remove(0);
    assert_eq!(s.sport, Sport::Running);
    assert_eq!(s.max_hr, Some(178.0));
    assert_eq!(s.avg_cadence, Some(81.0)); // strides per minute, as the device records
    assert_eq!(s.elevation_gain_m, Some(64.0)); // session total_ascent
    let first = &s.track[0];
    assert_eq!(first.t_s, Some(0.0));
    assert!((first.lat.unwrap() - 58.959).abs() < 0.01, "{first:?}");
    let json = serde_json_like(&s.sport);
    assert_eq!(json, "running");
}

fn serde_json_like(sport: &Sport) -> String {
    String::from(sport.clone())
}

#[test]
fn multisport_fit_is_one_summary_with_summed_sessions() {
    let s = decode(&read("fit/pf__fr920xt-triathlon-multiheader.fit"), "t.fit").unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].sport, Sport::Multisport);
    // 1645 m swim + 141.7 T1 + 40909.42 bike + 31.93 T2 + 9805.92 run
    assert!(
        (s[0].distance_m - 52_533.68).abs() < 1.0,
        "{}",
        s[0].distance_m
    );
    assert_eq!(s[0].salvaged, None);
}

#[test]
fn gpx_and_tcx_survive_bom_whitespace_and_undeclared_prefixes() {
    for file in ["gpx/gg__fr620-5k-noHR.gpx", "tcx/gg__fr620-5k-noHR.tcx"] {
        let original = decode(&read(file), file).unwrap();
        let text = String::from_utf8(read(file)).unwrap();
        // Drop every namespace declaration and prefix the root, so prefixes are undeclared.
        let mut messy = String::from("\u{feff}\r\n   \n");
        let mut rest = text.as_str();
        while let Some(i) = rest.find(" xmlns") {
            messy.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let q1 = after.find('"').unwrap();
            let q2 = after[q1 + 1..].find('"').unwrap();
            rest = &after[q1 + q2 + 2..];
        }
        messy.push_str(rest);
        assert!(!messy.contains("xmlns"));
        let messy = messy
            .replace("<gpx ", "<g:gpx ")
            .replace("</gpx>", "</g:gpx>")
            .replace("<TrainingCenterDatabase", "<t:TrainingCenterDatabase")
            .replace("</TrainingCenterDatabase>", "</t:TrainingCenterDatabase>");
        // The name says nothing: content alone must be recognised.
        assert_eq!(
            decode(messy.as_bytes(), "upload").unwrap(),
            original,
            "{file}"
        );
    }
}

#[test]
fn tcx_with_two_activities_gives_two_summaries() {
    let text = String::from_utf8(read("tcx/tp__fr410-run-3laps.tcx")).unwrap();
    let start = text.find("<Activity ").unwrap();
    let end = text.find("</Activity>").unwrap() + "</Activity>".len();
    let doubled = format!(
        "{}{}{}",
        &text[..end],
        text[start..end].replace("Sport=\"Running\"", "Sport=\"Biking\""),
        &text[end..]
    );
    let s = decode(doubled.as_bytes(), "two.tcx").unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(
        (s[0].sport.clone(), s[1].sport.clone()),
        (Sport::Running, Sport::Cycling)
    );
    assert_eq!(s[0].distance_m, s[1].distance_m);
    assert_eq!(s[1].laps, 3);
}

#[test]
fn fit_cut_anywhere_is_salvaged_or_a_clear_error() {
    let whole = read("fit/pf__fenix5-run-short.fit");
    for cut in (0..whole.len())
        .step_by(97)
        .chain([1, 11, 13, 14, 15, whole.len() - 1])
    {
        match decode(&whole[..cut], "cut.fit") {
            Ok(summaries) => {
                for s in summaries {
                    let note = s.salvaged.unwrap_or_default();
                    assert!(note.starts_with("truncated FIT file"), "cut {cut}: {note}");
                }
            }
            Err(DecodeError::Empty) => assert_eq!(cut, 0),
            Err(e) => {
                let m = e.to_string();
                assert!(
                    m.starts_with("truncated FIT file: ended at byte")
                        || m.starts_with("not a FIT, GPX or TCX file")
                        || m.starts_with("unreadable FIT file"),
                    "cut {cut}: {m}"
                );
            }
        }
    }
    let err = decode(&whole[..200], "cut.fit").unwrap_err();
    assert_eq!(
        err,
        DecodeError::TruncatedFit {
            ended_at: 200,
            expected: 5597
        }
    );
    assert_eq!(
        err.to_string(),
        "truncated FIT file: ended at byte 200 of 5597"
    );
}

#[test]
fn any_single_corrupt_byte_in_a_fit_file_is_flagged() {
    // The file CRC catches every single-byte change: each damaged copy must come back
    // salvaged (with a note) or as an error, never as a clean summary, and never panic.
    let whole = read("fit/pf__fenix5-walk-short.fit");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = (seed % whole.len() as u64) as usize;
        let mut damaged = whole.clone();
        damaged[at] ^= 1 << (seed >> 60 & 7);
        if let Ok(summaries) = decode(&damaged, "d.fit") {
            for s in summaries {
                assert!(s.salvaged.is_some(), "byte {at} changed, reported clean");
            }
        }
    }
}

/// A file nested far deeper than any activity file is refused at the cap
/// (before the cap, 200,000 levels took seconds: every element looked at
/// its ancestors); points read before the cap are kept with a note.
#[test]
fn absurdly_deep_xml_is_refused_at_the_cap() {
    for (format, open, close) in [
        ("GPX", "<gpx><trk><trkseg>", "</trkseg></trk></gpx>"),
        (
            "TCX",
            "<TrainingCenterDatabase><Activities>",
            "</Activities></TrainingCenterDatabase>",
        ),
    ] {
        let deep = format!(
            "{open}{}{}{close}",
            "<x>".repeat(200_000),
            "</x>".repeat(200_000)
        );
        let name = format!("deep.{}", format.to_lowercase());
        match decode(deep.as_bytes(), &name) {
            Err(DecodeError::Xml { message, .. }) => {
                assert_eq!(
                    message, "elements nested more than 64 deep: not an activity file",
                    "{format}"
                )
            }
            other => panic!("{format}: {other:?}"),
        }
    }
}
