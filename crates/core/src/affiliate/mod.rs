//! The affiliate program's rules: who may refer, which click a sign-up or a
//! purchase is credited to, what a referral earns, when it can be paid and
//! how refunds take it back. Pure, so the ledger can be recomputed and
//! tested; the store enforces the uniqueness the rules assume.
//!
//! Money is integer minor units in the program's currency.

pub mod attribution;
pub mod commission;
pub mod payout;
pub mod program;
pub mod referral;

pub use attribution::{Attribution, Touch, credited};
pub use commission::{CommissionStatus, commission_for, settle_refund};
pub use payout::{Payable, PayoutLine, batch};
pub use program::{Program, check_slug};
pub use referral::{
    SelfReferral, after_return, allocate_returned, check_period, email_key, is_automated,
    safe_redirect, self_referral, weekly_counts,
};
