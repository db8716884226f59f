#!/usr/bin/env bash
# Times the whole `runcoach plan ... --format json` process for a 20-week
# marathon plan (the same request as crates/core/benches/plan.rs).
# Uses hyperfine when available; otherwise a bash loop of $RUNS runs.
#
# Usage: bash bench/plan-cli.sh        (from any directory)
#        RUNS=500 bash bench/plan-cli.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${RUNS:-200}"

# RUNCOACH_* variables feed the CLI's flags (clap `env`); keep them out.
while IFS= read -r var; do
    unset "$var"
done < <(compgen -e | grep '^RUNCOACH_' || true)

echo "building: cargo build --release -p runcoach" >&2
cargo build --release -p runcoach

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/runcoach"
[[ -x "$BIN" ]] || { echo "error: $BIN not found after build" >&2; exit 1; }

ARGS=(
    plan
    --race marathon
    --race-date 2027-05-09
    --weeks 20
    --run-days mon,tue,thu,sat,sun
    --long-run-day sun
    --level experienced
    --weekly-km 50
    --longest-run-km 18
    --recent 10k:45:00
    --strength-days 3
    --equipment band,bench
    --niggle knee
    --format json
)

# One checked run first: a failing command should fail the script, not be timed.
"$BIN" "${ARGS[@]}" > /dev/null
echo "plan JSON: $("$BIN" "${ARGS[@]}" | wc -c) bytes" >&2

if ! command -v hyperfine > /dev/null 2>&1; then
    echo "hyperfine not found; trying apt-get install -y hyperfine" >&2
    if [[ "$(id -u)" -eq 0 ]]; then
        apt-get install -y -qq hyperfine > /dev/null 2>&1 || true
    elif command -v sudo > /dev/null 2>&1; then
        sudo -n apt-get install -y -qq hyperfine > /dev/null 2>&1 || true
    fi
fi

if command -v hyperfine > /dev/null 2>&1; then
    CMD="$(printf '%q ' "$BIN" "${ARGS[@]}")"
    JSON="$(mktemp)"
    trap 'rm -f "$JSON"' EXIT
    hyperfine --warmup 20 --runs "$RUNS" -N --output=null --export-json "$JSON" \
        --command-name "runcoach plan (20-week marathon, json)" "$CMD"
    # hyperfine prints mean/min/max; add median and p90 from its raw times.
    if command -v jq > /dev/null 2>&1; then
        jq -r '.results[0].times | sort | length as $n
            | def q(p): .[(($n - 1) * p | floor)] * 1000 * 100 | round / 100;
            "  median \(q(0.5)) ms   p90 \(q(0.9)) ms   min \(q(0)) ms   max \(q(1)) ms   (\($n) runs)"' \
            "$JSON"
    elif command -v python3 > /dev/null 2>&1; then
        python3 - "$JSON" <<'PY'
import json, sys
t = sorted(json.load(open(sys.argv[1]))["results"][0]["times"])
q = lambda p: t[int((len(t) - 1) * p)] * 1000
print(f"  median {q(0.5):.2f} ms   p90 {q(0.9):.2f} ms   min {q(0):.2f} ms   max {q(1):.2f} ms   ({len(t)} runs)")
PY
    fi
    exit 0
fi

echo "hyperfine unavailable; timing $RUNS runs with a bash loop (date +%s%N)" >&2
for _ in $(seq 1 10); do
    "$BIN" "${ARGS[@]}" > /dev/null
done
times_ns=()
for _ in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N)
    "$BIN" "${ARGS[@]}" > /dev/null
    t1=$(date +%s%N)
    times_ns+=($((t1 - t0)))
done

mapfile -t sorted < <(printf '%s\n' "${times_ns[@]}" | sort -n)
n=${#sorted[@]}
pick() { # nearest-rank quantile, argument in percent
    local i=$(((n - 1) * $1 / 100))
    echo "${sorted[$i]}"
}
ms() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e6 }'; }
printf 'runcoach plan (20-week marathon, json), %d runs, wall time per process incl. fork/exec and date(1) overhead:\n' "$n"
printf '  median %s ms   p90 %s ms   min %s ms   max %s ms\n' \
    "$(ms "$(pick 50)")" "$(ms "$(pick 90)")" "$(ms "${sorted[0]}")" "$(ms "${sorted[n - 1]}")"
