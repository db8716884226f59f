-- The onboarding answers of a runner sent to the shop for the race they
-- chose (a distance sold as a plan), as a JSON object of the form's
-- fields: the wizard is filled in from them after the purchase, so the
-- answers are not typed twice. Emptied once a plan is made from them.
ALTER TABLE users ADD COLUMN onboarding_answers TEXT NOT NULL DEFAULT '';
