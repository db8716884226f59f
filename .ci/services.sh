#!/usr/bin/env bash
# What CI's tests need besides Rust, installed and started when missing:
# PostgreSQL on 127.0.0.1:5432 (Debian's, trust auth for 127.0.0.1), the
# Python checkers (FIT and iCalendar decoders, an SMTP server,
# schemathesis), Debian's Chromium and the e2e packages. `.ci/run` runs it
# in the background while it compiles; it can also run alone.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    echo "PostgreSQL is not running on 127.0.0.1:5432: installing and starting Debian's postgresql"
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /etc/postgresql | sort -V | tail -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    grep -q "runcoach-ci" "$hba" || sed -i '1i host all all 127.0.0.1/32 trust # runcoach-ci' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster --skip-systemctl-redirect "$version" main restart
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
export RUNCOACH_TEST_POSTGRES_URL="${RUNCOACH_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# Every PostgreSQL test makes its own schema (earlier versions: its own
# database); clear earlier runs' ones so they do not pile up on a machine
# that runs CI again and again. One psql session, one statement each.
if command -v psql >/dev/null 2>&1; then
    { psql "$RUNCOACH_TEST_POSTGRES_URL" -Atc \
        "SELECT format('DROP SCHEMA IF EXISTS %I CASCADE;', nspname) FROM pg_namespace WHERE nspname LIKE 'runcoach_test_%'" 2>/dev/null || true; } |
        psql "$RUNCOACH_TEST_POSTGRES_URL" -q >/dev/null 2>&1 || true
    { psql "$RUNCOACH_TEST_POSTGRES_URL" -Atc \
        "SELECT format('DROP DATABASE IF EXISTS %I;', datname) FROM pg_database WHERE datname LIKE 'runcoach_test_%'" 2>/dev/null || true; } |
        psql "$RUNCOACH_TEST_POSTGRES_URL" -q >/dev/null 2>&1 || true
fi

# Independent decoders that check our FIT workout files and calendar feeds,
# and a real SMTP server (aiosmtpd) that the account e-mail tests start.
python3 -m pip install --quiet --disable-pip-version-check garmin-fit-sdk icalendar aiosmtpd==1.4.6

bash .ci/schemathesis.sh --install-only

# The browser suite backdates a plan in its SQLite file (e2e/missed.test.mjs).
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "sqlite3 is missing: installing Debian's sqlite3"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "chromium is missing: installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
echo "services ready"
