-- Coaching, part 2: in-person slots a coach publishes, the credits of
-- in-person packages, bookings, and plan templates. Limits hold here:
-- a slot's `booked` and a package's `used` only move by conditional
-- updates (affected rows checked) and CHECK constraints refuse anything
-- past capacity or past the credits bought; an athlete holds at most one
-- live booking per slot (partial unique index).

CREATE TABLE coach_slots (
    id           TEXT PRIMARY KEY,
    coach_id     TEXT NOT NULL REFERENCES users (id),
    starts_at    BIGINT NOT NULL,
    duration_min BIGINT NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
    location     TEXT NOT NULL,
    capacity     BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 100),
    booked       BIGINT NOT NULL DEFAULT 0,
    -- Raised by every booking and cancellation: the calendar's SEQUENCE.
    sequence     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX coach_slots_coach ON coach_slots (coach_id, starts_at);

-- One row per in-person package bought (per entitlement), made the first
-- time the athlete books: `granted` is the product's sessions times the
-- quantity ordered.
CREATE TABLE session_credits (
    order_id   TEXT NOT NULL,
    product_id TEXT NOT NULL,
    athlete_id TEXT NOT NULL REFERENCES users (id),
    -- The coach the package is with; NULL: any coach.
    coach_id   TEXT REFERENCES users (id),
    granted    BIGINT NOT NULL CHECK (granted >= 0),
    used       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, product_id),
    FOREIGN KEY (order_id, product_id) REFERENCES entitlements (order_id, product_id),
    CHECK (used >= 0 AND used <= granted)
);
CREATE INDEX session_credits_athlete ON session_credits (athlete_id);

CREATE TABLE slot_bookings (
    id                TEXT PRIMARY KEY,
    slot_id           TEXT NOT NULL REFERENCES coach_slots (id),
    athlete_id        TEXT NOT NULL REFERENCES users (id),
    credit_order_id   TEXT NOT NULL,
    credit_product_id TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    cancelled_at      BIGINT,
    credit_returned   BIGINT NOT NULL DEFAULT 0 CHECK (credit_returned IN (0, 1)),
    FOREIGN KEY (credit_order_id, credit_product_id) REFERENCES session_credits (order_id, product_id)
);
CREATE UNIQUE INDEX slot_bookings_live ON slot_bookings (slot_id, athlete_id) WHERE cancelled_at IS NULL;
CREATE INDEX slot_bookings_athlete ON slot_bookings (athlete_id, created_at);

-- A plan (or some weeks of one) a coach keeps to apply to other athletes:
-- the plan document in the public schema, with its original race date.
CREATE TABLE plan_templates (
    id             TEXT PRIMARY KEY,
    coach_id       TEXT NOT NULL REFERENCES users (id),
    name           TEXT NOT NULL,
    source_plan_id TEXT,
    week_count     BIGINT NOT NULL CHECK (week_count >= 1),
    document       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX plan_templates_coach ON plan_templates (coach_id, created_at);
