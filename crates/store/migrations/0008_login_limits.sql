-- Failed logins per account (normalised email, known or not, so the
-- answer reveals nothing), for a backoff that holds however many
-- addresses the guesses come from. A success deletes the row.
CREATE TABLE login_failures (
    account         TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until    BIGINT NOT NULL
);

-- Windows are purged by age.
CREATE INDEX rate_limits_window ON rate_limits (window_start);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
