-- The affiliate program: settings, affiliates, clicks, referred athletes,
-- commissions and payouts. Money is BIGINT minor units beside a currency;
-- times are unix ms. Uniqueness the rules rely on is held here: one
-- affiliate per user and per slug, one binding per athlete, one commission
-- per (order, payment, kind), one payout per (affiliate, currency, period).

-- At most one row; none means the defaults (core::affiliate::Program).
CREATE TABLE affiliate_program (
    id                     BIGINT PRIMARY KEY CHECK (id = 1),
    commission_bps         BIGINT NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    cap_minor              BIGINT NOT NULL CHECK (cap_minor >= 0),
    currency               TEXT NOT NULL CHECK (length(currency) = 3),
    cookie_days            BIGINT NOT NULL CHECK (cookie_days BETWEEN 1 AND 365),
    hold_days              BIGINT NOT NULL CHECK (hold_days BETWEEN 14 AND 365),
    min_payout_minor       BIGINT NOT NULL CHECK (min_payout_minor >= 0),
    auto_approve           BIGINT NOT NULL CHECK (auto_approve IN (0, 1)),
    attribution            TEXT NOT NULL CHECK (attribution IN ('first', 'last')),
    review_threshold_minor BIGINT CHECK (review_threshold_minor > 0),
    updated_at             BIGINT NOT NULL
);

CREATE TABLE affiliates (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL UNIQUE REFERENCES users (id),
    slug         TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected', 'suspended')),
    payout_email TEXT NOT NULL,
    website      TEXT,
    note         TEXT,
    -- The account's e-mail as compared for self-referral (core email_key).
    email_key    TEXT NOT NULL,
    -- Hashed client address at application.
    address_hash TEXT,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT
);

-- Secrets made once per installation, e.g. the pepper client addresses
-- are hashed with (so a leaked table cannot be reversed by trying every
-- IPv4 address).
CREATE TABLE installation_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Every click on a referral link; `counted` when the affiliate was approved
-- at the time (only counted clicks can ever be credited).
CREATE TABLE referral_clicks (
    id           TEXT PRIMARY KEY,
    affiliate_id TEXT NOT NULL REFERENCES affiliates (id),
    clicked_at   BIGINT NOT NULL,
    address_hash TEXT NOT NULL,
    counted      BIGINT NOT NULL CHECK (counted IN (0, 1))
);
CREATE INDEX referral_clicks_affiliate ON referral_clicks (affiliate_id, clicked_at);

-- Hashed client address of each sign-up, for self-referral checks at a
-- later binding.
CREATE TABLE signup_addresses (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    address_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

-- An athlete is bound to one affiliate, once (the primary key).
CREATE TABLE referrals (
    athlete_id    TEXT PRIMARY KEY REFERENCES users (id),
    affiliate_id  TEXT NOT NULL REFERENCES affiliates (id),
    via           TEXT NOT NULL CHECK (via IN ('signup', 'order', 'coupon')),
    click_id      TEXT REFERENCES referral_clicks (id),
    self_referral TEXT CHECK (self_referral IN ('same_account', 'same_email', 'same_address')),
    bound_at      BIGINT NOT NULL
);
CREATE INDEX referrals_affiliate ON referrals (affiliate_id);

-- The referral click an order was placed with; bound when it is paid.
ALTER TABLE orders ADD COLUMN ref_click_id TEXT;
ALTER TABLE orders ADD COLUMN ref_affiliate_id TEXT;
ALTER TABLE orders ADD COLUMN ref_clicked_at BIGINT;

-- A coupon an affiliate hands out: it binds an unbound athlete who pays
-- with it.
ALTER TABLE coupons ADD COLUMN affiliate_id TEXT REFERENCES affiliates (id);

CREATE TABLE affiliate_payouts (
    id           TEXT PRIMARY KEY,
    affiliate_id TEXT NOT NULL REFERENCES affiliates (id),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    period       TEXT NOT NULL CHECK (length(period) = 7),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    payout_email TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (affiliate_id, currency, period)
);

CREATE TABLE affiliate_commissions (
    id             TEXT PRIMARY KEY,
    affiliate_id   TEXT NOT NULL REFERENCES affiliates (id),
    athlete_id     TEXT NOT NULL REFERENCES users (id),
    order_id       TEXT NOT NULL REFERENCES orders (id),
    payment_id     TEXT NOT NULL REFERENCES payments (id),
    kind           TEXT NOT NULL CHECK (kind IN ('commission', 'clawback')),
    currency       TEXT NOT NULL,
    -- What was paid (after discounts, before tax) and what it first earned.
    base_minor     BIGINT NOT NULL CHECK (base_minor >= 0),
    original_minor BIGINT NOT NULL,
    amount_minor   BIGINT NOT NULL,
    -- Locked when made: later program changes never reach back.
    bps            BIGINT NOT NULL CHECK (bps BETWEEN 0 AND 10000),
    cap_minor      BIGINT NOT NULL CHECK (cap_minor >= 0),
    hold_days      BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'paid', 'voided')),
    -- Why it earns nothing: currency, self_referral, suspended.
    reason         TEXT,
    needs_review   BIGINT NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    reviewed_at    BIGINT,
    paid_at        BIGINT NOT NULL,
    approve_after  BIGINT NOT NULL,
    payout_id      TEXT REFERENCES affiliate_payouts (id),
    created_at     BIGINT NOT NULL,
    UNIQUE (order_id, payment_id, kind),
    CHECK ((kind = 'commission' AND amount_minor >= 0 AND amount_minor <= original_minor)
        OR (kind = 'clawback' AND amount_minor <= 0)),
    CHECK ((status = 'paid') = (payout_id IS NOT NULL))
);
CREATE INDEX affiliate_commissions_affiliate ON affiliate_commissions (affiliate_id, status);
CREATE INDEX affiliate_commissions_athlete ON affiliate_commissions (athlete_id);
