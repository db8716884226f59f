//! Coaching: coaches and the athletes they work with.

pub mod error;
pub mod seam;
pub mod slots;
pub mod templates;
