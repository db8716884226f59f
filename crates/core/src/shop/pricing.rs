//! Quotes: subtotal, one coupon's discount, totals, line by line.
//!
//! A percentage is taken once, on the eligible subtotal, rounded half up;
//! the discount is then split over the eligible lines in proportion to
//! their totals by largest remainder, so line discounts always add up to
//! the order's discount exactly and no line or total goes below zero.

use serde::Serialize;

use super::coupon::{Coupon, Discount};
use super::div_round_half_up;
use super::product::ProductKind;

/// One product in a cart, priced from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub product_id: String,
    pub kind: ProductKind,
    pub unit_minor: i64,
    pub quantity: i64,
}

impl CartLine {
    pub fn total_minor(&self) -> i64 {
        self.unit_minor * self.quantity
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteLine {
    pub product_id: String,
    pub quantity: i64,
    pub unit_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub currency: String,
    pub subtotal_minor: i64,
    pub discount_minor: i64,
    pub total_minor: i64,
    pub lines: Vec<QuoteLine>,
}

/// Prices `lines` with `coupon` applied (already judged usable), or with
/// no discount.
pub fn quote(currency: &str, lines: &[CartLine], coupon: Option<&Coupon>) -> Quote {
    let eligible: Vec<bool> = lines
        .iter()
        .map(|l| coupon.is_some_and(|c| c.covers(l.kind)))
        .collect();
    let eligible_subtotal: i64 = lines
        .iter()
        .zip(&eligible)
        .filter(|(_, e)| **e)
        .map(|(l, _)| l.total_minor())
        .sum();
    let discount = match coupon.map(|c| &c.discount) {
        None => 0,
        Some(Discount::Percent { percent_off_bps }) => div_round_half_up(
            i128::from(eligible_subtotal) * i128::from(*percent_off_bps),
            10_000,
        ) as i64,
        Some(Discount::Amount {
            amount_off_minor, ..
        }) => (*amount_off_minor).min(eligible_subtotal),
    };
    let weights: Vec<i64> = lines
        .iter()
        .zip(&eligible)
        .map(|(l, e)| if *e { l.total_minor() } else { 0 })
        .collect();
    let shares = split(discount, &weights);
    let lines: Vec<QuoteLine> = lines
        .iter()
        .zip(shares)
        .map(|(l, share)| QuoteLine {
            product_id: l.product_id.clone(),
            quantity: l.quantity,
            unit_minor: l.unit_minor,
            discount_minor: share,
            total_minor: l.total_minor() - share,
        })
        .collect();
    let subtotal: i64 = lines.iter().map(|l| l.unit_minor * l.quantity).sum();
    Quote {
        currency: currency.to_owned(),
        subtotal_minor: subtotal,
        discount_minor: discount,
        total_minor: subtotal - discount,
        lines,
    }
}

/// Splits `amount` over `weights` in proportion, by largest remainder; ties
/// go to the earlier line. `amount` is at most the sum of the weights.
fn split(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if amount == 0 || total == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let scaled = i128::from(amount) * i128::from(*w);
            ((scaled / total) as i64, scaled % total)
        })
        .collect();
    let mut shares: Vec<i64> = exact.iter().map(|(floor, _)| *floor).collect();
    let left = amount - shares.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for i in order.into_iter().take(left as usize) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::coupon::Coupon;

    fn line(id: &str, kind: ProductKind, unit: i64, quantity: i64) -> CartLine {
        CartLine {
            product_id: id.into(),
            kind,
            unit_minor: unit,
            quantity,
        }
    }

    fn percent(bps: i64) -> Coupon {
        Coupon {
            code: "X".into(),
            discount: Discount::Percent {
                percent_off_bps: bps,
            },
            starts_at: 0,
            expires_at: 1,
            max_redemptions: None,
            per_athlete_limit: None,
            min_subtotal_minor: None,
            first_order_only: false,
            applies_to: vec![ProductKind::TrainingPlan],
            athlete_id: None,
            active: true,
        }
    }

    #[test]
    fn ten_percent_of_a_5k_plan_rounds_half_up() {
        let q = quote(
            "USD",
            &[line("5k", ProductKind::TrainingPlan, 1985, 1)],
            Some(&percent(1000)),
        );
        assert_eq!(
            (q.subtotal_minor, q.discount_minor, q.total_minor),
            (1985, 199, 1786)
        );
        let q = quote(
            "USD",
            &[line("b", ProductKind::TrainingPlan, 3490, 1)],
            Some(&percent(1500)),
        );
        assert_eq!(q.discount_minor, 524);
    }

    #[test]
    fn the_discount_splits_by_largest_remainder() {
        let lines: Vec<_> = [106, 206, 306, 406]
            .iter()
            .map(|u| line("p", ProductKind::TrainingPlan, *u, 1))
            .collect();
        let q = quote("USD", &lines, Some(&percent(1000)));
        assert_eq!(q.discount_minor, 102);
        let shares: Vec<_> = q.lines.iter().map(|l| l.discount_minor).collect();
        assert_eq!(shares, [11, 21, 30, 40]);
    }

    #[test]
    fn only_eligible_lines_are_discounted() {
        let lines = [
            line("plan", ProductKind::TrainingPlan, 2000, 1),
            line("coach", ProductKind::CoachingSubscription, 9900, 1),
        ];
        let q = quote("USD", &lines, Some(&percent(1000)));
        assert_eq!(q.discount_minor, 200);
        assert_eq!(q.lines[1].discount_minor, 0);
        assert_eq!(q.total_minor, 11_700);
    }

    #[test]
    fn a_fixed_discount_never_makes_a_total_negative() {
        let mut c = percent(0);
        c.discount = Discount::Amount {
            amount_off_minor: 5_000,
            currency: "USD".into(),
        };
        let q = quote(
            "USD",
            &[line("p", ProductKind::TrainingPlan, 1985, 2)],
            Some(&c),
        );
        assert_eq!(
            (q.subtotal_minor, q.discount_minor, q.total_minor),
            (3970, 3970, 0)
        );
        assert_eq!(q.lines[0].total_minor, 0);
    }

    #[test]
    fn no_coupon_no_discount() {
        let q = quote(
            "EUR",
            &[line("p", ProductKind::CoachingPackage, 24_000, 1)],
            None,
        );
        assert_eq!((q.discount_minor, q.total_minor), (0, 24_000));
    }
}
