-- Durable background jobs: a leased-row queue shared by every app server.
-- A worker claims a due row with a conditional UPDATE (affected rows
-- checked), holds it for a lease it extends while it works, and finishes
-- it only while the lease is still its own; a lease that runs out (the
-- server died) makes the row claimable again. `attempts` counts claims.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,                 -- e.g. 'import'
    payload      TEXT NOT NULL,                 -- JSON, the kind's own shape
    state        TEXT NOT NULL
                 CHECK (state IN ('queued', 'leased', 'done', 'failed')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL CHECK (max_attempts >= 1),
    run_after    BIGINT NOT NULL,               -- unix ms; backoff after a failure
    lease_owner  TEXT,                          -- the worker holding it
    lease_until  BIGINT,                        -- unix ms
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    CHECK (attempts >= 0 AND attempts <= max_attempts),
    CHECK ((state = 'leased') = (lease_owner IS NOT NULL AND lease_until IS NOT NULL))
);
CREATE INDEX jobs_due ON jobs (state, run_after);
