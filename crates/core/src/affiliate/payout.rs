//! Payout runs: what each affiliate is paid, per currency.

use std::collections::BTreeMap;

/// An approved commission (or a negative clawback) waiting for a payout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payable {
    pub id: String,
    pub affiliate_id: String,
    pub currency: String,
    pub amount_minor: i64,
    /// Whether the affiliate can be paid (has a payout e-mail, not suspended).
    pub payable_to: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLine {
    pub affiliate_id: String,
    pub currency: String,
    pub amount_minor: i64,
    pub commission_ids: Vec<String>,
}

/// One line per affiliate and currency whose net (commissions less
/// clawbacks) reaches `min_payout_minor`; everything else carries forward.
/// Currencies are never summed together.
pub fn batch(payables: &[Payable], min_payout_minor: i64) -> Vec<PayoutLine> {
    let mut groups: BTreeMap<(&str, &str), Vec<&Payable>> = BTreeMap::new();
    for p in payables.iter().filter(|p| p.payable_to) {
        groups
            .entry((p.affiliate_id.as_str(), p.currency.as_str()))
            .or_default()
            .push(p);
    }
    groups
        .into_iter()
        .filter_map(|((affiliate, currency), items)| {
            let net: i64 = items.iter().map(|p| p.amount_minor).sum();
            (net > 0 && net >= min_payout_minor).then(|| PayoutLine {
                affiliate_id: affiliate.to_owned(),
                currency: currency.to_owned(),
                amount_minor: net,
                commission_ids: items.iter().map(|p| p.id.clone()).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, affiliate: &str, currency: &str, amount: i64) -> Payable {
        Payable {
            id: id.into(),
            affiliate_id: affiliate.into(),
            currency: currency.into(),
            amount_minor: amount,
            payable_to: true,
        }
    }

    #[test]
    fn nets_clawbacks_and_carries_small_balances() {
        let lines = batch(
            &[
                p("c1", "a", "USD", 6_000),
                p("c2", "a", "USD", -627),
                p("c3", "b", "USD", 4_000),
                p("c4", "a", "EUR", 7_000),
            ],
            5_000,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].currency.as_str(), lines[0].amount_minor),
            ("EUR", 7_000)
        );
        assert_eq!(
            (lines[1].currency.as_str(), lines[1].amount_minor),
            ("USD", 5_373)
        );
        assert_eq!(lines[1].commission_ids, ["c1", "c2"]);
    }

    #[test]
    fn a_negative_balance_is_never_paid() {
        assert!(batch(&[p("c1", "a", "USD", -627)], 0).is_empty());
        let mut no_email = p("c1", "a", "USD", 9_000);
        no_email.payable_to = false;
        assert!(batch(&[no_email], 0).is_empty());
    }
}
