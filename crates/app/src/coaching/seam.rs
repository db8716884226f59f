//! Whether a coach works with an athlete, for in-person sessions and
//! templates: any relation `access` knows (a grant at any level, or a
//! coaching purchase naming the coach).

use runcoach_store::users::Role;
use runcoach_store::{Db, StoreError};

use super::access::{self, Relation};
use crate::Actor;

/// Whether `coach_id` coaches `athlete_id` (grant check wired to
/// coaching::access).
pub async fn coached_by(db: &Db, athlete_id: &str, coach_id: &str) -> Result<bool, StoreError> {
    let coach = Actor {
        user_id: coach_id.to_owned(),
        roles: vec![Role::Coach],
    };
    Ok(matches!(
        access::relation(db, &coach, athlete_id).await?,
        Some(Relation::Coach(_))
    ))
}
