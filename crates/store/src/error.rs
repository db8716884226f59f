/// What can go wrong in the store. Database errors keep their cause for the
/// logs; callers turn them into a generic message for users.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Setup(String),
    /// A unique constraint, e.g. an email that is already registered.
    #[error("already exists")]
    Conflict,
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Turns CHECK-constraint violations (a limit the table enforces) into
    /// [`StoreError::Conflict`].
    pub(crate) fn from_check(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_check_violation() => StoreError::Conflict,
            _ => StoreError::Database(e),
        }
    }

    /// Turns unique-constraint violations into [`StoreError::Conflict`].
    pub(crate) fn from_insert(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(e),
        }
    }
}
