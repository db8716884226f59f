#!/usr/bin/env bash
# Scale: N athletes (default 20,000), each with a 36-week plan begun six
# months ago and its log, on SQLite or PostgreSQL; /today, the plan API and
# the progress API at 64 connections; bytes per athlete; two servers on one
# PostgreSQL database behind a round-robin client. See bench/scale.py.
#
# Usage: RUNCOACH_BIN=target/release/runcoach bash bench/scale.sh
#        BACKEND=postgres ATHLETES=20000 DURATION=10s RUNCOACH_BIN=… bash bench/scale.sh
#        KEEP=1 … keeps the seeded database for EXPLAIN ANALYZE (drop it by hand)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [[ -n "${RUNCOACH_BIN:-}" ]]; then BIN="$RUNCOACH_BIN"; else
    cargo build --release -p runcoach; BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/runcoach"; fi
export BIN BACKEND="${BACKEND:-sqlite}" PG_URL="${RUNCOACH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
echo "runcoach scale · $BACKEND · ${ATHLETES:-20000} athletes · $(nproc) CPUs · $(date -u +%FT%TZ)"
exec python3 bench/scale.py
