#!/usr/bin/env bash
# schemathesis against a running `runcoach serve`, on SQLite and on
# PostgreSQL, signed out and with a bearer token: every operation of
# crates/server/openapi.json gets generated requests (valid and not), and a
# run fails on any 5xx or any response that does not match the document.
#
# Usage: bash .ci/schemathesis.sh                 (from any directory)
#        MAX_EXAMPLES=200 bash .ci/schemathesis.sh  (longer; CI uses 12)
#        BACKENDS=sqlite RUNCOACH_BIN=target/debug/runcoach bash .ci/schemathesis.sh
#        bash .ci/schemathesis.sh --install-only    (install the pinned schemathesis, run nothing)
# Needs: python3 with schemathesis (pinned below), and PostgreSQL at
# RUNCOACH_TEST_POSTGRES_URL for the PostgreSQL run (skipped when unset).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${MAX_EXAMPLES:-12}"
SEED="${SEED:-20261128}"
BACKENDS="${BACKENDS:-sqlite postgres}"

if ! python3 -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
[[ "${1:-}" == "--install-only" ]] && exit 0

# RUNCOACH_* variables feed the server's flags; keep the caller's out.
RUNCOACH_BIN_ARG="${RUNCOACH_BIN:-}"
PG_URL="${RUNCOACH_TEST_POSTGRES_URL:-}"
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep '^RUNCOACH_' || true)
unset DATABASE_URL

if [[ -n "$RUNCOACH_BIN_ARG" ]]; then
    BIN="$RUNCOACH_BIN_ARG"
else
    cargo build --quiet -p runcoach
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/runcoach"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/runcoach-st.XXXXXX")"
SERVER_PID=""
PG_DB=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
drop_pg() {
    if [[ -n "$PG_DB" ]]; then
        psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}
cleanup() { stop_server; drop_pg; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_server() { # $1 = backend
    local port; port="$(free_port)"
    BASE="http://127.0.0.1:$port"
    local db_args=(--data-dir "$WORK/data-$1")
    if [[ "$1" == postgres ]]; then
        # Named like the tests' databases, so CI's clean-up finds a leftover.
        PG_DB="runcoach_test_st_$$"
        psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null
        db_args=(--database-url "${PG_URL%/*}/$PG_DB")
    fi
    "$BIN" serve --bind "127.0.0.1:$port" "${db_args[@]}" --demo >"$WORK/server-$1.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fsS --max-time 1 "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "error: runcoach serve did not answer /healthz" >&2
    cat "$WORK/server-$1.log" >&2
    exit 1
}

# A personal access token of the demo athlete (tokens need a signed-in
# session to be made).
demo_token() {
    local jar="$WORK/jar"
    curl -fsS --max-time 10 -c "$jar" -H 'content-type: application/json' \
        -d '{"email":"demo@runcoach.local","password":"demo-password"}' \
        "$BASE/api/v1/login" >/dev/null
    curl -fsS --max-time 10 -b "$jar" -H 'x-requested-with: runcoach' -H 'content-type: application/json' \
        -d '{"name":"schemathesis"}' "$BASE/api/v1/tokens" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

run_st() { # $1 = label, rest = extra schemathesis arguments
    local label="$1"; shift
    echo "-- schemathesis: $label (max $MAX_EXAMPLES examples per operation, seed $SEED)"
    local started=$SECONDS
    # not_a_server_error: no 5xx; response_schema_conformance: bodies match
    # the document; status_code_conformance: every status is documented;
    # content_type_conformance: the documented media type.
    # One worker: with two, schemathesis's own generator once failed with
    # an internal KeyError (a thread-unsafe cache in its coverage phase),
    # which is not a finding about the server.
    schemathesis run "$ROOT/crates/server/openapi.json" --url "$BASE" \
        --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
        --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 \
        --phases examples,coverage,fuzzing --no-shrink \
        --request-timeout 30 --suppress-health-check all \
        --report junit --report-dir "$WORK/report-$label" \
        "$@" || { echo "schemathesis found problems ($label); server log: $WORK/server-*.log" >&2; cp "$WORK"/server-*.log "${TMPDIR:-/tmp}/" 2>/dev/null || true; return 1; }
    echo "-- $label took $((SECONDS - started)) s"
}

status=0
for backend in $BACKENDS; do
    if [[ "$backend" == postgres && -z "$PG_URL" ]]; then
        echo "-- skipped PostgreSQL: RUNCOACH_TEST_POSTGRES_URL is not set"
        continue
    fi
    start_server "$backend"
    token="$(demo_token)"
    # The bearer run leaves out logout (it would revoke its own token);
    # the signed-out run covers it.
    run_st "$backend-bearer" -H "Authorization: Bearer $token" --exclude-path /api/v1/logout || status=1
    run_st "$backend-anonymous" || status=1
    stop_server
    drop_pg
done
exit $status
