#!/usr/bin/env bash
# Abuse of `runcoach serve` (issue 16): /healthz latency while the server is
# flooded by slow clients and by wrong logins, and peak memory under four
# hostile uploads at once. SQLite by default, BACKEND=postgres for a fresh
# PostgreSQL database. Uses Debian's wrk and bench/abuse.py (stdlib only).
#
# Usage: RUNCOACH_BIN=target/release/runcoach bash bench/abuse.sh
#        BACKEND=postgres RUNCOACH_BIN=… bash bench/abuse.sh
#        ONLY=uploads RUNCOACH_BIN=… bash bench/abuse.sh   (the hostile uploads alone)
#
# Targets: /healthz p99 < 50 ms during a login flood and a slow-client
# flood; four hostile uploads at once < 300 MB RSS. Only 127.0.0.0/8 is
# used (the floods come from 127.0.1.x so each address is its own client).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BACKEND="${BACKEND:-sqlite}"
PG_URL="${RUNCOACH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
RUNCOACH_BIN_ARG="${RUNCOACH_BIN:-}"
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^RUNCOACH_' || true)
unset DATABASE_URL

command -v wrk >/dev/null 2>&1 || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [[ -n "$RUNCOACH_BIN_ARG" ]]; then BIN="$RUNCOACH_BIN_ARG"; else
    cargo build --release -p runcoach; BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/runcoach"; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runcoach-abuse.XXXXXX")"
SERVER_PID=""; PG_DB=""
cleanup() {
    [[ -n "$SERVER_PID" ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    [[ -n "$PG_DB" ]] && psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
DB_ARGS=(--data-dir "$WORK/data")
if [[ "$BACKEND" == postgres ]]; then
    PG_DB="runcoach_test_abuse_$$"
    psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
    DB_ARGS=(--database-url "${PG_URL%/*}/$PG_DB")
fi
ulimit -n 65536 2>/dev/null || true
"$BIN" serve --bind "127.0.0.1:$PORT" "${DB_ARGS[@]}" --demo >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS --max-time 1 "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

curl -fsS --max-time 10 -c "$WORK/jar" -H 'content-type: application/json' \
    -d '{"email":"demo@runcoach.local","password":"demo-password"}' "$BASE/api/v1/login" >/dev/null
token_of() { # cookie jar → a new API token
    curl -fsS --max-time 10 -b "$1" -H 'x-requested-with: runcoach' -H 'content-type: application/json' \
        -d '{"name":"abuse"}' "$BASE/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
TOKEN=$(token_of "$WORK/jar")
# A second athlete: each may run 2 imports at once, so four uploads need two.
curl -fsS --max-time 10 -c "$WORK/jar2" -H 'content-type: application/json' \
    -d '{"email":"second@example.com","password":"a long passphrase","name":"Second"}' "$BASE/api/v1/signup" >/dev/null
TOKEN2=$(token_of "$WORK/jar2")

cat >"$WORK/report.lua" <<'LUA'
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        e.connect + e.read + e.write + e.timeout + e.status))
end
LUA
healthz() { # seconds → RESULT line for /healthz at 4 connections
    timeout -k 5 $(( $1 + 20 )) wrk -t1 -c4 -d"$1s" --timeout 2s -s "$WORK/report.lua" "$BASE/healthz" | grep '^RESULT'
}
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }

echo "runcoach abuse · $BACKEND · $(nproc) CPUs · $(date -u +%FT%TZ) · load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "quiet:                         $(healthz 10)"
if [[ "${ONLY:-}" != uploads ]]; then

# Slow clients: 1,000 sockets from 20 addresses (50 each, under the
# per-address cap) that never finish their headers, then 1,000 from one
# address (the cap closes all but 64). wrk connects first and keeps its
# connections, as the clients already being served do.
( sleep 1; python3 bench/abuse.py slow "$PORT" 20 50 20 >"$WORK/slow1" ) &
flood=$!
echo "slow flood, 20 × 50 sockets:   $(healthz 15)"
wait $flood; echo "  flood: $(cat "$WORK/slow1")"
( sleep 1; python3 bench/abuse.py slow "$PORT" 1 1000 20 >"$WORK/slow2" ) &
flood=$!
echo "slow flood, 1 × 1,000 sockets: $(healthz 15)"
wait $flood; echo "  flood: $(cat "$WORK/slow2")"
sleep 11 # let the header deadline close what is left
echo "after the slow floods:         $(healthz 5)"

# Wrong logins for random accounts from 50 addresses: each address may try
# 10 a minute, so the first 500 cost an argon2 hash each, the rest are
# refused with 429 before any hashing.
( sleep 1; python3 bench/abuse.py login "$PORT" 50 15 >"$WORK/login" ) &
flood=$!
echo "login flood, 50 addresses:     $(healthz 15)"
wait $flood; echo "  flood: $(cat "$WORK/login")"
fi

# Four hostile uploads at once, each as the demo athlete's token: a 250 MiB
# "GPX" of garbage, a 400 MiB non-file form field, a zip holding a bomb
# (1 GiB of zeros deflated) and a real-looking 120 MiB GPX (decoded as it is
# read, never held whole), and a TCX nested 200,000 deep.
python3 - "$WORK" <<'PY'
import sys, zipfile
d = sys.argv[1]
with open(f"{d}/big.gpx", "wb") as f:
    line = b'<trkpt lat="53.3" lon="-6.2"><ele>1</ele></trkpt>\n'
    chunk = line * ((1 << 20) // len(line))
    while f.tell() < 250 << 20:
        f.write(chunk)
with open(f"{d}/field.txt", "wb") as f:
    for _ in range(400):
        f.write(b"a" * (1 << 20))
with zipfile.ZipFile(f"{d}/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("activities/bomb.gpx", "w", force_zip64=True) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(1024):
            f.write(chunk)
    with z.open("activities/big.gpx", "w", force_zip64=True) as f:
        f.write(b'<?xml version="1.0"?>\n<gpx version="1.1"><trk><type>running</type><trkseg>\n')
        i = written = 0
        while written < 120 << 20:
            lines = []
            for _ in range(10000):
                h, m, sec = i // 3600 % 24, i // 60 % 60, i % 60
                lines.append(f'<trkpt lat="{53 + (i % 100000) * 1e-5:.5f}" lon="-6.2"><ele>{10 + i % 7}</ele>'
                             f'<time>2024-03-{1 + i // 86400 % 28:02d}T{h:02d}:{m:02d}:{sec:02d}Z</time></trkpt>\n')
                i += 1
            chunk = "".join(lines).encode()
            f.write(chunk)
            written += len(chunk)
        f.write(b"</trkseg></trk></gpx>\n")
open(f"{d}/deep.tcx", "w").write("<TrainingCenterDatabase>" + "<a>" * 200000 + "</a>" * 200000 + "</TrainingCenterDatabase>")
PY
before=$(rss)
before_hwm=$(hwm)
up() { # name, token, curl form arguments: the status to $WORK/name, the body to $WORK/name.body
    local n="$1" t="$2"; shift 2
    curl -sS --max-time 300 -o "$WORK/$n.body" -w '%{http_code}' -H "authorization: Bearer $t" "$@" "$BASE/api/v1/imports" >"$WORK/$n"
}
{ up u1 "$TOKEN" -F "files=@$WORK/big.gpx"; } & u1=$!
{ up u2 "$TOKEN2" -F "note=<$WORK/field.txt"; } & u2=$!
{ up u3 "$TOKEN" -F "files=@$WORK/bomb.zip"; } & u3=$!
{ up u4 "$TOKEN2" -F "files=@$WORK/deep.tcx"; } & u4=$!
peak=0
for _ in $(seq 1 6000); do # 5 minutes at most
    r=$(rss); (( r > peak )) && peak=$r
    alive=0; for p in $u1 $u2 $u3 $u4; do kill -0 "$p" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.05
done
wait $u1 $u2 $u3 $u4 || true
# The accepted jobs decode: sample until each has finished (5 minutes at most).
pending() { # how many accepted imports are still queued or running
    local n=0 u token id st
    for u in u1:$TOKEN u2:$TOKEN2 u3:$TOKEN u4:$TOKEN2; do
        token="${u#*:}"; u="${u%%:*}"
        id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$WORK/$u.body" 2>/dev/null || true)
        [[ -n "$id" ]] || continue
        st=$(curl -sS --max-time 5 -H "authorization: Bearer $token" "$BASE/api/v1/imports/$id" \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo unknown)
        [[ "$st" == queued || "$st" == running ]] && n=$((n + 1))
    done
    echo "$n"
}
started=$SECONDS
while (( SECONDS - started < 300 )); do
    for _ in $(seq 1 20); do r=$(rss); (( r > peak )) && peak=$r; sleep 0.05; done
    [[ "$(pending)" == 0 ]] && break
done
decoded_s=$((SECONDS - started))
echo "hostile uploads: statuses gpx=$(cat "$WORK/u1") field=$(cat "$WORK/u2") bomb=$(cat "$WORK/u3") deep=$(cat "$WORK/u4"); RSS before $((before / 1024)) MB (high-water mark so far $((before_hwm / 1024)) MB), sampled peak $((peak / 1024)) MB, high-water mark after $(( $(hwm) / 1024 )) MB (jobs done ${decoded_s} s after the uploads)"
echo "after everything:              $(healthz 5)"
