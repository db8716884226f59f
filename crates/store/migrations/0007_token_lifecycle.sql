-- Personal access tokens become listable and revocable: when each was
-- last used (NULL: never) and an optional expiry (NULL: none).
-- Portable like 0001: BIGINT unix ms.
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;

-- Expired sessions are purged by time.
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);
