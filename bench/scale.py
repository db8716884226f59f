"""Scale test for runcoach serve (issue 16), driven by bench/scale.sh.

1. A template athlete is made through the API: sign-up, a 36-week marathon
   plan that began about six months ago, and a log entry for every session
   up to yesterday (each POST re-adapts the plan, as in real use).
2. The template is cloned N times with bulk INSERT … SELECT (users, plans,
   weeks, sessions, logs, adjustments, sequences) plus an API token and a
   browser session per athlete, in chunks of 1,000 athletes.
3. wrk at 64 connections on /today (page), /api/v1/today, /api/v1/plans/{id}
   and /api/v1/progress, each request as a random athlete.
4. The database size per athlete, and per table (table, indexes and, on
   PostgreSQL, TOAST) to show what dominates.
5. PostgreSQL only: two `serve` processes on the one database behind a
   round-robin client (bench/abuse.py rr).
"""

import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.environ["BIN"]
BACKEND = os.environ.get("BACKEND", "sqlite")
ATHLETES = int(os.environ.get("ATHLETES", "20000"))
DURATION = os.environ.get("DURATION", "10s")
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# KEEP=1 leaves the seeded database (and SQLite's data folder) behind for
# EXPLAIN ANALYZE; the script prints where it is.
KEEP = os.environ.get("KEEP") == "1"
HERE = os.path.dirname(os.path.abspath(__file__))
WORK = tempfile.mkdtemp(prefix="runcoach-scale.")
CHUNK = 1000
servers = []
pg_db = None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def db_args():
    if BACKEND == "postgres":
        return ["--database-url", PG_URL.rsplit("/", 1)[0] + "/" + pg_db]
    return ["--data-dir", f"{WORK}/data"]


def start_server():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOACH_") and k != "DATABASE_URL"}
    log = open(f"{WORK}/server-{port}.log", "w")
    # Every load client here is 127.0.0.1: lift the per-address cap (64).
    p = subprocess.Popen([BIN, "serve", "--bind", f"127.0.0.1:{port}", "--max-connections-per-address", "1024", *db_args()],
                         stdout=log, stderr=log, env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    servers.append(p)
    return port


def stop_servers():
    for p in servers:
        p.terminate()
        p.wait(timeout=30)
    servers.clear()


def call(port, method, path, body=None, token=None, cookie_jar=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    if body is not None:
        req.data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    if cookie_jar is not None:
        req.add_header("x-requested-with", "runcoach")
        if cookie_jar:
            req.add_header("cookie", cookie_jar[0])
    with urllib.request.urlopen(req, timeout=60) as r:
        if cookie_jar is not None and r.headers.get("set-cookie"):
            cookie_jar[:] = [r.headers["set-cookie"].split(";")[0]]
        return json.loads(r.read() or b"null")


def make_template(port):
    jar = []
    call(port, "POST", "/api/v1/signup", {"email": "template@bench.local", "password": "template passphrase", "name": "Template"}, cookie_jar=jar)
    token = call(port, "POST", "/api/v1/tokens", {"name": "bench"}, cookie_jar=jar)["token"]
    today = dt.date.today()
    race = today + dt.timedelta(days=70 + (6 - today.weekday()))  # a Sunday ten weeks on
    plan = call(port, "POST", "/api/v1/plans", {
        "race": "marathon", "race_date": race.isoformat(), "weeks": 36,
        "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
        "level": "intermediate", "weekly_km": 40, "strength_days": 2}, token=token)
    logged = 0
    for week in plan["weeks"]:
        for day in week["days"]:
            if day["date"] >= today.isoformat():
                continue
            for s in day["sessions"]:
                if not s.get("id") or s.get("kind") == "rest":
                    continue
                # Most sessions done, one in eight skipped.
                status = "skipped" if logged % 8 == 7 else "done"
                entry = {"session_id": s["id"], "status": status}
                if status == "done":
                    entry["rpe"] = 4 + logged % 4
                call(port, "POST", "/api/v1/logs", entry, token=token)
                logged += 1
    return plan["id"], logged


SUFFIXED = {"id", "user_id", "plan_id", "session_id"}


def clone_sql(table, columns, lo, hi, numbers, where):
    exprs = []
    for c in columns:
        if c == "email":
            exprs.append("'athlete' || n || '@bench.local'")
        elif c in SUFFIXED:
            exprs.append(f"{c} || '-' || n")
        else:
            exprs.append(c)
    return (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
            f"FROM {table} CROSS JOIN {numbers} WHERE {where}")


def seed(template_user, template_plan):
    tables = {
        "users": "id = '{u}'",
        "plans": "user_id = '{u}'",
        "plan_weeks": "plan_id = '{p}'",
        "plan_sessions": "user_id = '{u}'",
        "session_sequences": "session_id IN (SELECT id FROM plan_sessions WHERE user_id = '{u}')",
        "training_logs": "user_id = '{u}'",
        "plan_adjustments": "plan_id = '{p}'",
    }
    started = time.monotonic()
    if BACKEND == "sqlite":
        con = sqlite3.connect(f"{WORK}/data/runcoach.db")
        con.create_function("sha256hex", 1, lambda s: hashlib.sha256(s.encode()).hexdigest(), deterministic=True)
        cols = lambda t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
        sha = lambda e: f"sha256hex({e})"
        run = lambda sql: con.execute(sql)
        commit = con.commit
    else:
        url = PG_URL.rsplit("/", 1)[0] + "/" + pg_db

        def psql(sql, capture=False):
            out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], check=True, capture_output=True, text=True)
            return out.stdout

        cols = lambda t: psql(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{t}' AND table_schema = 'public' ORDER BY ordinal_position").split()
        sha = lambda e: f"encode(sha256(convert_to({e}, 'UTF8')), 'hex')"
        batch = []
        run = batch.append

        def commit():
            psql("BEGIN; " + "; ".join(batch) + "; COMMIT")
            batch.clear()
    columns = {t: cols(t) for t in tables}
    for lo in range(1, ATHLETES + 1, CHUNK):
        hi = min(ATHLETES, lo + CHUNK - 1)
        if BACKEND == "sqlite":
            numbers = f"(WITH RECURSIVE g(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM g WHERE n < {hi}) SELECT n FROM g) AS g"
        else:
            numbers = f"generate_series({lo}, {hi}) AS g(n)"
        for t, where in tables.items():
            run(clone_sql(t, columns[t], lo, hi, numbers, where.format(u=template_user, p=template_plan)))
        now = int(time.time() * 1000)
        far = now + 365 * 24 * 3600 * 1000
        run(f"INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) "
            f"SELECT 'token-' || n, '{template_user}' || '-' || n, 'bench', {sha(chr(39) + 'bench-' + chr(39) + ' || n')}, {now} FROM {numbers}")
        run(f"INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
            f"SELECT {sha(chr(39) + 'benchs-' + chr(39) + ' || n')}, '{template_user}' || '-' || n, 'csrf', {now}, {far} FROM {numbers}")
        commit()
        print(f"  seeded {hi} athletes ({time.monotonic() - started:.0f} s)", flush=True)
    if BACKEND == "sqlite":
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    else:
        # Planner statistics for the bulk-loaded rows: autovacuum would
        # gather them in time (it is off on some installations, and slow to
        # start after a load), and without them PostgreSQL guesses ~25,000
        # adjustments per plan.
        t = time.monotonic()
        psql("ANALYZE")
        print(f"  ANALYZE ({time.monotonic() - t:.0f} s)", flush=True)
    return time.monotonic() - started


def size_bytes():
    if BACKEND == "sqlite":
        return sum(os.path.getsize(f"{WORK}/data/{f}") for f in os.listdir(f"{WORK}/data") if f.startswith("runcoach.db"))
    url = PG_URL.rsplit("/", 1)[0] + "/" + pg_db
    return int(subprocess.run(["psql", url, "-Atqc", "SELECT pg_database_size(current_database())"], check=True, capture_output=True, text=True).stdout)


def sizes_by_table():
    """(table, bytes of rows, bytes of indexes, bytes of TOAST), largest first."""
    if BACKEND == "sqlite":
        con = sqlite3.connect(f"{WORK}/data/runcoach.db")
        # dbstat counts pages per b-tree; an index belongs to its table.
        owner = dict(con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        rows, idx = {}, {}
        for name, size in con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
            t = owner.get(name, name)
            (rows if t == name else idx)[t] = (rows if t == name else idx).get(t, 0) + size
        con.close()
        out = [(t, rows.get(t, 0), idx.get(t, 0), 0) for t in set(rows) | set(idx)]
    else:
        url = PG_URL.rsplit("/", 1)[0] + "/" + pg_db
        text = subprocess.run(["psql", url, "-AtqF", " ", "-c",
                               "SELECT relname, pg_relation_size(oid), pg_indexes_size(oid), "
                               "COALESCE(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0) "
                               "FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"],
                              check=True, capture_output=True, text=True).stdout
        out = [(t, int(a), int(b), int(c)) for t, a, b, c in (l.split() for l in text.splitlines())]
    return sorted(out, key=lambda r: -sum(r[1:]))


LUA = r"""
local n = tonumber(os.getenv("ATHLETES"))
local plan = os.getenv("PLAN")
local path = os.getenv("ROUTE")
local cookie = os.getenv("COOKIE") == "1"
local non2xx = 0
local threads = {}
function setup(t) table.insert(threads, t) end
function init(args) non2xx = 0 end
function request()
    local i = math.random(1, n)
    local p = path:gsub("{plan}", plan .. "-" .. i)
    if cookie then
        return wrk.format("GET", p, {["Cookie"] = "rc_session=benchs-" .. i})
    end
    return wrk.format("GET", p, {["Authorization"] = "Bearer bench-" .. i})
end
function response(status) if status < 200 or status > 299 then non2xx = non2xx + 1 end end
function done(summary, latency, requests)
    local bad = 0
    for _, t in ipairs(threads) do bad = bad + (t:get("non2xx") or 0) end
    local e = summary.errors
    io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket=%d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, bad, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk(port, route, plan, cookie=False, duration=DURATION):
    lua = f"{WORK}/scale.lua"
    open(lua, "w").write(LUA)
    env = dict(os.environ, ATHLETES=str(ATHLETES), PLAN=plan, ROUTE=route, COOKIE="1" if cookie else "0")
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}", "--timeout", "5s", "-s", lua, f"http://127.0.0.1:{port}/"],
                         env=env, capture_output=True, text=True, timeout=300).stdout
    return next(l for l in out.splitlines() if l.startswith("RESULT"))


def main():
    global pg_db
    if BACKEND == "postgres":
        pg_db = f"runcoach_test_scale_{os.getpid()}"
        subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {pg_db}"], check=True)
    try:
        port = start_server()
        t0 = time.monotonic()
        plan, logged = make_template(port)
        user = None
        if BACKEND == "sqlite":
            con = sqlite3.connect(f"{WORK}/data/runcoach.db")
            user = con.execute("SELECT id FROM users WHERE email = 'template@bench.local'").fetchone()[0]
            con.close()
        else:
            url = PG_URL.rsplit("/", 1)[0] + "/" + pg_db
            user = subprocess.run(["psql", url, "-Atqc", "SELECT id FROM users WHERE email = 'template@bench.local'"], check=True, capture_output=True, text=True).stdout.strip()
        print(f"template: plan {plan}, {logged} log entries through the API in {time.monotonic() - t0:.0f} s")
        empty = size_bytes()
        stop_servers()
        took = seed(user, plan)
        total = size_bytes()
        print(f"seeded {ATHLETES} athletes in {took:.0f} s; database {total / 2**20:.0f} MiB, "
              f"{(total - empty) / ATHLETES / 1024:.0f} KiB per athlete")
        for t, rows, idx, toast in sizes_by_table()[:8]:
            print(f"  {t:22} {(rows + idx + toast) / ATHLETES / 1024:6.1f} KiB/athlete: rows {rows / 2**20:,.0f} MiB, "
                  f"indexes {idx / 2**20:,.0f} MiB, toast {toast / 2**20:,.0f} MiB", flush=True)
        port = start_server()
        routes = [("/today (page)", "/today", True), ("/api/v1/today", "/api/v1/today", False),
                  ("/api/v1/plans/{id}", "/api/v1/plans/{plan}", False), ("/api/v1/progress", "/api/v1/progress", False)]
        for name, route, cookie in routes:
            wrk(port, route, plan, cookie, "3s")  # warm-up
            print(f"{BACKEND} {name:22} {wrk(port, route, plan, cookie)}", flush=True)
        if BACKEND == "postgres":
            second = start_server()
            tokens = f"{WORK}/tokens"
            with open(tokens, "w") as f:
                for i in range(1, ATHLETES + 1):
                    f.write(f"bench-{i} {plan}-{i}\n")
            paths = f"{WORK}/paths"
            open(paths, "w").write("/api/v1/today\n/api/v1/plans/{plan}\n/api/v1/progress\n")
            secs = DURATION.rstrip("s")
            out = subprocess.run([sys.executable, f"{HERE}/abuse.py", "rr", secs, "64", paths, tokens, str(port), str(second)],
                                 capture_output=True, text=True, timeout=600).stdout
            print(f"two servers, round robin, 64 connections: {out.strip()}")
    finally:
        stop_servers()
        if KEEP:
            print(f"kept: {PG_URL.rsplit('/', 1)[0] + '/' + pg_db if pg_db else WORK + '/data'}")
            return
        if pg_db:
            subprocess.run(["psql", PG_URL, "-qc", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"], capture_output=True)
        subprocess.run(["rm", "-rf", WORK])


if __name__ == "__main__":
    main()
