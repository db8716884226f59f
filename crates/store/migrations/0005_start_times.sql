-- When the athlete usually trains on each weekday ("mon=06:30,sat=08:00"),
-- for timed calendar events, and their IANA time zone.
ALTER TABLE users ADD COLUMN start_times TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
