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
