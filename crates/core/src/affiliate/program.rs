//! The program's settings and the affiliates' link names.

use serde::{Deserialize, Serialize};

use super::attribution::Attribution;
use crate::plan::FieldError;

/// What an admin sets. Rate, cap and hold are copied into each commission
/// when it is made, so changing them never reaches back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Program {
    /// 2000 = 20 % of what the referred athlete paid.
    pub commission_bps: i64,
    /// Most one referred athlete can ever earn their affiliate ($100).
    pub cap_minor: i64,
    pub currency: String,
    /// How long a referral link's cookie counts.
    pub cookie_days: i64,
    /// Days a commission waits before it can be paid (refunds come first).
    pub hold_days: i64,
    /// Smallest payout; smaller balances carry forward.
    pub min_payout_minor: i64,
    /// "Fast approval": applications are approved at once.
    pub auto_approve: bool,
    pub attribution: Attribution,
    /// Commissions at or above this wait for an admin even after the hold.
    pub review_threshold_minor: Option<i64>,
}

impl Default for Program {
    fn default() -> Self {
        Program {
            commission_bps: 2000,
            cap_minor: 10_000,
            currency: "USD".into(),
            cookie_days: 30,
            hold_days: 30,
            min_payout_minor: 5_000,
            auto_approve: true,
            attribution: Attribution::First,
            review_threshold_minor: None,
        }
    }
}

/// Refunds are accepted for this long after a payment; a commission is held
/// at least as long so it is never paid for money that goes back.
pub const REFUND_WINDOW_DAYS: i64 = 14;

impl Program {
    /// Every problem with the settings at once.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut bad =
            |field: &'static str, message: String| errors.push(FieldError { field, message });
        if !(0..=10_000).contains(&self.commission_bps) {
            bad(
                "commission_bps",
                "basis points from 0 to 10000 (2000 is 20%)".into(),
            );
        }
        if self.cap_minor < 0 {
            bad("cap_minor", "zero or more, in minor units".into());
        }
        if crate::shop::normalise_currency(&self.currency).as_deref()
            != Some(self.currency.as_str())
        {
            bad(
                "currency",
                "a three-letter currency code in capitals, e.g. USD".into(),
            );
        }
        if !(1..=365).contains(&self.cookie_days) {
            bad("cookie_days", "1 to 365 days".into());
        }
        if !(REFUND_WINDOW_DAYS..=365).contains(&self.hold_days) {
            bad(
                "hold_days",
                format!("{REFUND_WINDOW_DAYS} to 365 days: at least the refund window"),
            );
        }
        if self.min_payout_minor < 0 {
            bad("min_payout_minor", "zero or more, in minor units".into());
        }
        if self.review_threshold_minor.is_some_and(|t| t <= 0) {
            bad(
                "review_threshold_minor",
                "above zero, or null for no review".into(),
            );
        }
        errors
    }
}

/// Words that name pages of the site or would mislead in a link.
const RESERVED: &[&str] = &[
    "admin",
    "api",
    "app",
    "login",
    "logout",
    "signup",
    "store",
    "checkout",
    "orders",
    "plans",
    "today",
    "settings",
    "static",
    "support",
    "help",
    "runcoach",
    "official",
    "staff",
    "coach",
    "affiliate",
    "affiliates",
    "null",
    "undefined",
    "root",
    "www",
];

/// A referral slug: 3–32 of `a–z`, `0–9` and `-`, not a reserved word.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let shape = (3..=32).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !shape {
        return Err("3 to 32 lower-case letters, digits and hyphens".into());
    }
    if RESERVED.contains(&slug) {
        return Err(format!("'{slug}' is reserved; choose another"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_program_is_the_offer() {
        let p = Program::default();
        assert_eq!(
            (p.commission_bps, p.cap_minor, p.hold_days, p.cookie_days),
            (2000, 10_000, 30, 30)
        );
        assert!(p.auto_approve && p.check().is_empty());
    }

    #[test]
    fn impossible_settings_are_named() {
        let p = Program {
            commission_bps: 12_000,
            hold_days: 7,
            currency: "usd".into(),
            ..Program::default()
        };
        let fields: Vec<_> = p.check().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["commission_bps", "currency", "hold_days"]);
    }

    #[test]
    fn slugs() {
        assert!(check_slug("trail-club-42").is_ok());
        for bad in [
            "ab",
            "Trail",
            "trail_club",
            "a".repeat(33).as_str(),
            "admin",
            "x y",
        ] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }
}
