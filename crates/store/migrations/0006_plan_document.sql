-- The whole plan as one JSON document (session ids included), written with
-- the rows: reading a plan is then one row instead of ~150, which is what
-- the calendar and the API read on every view. The week and session rows
-- stay the source for per-session lookups and the day view.
ALTER TABLE plans ADD COLUMN document TEXT NULL;
