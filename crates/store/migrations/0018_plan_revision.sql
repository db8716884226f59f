-- A plan's revision: raised by every write that changes the plan as it
-- stands (hand edits and their undo, adaptation's adjustments and their
-- undo), in the same transaction or right after it. An app server keeps
-- assembled plans in memory keyed by (plan, revision), so a change made
-- through any server is seen by all of them on their next read.
ALTER TABLE plans ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
