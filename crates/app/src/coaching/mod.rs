//! Coaching: coaches and the athletes who let them in. `access` is the one
//! place that decides what an actor may do with an athlete's data; the
//! other modules are the use-cases (profiles, grants, invitations, the
//! roster, comments).

pub mod access;
pub mod comments;
pub mod grants;
pub mod profiles;
pub mod roster;
pub mod seam;
pub mod slots;
pub mod templates;

use runcoach_core::plan::FieldError;
use runcoach_store::StoreError;

pub use access::{AccessError, Level, Need, Relation};

#[derive(Debug, thiserror::Error)]
pub enum CoachingError {
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    /// A request that conflicts with the current state, with its code.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// Nothing left to pay with (402), with its code.
    #[error("{1}")]
    PaymentRequired(&'static str, String),
    /// The plan would break training rules; saved only when the coach
    /// accepts the warnings.
    #[error("the plan breaks {} training rule(s)", .0.len())]
    Guardrails(Vec<runcoach_core::guardrails::Violation>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CoachingError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        CoachingError::Invalid(vec![FieldError {
            field,
            message: message.into(),
        }])
    }

    pub(crate) fn coaches_only() -> Self {
        CoachingError::Forbidden("only a coach account can do this")
    }
}

impl From<AccessError> for CoachingError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => CoachingError::NotFound,
            AccessError::Forbidden => {
                CoachingError::Forbidden("your access to this athlete does not allow that")
            }
            AccessError::Store(e) => CoachingError::Store(e),
        }
    }
}
