-- A client's Idempotency-Key for the request that created a log entry, so
-- a retried POST returns the first entry instead of logging twice. NULL
-- for entries made without one (several NULLs never conflict, on SQLite
-- and PostgreSQL alike).
ALTER TABLE training_logs ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX training_logs_idempotency ON training_logs (user_id, idempotency_key);
