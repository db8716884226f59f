#!/usr/bin/env bash
# Import benchmark (issue 7): builds a Strava-style export of ~N activities
# from the real device files in testdata/activities with shifted times (bench/import_bench.py says
# how), imports it with the release `runcoach import` into a fresh SQLite data
# directory under /usr/bin/time -v (peak RSS), then the same recordings as a
# folder; and compares decode throughput with Python's fitdecode (FIT) and
# gpxpy (GPX) on the same files in the same run.
#
# Usage: bash bench/import.sh            (N=2000)
#        N=500 bash bench/import.sh
#        RUNCOACH_BIN=target/release/runcoach bash bench/import.sh   (no build)
# Needs: python3 with fitdecode and gpxpy (pip install fitdecode gpxpy),
#        /usr/bin/time (GNU time).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${N:-2000}"
DECODE_COPIES="${DECODE_COPIES:-3}"

RUNCOACH_BIN_ARG="${RUNCOACH_BIN:-}"
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(RUNCOACH_|DATABASE_URL)' || true)

if [[ -n "${RUNCOACH_BIN_ARG:-}" ]]; then BIN="$RUNCOACH_BIN_ARG"; else
    echo "building: cargo build --release -p runcoach" >&2
    cargo build --release -p runcoach >&2
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/runcoach"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runcoach-import-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "building a synthetic export of $N activities in $WORK" >&2
BUILD="$(python3 bench/import_bench.py build "$WORK/export" "$N")"
echo "export: $BUILD"

json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d$2)" "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$1"; }

run_import() { # label, path
    local label="$1" path="$2" dir="$WORK/data-$1"
    RUNCOACH_PASSWORD="long enough password" "$BIN" admin create-user \
        --email bench@example.com --role athlete --data-dir "$dir" >/dev/null
    /usr/bin/time -v "$BIN" import "$path" --athlete bench@example.com \
        --data-dir "$dir" --json >"$WORK/$label.json" 2>"$WORK/$label.time"
    local imported dup failed secs
    imported="$(json "$WORK/$label.json" "['imported']")"
    dup="$(json "$WORK/$label.json" "['duplicates']")"
    failed="$(json "$WORK/$label.json" "['failed'].__len__()")"
    secs="$(json "$WORK/$label.json" "['seconds']")"
    local bytes; bytes="$(du -sbL "$path" | cut -f1)"
    printf '%-7s imported %s (duplicates %s, failed %s) in %.2f s = %.0f activities/s, %.1f MB/s of input (%.1f MB); peak RSS %s MB\n' \
        "$label" "$imported" "$dup" "$failed" "$secs" \
        "$(python3 -c "print($imported/$secs)")" "$(python3 -c "print($bytes/1e6/$secs)")" \
        "$(python3 -c "print($bytes/1e6)")" "$(rss_mb "$WORK/$label.time")"
}

echo
echo "== end to end into SQLite (release, $(nproc) cores)"
run_import zip "$WORK/export/export.zip"
run_import folder "$WORK/export/files"

if ! python3 -c 'import fitdecode, gpxpy' 2>/dev/null; then
    echo; echo "(fitdecode/gpxpy not installed: the decode comparison is skipped; pip install fitdecode gpxpy)"
    exit 0
fi
echo
echo "== decode only, one thread, the first $DECODE_COPIES copies of each recording"
mkdir -p "$WORK/decode/fit" "$WORK/decode/gpx"
for k in $(seq 0 $((DECODE_COPIES - 1))); do
    c=$(printf 'c%03d-' "$k")
    cp "$WORK/export/files/fit/$c"* "$WORK/decode/fit/" 2>/dev/null || true
    cp "$WORK/export/files/gpx/$c"* "$WORK/decode/gpx/" 2>/dev/null || true
done
PY="$(python3 bench/import_bench.py pydecode "$WORK/decode" 2>"$WORK/py.err")"
RFIT="$("$BIN" import "$WORK/decode/fit" --decode-only --threads 1 2>/dev/null)"
RGPX="$("$BIN" import "$WORK/decode/gpx" --decode-only --threads 1 2>/dev/null)"
python3 - "$PY" "$RFIT" "$RGPX" <<'EOF'
import json, sys
py, rf, rg = (json.loads(a) for a in sys.argv[1:4])
print(f"FIT  {py['fit_files']} files: fitdecode {py['fit_seconds']:.2f} s, runcoach {rf['seconds']:.2f} s"
      f"  -> runcoach {py['fit_seconds'] / rf['seconds']:.1f}x faster")
print(f"GPX  {py['gpx_files']} files: gpxpy {py['gpx_seconds']:.2f} s, runcoach {rg['seconds']:.2f} s"
      f"  -> runcoach {py['gpx_seconds'] / rg['seconds']:.1f}x faster")
EOF
echo "(fitdecode reads every message; gpxpy parses and computes length and moving time;"
echo " runcoach decodes and summarises: distance, times, HR, laps, elevation, track.)"
