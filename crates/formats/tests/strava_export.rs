//! Strava bulk exports end to end: the constructed export in
//! `testdata/activities/strava_export/`, hostile archives built here, and
//! deduplication at the edges of its rule.

use std::io::{Cursor, Write};

use runcoach_formats::dedupe::{Duplicate, dedupe, is_duplicate};
use runcoach_formats::strava::{
    ArchiveError, ExportError, FileError, ImportedActivity, Limits, Origin, RawItem, decode_entry,
    parse_activities_csv, read_export,
};
use runcoach_formats::{ActivitySummary, DecodeError, Sport, decode};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/activities");

fn read(file: &str) -> Vec<u8> {
    let path = format!("{DATA}/{file}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn only_one(bytes: &[u8], name: &str) -> ActivitySummary {
    let mut all = decode(bytes, name).unwrap();
    assert_eq!(all.len(), 1, "{name}");
    all.remove(0)
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

type Items = Vec<Result<ImportedActivity, FileError>>;

fn import(zip: Vec<u8>, limits: Limits) -> Items {
    read_export(Cursor::new(zip), limits).unwrap().collect()
}

fn oks(items: &Items) -> Vec<&ImportedActivity> {
    items.iter().filter_map(|i| i.as_ref().ok()).collect()
}

fn errs(items: &Items) -> Vec<&FileError> {
    items.iter().filter_map(|i| i.as_ref().err()).collect()
}

// ---------------------------------------------------------------- the real sample

#[test]
fn constructed_export_end_to_end() {
    let zip = read("strava_export/export_12345678_constructed.zip");
    let export = read_export(Cursor::new(zip), Limits::default()).unwrap();
    assert_eq!(export.entry_count(), 4);
    assert_eq!(export.csv_rows().len(), 4);
    assert_eq!(export.expected_items(), 4);
    let items: Items = export.collect();
    assert!(errs(&items).is_empty(), "{:?}", errs(&items));
    let got = oks(&items);
    assert_eq!(got.len(), 4);

    // Archive order, then the manual activity.
    let ids: Vec<_> = got.iter().map(|a| a.source_id).collect();
    assert_eq!(ids, [Some(1001), Some(1002), Some(1003), Some(1004)]);
    let files: Vec<_> = got.iter().map(|a| a.file.as_deref()).collect();
    assert_eq!(
        files,
        [
            Some("activities/2001.fit.gz"),
            Some("activities/2002.gpx.gz"),
            Some("activities/2003.tcx"),
            None
        ]
    );
    let origins: Vec<_> = got.iter().map(|a| a.origin).collect();
    assert_eq!(
        origins,
        [Origin::File, Origin::File, Origin::File, Origin::Csv]
    );
    let sports: Vec<_> = got.iter().map(|a| a.summary.sport.clone()).collect();
    assert_eq!(
        sports,
        [
            Sport::Running,
            Sport::Running,
            Sport::Running,
            Sport::Other("weight_training".into())
        ]
    );
    assert_eq!(
        got[2].name.as_deref(),
        Some("Evening Run, with \"quotes\""),
        "quoted CSV field with a comma and doubled quotes"
    );

    // Each id maps to the file the row names: the payloads are the shared files,
    // decoded independently of the archive.
    let by_source = [
        (0, "gz/pf__fenix2-run.fit.gz"),
        (1, "gz/gg__fr620-5k-noHR.gpx.gz"),
        (2, "tcx/tp__fr410-run-3laps.tcx"),
    ];
    for (i, source) in by_source {
        let want = only_one(&read(source), source);
        let summary = &got[i].summary;
        assert_eq!(summary.distance_m, want.distance_m, "{source}");
        assert_eq!(summary.elapsed_s, want.elapsed_s, "{source}");
        assert_eq!(summary.moving_s, want.moving_s, "{source}");
        assert_eq!(summary.start_time_ms, want.start_time_ms, "{source}");
        assert_eq!(summary.avg_hr, want.avg_hr, "{source}");
        assert_eq!(summary.laps, want.laps, "{source}");
        assert_eq!(summary.track.len(), want.track.len(), "{source}");
    }

    // The CSV's metres column agrees with the decoded files within 1 %.
    for (i, csv_metres) in [(0, 9008.22), (1, 5260.83), (2, 4689.24)] {
        let d = got[i].summary.distance_m;
        assert!(
            ((d - csv_metres) / csv_metres).abs() < 0.01,
            "{i}: {d} vs {csv_metres}"
        );
    }
    // The CSV's Activity Date (UTC) is the file's start.
    assert_eq!(
        got[0].summary.start_time_ms,
        Some(ms("2015-08-15T14:45:08Z"))
    );
    assert_eq!(
        got[2].summary.start_time_ms,
        Some(ms("2012-12-26T21:29:53Z"))
    );

    // The manual activity, from the CSV alone.
    let gym = &got[3];
    assert_eq!(gym.name.as_deref(), Some("Gym"));
    assert_eq!(gym.summary.start_time_ms, Some(ms("2024-01-02T09:00:00Z")));
    assert_eq!(gym.summary.distance_m, 0.0);
    assert_eq!(gym.summary.elapsed_s, 3600.0);
    assert_eq!(gym.summary.moving_s, 3600.0);
    assert_eq!(gym.summary.laps, 0);
    assert!(gym.summary.track.is_empty());
}

#[test]
fn constructed_csv_by_column_name() {
    let (rows, problems) = parse_activities_csv(&read("strava_export/activities_constructed.csv"));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(rows.len(), 4);
    // The second "Distance" (metres), not the first (km, 2 decimals).
    let distances: Vec<_> = rows.iter().map(|r| r.distance_m).collect();
    assert_eq!(
        distances,
        [Some(9008.22), Some(5260.83), Some(4689.24), None]
    );
    // The second "Elapsed Time" (2832.0) and the single "Moving Time".
    assert_eq!(rows[1].elapsed_s, Some(1616.0));
    assert_eq!(rows[1].moving_s, Some(1599.0));
    assert_eq!(rows[0].avg_hr, Some(154.0));
    assert_eq!(rows[2].avg_hr, Some(156.7));
    assert_eq!(rows[0].max_hr, None);
    assert_eq!(rows[1].start_time_ms, Some(ms("2015-10-01T11:31:59Z")));
    assert_eq!(rows[3].filename, None);
    assert_eq!(rows[3].sport, Some(Sport::Other("weight_training".into())));
    assert_eq!(rows[3].line, 5);
}

#[test]
fn first_distance_column_alone_is_converted_with_the_detected_unit() {
    let header = "Activity ID,Activity Date,Activity Type,Distance,Filename,Distance\n";
    // A metric account: km first, metres second.
    let metric = format!(
        "{header}1,\"Aug 15, 2015, 2:45:08 PM\",Run,9.01,,9008.22\n\
         2,\"Aug 16, 2015, 2:45:08 PM\",Run,5.26,,\n"
    );
    let (rows, _) = parse_activities_csv(metric.as_bytes());
    assert_eq!(rows[1].distance_m, Some(5260.0));
    // An imperial account: miles first.
    let imperial = format!(
        "{header}1,\"Aug 15, 2015, 2:45:08 PM\",Run,5.60,,9008.22\n\
         2,\"Aug 16, 2015, 2:45:08 PM\",Run,2.00,,\n"
    );
    let (rows, _) = parse_activities_csv(imperial.as_bytes());
    assert!((rows[1].distance_m.unwrap() - 3218.688).abs() < 1e-6);
    // An old export with one Distance column, in km.
    let old = "Activity ID,Activity Date,Activity Type,Distance\n\
               7,\"Aug 16, 2015, 2:45:08 PM\",Ride,42.5\n\
               x,\"Aug 16, 2015, 2:45:08 PM\",Ride,42.5\n";
    let (rows, problems) = parse_activities_csv(old.as_bytes());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].distance_m, Some(42_500.0));
    assert_eq!(rows[0].sport, Some(Sport::Cycling));
    assert_eq!(
        problems,
        [(3, "Activity ID 'x' is not a number".to_string())]
    );
}

#[test]
fn an_unreadable_csv_loses_the_ids_but_not_the_files() {
    let zip = read("strava_export/export_12345678_constructed.zip");
    let limits = Limits {
        max_csv_bytes: 1000,
        ..Limits::default()
    };
    let items = import(zip, limits);
    assert_eq!(items.len(), 4);
    let first = items[0].as_ref().unwrap_err();
    assert_eq!(first.file, "activities.csv");
    assert_eq!(first.error, ExportError::TooLarge { limit: 1000 });
    let files: Vec<_> = oks(&items)
        .iter()
        .map(|a| (a.source_id, a.file.as_deref(), a.name.as_deref()))
        .collect();
    assert_eq!(
        files,
        [
            (None, Some("activities/2001.fit.gz"), None),
            (None, Some("activities/2002.gpx.gz"), None),
            (None, Some("activities/2003.tcx"), None),
        ]
    );
}

// ---------------------------------------------------------------- hostile archives

const CSV_HEADER: &str = "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename,Elapsed Time,Moving Time,Distance\n";

fn options(method: CompressionMethod) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false)
}

struct Builder(ZipWriter<Cursor<Vec<u8>>>);

impl Builder {
    fn new() -> Self {
        Builder(ZipWriter::new(Cursor::new(Vec::new())))
    }
    fn add(mut self, name: &str, bytes: &[u8], method: CompressionMethod) -> Self {
        self.0.start_file(name, options(method)).unwrap();
        self.0.write_all(bytes).unwrap();
        self
    }
    fn deflated(self, name: &str, bytes: &[u8]) -> Self {
        self.add(name, bytes, CompressionMethod::Deflated)
    }
    fn stored(self, name: &str, bytes: &[u8]) -> Self {
        self.add(name, bytes, CompressionMethod::Stored)
    }
    fn finish(self) -> Vec<u8> {
        self.0.finish().unwrap().into_inner()
    }
}

fn good_gpx() -> Vec<u8> {
    read("gpx/gg__fr620-5k-noHR.gpx")
}

fn good_fit_gz() -> Vec<u8> {
    read("gz/pf__fenix2-run.fit.gz")
}

#[test]
fn zip_slip_names_are_refused_and_the_rest_imported() {
    let gpx = good_gpx();
    let csv = format!(
        "{CSV_HEADER}\
         11,\"Aug 15, 2015, 2:45:08 PM\",Good,Run,1616,5.26,activities/good.gpx,1616.0,1599.0,5260.83\n\
         12,\"Aug 15, 2016, 2:45:08 PM\",Evil,Run,1616,5.26,activities/../../evil.gpx,1616.0,1599.0,5260.83\n"
    );
    let zip = Builder::new()
        .deflated("activities.csv", csv.as_bytes())
        .deflated("../../evil.gpx", &gpx)
        .deflated("activities/../../evil.gpx", &gpx)
        .deflated("/etc/evil.gpx", &gpx)
        .deflated("activities/..\\..\\evil.gpx", &gpx)
        .deflated("activities/good.gpx", &gpx)
        .finish();
    let items = import(zip, Limits::default());
    let errors = errs(&items);
    let names: Vec<_> = errors.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        names,
        [
            "../../evil.gpx",
            "activities/../../evil.gpx",
            "/etc/evil.gpx",
            "activities/..\\..\\evil.gpx"
        ]
    );
    assert!(errors.iter().all(|e| e.error == ExportError::UnsafeName));
    // The row naming the unsafe entry keeps its id and offers the CSV's values.
    assert_eq!(errors[1].source_id, Some(12));
    let fallback = errors[1].csv_fallback.as_ref().unwrap();
    assert_eq!(fallback.origin, Origin::Csv);
    assert_eq!(fallback.summary.distance_m, 5260.83);
    assert_eq!(errors[0].source_id, None);
    assert!(errors[0].csv_fallback.is_none());

    let good = oks(&items);
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].source_id, Some(11));
    assert_eq!(
        good[0].summary.distance_m,
        only_one(&gpx, "x.gpx").distance_m
    );
}

fn bomb_archive(bomb_bytes: usize) -> Vec<u8> {
    Builder::new()
        .deflated("activities/1.gpx", &good_gpx())
        .deflated("activities/bomb.gpx", &vec![b' '; bomb_bytes])
        .stored("activities/3.fit.gz", &good_fit_gz())
        .finish()
}

#[test]
fn a_zip_bomb_is_refused_by_ratio_and_the_rest_imported() {
    let zip = bomb_archive(16 << 20);
    assert!(zip.len() < 200_000, "{}", zip.len());
    let items = import(zip, Limits::default());
    assert_eq!(items.len(), 4, "missing csv, 2 good, 1 bomb: {items:?}");
    assert_eq!(
        items[0].as_ref().unwrap_err().error,
        ExportError::MissingCsv
    );
    let errors = errs(&items);
    assert_eq!(errors[1].file, "activities/bomb.gpx");
    match &errors[1].error {
        ExportError::CompressionRatio { ratio, limit } => {
            assert_eq!(*limit, 100);
            assert!(*ratio > 500, "{ratio}");
        }
        other => panic!("{other:?}"),
    }
    let good = oks(&items);
    assert_eq!(good.len(), 2);
    assert_eq!(good[0].file.as_deref(), Some("activities/1.gpx"));
    assert_eq!(good[1].file.as_deref(), Some("activities/3.fit.gz"));
    assert_eq!(
        good[1].summary.distance_m,
        only_one(&good_fit_gz(), "a.fit.gz").distance_m
    );
}

#[test]
fn an_entry_over_the_size_cap_is_refused_and_the_rest_imported() {
    let limits = Limits {
        max_entry_bytes: 4 << 20,
        max_ratio: u64::MAX,
        ..Limits::default()
    };
    let items = import(bomb_archive(5 << 20), limits);
    let errors = errs(&items);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[1].file, "activities/bomb.gpx");
    assert_eq!(errors[1].error, ExportError::TooLarge { limit: 4 << 20 });
    assert_eq!(oks(&items).len(), 2);
}

/// Rewrites every uncompressed-size field (local header and central directory) of
/// the entry called `name` to `size`.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for i in 0..zip.len().saturating_sub(46) {
        let (sig, name_at, size_at, len_at) = match zip[i..i + 4] {
            [0x50, 0x4b, 0x03, 0x04] => ("local", 30, 22, 26),
            [0x50, 0x4b, 0x01, 0x02] => ("central", 46, 24, 28),
            _ => continue,
        };
        let len = u16::from_le_bytes([zip[i + len_at], zip[i + len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
            let _ = sig;
        }
    }
    assert_eq!(patched, 2, "local and central headers of {name}");
}

#[test]
fn a_bomb_that_lies_about_its_size_is_stopped_while_reading() {
    let mut zip = bomb_archive(6 << 20);
    lie_about_size(&mut zip, "activities/bomb.gpx", 1000);
    let limits = Limits {
        max_entry_bytes: 4 << 20,
        ..Limits::default()
    };
    let items = import(zip, limits);
    let errors = errs(&items);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[1].file, "activities/bomb.gpx");
    assert_eq!(errors[1].error, ExportError::TooLarge { limit: 4 << 20 });
    assert_eq!(oks(&items).len(), 2);
}

#[test]
fn the_archive_total_is_capped() {
    let gpx = good_gpx();
    let limits = Limits {
        max_total_bytes: 2 * gpx.len() as u64 + 10,
        ..Limits::default()
    };
    let zip = Builder::new()
        .deflated("activities/1.gpx", &gpx)
        .deflated("activities/2.gpx", &gpx)
        .deflated("activities/3.gpx", &gpx)
        .finish();
    let items = import(zip, limits);
    let errors = errs(&items);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[1].file, "activities/3.gpx");
    assert_eq!(
        errors[1].error,
        ExportError::TotalTooLarge {
            limit: limits.max_total_bytes
        }
    );
    assert_eq!(oks(&items).len(), 2);
}

#[test]
fn entries_beyond_the_count_cap_are_reported_one_by_one() {
    let gpx = good_gpx();
    let mut b = Builder::new();
    for i in 0..8 {
        b = b.stored(&format!("activities/{i}.gpx"), &gpx);
    }
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let items = import(b.finish(), limits);
    assert_eq!(items.len(), 9);
    let good = oks(&items);
    assert_eq!(good.len(), 5);
    assert_eq!(good[4].file.as_deref(), Some("activities/4.gpx"));
    let errors = errs(&items);
    let refused: Vec<_> = errors[1..].iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        refused,
        ["activities/5.gpx", "activities/6.gpx", "activities/7.gpx"]
    );
    for e in &errors[1..] {
        assert_eq!(e.error, ExportError::TooManyEntries { limit: 5, total: 8 });
        assert_eq!(
            e.to_string(),
            format!(
                "{}: the archive has 8 entries; only the first 5 are read",
                e.file
            )
        );
    }
}

#[test]
fn corrupt_entries_are_per_file_errors() {
    let gpx = good_gpx();
    let csv = format!(
        "{CSV_HEADER}\
         21,\"Aug 15, 2015, 2:45:08 PM\",Broken,Run,1616,5.26,activities/broken.gpx,1616.0,1599.0,5260.83\n\
         22,\"Aug 16, 2015, 2:45:08 PM\",Garbage,Run,100,1.0,activities/garbage.fit,100,100,1000\n\
         23,\"Aug 17, 2015, 2:45:08 PM\",Lost,Run,100,1.0,activities/lost.fit,100,100,1000\n\
         24,\"Aug 18, 2015, 2:45:08 PM\",Fine,Run,1616,5.26,activities/fine.gpx,1616.0,1599.0,5260.83\n"
    );
    let mut zip = Builder::new()
        .deflated("activities.csv", csv.as_bytes())
        .stored("activities/broken.gpx", &gpx)
        .stored("activities/garbage.fit", b"this is no FIT file at all")
        .deflated("activities/bad.gpx.gz", b"\x1f\x8b\x08\x00 not really gzip")
        .deflated("activities/fine.gpx", &gpx)
        .finish();
    // Flip bytes inside the stored GPX: its CRC no longer matches.
    let at = find(&zip, b"<trkpt").unwrap() + 2000;
    zip[at] ^= 0xff;
    zip[at + 1] ^= 0xff;
    let items = import(zip, Limits::default());
    let errors = errs(&items);
    let summary: Vec<_> = errors
        .iter()
        .map(|e| (e.file.as_str(), e.source_id))
        .collect();
    assert_eq!(
        summary,
        [
            ("activities/broken.gpx", Some(21)),
            ("activities/garbage.fit", Some(22)),
            ("activities/bad.gpx.gz", None),
            ("activities/lost.fit", Some(23)),
        ]
    );
    assert!(
        matches!(&errors[0].error, ExportError::Zip(m) if m.to_lowercase().contains("checksum")),
        "{:?}",
        errors[0].error
    );
    assert_eq!(
        errors[1].error,
        ExportError::Decode(DecodeError::Fit(
            "not a FIT file: no valid FIT header".into()
        ))
    );
    assert!(matches!(
        &errors[2].error,
        ExportError::Decode(DecodeError::Gzip(_))
    ));
    assert_eq!(errors[3].error, ExportError::MissingFile);
    // Rows whose file failed still offer their CSV values.
    let fallback = errors[0].csv_fallback.as_ref().unwrap();
    assert_eq!(fallback.source_id, Some(21));
    assert_eq!(fallback.summary.distance_m, 5260.83);
    assert_eq!(fallback.summary.moving_s, 1599.0);
    assert_eq!(
        errors[3].csv_fallback.as_ref().unwrap().summary.distance_m,
        1000.0
    );
    assert_eq!(
        errors[3].to_string(),
        "activities/lost.fit: listed in activities.csv but missing from the archive \
         (imported from activities.csv values instead)"
    );

    let good = oks(&items);
    assert_eq!(good.len(), 1);
    assert_eq!(good[0].source_id, Some(24));
    assert_eq!(good[0].name.as_deref(), Some("Fine"));
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn an_export_zipped_inside_a_folder_is_found() {
    let csv = format!(
        "{CSV_HEADER}31,\"Aug 15, 2015, 2:45:08 PM\",Run,Trail Run,1616,5.26,activities/a.gpx,1616.0,1599.0,5260.83\n"
    );
    let zip = Builder::new()
        .deflated("export_1/activities.csv", csv.as_bytes())
        .deflated("export_1/activities/a.gpx", &good_gpx())
        .deflated("export_1/media/photo.jpg", b"not read")
        .deflated("export_1/routes/1.gpx", b"not read either")
        .finish();
    let items = import(zip, Limits::default());
    assert_eq!(items.len(), 1, "{items:?}");
    let a = items[0].as_ref().unwrap();
    assert_eq!(a.source_id, Some(31));
    assert_eq!(a.file.as_deref(), Some("export_1/activities/a.gpx"));
    // Strava's type wins over the file's.
    assert_eq!(a.summary.sport, Sport::TrailRunning);
}

#[test]
fn not_a_zip_and_an_oversized_directory_are_archive_errors() {
    let err = read_export(Cursor::new(b"hello".to_vec()), Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::NotZip(_)), "{err:?}");
    let zip = read("strava_export/export_12345678_constructed.zip");
    let limits = Limits {
        max_directory_bytes: 100,
        ..Limits::default()
    };
    let err = read_export(Cursor::new(zip), limits).unwrap_err();
    assert!(
        matches!(err, ArchiveError::DirectoryTooLarge { limit: 100, size } if size > 100),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- raw entries

/// The items of `zip` read with `next_raw` and decoded by `decode_entry` on
/// other threads, last entry first, then put back in order.
fn import_raw_on_threads(zip: Vec<u8>, limits: Limits) -> Items {
    let mut export = read_export(Cursor::new(zip), limits).unwrap();
    assert_eq!(export.limits(), limits);
    let mut parts: Vec<Option<Items>> = Vec::new();
    let mut raw = Vec::new();
    while let Some(item) = export.next_raw() {
        match item {
            RawItem::Ready(item) => parts.push(Some(vec![item])),
            RawItem::Entry(entry) => {
                raw.push((parts.len(), entry));
                parts.push(None);
            }
        }
    }
    let handles: Vec<_> = raw
        .into_iter()
        .rev()
        .map(|(at, entry)| std::thread::spawn(move || (at, decode_entry(entry, &limits))))
        .collect();
    for h in handles {
        let (at, decoded) = h.join().unwrap();
        parts[at] = Some(decoded.items);
    }
    parts.into_iter().flat_map(Option::unwrap).collect()
}

#[test]
fn raw_entries_decoded_on_other_threads_match_the_iterator() {
    let mut fallback_csv = format!(
        "{CSV_HEADER}\
         41,\"Aug 15, 2015, 2:45:08 PM\",Good,Run,1616,5.26,activities/good.gpx,1616.0,1599.0,5260.83\n\
         42,\"Aug 16, 2015, 2:45:08 PM\",Broken,Run,1616,5.26,activities/broken.fit.gz,1616.0,1599.0,5260.83\n\
         43,\"Aug 17, 2015, 2:45:08 PM\",Lost,Run,1616,5.26,activities/lost.fit,1616.0,1599.0,5260.83\n\
         44,\"Aug 18, 2015, 7:00:00 AM\",Gym,Weight Training,3600,,,3600.0,3600.0,\n\
         x,\"Aug 19, 2015, 7:00:00 AM\",Bad id,Run,1,,,,,\n"
    );
    fallback_csv.push_str("45,\"Aug 20, 2015, 2:45:08 PM\",Fit,Run,1,,activities/2001.fit.gz,,,\n");
    let tcx = read("tcx/tp__fr410-run-3laps.tcx");
    let zips = [
        read("strava_export/export_12345678_constructed.zip"),
        bomb_archive(16 << 20),
        Builder::new()
            .deflated("activities.csv", fallback_csv.as_bytes())
            .deflated("../evil.gpx", &good_gpx())
            .deflated("activities/good.gpx", &good_gpx())
            .stored("activities/broken.fit.gz", &good_fit_gz()[..200])
            .stored("activities/2001.fit.gz", &good_fit_gz())
            .deflated("activities/unlisted.tcx", &tcx)
            .finish(),
    ];
    for (i, zip) in zips.into_iter().enumerate() {
        let want = import(zip.clone(), Limits::default());
        let got = import_raw_on_threads(zip, Limits::default());
        assert_eq!(got, want, "archive {i}");
    }
}

#[test]
fn next_raw_reads_and_checks_but_does_not_decode() {
    let mut broken = good_fit_gz();
    broken.truncate(200);
    let csv = format!(
        "{CSV_HEADER}51,\"Aug 15, 2015, 2:45:08 PM\",Broken,Run,1616,5.26,activities/broken.fit.gz,1616.0,1599.0,5260.83\n"
    );
    let zip = Builder::new()
        .deflated("activities.csv", csv.as_bytes())
        .deflated("activities/../../evil.gpx", &good_gpx())
        .stored("activities/broken.fit.gz", &broken)
        .deflated("activities/bomb.gpx", &vec![b' '; 16 << 20])
        .finish();
    let mut export = read_export(Cursor::new(zip), Limits::default()).unwrap();
    // Refused before reading: ready at once.
    let Some(RawItem::Ready(Err(unsafe_name))) = export.next_raw() else {
        panic!("the unsafe name first")
    };
    assert_eq!(unsafe_name.error, ExportError::UnsafeName);
    // The damaged gzip is handed out as read, still gzipped, with its row.
    let Some(RawItem::Entry(entry)) = export.next_raw() else {
        panic!("the broken entry next")
    };
    assert_eq!(entry.file, "activities/broken.fit.gz");
    assert_eq!(entry.bytes, broken);
    assert_eq!(entry.source_id(), Some(51));
    assert_eq!(entry.row.as_ref().unwrap().name.as_deref(), Some("Broken"));
    assert!(entry.budget < Limits::default().max_total_bytes);
    // The bomb is refused by the reader, unread.
    let Some(RawItem::Ready(Err(bomb))) = export.next_raw() else {
        panic!("the bomb last")
    };
    assert!(matches!(bomb.error, ExportError::CompressionRatio { .. }));
    assert!(export.next_raw().is_none());
    // Decoding reports the damage, with the row's values to fall back on.
    let decoded = decode_entry(entry, &Limits::default());
    assert_eq!(decoded.inflated_bytes, 0);
    let [Err(e)] = decoded.items.as_slice() else {
        panic!("{:?}", decoded.items)
    };
    assert_eq!(e.source_id, Some(51));
    assert!(matches!(e.error, ExportError::Decode(_)), "{e}");
    assert_eq!(e.csv_fallback.as_ref().unwrap().origin, Origin::Csv);
}

#[test]
fn un_gzipped_bytes_count_toward_the_total_when_charged() {
    let gz = good_fit_gz();
    let inner = decode_entry_inflated(&gz);
    assert!(inner > gz.len() as u64);
    // Room for the first entry and its un-gzipped file, not for the second
    // entry as well; it would fit if un-gzipping were not counted.
    let limits = Limits {
        max_total_bytes: gz.len() as u64 + inner + gz.len() as u64 / 2,
        ..Limits::default()
    };
    let zip = Builder::new()
        .stored("activities/1.fit.gz", &gz)
        .stored("activities/2.fit.gz", &gz)
        .finish();
    let items = import(zip.clone(), limits);
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(oks(&items).len(), 1);
    let errors = errs(&items);
    assert_eq!(errors[0].error, ExportError::MissingCsv);
    assert_eq!(errors[1].file, "activities/2.fit.gz");
    assert_eq!(
        errors[1].error,
        ExportError::TotalTooLarge {
            limit: limits.max_total_bytes
        }
    );

    // Read raw and decoded elsewhere: the same once the caller charges it.
    let mut export = read_export(Cursor::new(zip), limits).unwrap();
    assert!(matches!(export.next_raw(), Some(RawItem::Ready(Err(_)))));
    let Some(RawItem::Entry(first)) = export.next_raw() else {
        panic!("first entry")
    };
    let decoded = decode_entry(first, &limits);
    assert_eq!(decoded.items.len(), 1);
    export.charge_inflated(decoded.inflated_bytes);
    let Some(RawItem::Ready(Err(second))) = export.next_raw() else {
        panic!("second entry refused")
    };
    assert_eq!(
        second.error,
        ExportError::TotalTooLarge {
            limit: limits.max_total_bytes
        }
    );
}

fn decode_entry_inflated(gz: &[u8]) -> u64 {
    let zip = Builder::new().stored("activities/1.fit.gz", gz).finish();
    let mut export = read_export(Cursor::new(zip), Limits::default()).unwrap();
    export.next_raw(); // no activities.csv
    let Some(RawItem::Entry(entry)) = export.next_raw() else {
        panic!("an entry")
    };
    let decoded = decode_entry(entry, &Limits::default());
    assert!(decoded.items[0].is_ok());
    decoded.inflated_bytes
}

// ---------------------------------------------------------------- duplicates

fn run(start: &str, offset_s: i64, distance_m: f64) -> ActivitySummary {
    ActivitySummary {
        sport: Sport::Running,
        start_time_ms: Some(ms(start) + offset_s * 1000),
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
fn duplicate_rule_edges() {
    let t = "2026-05-01T07:00:00Z";
    let a = run(t, 0, 10_000.0);
    // 59 s and 1.9 %: the same run.
    assert!(is_duplicate(&a, &run(t, 59, 10_190.0)));
    assert!(is_duplicate(&run(t, 59, 10_190.0), &a));
    // 61 s apart: two runs.
    assert!(!is_duplicate(&a, &run(t, 61, 10_000.0)));
    assert!(!is_duplicate(&a, &run(t, -61, 10_000.0)));
    // 2.1 % apart: two runs.
    assert!(!is_duplicate(&a, &run(t, 0, 10_210.0)));
    assert!(!is_duplicate(&a, &run(t, 0, 9_790.0)));
    // Both rules at once at 59 s / 1.9 % the other way.
    assert!(is_duplicate(&a, &run(t, -59, 9_810.0)));
    // Two gym sessions (no distance) a minute apart are one.
    assert!(is_duplicate(&run(t, 0, 0.0), &run(t, 60, 0.0)));
}

#[test]
fn dedupe_keeps_the_richer_copy_and_sorts_by_start() {
    let t = "2026-05-01T07:00:00Z";
    let mut watch = run(t, 30, 10_100.0); // the FIT from the watch: has HR
    watch.avg_hr = Some(150.0);
    let strava_csv = run(t, 0, 10_000.0); // the same run, CSV only
    let tomorrow = run(t, 86_400, 10_000.0);
    let evening = run(t, 36_000, 5_000.0);
    let evening_copy = run(t, 36_059, 5_095.0);
    let not_a_copy = run(t, 36_000, 4_890.0); // 2.2 % shorter than the evening run
    let (kept, duplicates) = dedupe(vec![
        tomorrow.clone(),
        strava_csv.clone(),
        evening.clone(),
        watch.clone(),
        evening_copy.clone(),
        not_a_copy.clone(),
    ]);
    assert_eq!(
        kept,
        [
            watch.clone(),
            evening.clone(),
            not_a_copy.clone(),
            tomorrow.clone()
        ]
    );
    assert_eq!(
        duplicates,
        [
            Duplicate {
                item: strava_csv,
                of: 0
            },
            Duplicate {
                item: evening_copy,
                of: 1
            },
        ]
    );
}

#[test]
fn dedupe_prefers_the_file_over_the_csv_row() {
    let t = "2026-05-01T07:00:00Z";
    let from = |origin, id| ImportedActivity {
        source_id: Some(id),
        file: None,
        name: None,
        origin,
        summary: run(t, 0, 8_000.0),
    };
    let (kept, duplicates) = dedupe(vec![from(Origin::Csv, 1), from(Origin::File, 2)]);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].source_id, Some(2));
    assert_eq!(duplicates[0].item.source_id, Some(1));
}

#[test]
fn dedupe_of_many_is_fast_and_finds_every_copy() {
    // 20,000 runs a day apart, each uploaded twice 10 s apart: 20,000 kept.
    let t = "2000-01-01T07:00:00Z";
    let mut all = Vec::new();
    for day in 0..20_000 {
        all.push(run(t, day * 86_400, 10_000.0 + day as f64));
        all.push(run(t, day * 86_400 + 10, 10_000.0 + day as f64));
    }
    all.reverse();
    let (kept, duplicates) = dedupe(all);
    assert_eq!(kept.len(), 20_000);
    assert_eq!(duplicates.len(), 20_000);
    assert!(
        kept.windows(2)
            .all(|w| w[0].start_time_ms < w[1].start_time_ms)
    );
    assert!(
        duplicates
            .iter()
            .all(|d| is_duplicate(&d.item, &kept[d.of]))
    );
}
