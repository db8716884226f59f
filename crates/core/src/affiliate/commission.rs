//! What a referral earns, when it can be paid, and what a refund takes
//! back.

use serde::{Deserialize, Serialize};

use crate::shop::div_round_half_up;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionStatus {
    /// Waiting out the hold (refunds come first).
    Pending,
    /// Past the hold (and reviewed, when it needed review): payable.
    Approved,
    /// In a payout; locked.
    Paid,
    /// Nothing is owed (the payment was refunded before payout); final.
    Voided,
}

impl CommissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommissionStatus::Pending => "pending",
            CommissionStatus::Approved => "approved",
            CommissionStatus::Paid => "paid",
            CommissionStatus::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Paid, Self::Voided]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The status as of `now`: a pending commission past its hold is
    /// approved on read (never shown or paid as pending), unless it waits
    /// for an admin's review.
    pub fn at(self, now: i64, approve_after: i64, awaiting_review: bool) -> Self {
        match self {
            CommissionStatus::Pending if now >= approve_after && !awaiting_review => {
                CommissionStatus::Approved
            }
            other => other,
        }
    }
}

/// The commission on a payment of `base_minor` (what was actually paid,
/// after discounts, before tax) at `bps`, within what is left of the
/// referred athlete's lifetime cap.
pub fn commission_for(bps: i64, base_minor: i64, earned_minor: i64, cap_minor: i64) -> i64 {
    if base_minor <= 0 {
        return 0;
    }
    let full = div_round_half_up(i128::from(base_minor) * i128::from(bps), 10_000) as i64;
    full.min((cap_minor - earned_minor).max(0))
}

/// What a commission first worth `original_minor` (at `bps` on a payment of
/// `paid_minor`) is worth once `returned_minor` has gone back (refunds and
/// open disputes): the rate on what stayed, never more than the original
/// (the cap applied then still applies). Zero means void before payout,
/// and a clawback of everything after.
pub fn settle_refund(original_minor: i64, bps: i64, paid_minor: i64, returned_minor: i64) -> i64 {
    let kept = (paid_minor - returned_minor).max(0);
    if kept == 0 {
        return 0;
    }
    let on_kept = div_round_half_up(i128::from(kept) * i128::from(bps), 10_000) as i64;
    on_kept.min(original_minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_percent_of_what_was_paid_within_the_cap() {
        // Marathon plan $34.85 with RUN10: paid $31.36; 20 % = $6.272 → $6.27.
        assert_eq!(commission_for(2000, 3136, 0, 10_000), 627);
        // Monthly coaching $99: $19.80 a month until $100 is reached.
        let mut earned = 0;
        let mut months = Vec::new();
        for _ in 0..7 {
            let c = commission_for(2000, 9_900, earned, 10_000);
            earned += c;
            months.push(c);
        }
        assert_eq!(months, [1980, 1980, 1980, 1980, 1980, 100, 0]);
        assert_eq!(earned, 10_000);
        assert_eq!(commission_for(2000, 0, 0, 10_000), 0);
    }

    #[test]
    fn pending_becomes_approved_after_the_hold_unless_reviewed() {
        let s = CommissionStatus::Pending;
        assert_eq!(s.at(99, 100, false), CommissionStatus::Pending);
        assert_eq!(s.at(100, 100, false), CommissionStatus::Approved);
        assert_eq!(s.at(100, 100, true), CommissionStatus::Pending);
        assert_eq!(
            CommissionStatus::Voided.at(500, 100, false),
            CommissionStatus::Voided
        );
    }

    #[test]
    fn refunds_shrink_or_void_the_commission() {
        assert_eq!(settle_refund(627, 2000, 3136, 0), 627);
        assert_eq!(settle_refund(627, 2000, 3136, 1000), 427); // 20 % of 2136
        assert_eq!(settle_refund(627, 2000, 3136, 3136), 0);
        // A capped commission stays within what it first was.
        assert_eq!(settle_refund(100, 2000, 9_900, 1_000), 100);
    }
}
