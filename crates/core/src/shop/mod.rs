//! The shop's rules: what a product is, how a coupon code is read and
//! judged, how a discount is priced and split, and how an order moves from
//! placed to paid, refunded or released. Pure, so the quote a runner sees,
//! the order that is placed and the redemption that is recorded can never
//! disagree: they all call these functions.
//!
//! Money is integer minor units (cents) beside an ISO 4217 currency code.

pub mod coupon;
pub mod order;
pub mod pricing;
pub mod product;

pub use coupon::{Coupon, CouponDraft, CouponError, CouponUsage, Discount, normalise_code};
pub use order::{CouponUse, OrderEvent, OrderStatus, PaymentState};
pub use pricing::{CartLine, Quote, QuoteLine, quote};
pub use product::ProductKind;

/// `USD`, `EUR`, …: three ASCII capitals (ISO 4217 form). Payment providers
/// send lower case; this is the one place that reads either.
pub fn normalise_currency(raw: &str) -> Option<String> {
    let upper = raw.trim().to_ascii_uppercase();
    (upper.len() == 3 && upper.bytes().all(|b| b.is_ascii_uppercase())).then_some(upper)
}

/// `round(numerator / denominator)` with halves rounded up, in integers
/// (no float ever touches money). Both arguments are non-negative.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes() {
        assert_eq!(normalise_currency("usd").as_deref(), Some("USD"));
        assert_eq!(normalise_currency(" EUR ").as_deref(), Some("EUR"));
        assert_eq!(normalise_currency("US"), None);
        assert_eq!(normalise_currency("U$D"), None);
    }

    #[test]
    fn half_up() {
        assert_eq!(div_round_half_up(1985 * 1000, 10_000), 199); // 198.5
        assert_eq!(div_round_half_up(3490 * 1500, 10_000), 524); // 523.5
        assert_eq!(div_round_half_up(1024 * 1000, 10_000), 102); // 102.4
        assert_eq!(div_round_half_up(0, 7), 0);
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
    }
}
