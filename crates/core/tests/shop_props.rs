//! Invariants of the shop's rules over random carts, coupons and event
//! orders: discounts add up exactly and never exceed what they apply to,
//! codes have one canonical form, and a paid order never goes back.

use proptest::prelude::*;
use runcoach_core::shop::{
    CartLine, Coupon, Discount, OrderEvent, OrderStatus, PaymentState, ProductKind,
    div_round_half_up, normalise_code, quote,
};

fn kind() -> impl Strategy<Value = ProductKind> {
    prop::sample::select(ProductKind::ALL.to_vec())
}

fn line() -> impl Strategy<Value = CartLine> {
    (kind(), 0i64..200_000, 1i64..=10).prop_map(|(kind, unit, quantity)| CartLine {
        product_id: format!("p{unit}"),
        kind,
        unit_minor: unit,
        quantity,
    })
}

fn coupon() -> impl Strategy<Value = Coupon> {
    let discount = prop_oneof![
        (1i64..=10_000).prop_map(|bps| Discount::Percent {
            percent_off_bps: bps
        }),
        (1i64..2_000_000).prop_map(|a| Discount::Amount {
            amount_off_minor: a,
            currency: "USD".into()
        }),
    ];
    (discount, prop::collection::vec(kind(), 0..3)).prop_map(|(discount, applies_to)| Coupon {
        code: "X".into(),
        discount,
        starts_at: 0,
        expires_at: 1,
        max_redemptions: None,
        per_athlete_limit: None,
        min_subtotal_minor: None,
        first_order_only: false,
        applies_to,
        athlete_id: None,
        active: true,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn discounts_add_up_and_stay_within_what_they_apply_to(
        lines in prop::collection::vec(line(), 1..8),
        coupon in coupon(),
    ) {
        let q = quote("USD", &lines, Some(&coupon));
        let eligible: i64 = lines.iter().filter(|l| coupon.covers(l.kind)).map(CartLine::total_minor).sum();
        prop_assert_eq!(q.lines.iter().map(|l| l.discount_minor).sum::<i64>(), q.discount_minor);
        prop_assert!(q.discount_minor >= 0 && q.discount_minor <= eligible);
        prop_assert_eq!(q.total_minor, q.subtotal_minor - q.discount_minor);
        prop_assert_eq!(q.subtotal_minor, lines.iter().map(CartLine::total_minor).sum::<i64>());
        for (l, ql) in lines.iter().zip(&q.lines) {
            prop_assert!(ql.discount_minor >= 0 && ql.discount_minor <= l.total_minor());
            prop_assert_eq!(ql.total_minor, l.total_minor() - ql.discount_minor);
            if !coupon.covers(l.kind) {
                prop_assert_eq!(ql.discount_minor, 0);
            }
        }
        if let Discount::Percent { percent_off_bps } = coupon.discount {
            let expected = div_round_half_up(i128::from(eligible) * i128::from(percent_off_bps), 10_000);
            prop_assert_eq!(i128::from(q.discount_minor), expected);
        }
    }

    #[test]
    fn a_code_has_one_canonical_form(
        core in "[A-Za-z0-9]{1,64}",
        before in prop::sample::select(vec!["", " ", "\t", "\u{a0}", "\n ", "\u{3000}"]),
        after in prop::sample::select(vec!["", " ", "\r\n", "\u{a0}\u{202f}"]),
    ) {
        let canonical = normalise_code(&core).unwrap();
        prop_assert_eq!(normalise_code(&format!("{before}{core}{after}")).unwrap(), canonical.clone());
        prop_assert_eq!(normalise_code(&canonical.to_lowercase()).unwrap(), canonical.clone());
        prop_assert_eq!(normalise_code(&canonical).unwrap(), canonical);
    }

    #[test]
    fn a_paid_order_never_goes_back_and_refunds_never_shrink(
        total in 1i64..100_000,
        events in prop::collection::vec(prop_oneof![
            Just(OrderEvent::Paid),
            Just(OrderEvent::PaymentFailed),
            Just(OrderEvent::Expired),
            Just(OrderEvent::Cancelled),
            Just(OrderEvent::DisputeWon),
            Just(OrderEvent::Mismatch),
            (0i64..120_000).prop_map(|t| OrderEvent::Refunded { total_refunded_minor: t }),
            (0i64..120_000).prop_map(|a| OrderEvent::Disputed { amount_minor: a }),
        ], 0..12),
    ) {
        let mut state = PaymentState::placed(total);
        for e in events {
            let next = state.apply(e);
            if state.status.was_paid() {
                prop_assert!(next.status.was_paid(), "{:?} -> {:?} on {:?}", state.status, next.status, e);
            }
            if state.status != OrderStatus::PendingPayment {
                prop_assert!(next.status != OrderStatus::PendingPayment);
            }
            prop_assert!(next.refunded_minor >= state.refunded_minor);
            prop_assert!(next.returned_minor() <= total);
            state = next;
        }
    }
}
