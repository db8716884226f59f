-- A planned session's status reads the imports matched to it (store::marks)
-- on every view of Today, the calendar and the plan API: look them up by
-- session instead of scanning the athlete's whole history.
CREATE INDEX activities_planned_session ON activities (user_id, planned_session_id);
