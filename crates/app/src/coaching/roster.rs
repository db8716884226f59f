//! The coach's roster.
