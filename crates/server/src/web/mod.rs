//! HTTP helpers both adapters share — the JSON API (`api/`) and the pages
//! (`pages/`) — so neither imports the other: per-address limits, the
//! site's public address, the referral cookie, receiving uploads. What is
//! not about HTTP belongs in `runcoach_app` instead.

pub mod limits;
pub mod links;
pub mod referral;
pub mod uploads;
