//! An order's life: placed, then paid or released, then perhaps refunded.
//!
//! Payment providers deliver events late, twice and out of order. States
//! only move forward, and the refunded amount is kept as the provider's
//! running total, so the same events in any order end in the same state
//! (a refund that arrives before its payment is remembered and applied when
//! the payment lands).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    PaymentFailed,
    Expired,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    /// Money and order disagree (amount, currency, or a payment for a
    /// closed order): nothing is fulfilled until an operator looks.
    NeedsReview,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::PaymentFailed,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
        OrderStatus::PartiallyRefunded,
        OrderStatus::NeedsReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::PaymentFailed => "payment_failed",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::NeedsReview => "needs_review",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Money was received for the order (whatever came back since).
    pub fn was_paid(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::Refunded | OrderStatus::PartiallyRefunded
        )
    }

    /// Whether what the order bought is unlocked. A partial refund (a
    /// goodwill gesture) keeps it; a full refund or a dispute takes it away.
    pub fn entitles(self) -> bool {
        matches!(self, OrderStatus::Paid | OrderStatus::PartiallyRefunded)
    }

    /// What the order's coupon use counts as.
    pub fn coupon_use(self) -> CouponUse {
        match self {
            OrderStatus::PendingPayment => CouponUse::Reserved,
            OrderStatus::Paid
            | OrderStatus::Refunded
            | OrderStatus::PartiallyRefunded
            | OrderStatus::NeedsReview => CouponUse::Confirmed,
            OrderStatus::PaymentFailed | OrderStatus::Expired | OrderStatus::Cancelled => {
                CouponUse::Released
            }
        }
    }
}

/// A coupon use is held while the order awaits payment, kept once paid
/// (a refund does not give the offer back), and released otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CouponUse {
    Reserved,
    Confirmed,
    Released,
}

impl CouponUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CouponUse::Reserved => "reserved",
            CouponUse::Confirmed => "confirmed",
            CouponUse::Released => "released",
        }
    }

    /// Whether the use counts against the coupon's limits.
    pub fn counts(self) -> bool {
        !matches!(self, CouponUse::Released)
    }
}

/// What happened to an order, from the provider, the runner or the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    Paid,
    PaymentFailed,
    Expired,
    Cancelled,
    /// The provider's running total refunded so far.
    Refunded {
        total_refunded_minor: i64,
    },
    /// A dispute (chargeback) over this amount is open.
    Disputed {
        amount_minor: i64,
    },
    /// The dispute was decided in the seller's favour.
    DisputeWon,
    /// Amount, currency or order id did not match the order.
    Mismatch,
}

/// The facts an order's status follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentState {
    pub status: OrderStatus,
    pub total_minor: i64,
    pub refunded_minor: i64,
    pub disputed_minor: i64,
}

impl PaymentState {
    pub fn placed(total_minor: i64) -> Self {
        let placed = PaymentState {
            status: OrderStatus::PendingPayment,
            total_minor,
            refunded_minor: 0,
            disputed_minor: 0,
        };
        // Nothing to pay: paid at once.
        if total_minor == 0 {
            placed.apply(OrderEvent::Paid)
        } else {
            placed
        }
    }

    /// The state after `event`; an event that does not apply changes nothing.
    pub fn apply(self, event: OrderEvent) -> Self {
        use OrderStatus::*;
        let mut next = self;
        match (self.status, event) {
            (PendingPayment, OrderEvent::Paid) => next.status = Paid,
            // Money for an order already closed: keep it visible, unlock nothing.
            (PaymentFailed | Expired | Cancelled, OrderEvent::Paid) => next.status = NeedsReview,
            (PendingPayment, OrderEvent::PaymentFailed) => next.status = PaymentFailed,
            (PendingPayment, OrderEvent::Expired) => next.status = Expired,
            (PendingPayment, OrderEvent::Cancelled) => next.status = Cancelled,
            (PendingPayment, OrderEvent::Mismatch) => next.status = NeedsReview,
            (
                _,
                OrderEvent::Refunded {
                    total_refunded_minor,
                },
            ) => next.refunded_minor = self.refunded_minor.max(total_refunded_minor),
            (_, OrderEvent::Disputed { amount_minor }) => next.disputed_minor = amount_minor,
            (_, OrderEvent::DisputeWon) => next.disputed_minor = 0,
            _ => {}
        }
        if next.status.was_paid() || (self.status == PendingPayment && next.status == Paid) {
            next.status = next.settled();
        }
        next
    }

    /// Paid, partly or wholly refunded, from the amounts.
    fn settled(self) -> OrderStatus {
        let back = (self.refunded_minor + self.disputed_minor).min(self.total_minor);
        if back <= 0 {
            OrderStatus::Paid
        } else if back >= self.total_minor {
            OrderStatus::Refunded
        } else {
            OrderStatus::PartiallyRefunded
        }
    }

    /// What the runner has been given back (refunds and open disputes).
    pub fn returned_minor(self) -> i64 {
        (self.refunded_minor + self.disputed_minor).min(self.total_minor)
    }
}

#[cfg(test)]
mod tests {
    use super::OrderEvent::*;
    use super::*;

    fn run(total: i64, events: &[OrderEvent]) -> PaymentState {
        events
            .iter()
            .fold(PaymentState::placed(total), |s, e| s.apply(*e))
    }

    #[test]
    fn paid_then_refunded_in_part_then_in_full() {
        let s = run(
            1786,
            &[
                Paid,
                Refunded {
                    total_refunded_minor: 500,
                },
            ],
        );
        assert_eq!(
            (s.status, s.refunded_minor),
            (OrderStatus::PartiallyRefunded, 500)
        );
        let s = s.apply(Refunded {
            total_refunded_minor: 1786,
        });
        assert_eq!(s.status, OrderStatus::Refunded);
        assert!(!s.status.entitles());
    }

    #[test]
    fn late_failures_never_undo_a_payment() {
        let s = run(1786, &[Paid, PaymentFailed, Expired, Cancelled]);
        assert_eq!(s.status, OrderStatus::Paid);
    }

    #[test]
    fn a_refund_before_its_payment_ends_the_same() {
        let a = run(
            1786,
            &[
                Paid,
                Refunded {
                    total_refunded_minor: 1786,
                },
            ],
        );
        let b = run(
            1786,
            &[
                Refunded {
                    total_refunded_minor: 1786,
                },
                Paid,
            ],
        );
        assert_eq!(a, b);
        assert_eq!(a.status, OrderStatus::Refunded);
    }

    #[test]
    fn duplicate_and_stale_refund_totals_change_nothing() {
        let s = run(
            1786,
            &[
                Paid,
                Refunded {
                    total_refunded_minor: 800,
                },
                Refunded {
                    total_refunded_minor: 500,
                },
                Refunded {
                    total_refunded_minor: 800,
                },
            ],
        );
        assert_eq!(s.refunded_minor, 800);
    }

    #[test]
    fn a_dispute_counts_as_a_refund_until_won() {
        let s = run(1786, &[Paid, Disputed { amount_minor: 1786 }]);
        assert_eq!(s.status, OrderStatus::Refunded);
        let s = s.apply(DisputeWon);
        assert_eq!(s.status, OrderStatus::Paid);
        assert!(s.status.entitles());
    }

    #[test]
    fn money_for_a_closed_order_is_reviewed() {
        assert_eq!(run(1786, &[Expired, Paid]).status, OrderStatus::NeedsReview);
        assert_eq!(
            run(1786, &[Mismatch, Paid]).status,
            OrderStatus::NeedsReview
        );
        assert_eq!(run(0, &[]).status, OrderStatus::Paid);
    }

    #[test]
    fn coupon_uses_follow_the_status() {
        assert_eq!(
            OrderStatus::PendingPayment.coupon_use(),
            CouponUse::Reserved
        );
        assert_eq!(OrderStatus::Refunded.coupon_use(), CouponUse::Confirmed);
        assert_eq!(OrderStatus::PaymentFailed.coupon_use(), CouponUse::Released);
        assert!(!CouponUse::Released.counts());
    }
}
