-- Portable across SQLite and PostgreSQL: TEXT ids (UUIDv7), BIGINT for
-- numbers and booleans (0/1), times as unix milliseconds, dates as
-- 'YYYY-MM-DD' text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    units         TEXT NOT NULL DEFAULT 'km',
    week_start    TEXT NOT NULL DEFAULT 'mon',
    created_at    BIGINT NOT NULL
);

CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Fixed-window counters shared by every app server (login and sign-up
-- rate limits), so no limiter state lives in one process's memory.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL
);

CREATE TABLE plans (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    race_name   TEXT NOT NULL,
    race_date   TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    request     TEXT NOT NULL,
    header      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX plans_user ON plans (user_id, created_at);

CREATE TABLE plan_weeks (
    plan_id     TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    week_index  BIGINT NOT NULL,
    start_date  TEXT NOT NULL,
    day_count   BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (plan_id, week_index)
);

-- One row per planned session: logs, feeds and watch files refer to it.
CREATE TABLE plan_sessions (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    week_index  BIGINT NOT NULL,
    day         TEXT NOT NULL,
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX plan_sessions_plan ON plan_sessions (plan_id, day, position);
CREATE INDEX plan_sessions_user_day ON plan_sessions (user_id, day);
