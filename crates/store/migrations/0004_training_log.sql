-- What the athlete actually did, and the adjustments it caused.

CREATE TABLE training_logs (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The planned session it records; NULL for an unplanned activity.
    session_id  TEXT NULL REFERENCES plan_sessions (id) ON DELETE SET NULL,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    -- The whole entry (durations, RPE, pain by location, notes, exercises
    -- ticked off) as the core type serialises it.
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX training_logs_user_day ON training_logs (user_id, day);
CREATE INDEX training_logs_session ON training_logs (session_id);

-- Adjustments over a plan: the rule that fired, its numbers and touched
-- sessions (body), and whether the athlete undid it.
CREATE TABLE plan_adjustments (
    plan_id       TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    adjustment_id TEXT NOT NULL,
    rule          TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    undone        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, adjustment_id)
);
