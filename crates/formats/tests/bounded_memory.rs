//! Hostile sizes in bounded memory (issue 16): a generated GPX and TCX,
//! streamed through `decode_reader` from a reader that makes them on the
//! fly, stay within a few MB whatever their size. 32 MB and 16 MB by
//! default (a debug build decodes ~1 MB/s on a busy machine);
//! `RUNCOACH_BOUNDED_MB=200` makes the GPX 200 MB (bench/README.md). Measured as the growth of this
//! process's peak resident set (Linux: `/proc/self/clear_refs` resets the
//! peak, `VmHWM` reads it) — no timing involved. The decoders held every
//! point before, ~100 bytes each: ~250 MB for 32 MB of GPX, ~1.5 GB for 200 MB.

use std::io::{BufReader, Read};
use std::sync::Mutex;

use runcoach_formats::{DecodeError, MAX_FIT_BYTES, decode_reader};

/// The peak is per process: the tests here measure one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn status_bytes(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"));
    let kb: usize = line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("a number of kB");
    kb * 1024
}

/// Runs `f`, returning its result and how far the peak resident set rose
/// above the resident set when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    let base = status_bytes("VmRSS:");
    let out = f();
    (out, status_bytes("VmHWM:").saturating_sub(base))
}

/// A file made on the fly: `head`, then `body(i)` for i = 0, 1, … while
/// fewer than `size` bytes were given, then `tail`. Counts what was read.
struct Generated<F> {
    pending: Vec<u8>,
    at: usize,
    next: u64,
    given: u64,
    size: u64,
    body: F,
    tail: Option<Vec<u8>>,
}

impl<F: FnMut(u64) -> String> Generated<F> {
    fn new(head: &str, size: u64, body: F, tail: &str) -> Self {
        Generated {
            pending: head.as_bytes().to_vec(),
            at: 0,
            next: 0,
            given: 0,
            size,
            body,
            tail: Some(tail.as_bytes().to_vec()),
        }
    }
}

impl<F: FnMut(u64) -> String> Read for Generated<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.at = 0;
            self.pending.clear();
            if self.given < self.size {
                for _ in 0..1000 {
                    let line = (self.body)(self.next);
                    self.pending.extend_from_slice(line.as_bytes());
                    self.next += 1;
                }
            } else if let Some(tail) = self.tail.take() {
                self.pending = tail;
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..n + self.at]);
        self.at += n;
        self.given += n as u64;
        Ok(n)
    }
}

const MB: u64 = 1 << 20;

/// The generated GPX's size.
fn gpx_mb() -> u64 {
    std::env::var("RUNCOACH_BOUNDED_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

#[test]
fn a_big_gpx_decodes_in_a_few_mb() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let start = 1_700_000_000i64;
    // One point a second, 1e-5° of latitude (~1.1 m) apart, heart rate 140.
    let point = move |i: u64| {
        let t = jiff::Timestamp::from_second(start + i as i64).unwrap();
        format!(
            "<trkpt lat=\"{:.5}\" lon=\"-6.2\"><ele>{}</ele><time>{t}</time>\
             <extensions><hr>140</hr></extensions></trkpt>\n",
            53.0 + (i % 100_000) as f64 * 1e-5,
            10 + i % 7,
        )
    };
    let mut file = Generated::new(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><type>running</type><trkseg>\n",
        gpx_mb() * MB,
        point,
        "</trkseg></trk></gpx>\n",
    );
    let (decoded, peak) = peak_during(|| decode_reader(BufReader::new(&mut file), "big.gpx"));
    let s = decoded.unwrap().remove(0);
    let points = file.next;
    eprintln!(
        "GPX {} MB, {points} points: peak RSS +{} KB",
        file.given / MB,
        peak / 1024
    );
    assert!(file.given > gpx_mb() * MB, "read {} bytes", file.given);
    assert!(points > gpx_mb() * 5000, "{points} points");
    assert_eq!(s.salvaged, None);
    assert_eq!(s.track.len(), 500);
    assert_eq!(s.elapsed_s, (points - 1) as f64);
    assert_eq!(s.avg_hr, Some(140.0));
    assert!(s.distance_m > 1.0e5, "{}", s.distance_m);
    assert!(peak < 16 * MB as usize, "peak RSS rose by {peak} bytes");
}

#[test]
fn a_big_tcx_decodes_in_a_few_mb() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let point = |i: u64| {
        format!(
            "<Trackpoint><DistanceMeters>{}</DistanceMeters><HeartRateBpm><Value>{}</Value>\
             </HeartRateBpm></Trackpoint>\n",
            i * 2,
            120 + i % 41
        )
    };
    let mut file = Generated::new(
        "<TrainingCenterDatabase><Activities><Activity Sport=\"Running\"><Lap><Track>\n",
        16 * MB,
        point,
        "</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n",
    );
    let (decoded, peak) = peak_during(|| decode_reader(BufReader::new(&mut file), "big.tcx"));
    let s = decoded.unwrap().remove(0);
    let last = file.next - 1;
    eprintln!(
        "TCX {} MB, {} points: peak RSS +{} KB",
        file.given / MB,
        file.next,
        peak / 1024
    );
    assert_eq!(s.distance_m, (last * 2) as f64);
    assert_eq!(s.max_hr, Some(160.0));
    assert_eq!(s.track.len(), 500);
    assert!(peak < 16 * MB as usize, "peak RSS rose by {peak} bytes");
}

#[test]
fn one_endless_text_or_tag_is_refused_at_the_cap() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for (what, body) in [("text", "aaaaaaaaaaaaaaaa"), ("tag", " x=\"1\"")] {
        let open = if what == "tag" {
            "<gpx><trk"
        } else {
            "<gpx><trk>"
        };
        let mut file = Generated::new(open, 64 * MB, |_| body.to_string(), "></trk></gpx>");
        let (decoded, peak) = peak_during(|| decode_reader(BufReader::new(&mut file), "x.gpx"));
        match decoded {
            Err(DecodeError::Xml { message, .. }) => {
                assert!(message.contains("longer than 4 MiB"), "{what}: {message}")
            }
            other => panic!("{what}: {other:?}"),
        }
        assert!(file.given < 8 * MB, "{what}: read {} bytes", file.given);
        assert!(
            peak < 32 * MB as usize,
            "{what}: peak RSS rose by {peak} bytes"
        );
    }
}

#[test]
fn fit_is_read_whole_only_up_to_its_cap() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut head = vec![14u8, 0x20, 0, 0, 0, 0, 0, 0];
    head.extend_from_slice(b".FIT\0\0");
    let body = "\0".repeat(4096);
    let mut file = Generated::new(
        std::str::from_utf8(&head).unwrap(),
        MAX_FIT_BYTES * 2,
        |_| body.clone(),
        "",
    );
    let err = decode_reader(BufReader::new(&mut file), "huge.fit").unwrap_err();
    assert_eq!(
        err,
        DecodeError::FitTooLarge {
            limit: MAX_FIT_BYTES
        }
    );
    assert!(file.given <= MAX_FIT_BYTES + 8 * MB, "read {}", file.given);
}

/// A zip file in the temporary folder, removed when dropped.
struct TempZip(std::path::PathBuf);

impl TempZip {
    /// Stores (uncompressed, so writing it is quick) each `(name, content)`.
    fn new(tag: &str, entries: Vec<(&str, &mut dyn Read)>) -> Self {
        let path =
            std::env::temp_dir().join(format!("runcoach-bounded-{tag}-{}.zip", std::process::id()));
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        for (name, content) in entries {
            zip.start_file(name, options).unwrap();
            std::io::copy(content, &mut zip).unwrap();
        }
        zip.finish().unwrap();
        TempZip(path)
    }

    fn open(&self) -> BufReader<std::fs::File> {
        BufReader::new(std::fs::File::open(&self.0).unwrap())
    }
}

impl Drop for TempZip {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_big_gpx_in_a_strava_export_decodes_in_a_few_mb() {
    use runcoach_formats::strava::{Limits, Origin, read_export};
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let point = |i: u64| {
        format!(
            "<trkpt lat=\"{:.5}\" lon=\"-6.2\"><ele>12</ele><time>2023-11-14T{:02}:{:02}:{:02}Z</time></trkpt>\n",
            53.0 + (i % 100_000) as f64 * 1e-5,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60,
        )
    };
    let mut gpx = Generated::new(
        "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\"><trk><type>running</type><trkseg>\n",
        32 * MB,
        point,
        "</trkseg></trk></gpx>\n",
    );
    let mut csv = "Activity ID,Activity Date,Activity Name,Activity Type,Filename\n\
                   7,\"Nov 14, 2023, 0:00:00 AM\",Long one,Run,activities/7.gpx\n"
        .as_bytes();
    let zip = TempZip::new(
        "gpx",
        vec![("activities.csv", &mut csv), ("activities/7.gpx", &mut gpx)],
    );
    let points = gpx.next;
    let (items, peak) = peak_during(|| {
        read_export(zip.open(), Limits::default())
            .unwrap()
            .collect::<Vec<_>>()
    });
    eprintln!(
        "zip with a {} MB GPX entry, {points} points: peak RSS +{} KB",
        gpx.given / MB,
        peak / 1024
    );
    assert_eq!(items.len(), 1, "{items:?}");
    let a = items[0].as_ref().unwrap();
    assert_eq!(a.source_id, Some(7));
    assert_eq!(a.origin, Origin::File);
    assert_eq!(a.name.as_deref(), Some("Long one"));
    assert_eq!(a.summary.track.len(), 500);
    assert_eq!(a.summary.salvaged, None);
    assert!(gpx.given > 32 * MB);
    // Held whole, the entry alone was 32 MB.
    assert!(peak < 16 * MB as usize, "peak RSS rose by {peak} bytes");
}

#[test]
fn a_big_activities_csv_is_read_row_by_row() {
    use runcoach_formats::strava::{Limits, read_export};
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Strava's rows carry a description (and 90 columns): ~2 KB each here.
    let description = "Easy run by the canal, legs heavy after Sunday. ".repeat(40);
    let row = |i: u64| {
        format!(
            "{},\"Nov 14, 2023, 7:00:00 AM\",Run {i},Run,3600,10.0,,3600.0,3500.0,10000.0,\"{description}\"\n",
            i + 1
        )
    };
    let mut csv = Generated::new(
        "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,Filename,\
         Elapsed Time,Moving Time,Distance,Activity Description\n",
        40 * MB,
        row,
        "",
    );
    let zip = TempZip::new("csv", vec![("activities.csv", &mut csv)]);
    let rows = csv.next;
    let (export, peak) = peak_during(|| read_export(zip.open(), Limits::default()).unwrap());
    eprintln!(
        "activities.csv of {} MB, {rows} rows: peak RSS +{} KB",
        csv.given / MB,
        peak / 1024
    );
    assert!(csv.given > 40 * MB);
    assert_eq!(export.csv_rows().len() as u64, rows);
    let last = export.csv_rows().last().unwrap();
    assert_eq!(last.id, rows);
    assert_eq!(last.distance_m, Some(10000.0));
    assert_eq!(export.expected_items() as u64, rows);
    // Read whole (and every field of every row kept), it was over 80 MB.
    assert!(peak < 24 * MB as usize, "peak RSS rose by {peak} bytes");
}
