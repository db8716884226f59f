//! Plan engine micro-benchmark, std only (no criterion).
//!
//! Run with `cargo bench -p runcoach-core --bench plan`.
//! Times a 20-week marathon plan: building it, checking it against the
//! guardrails, both together, and serialising it to JSON. Each case is
//! warmed up, then timed in batches; the table gives the median, p90 and
//! minimum of the per-batch mean time per iteration, in microseconds.

use std::hint::black_box;
use std::time::Instant;

use runcoach_core::guardrails::check;
use runcoach_core::plan::{PlanInput, PlanRequest, RecentInput, build_plan};

const WARMUP_ITERS: u32 = 200;
const BATCHES: u32 = 100;
const BATCH_SIZE: u32 = 20;

fn request() -> PlanRequest {
    let input = PlanInput {
        race: "marathon".into(),
        race_date: "2027-05-09".into(),
        start: None,
        weeks: Some(20),
        run_days: ["mon", "tue", "thu", "sat", "sun"]
            .map(String::from)
            .to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 50.0,
        longest_run_km: Some(18.0),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "45:00".into(),
        }),
        strength_days: 3,
        new_to_strength: false,
        equipment: vec!["band".into(), "bench".into()],
        niggles: vec!["knee".into()],
        units: None,
        ..Default::default()
    };
    input.validate().expect("benchmark request is valid")
}

struct Stats {
    median_us: f64,
    p90_us: f64,
    min_us: f64,
}

/// Warms up, then runs `BATCHES` batches of `BATCH_SIZE` calls; each batch
/// gives one sample, its mean time per call.
fn measure<R>(mut f: impl FnMut() -> R) -> Stats {
    for _ in 0..WARMUP_ITERS {
        black_box(f());
    }
    let mut samples: Vec<f64> = (0..BATCHES)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..BATCH_SIZE {
                black_box(f());
            }
            t.elapsed().as_secs_f64() * 1e6 / f64::from(BATCH_SIZE)
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Stats {
        median_us: at(0.5),
        p90_us: at(0.9),
        min_us: samples[0],
    }
}

fn main() {
    let req = request();
    let plan = build_plan(&req);

    // Sanity, not timing: the generated plan passes its own guardrails.
    let violations = check(&plan);
    assert!(
        violations.is_empty(),
        "guardrail violations in the benchmark plan: {violations:#?}"
    );
    let json_len = serde_json::to_string(&plan).expect("plan serialises").len();

    let cases: [(&str, Stats); 4] = [
        ("build_plan", measure(|| build_plan(black_box(&req)))),
        ("check", measure(|| check(black_box(&plan)))),
        (
            "build_plan + check",
            measure(|| {
                let p = build_plan(black_box(&req));
                check(&p).len()
            }),
        ),
        (
            "serde_json::to_string",
            measure(|| serde_json::to_string(black_box(&plan)).expect("plan serialises")),
        ),
    ];

    println!(
        "plan engine: 20-week marathon, {} weeks, {json_len} bytes of JSON; \
         {WARMUP_ITERS} warm-up + {BATCHES} x {BATCH_SIZE} iterations per case",
        plan.weeks.len()
    );
    println!(
        "{:<24} {:>12} {:>12} {:>12}",
        "case", "median µs", "p90 µs", "min µs"
    );
    for (name, s) in &cases {
        println!(
            "{name:<24} {:>12.2} {:>12.2} {:>12.2}",
            s.median_us, s.p90_us, s.min_us
        );
    }
}
