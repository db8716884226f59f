-- Coaching: roles as a set, coach profiles, athletes' grants to coaches,
-- invitations and comments.

-- Every role an account holds; users.role stays as its primary role.
CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('athlete', 'coach', 'affiliate', 'admin')),
    PRIMARY KEY (user_id, role)
);
INSERT INTO user_roles (user_id, role) SELECT id, role FROM users;

CREATE TABLE coach_profiles (
    coach_id           TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    bio                TEXT NOT NULL,
    -- JSON array of strings.
    specialities       TEXT NOT NULL,
    online             BIGINT NOT NULL,
    in_person_location TEXT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- What an athlete lets a coach do. One grant per pair; purchases grant
-- through active entitlements instead (read at access time, so a grant
-- ends exactly when the entitlement does).
CREATE TABLE coaching_grants (
    id         TEXT PRIMARY KEY,
    athlete_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    coach_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access     TEXT NOT NULL CHECK (access IN ('view', 'comment', 'edit')),
    source     TEXT NOT NULL CHECK (source IN ('athlete', 'invitation')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (athlete_id, coach_id),
    CHECK (athlete_id <> coach_id)
);
CREATE INDEX coaching_grants_coach ON coaching_grants (coach_id);

-- A coach's invitation: only the secret's SHA-256 is kept; accepted once,
-- by a conditional update whose affected rows are checked.
CREATE TABLE coach_invitations (
    secret_hash TEXT PRIMARY KEY,
    coach_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX coach_invitations_coach ON coach_invitations (coach_id, created_at);

-- Comments on a planned session or on a week of a plan, both directions.
CREATE TABLE comments (
    id         TEXT PRIMARY KEY,
    athlete_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id    TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    session_id TEXT,
    week_index BIGINT,
    author_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at BIGINT NOT NULL,
    CHECK ((session_id IS NULL) <> (week_index IS NULL))
);
CREATE INDEX comments_session ON comments (session_id, created_at);
CREATE INDEX comments_week ON comments (plan_id, week_index, created_at);
CREATE INDEX comments_athlete ON comments (athlete_id, created_at);

CREATE TABLE comment_reads (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);
