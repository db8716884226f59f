//! Coaching rules: which athletes need a coach's attention, and how much;
//! what a comment may say. Pure: the use-cases gather, these judge.

pub mod alerts;
pub mod comments;

pub use alerts::{Alert, PainMark, Signals, alerts, attention};
pub use comments::{COMMENT_MAX_CHARS, comment_body};
