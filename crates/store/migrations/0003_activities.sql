-- Imported activities, import jobs and the per-file report of each job.
-- Portable like 0001: TEXT ids, BIGINT numbers, unix ms; distances in
-- millimetres and durations in milliseconds so no REAL/DOUBLE is needed.

-- One import run (a CLI run or a web upload). The row is the job's source of
-- truth: any app server can answer for it, whichever one runs it.
CREATE TABLE imports (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    origin       TEXT NOT NULL,              -- 'cli' or 'upload'
    status       TEXT NOT NULL,              -- queued, running, done, failed
    total        BIGINT NOT NULL DEFAULT 0,  -- files (or export items) to go through
    done         BIGINT NOT NULL DEFAULT 0,
    imported     BIGINT NOT NULL DEFAULT 0,  -- activities stored
    duplicates   BIGINT NOT NULL DEFAULT 0,  -- activities already stored
    skipped      BIGINT NOT NULL DEFAULT 0,  -- files done by an earlier import
    failed       BIGINT NOT NULL DEFAULT 0,  -- files that yielded nothing
    error        TEXT,                       -- why the whole job failed
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX imports_user ON imports (user_id, created_at);

CREATE TABLE activities (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    import_id           TEXT REFERENCES imports (id) ON DELETE SET NULL,
    source              TEXT NOT NULL,        -- fit, gpx, tcx, strava, strava_csv
    source_key          TEXT NOT NULL,        -- 'sha256:<hex>[#n]' or 'strava:<id>'
    name                TEXT,
    sport               TEXT NOT NULL,
    start_time_ms       BIGINT,               -- NULL: the file cannot be placed in time
    distance_mm         BIGINT NOT NULL,
    elapsed_ms          BIGINT NOT NULL,
    moving_ms           BIGINT NOT NULL,
    avg_hr              BIGINT,               -- bpm, rounded
    max_hr              BIGINT,
    avg_cadence         BIGINT,
    elevation_gain_mm   BIGINT,
    laps                BIGINT NOT NULL,
    salvaged            TEXT,                 -- what was damaged and lost
    track               TEXT NOT NULL,        -- JSON, downsampled
    planned_session_id  TEXT REFERENCES plan_sessions (id) ON DELETE SET NULL,
    created_at          BIGINT NOT NULL,
    UNIQUE (user_id, source_key)
);
-- Duplicate checks look at one user's activities within minutes of a start.
CREATE INDEX activities_user_start ON activities (user_id, start_time_ms);

-- What happened to each source file of an import. A file whose key is
-- recorded as imported or duplicate for this user is skipped next time.
CREATE TABLE import_files (
    import_id   TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    file        TEXT NOT NULL,
    file_key    TEXT NOT NULL,                -- 'sha256:<hex>', 'strava:<id>', ...
    status      TEXT NOT NULL,                -- imported, duplicate, skipped, failed
    activities  BIGINT NOT NULL DEFAULT 0,
    duplicates  BIGINT NOT NULL DEFAULT 0,
    error       TEXT,
    note        TEXT,
    PRIMARY KEY (import_id, position)
);
CREATE INDEX import_files_user_key ON import_files (user_id, file_key);
