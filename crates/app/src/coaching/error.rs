//! Why a coaching use-case said no, with the stable code the API shows.

use runcoach_core::guardrails::Violation;
use runcoach_core::plan::FieldError;
use runcoach_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoachingError {
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    /// Absent, or not the actor's to see: the same answer either way.
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    /// A request that conflicts with the current state (409), with its code.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// Nothing left to pay with (402), with its code.
    #[error("{1}")]
    PaymentRequired(&'static str, String),
    /// The plan would break the training rules; saved only when the coach
    /// accepts the warnings.
    #[error("the plan breaks {} training rule(s)", .0.len())]
    Guardrails(Vec<Violation>),
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
}
