-- Calendar feeds and the SEQUENCE of each planned session's event.
-- Portable like 0001: TEXT ids, BIGINT numbers and booleans, unix ms.

-- A secret feed URL per row: only the SHA-256 of its token is kept.
-- Revoking keeps the row (revoked_at set) so the token never works again.
CREATE TABLE feeds (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    busy_only   BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX feeds_user ON feeds (user_id);

-- How often a session has changed since it was planned: its calendar
-- event's SEQUENCE. No row means never changed (SEQUENCE 0).
CREATE TABLE session_sequences (
    session_id  TEXT PRIMARY KEY REFERENCES plan_sessions (id) ON DELETE CASCADE,
    sequence    BIGINT NOT NULL
);
