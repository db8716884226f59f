#!/usr/bin/env bash
# The stable-Rust fuzzing (proptest) run long: the decoders of FIT, GPX,
# TCX, gzip, Strava CSV and zip fed damaged fixtures, the plan request
# damaged, the calendar round trip. CI runs 32 cases per property; this
# runs FUZZ_CASES (default 20,000) with a random seed each time, in a
# release-like profile. A failure is shrunk and saved by proptest in
# crates/*/tests/*.proptest-regressions: commit that file, and CI replays
# the crasher first on every run.
#
# Usage: bash bench/fuzz.sh            FUZZ_CASES=100000 bash bench/fuzz.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export FUZZ_CASES="${FUZZ_CASES:-20000}"
unset PROPTEST_RNG_SEED
started=$SECONDS
cargo test --release -p runcoach-formats --test fuzz -- --nocapture
cargo test --release -p runcoach-core --test integration fuzz_plan_request -- --nocapture
echo "fuzzed $FUZZ_CASES cases per property in $((SECONDS - started)) s"
