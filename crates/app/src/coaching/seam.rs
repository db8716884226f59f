//! Whether a coach works with an athlete.

use runcoach_store::{Db, StoreError, coaching};

/// Whether `athlete_id` is coached by `coach_id`: for now, an active
/// in-person package with that coach.
// grant check wired to coaching::access at merge
pub async fn coached_by(
    db: &Db,
    athlete_id: &str,
    coach_id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    coaching::has_package_with(db, athlete_id, coach_id, now).await
}
