-- Accounts by e-mail (issue 16): verified addresses, single-use links for
-- sign-up, verification and password reset, and an outbox of messages
-- that a sender task delivers off the request path.
-- Portable like 0001: TEXT ids, BIGINT unix ms.

-- When the owner proved the address (followed a link sent to it); NULL:
-- not yet (every account made before e-mail was configured).
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Only the SHA-256 of a link's secret is kept. A link is used once: the
-- consuming UPDATE sets used_at only where it is NULL and not expired, and
-- the caller checks that one row changed. `signup` links carry the
-- pending account (name, password hash) in `payload`: the account exists
-- only once the address is proved, so sign-up answers alike for every
-- address and nobody can squat an address they do not read.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL CHECK (purpose IN ('signup', 'verify', 'reset')),
    email      TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    payload    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    CHECK ((purpose = 'signup') = (user_id IS NULL))
);
CREATE INDEX email_tokens_expiry ON email_tokens (expires_at);
CREATE INDEX email_tokens_user ON email_tokens (user_id);

-- Messages waiting for the SMTP server. A sender claims a row by moving
-- next_attempt_at forward with a conditional update (one sender per row,
-- however many app servers run), deletes it once the server accepted it,
-- and retries later otherwise.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at);
