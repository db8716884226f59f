-- Hand edits over a plan, a coach's or the athlete's own (#15, #17): the
-- ops as core serialises them (body), laid over the stored plan in
-- `position` order. A (plan, position) pair is taken once, so two editors
-- who both edited the same version of the plan cannot both save: the
-- second is told the plan changed and sees the first's edit.
CREATE TABLE plan_edits (
    id          TEXT PRIMARY KEY,
    plan_id     TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    rule        TEXT NOT NULL CHECK (rule IN ('coach_edit', 'athlete_edit')),
    -- Kept as written when the editor's account goes.
    editor_id   TEXT NULL REFERENCES users (id) ON DELETE SET NULL,
    editor_name TEXT NOT NULL,
    note        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    undone      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (plan_id, position)
);

-- A new plan becomes the current one; the ones before it are archived,
-- never deleted (their logs and history stay).
ALTER TABLE plans ADD COLUMN archived_at BIGINT NULL;
UPDATE plans SET archived_at = created_at WHERE EXISTS (
    SELECT 1 FROM plans newer WHERE newer.user_id = plans.user_id
      AND (newer.created_at > plans.created_at
           OR (newer.created_at = plans.created_at AND newer.id > plans.id))
);
