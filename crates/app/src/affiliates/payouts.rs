//! Payout runs: per affiliate and currency, the approved commissions net of
//! clawbacks, once per period.

use runcoach_core::affiliate::{Payable, batch, check_period};
use runcoach_store::affiliates::{self as store, Payout};
use runcoach_store::{Db, new_id};
use serde::Serialize;

use super::{AffiliateError, admin};
use crate::Actor;

#[derive(Debug, Clone, Serialize)]
pub struct PayoutLineView {
    pub id: String,
    pub affiliate_id: String,
    pub currency: String,
    pub period: String,
    pub amount_minor: i64,
    pub commission_ids: Vec<String>,
}

/// Pays every affiliate whose approved balance (net of clawbacks) reaches
/// the program's minimum and who has a payout e-mail, for `period`
/// (`YYYY-MM`). Smaller and negative balances carry forward; an affiliate
/// paid for this period already is not paid again (their newer
/// commissions wait for the next period). Returns the lines made now.
pub async fn run_payouts(
    db: &Db,
    actor: &Actor,
    period: &str,
    now: i64,
) -> Result<Vec<PayoutLineView>, AffiliateError> {
    admin(actor)?;
    check_period(period).map_err(|m| AffiliateError::invalid("period", m))?;
    let mut tx = db.begin().await?;
    store::approve_due(&mut tx, now).await?;
    let program = store::program(&mut tx).await?;
    let rows = store::payable(&mut tx).await?;
    let payables: Vec<Payable> = rows
        .iter()
        .map(|r| Payable {
            id: r.id.clone(),
            affiliate_id: r.affiliate_id.clone(),
            currency: r.currency.clone(),
            amount_minor: r.amount_minor,
            payable_to: !r.payout_email.is_empty() && r.affiliate_status == "approved",
        })
        .collect();
    let mut made = Vec::new();
    for line in batch(&payables, program.min_payout_minor) {
        let email = rows
            .iter()
            .find(|r| r.affiliate_id == line.affiliate_id)
            .map(|r| r.payout_email.clone())
            .unwrap_or_default();
        let payout = Payout {
            id: new_id(),
            affiliate_id: line.affiliate_id.clone(),
            currency: line.currency.clone(),
            period: period.to_owned(),
            amount_minor: line.amount_minor,
            payout_email: email,
            created_at: now,
        };
        if !store::insert_payout(&mut tx, &payout).await? {
            continue;
        }
        for id in &line.commission_ids {
            if !store::mark_paid(&mut tx, id, &payout.id).await? {
                return Err(AffiliateError::Conflict(
                    "payout_running",
                    "another payout run is paying these commissions; try again".into(),
                ));
            }
        }
        made.push(PayoutLineView {
            id: payout.id,
            affiliate_id: line.affiliate_id,
            currency: line.currency,
            period: payout.period,
            amount_minor: line.amount_minor,
            commission_ids: line.commission_ids,
        });
    }
    tx.commit().await?;
    tracing::info!(period, lines = made.len(), "payout run");
    Ok(made)
}

pub(crate) async fn lines(
    db: &Db,
    affiliate: Option<&str>,
) -> Result<Vec<PayoutLineView>, AffiliateError> {
    let mut out = Vec::new();
    for p in store::payouts(db, affiliate).await? {
        let commission_ids = store::payout_commission_ids(db, &p.id).await?;
        out.push(PayoutLineView {
            id: p.id,
            affiliate_id: p.affiliate_id,
            currency: p.currency,
            period: p.period,
            amount_minor: p.amount_minor,
            commission_ids,
        });
    }
    Ok(out)
}

/// Every payout as the admin pages list them.
pub async fn payouts(db: &Db, actor: &Actor) -> Result<Vec<PayoutLineView>, AffiliateError> {
    admin(actor)?;
    lines(db, None).await
}

/// A spreadsheet cell: quoted, and never read as a formula.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Every payout as CSV for the bank or PayPal batch: one line each.
pub async fn payouts_csv(db: &Db, actor: &Actor) -> Result<String, AffiliateError> {
    admin(actor)?;
    let affiliates = store::affiliates(db).await?;
    let mut out =
        String::from("payout_id,period,affiliate_id,slug,payout_email,currency,amount_minor\n");
    for p in store::payouts(db, None).await? {
        let slug = affiliates
            .iter()
            .find(|a| a.id == p.affiliate_id)
            .map(|a| a.slug.as_str())
            .unwrap_or("");
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            cell(&p.id),
            cell(&p.period),
            cell(&p.affiliate_id),
            cell(slug),
            cell(&p.payout_email),
            cell(&p.currency),
            p.amount_minor
        ));
    }
    Ok(out)
}
