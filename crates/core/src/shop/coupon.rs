//! Coupon codes: one normalised key, one definition check, one verdict.
//!
//! The verdict is computed from the coupon, the moment, who is buying and
//! what is in the cart; how often the coupon has been used comes in as
//! numbers the store read inside the same transaction that will record the
//! use (the store's conditional updates are the last word under
//! concurrency; this is the explanation the runner gets).

use serde::Serialize;

use super::pricing::CartLine;
use super::product::ProductKind;
use crate::plan::FieldError;

/// The longest code accepted.
pub const MAX_CODE_LEN: usize = 64;

/// The canonical form of a code as typed: surrounding whitespace of any kind
/// (no-break spaces from a copied e-mail included) removed, ASCII letters
/// upper-cased, then only `A–Z` and `0–9`, 1 to 64 of them.
pub fn normalise_code(raw: &str) -> Result<String, CouponError> {
    let code = raw.trim_matches(char::is_whitespace).to_ascii_uppercase();
    let ok = !code.is_empty()
        && code.len() <= MAX_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    ok.then_some(code).ok_or(CouponError::InvalidCodeFormat)
}

/// What a coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Discount {
    /// Basis points of the eligible subtotal: 1000 = 10 %.
    Percent { percent_off_bps: i64 },
    /// A fixed amount in one currency, capped at the eligible subtotal.
    Amount {
        amount_off_minor: i64,
        currency: String,
    },
}

/// A coupon as the shop defines it. Times are Unix milliseconds; the
/// window is `starts_at ≤ now < expires_at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Coupon {
    pub code: String,
    pub discount: Discount,
    pub starts_at: i64,
    pub expires_at: i64,
    /// Uses across everyone (reserved + confirmed); `None` is unlimited.
    pub max_redemptions: Option<i64>,
    /// Uses per athlete; RUN10 has 1.
    pub per_athlete_limit: Option<i64>,
    /// The eligible subtotal must be at least this.
    pub min_subtotal_minor: Option<i64>,
    /// Only for an athlete with no earlier paid order.
    pub first_order_only: bool,
    /// Product kinds the discount applies to; empty means every kind.
    pub applies_to: Vec<ProductKind>,
    /// A coupon made for one athlete only.
    pub athlete_id: Option<String>,
    pub active: bool,
}

/// How much a coupon has been used, as the store counts it right now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CouponUsage {
    /// Reserved and confirmed uses by everyone.
    pub total: i64,
    /// Reserved and confirmed uses by this athlete.
    pub by_athlete: i64,
    /// Whether this athlete already has a paid order.
    pub athlete_has_paid_order: bool,
}

/// Why a code cannot be used, as the API's `error` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CouponError {
    #[error("a code is 1 to 64 letters and digits")]
    InvalidCodeFormat,
    #[error("there is no such code")]
    NotFound,
    #[error("this code is not valid yet")]
    NotStarted,
    #[error("this code has expired")]
    Expired,
    #[error("this code is no longer offered")]
    Inactive,
    #[error("this code has been used as many times as it allows")]
    UsedUp,
    #[error("you have already used this code")]
    AlreadyRedeemedByYou,
    #[error("this code does not apply to anything in your cart")]
    NotApplicable,
    #[error("your cart is below this code's minimum")]
    MinimumNotMet,
    #[error("this code is for a first order only")]
    FirstOrderOnly,
    #[error("this code is in a different currency from your cart")]
    CurrencyMismatch,
    #[error("sign in to use this code")]
    LoginRequired,
}

impl CouponError {
    /// The stable snake_case code clients match on.
    pub fn code(self) -> &'static str {
        match self {
            CouponError::InvalidCodeFormat => "invalid_code_format",
            CouponError::NotFound => "coupon_not_found",
            CouponError::NotStarted => "coupon_not_started",
            CouponError::Expired => "coupon_expired",
            CouponError::Inactive => "coupon_inactive",
            CouponError::UsedUp => "coupon_used_up",
            CouponError::AlreadyRedeemedByYou => "already_redeemed_by_you",
            CouponError::NotApplicable => "coupon_not_applicable",
            CouponError::MinimumNotMet => "minimum_not_met",
            CouponError::FirstOrderOnly => "first_order_only",
            CouponError::CurrencyMismatch => "currency_mismatch",
            CouponError::LoginRequired => "login_required",
        }
    }
}

impl Coupon {
    /// Whether the coupon needs to know who is buying.
    pub fn needs_athlete(&self) -> bool {
        self.per_athlete_limit.is_some() || self.first_order_only || self.athlete_id.is_some()
    }

    /// Whether a line of this kind gets the discount.
    pub fn covers(&self, kind: ProductKind) -> bool {
        self.applies_to.is_empty() || self.applies_to.contains(&kind)
    }

    /// The verdict on using this coupon now, for this athlete and cart.
    /// Checks run from what the runner can least change (the code itself)
    /// to what they can (the cart), so the reason given is the useful one.
    pub fn check(
        &self,
        now: i64,
        athlete: Option<&str>,
        usage: CouponUsage,
        currency: &str,
        lines: &[CartLine],
    ) -> Result<(), CouponError> {
        if let Some(owner) = &self.athlete_id
            && athlete.is_some_and(|a| a != owner)
        {
            // Someone else's code is indistinguishable from an unknown one.
            return Err(CouponError::NotFound);
        }
        if !self.active {
            return Err(CouponError::Inactive);
        }
        if now < self.starts_at {
            return Err(CouponError::NotStarted);
        }
        if now >= self.expires_at {
            return Err(CouponError::Expired);
        }
        if self.needs_athlete() && athlete.is_none() {
            return Err(CouponError::LoginRequired);
        }
        if self.max_redemptions.is_some_and(|max| usage.total >= max) {
            return Err(CouponError::UsedUp);
        }
        if self
            .per_athlete_limit
            .is_some_and(|max| usage.by_athlete >= max)
        {
            return Err(CouponError::AlreadyRedeemedByYou);
        }
        if self.first_order_only && usage.athlete_has_paid_order {
            return Err(CouponError::FirstOrderOnly);
        }
        let eligible: i64 = lines
            .iter()
            .filter(|l| self.covers(l.kind))
            .map(CartLine::total_minor)
            .sum();
        if !lines.iter().any(|l| self.covers(l.kind)) {
            return Err(CouponError::NotApplicable);
        }
        if let Discount::Amount { currency: c, .. } = &self.discount
            && c != currency
        {
            return Err(CouponError::CurrencyMismatch);
        }
        if self.min_subtotal_minor.is_some_and(|min| eligible < min) {
            return Err(CouponError::MinimumNotMet);
        }
        Ok(())
    }
}

/// A coupon definition as an admin submits it, before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CouponDraft {
    pub code: String,
    pub percent_off_bps: Option<i64>,
    pub amount_off_minor: Option<i64>,
    pub currency: Option<String>,
    pub starts_at: i64,
    pub expires_at: i64,
    pub max_redemptions: Option<i64>,
    pub per_athlete_limit: Option<i64>,
    pub min_subtotal_minor: Option<i64>,
}

impl CouponDraft {
    /// Every problem with the definition at once, per field; the normalised
    /// code and the discount when there is none.
    pub fn validate(&self) -> Result<(String, Discount), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &'static str, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        let code = normalise_code(&self.code);
        if code.is_err() {
            bad("code", "use 1 to 64 letters and digits, e.g. RUN10");
        }
        let currency = self.currency.as_deref().map(super::normalise_currency);
        let discount = match (self.percent_off_bps, self.amount_off_minor) {
            (Some(_), Some(_)) | (None, None) => {
                bad(
                    "percent_off_bps",
                    "give exactly one of percent_off_bps or amount_off_minor",
                );
                None
            }
            (Some(bps), None) if !(1..=10_000).contains(&bps) => {
                bad(
                    "percent_off_bps",
                    "basis points from 1 to 10000 (1000 is 10%)",
                );
                None
            }
            (Some(bps), None) => Some(Discount::Percent {
                percent_off_bps: bps,
            }),
            (None, Some(amount)) if amount <= 0 => {
                bad("amount_off_minor", "an amount above zero, in minor units");
                None
            }
            (None, Some(amount)) => match currency.clone().flatten() {
                Some(currency) => Some(Discount::Amount {
                    amount_off_minor: amount,
                    currency,
                }),
                None => {
                    bad("currency", "a fixed discount needs its currency, e.g. USD");
                    None
                }
            },
        };
        if matches!(currency, Some(None)) && self.amount_off_minor.is_none() {
            bad("currency", "a three-letter currency code, e.g. USD");
        }
        if self.expires_at <= self.starts_at {
            bad("expires_at", "the expiry must come after the start");
        }
        for (field, value) in [
            ("max_redemptions", self.max_redemptions),
            ("per_athlete_limit", self.per_athlete_limit),
        ] {
            if value.is_some_and(|v| v < 1) {
                bad(field, "at least 1, or leave it out for no limit");
            }
        }
        if self.min_subtotal_minor.is_some_and(|v| v < 0) {
            bad("min_subtotal_minor", "zero or more, in minor units");
        }
        match (code, discount) {
            (Ok(code), Some(discount)) if errors.is_empty() => Ok((code, discount)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run10() -> Coupon {
        Coupon {
            code: "RUN10".into(),
            discount: Discount::Percent {
                percent_off_bps: 1000,
            },
            starts_at: 1_000,
            expires_at: 2_000,
            max_redemptions: None,
            per_athlete_limit: Some(1),
            min_subtotal_minor: None,
            first_order_only: false,
            applies_to: vec![ProductKind::TrainingPlan],
            athlete_id: None,
            active: true,
        }
    }

    fn plan_line(unit: i64) -> CartLine {
        CartLine {
            product_id: "p".into(),
            kind: ProductKind::TrainingPlan,
            unit_minor: unit,
            quantity: 1,
        }
    }

    fn check(
        c: &Coupon,
        now: i64,
        who: Option<&str>,
        usage: CouponUsage,
    ) -> Result<(), CouponError> {
        c.check(now, who, usage, "USD", &[plan_line(1985)])
    }

    #[test]
    fn codes_are_trimmed_and_upper_cased() {
        assert_eq!(normalise_code("run10").unwrap(), "RUN10");
        assert_eq!(normalise_code("  Run10\t\n").unwrap(), "RUN10");
        assert_eq!(
            normalise_code("\u{a0}run10\u{2007}\u{202f}").unwrap(),
            "RUN10"
        );
        assert_eq!(normalise_code(&"A".repeat(64)).unwrap().len(), 64);
        for bad in [
            "",
            "   ",
            "RUN 10",
            "RUN-10",
            "RÜN10",
            "run10\u{200b}",
            &"A".repeat(65),
        ] {
            assert_eq!(
                normalise_code(bad),
                Err(CouponError::InvalidCodeFormat),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_window_is_start_inclusive_and_expiry_exclusive() {
        let c = run10();
        let usage = CouponUsage::default();
        assert_eq!(
            check(&c, 999, Some("a"), usage),
            Err(CouponError::NotStarted)
        );
        assert_eq!(check(&c, 1_000, Some("a"), usage), Ok(()));
        assert_eq!(check(&c, 1_999, Some("a"), usage), Ok(()));
        assert_eq!(
            check(&c, 2_000, Some("a"), usage),
            Err(CouponError::Expired)
        );
    }

    #[test]
    fn one_use_per_athlete_and_a_global_limit() {
        let mut c = run10();
        let used_once = CouponUsage {
            total: 1,
            by_athlete: 1,
            athlete_has_paid_order: true,
        };
        assert_eq!(
            check(&c, 1_500, Some("a"), used_once),
            Err(CouponError::AlreadyRedeemedByYou)
        );
        assert_eq!(
            check(&c, 1_500, None, CouponUsage::default()),
            Err(CouponError::LoginRequired)
        );
        c.max_redemptions = Some(5);
        let full = CouponUsage {
            total: 5,
            ..CouponUsage::default()
        };
        assert_eq!(check(&c, 1_500, Some("b"), full), Err(CouponError::UsedUp));
    }

    #[test]
    fn someone_elses_code_looks_unknown() {
        let mut c = run10();
        c.athlete_id = Some("owner".into());
        let usage = CouponUsage::default();
        assert_eq!(
            check(&c, 1_500, Some("other"), usage),
            Err(CouponError::NotFound)
        );
        assert_eq!(check(&c, 1_500, Some("owner"), usage), Ok(()));
        assert_eq!(
            check(&c, 1_500, None, usage),
            Err(CouponError::LoginRequired)
        );
    }

    #[test]
    fn cart_conditions() {
        let mut c = run10();
        let usage = CouponUsage::default();
        let coaching = CartLine {
            kind: ProductKind::CoachingSubscription,
            ..plan_line(9900)
        };
        assert_eq!(
            c.check(
                1_500,
                Some("a"),
                usage,
                "USD",
                std::slice::from_ref(&coaching)
            ),
            Err(CouponError::NotApplicable)
        );
        c.min_subtotal_minor = Some(2_000);
        assert_eq!(
            check(&c, 1_500, Some("a"), usage),
            Err(CouponError::MinimumNotMet)
        );
        c.min_subtotal_minor = Some(1_985);
        assert_eq!(check(&c, 1_500, Some("a"), usage), Ok(()));
        c.discount = Discount::Amount {
            amount_off_minor: 500,
            currency: "EUR".into(),
        };
        assert_eq!(
            check(&c, 1_500, Some("a"), usage),
            Err(CouponError::CurrencyMismatch)
        );
        c.first_order_only = true;
        c.discount = Discount::Percent {
            percent_off_bps: 500,
        };
        let returning = CouponUsage {
            athlete_has_paid_order: true,
            ..usage
        };
        assert_eq!(
            check(&c, 1_500, Some("a"), returning),
            Err(CouponError::FirstOrderOnly)
        );
        c.active = false;
        assert_eq!(
            check(&c, 1_500, Some("a"), usage),
            Err(CouponError::Inactive)
        );
    }

    #[test]
    fn impossible_definitions_are_refused_per_field() {
        let both = CouponDraft {
            code: "x y".into(),
            percent_off_bps: Some(1000),
            amount_off_minor: Some(500),
            starts_at: 10,
            expires_at: 5,
            ..CouponDraft::default()
        };
        let fields: Vec<_> = both
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["code", "percent_off_bps", "expires_at"]);
        let no_currency = CouponDraft {
            code: "SAVE5".into(),
            amount_off_minor: Some(500),
            starts_at: 0,
            expires_at: 5,
            ..CouponDraft::default()
        };
        let fields: Vec<_> = no_currency
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["currency"]);
        let neither = CouponDraft {
            code: "SAVE5".into(),
            starts_at: 0,
            expires_at: 5,
            ..CouponDraft::default()
        };
        assert_eq!(neither.validate().unwrap_err()[0].field, "percent_off_bps");
        let good = CouponDraft {
            code: " run10 ".into(),
            percent_off_bps: Some(1000),
            starts_at: 0,
            expires_at: 5,
            per_athlete_limit: Some(1),
            ..CouponDraft::default()
        };
        assert_eq!(
            good.validate().unwrap(),
            (
                "RUN10".into(),
                Discount::Percent {
                    percent_off_bps: 1000
                }
            )
        );
    }
}
