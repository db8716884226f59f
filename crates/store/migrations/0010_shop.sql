-- The shop: catalogue, coupons, orders, payments, entitlements.
-- Money is BIGINT minor units beside a three-letter currency code. Limits
-- hold in the database: coupon counters only move by conditional updates
-- whose affected rows are checked, and CHECK constraints refuse anything
-- past a limit even if a caller forgot to.

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('training_plan', 'coaching_subscription', 'coaching_package')),
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    currency    TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    -- Race distances a training plan unlocks, comma-separated ("half,marathon").
    races       TEXT NOT NULL DEFAULT '',
    coach_id    TEXT REFERENCES users (id),
    sessions    BIGINT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE coupons (
    id                 TEXT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    percent_off_bps    BIGINT CHECK (percent_off_bps BETWEEN 1 AND 10000),
    amount_off_minor   BIGINT CHECK (amount_off_minor > 0),
    currency           TEXT,
    starts_at          BIGINT NOT NULL,
    expires_at         BIGINT NOT NULL,
    max_redemptions    BIGINT CHECK (max_redemptions >= 1),
    per_athlete_limit  BIGINT CHECK (per_athlete_limit >= 1),
    min_subtotal_minor BIGINT,
    first_order_only   BIGINT NOT NULL DEFAULT 0,
    -- Product kinds, comma-separated; empty for every kind.
    applies_to         TEXT NOT NULL DEFAULT '',
    athlete_id         TEXT REFERENCES users (id),
    active             BIGINT NOT NULL DEFAULT 1,
    -- Reserved and confirmed uses by everyone.
    uses               BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    CHECK ((percent_off_bps IS NULL) <> (amount_off_minor IS NULL)),
    CHECK (amount_off_minor IS NULL OR currency IS NOT NULL),
    CHECK (expires_at > starts_at),
    CHECK (uses >= 0 AND (max_redemptions IS NULL OR uses <= max_redemptions))
);

-- Reserved and confirmed uses per athlete, raised only while below the
-- coupon's per-athlete limit.
CREATE TABLE coupon_athlete_uses (
    coupon_id  TEXT NOT NULL REFERENCES coupons (id),
    athlete_id TEXT NOT NULL REFERENCES users (id),
    uses       BIGINT NOT NULL CHECK (uses >= 0),
    PRIMARY KEY (coupon_id, athlete_id)
);

CREATE TABLE orders (
    id             TEXT PRIMARY KEY,
    athlete_id     TEXT NOT NULL REFERENCES users (id),
    status         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    subtotal_minor BIGINT NOT NULL CHECK (subtotal_minor >= 0),
    discount_minor BIGINT NOT NULL CHECK (discount_minor >= 0),
    total_minor    BIGINT NOT NULL CHECK (total_minor >= 0),
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    disputed_minor BIGINT NOT NULL DEFAULT 0,
    coupon_id      TEXT REFERENCES coupons (id),
    coupon_code    TEXT,
    -- reserved | confirmed | released, while coupon_id is set.
    coupon_use     TEXT,
    checkout_ref   TEXT,
    checkout_url   TEXT,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    paid_at        BIGINT,
    CHECK (subtotal_minor - discount_minor = total_minor)
);
CREATE INDEX orders_athlete ON orders (athlete_id, created_at);
CREATE INDEX orders_pending ON orders (status, expires_at);

CREATE TABLE order_lines (
    order_id       TEXT NOT NULL REFERENCES orders (id),
    line_no        BIGINT NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id),
    quantity       BIGINT NOT NULL CHECK (quantity >= 1),
    unit_minor     BIGINT NOT NULL CHECK (unit_minor >= 0),
    discount_minor BIGINT NOT NULL CHECK (discount_minor >= 0),
    total_minor    BIGINT NOT NULL CHECK (total_minor >= 0),
    PRIMARY KEY (order_id, line_no)
);

-- Every payment and refund is its own row, keyed by the provider's id, so
-- a webhook delivered twice records it once (refunds and, later, affiliate
-- commissions refer to these rows).
CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES orders (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    amount_minor BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (provider, kind, provider_ref)
);
CREATE INDEX payments_order ON payments (order_id);

-- Provider events already handled: recorded in the same transaction as
-- their effect, so a retry after a failure runs again and a duplicate never.
CREATE TABLE webhook_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE entitlements (
    athlete_id TEXT NOT NULL REFERENCES users (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    order_id   TEXT NOT NULL REFERENCES orders (id),
    granted_at BIGINT NOT NULL,
    -- Subscriptions end; plans and packages do not (NULL).
    ends_at    BIGINT,
    revoked_at BIGINT,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX entitlements_athlete ON entitlements (athlete_id);
