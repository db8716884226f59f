#!/usr/bin/env bash
# Load test of `runcoach serve` on embedded SQLite with the demo athlete:
# requests/s, p50/p99 latency and errors for the today view, the plan page,
# GET /api/v1/plans/{id} and a session page, each as a ratio to /healthz
# measured on the same server in the same run. Uses Debian's `wrk`.
#
# Usage: bash bench/load.sh              (from any directory)
#        DURATION=30s CONNECTIONS=64 THREADS=2 bash bench/load.sh
#        RUNCOACH_BIN=target/release/runcoach bash bench/load.sh   (no build)
#        CHECK=1 bash bench/load.sh      (exit 1 when a target is missed)
#        BACKEND=postgres bash bench/load.sh   (a fresh PostgreSQL database)
#
# Targets (issue 4): today ≥ 25% of /healthz req/s, p99 < 20 ms at 64
# connections, zero errors. Only 127.0.0.1; every step is bounded in time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-2s}"
CHECK="${CHECK:-0}"
TODAY_RATIO_TARGET=0.25
P99_TARGET_MS=20

# BACKEND=postgres serves from a fresh database made on the PostgreSQL
# server at RUNCOACH_TEST_POSTGRES_URL (dropped at exit).
BACKEND="${BACKEND:-sqlite}"
PG_URL="${RUNCOACH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# RUNCOACH_* variables feed the server's flags (clap `env`); keep them out,
# except RUNCOACH_LOG (log filter) which the caller may set on purpose.
RUNCOACH_BIN_ARG="${RUNCOACH_BIN:-}"
while IFS= read -r var; do
    [[ "$var" == RUNCOACH_LOG ]] || unset "$var"
done < <(compgen -e | grep '^RUNCOACH_' || true)
unset DATABASE_URL

if ! command -v wrk >/dev/null 2>&1; then
    echo "wrk is missing: installing Debian's wrk" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [[ -n "$RUNCOACH_BIN_ARG" ]]; then
    BIN="$RUNCOACH_BIN_ARG"
else
    echo "building: cargo build --release -p runcoach" >&2
    cargo build --release -p runcoach
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/runcoach"
fi
[[ -x "$BIN" ]] || { echo "error: $BIN is not an executable" >&2; exit 1; }

secs() { # "10s" / "1m" / "10" → seconds
    local v="$1"
    case "$v" in
        *m) echo $(( ${v%m} * 60 )) ;;
        *s) echo "${v%s}" ;;
        *) echo "$v" ;;
    esac
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runcoach-load.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ -n "${PG_DB:-}" ]]; then
        psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port on 127.0.0.1: bind 0, read, close.
PORT="${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')}"
BASE="http://127.0.0.1:$PORT"

DB_ARGS=(--data-dir "$WORK/data")
if [[ "$BACKEND" == postgres ]]; then
    PG_DB="runcoach_test_load_$$"
    psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
    DB_ARGS=(--database-url "${PG_URL%/*}/$PG_DB")
fi
"$BIN" serve --bind "127.0.0.1:$PORT" "${DB_ARGS[@]}" --demo >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
    curl -fsS --max-time 1 "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "error: the server exited:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS --max-time 2 "$BASE/healthz" | grep -q '"status":"ok"' \
    || { echo "error: $BASE/healthz did not answer ok within 10 s" >&2; exit 1; }

# Log in once (login is rate-limited to 10 a minute per address).
LOGIN_HEADERS="$WORK/login.headers"
status=$(curl -sS --max-time 10 -o /dev/null -D "$LOGIN_HEADERS" -w '%{http_code}' \
    -H 'content-type: application/json' \
    -d '{"email":"demo@runcoach.local","password":"demo-password"}' "$BASE/api/v1/login")
[[ "$status" == 200 ]] || { echo "error: demo login answered $status" >&2; exit 1; }
SESSION=$(sed -nE 's/^[Ss]et-[Cc]ookie: rc_session=([^;]*);.*/\1/p' "$LOGIN_HEADERS" | tr -d '\r')
[[ -n "$SESSION" ]] || { echo "error: no rc_session cookie in the login response" >&2; exit 1; }
COOKIE="rc_session=$SESSION"

get() { curl -fsS --max-time 5 -H "Cookie: $COOKIE" "$BASE$1"; }
plans_json=$(get /api/v1/plans)
id_re='"id":"([^"]+)"'
[[ "$plans_json" =~ $id_re ]] || { echo "error: the demo athlete has no plan: $plans_json" >&2; exit 1; }
PLAN_ID="${BASH_REMATCH[1]}"
plan_json=$(get "/api/v1/plans/$PLAN_ID")
# The first session with an id (JSON keys are sorted: "activity_id" comes
# before "id", so no regex on the text).
SESSION_ID=$(python3 -c 'import json,sys
d = json.load(sys.stdin)
print(next(s["id"] for w in d["weeks"] for day in w["days"] for s in day["sessions"] if s.get("id")))' <<<"$plan_json") \
    || { echo "error: no session id in plan $PLAN_ID" >&2; exit 1; }

ROUTES=(
    "/healthz"
    "/today"
    "/plans/$PLAN_ID"
    "/api/v1/plans/$PLAN_ID"
    "/sessions/$SESSION_ID"
)
NAMES=(
    "/healthz"
    "/today (page)"
    "/plans/{id} (page)"
    "/api/v1/plans/{id}"
    "/sessions/{id} (page)"
)
# What a correct answer contains: a redirect to /login or an error page would
# not, so every route is checked once before and once after its load run.
MARKERS=(
    '"status":"ok"'
    '<h1>Today'
    'aria-labelledby="week-1"'
    '"weeks":'
    'Why this session'
)

check_route() { # path marker → exit 1 unless 200 and the marker is in the body
    local body code
    body="$WORK/check.body"
    code=$(curl -sS --max-time 5 -o "$body" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE$1")
    if [[ "$code" != 200 ]] || ! grep -qF -- "$2" "$body"; then
        echo "error: GET $1 answered $code without '$2'" >&2
        exit 1
    fi
}

# wrk Lua: count every non-2xx answer (wrk itself only counts >= 400), and
# print the numbers the table needs on one machine-readable line.
cat >"$WORK/report.lua" <<'LUA'
local threads = {}
function setup(thread)
    table.insert(threads, thread)
end
function init(args)
    non2xx = 0
end
function response(status, headers, body)
    if status < 200 or status > 299 then
        non2xx = non2xx + 1
    end
end
function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do
        bad = bad + (t:get("non2xx") or 0)
    end
    local e = summary.errors
    local socket = e.connect + e.read + e.write + e.timeout
    io.write(string.format(
        "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d socket=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        bad, socket))
end
LUA

run_wrk() { # path duration connections → the RESULT line
    local limit=$(( $(secs "$2") + 30 ))
    timeout -k 5 "$limit" wrk -t "$THREADS" -c "$3" -d "$2" --timeout 2s \
        -H "Cookie: $COOKIE" -s "$WORK/report.lua" "$BASE$1" | grep '^RESULT'
}

field() { # RESULT-line name → value
    sed -E "s/.* $2=([^ ]+).*/\1/" <<<"$1"
}

echo "runcoach $( "$BIN" --version 2>/dev/null | awk '{print $2}' ) · $BACKEND · demo athlete · wrk -t$THREADS -c$CONNECTIONS -d$DURATION · $(nproc) CPUs · $(date -u +%FT%TZ)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on these CPUs skews every number)"
for i in "${!ROUTES[@]}"; do
    check_route "${ROUTES[$i]}" "${MARKERS[$i]}"
    run_wrk "${ROUTES[$i]}" "$WARMUP" 8 >/dev/null # warm-up
done

declare -a RESULTS
for i in "${!ROUTES[@]}"; do
    RESULTS[$i]=$(run_wrk "${ROUTES[$i]}" "$DURATION" "$CONNECTIONS")
    check_route "${ROUTES[$i]}" "${MARKERS[$i]}"
done
# /healthz once more at the end: the ratio's baseline is the mean of the two,
# and a large gap between them means the machine was busy with other work.
HEALTH_AGAIN=$(run_wrk /healthz "$DURATION" "$CONNECTIONS")
h1=$(field "${RESULTS[0]}" rps)
h2=$(field "$HEALTH_AGAIN" rps)
HEALTH_RPS=$(awk -v a="$h1" -v b="$h2" 'BEGIN { printf "%.1f", (a + b) / 2 }')
SPREAD=$(awk -v a="$h1" -v b="$h2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.0f", 100 * d / ((a + b) / 2) }')

missed=0
printf '\n%-24s %10s %9s %9s %9s %9s %8s\n' route "req/s" "vs health" "p50 ms" "p99 ms" "max ms" errors
for i in "${!ROUTES[@]}" last; do
    if [[ "$i" == last ]]; then
        r="$HEALTH_AGAIN"; name="/healthz (again)"; route=/healthz
    else
        r="${RESULTS[$i]}"; name="${NAMES[$i]}"; route="${ROUTES[$i]}"
    fi
    rps=$(field "$r" rps)
    ratio=$(awk -v a="$rps" -v b="$HEALTH_RPS" 'BEGIN { printf "%.2f", a / b }')
    p99=$(field "$r" p99_ms)
    errors=$(( $(field "$r" non2xx) + $(field "$r" socket) ))
    printf '%-24s %10.0f %9s %9.2f %9.2f %9.2f %8d\n' "$name" "$rps" "$ratio" \
        "$(field "$r" p50_ms)" "$p99" "$(field "$r" max_ms)" "$errors"
    if awk -v p="$p99" -v t="$P99_TARGET_MS" 'BEGIN { exit !(p >= t) }'; then
        echo "  missed: p99 ${p99} ms is not under ${P99_TARGET_MS} ms" >&2; missed=1
    fi
    if (( errors > 0 )); then echo "  missed: $errors errors" >&2; missed=1; fi
    if [[ "$route" == /today ]] && awk -v r="$ratio" -v t="$TODAY_RATIO_TARGET" 'BEGIN { exit !(r < t) }'; then
        echo "  missed: today is ${ratio} of /healthz throughput (target ≥ ${TODAY_RATIO_TARGET})" >&2; missed=1
    fi
done
echo
echo "ratios against the mean /healthz of ${HEALTH_RPS} req/s (first and last runs differ by ${SPREAD}%); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if (( SPREAD > 15 )); then
    echo "warning: /healthz moved by ${SPREAD}% during the run: the machine was busy; run again when it is idle" >&2
fi
if (( missed )); then
    echo "targets: MISSED (today ≥ ${TODAY_RATIO_TARGET} × /healthz, p99 < ${P99_TARGET_MS} ms, 0 errors)"
    if [[ "$CHECK" == 1 ]]; then exit 1; fi
else
    echo "targets: met (today ≥ ${TODAY_RATIO_TARGET} × /healthz, p99 < ${P99_TARGET_MS} ms, 0 errors)"
fi
