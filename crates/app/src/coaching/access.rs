//! The one authorisation point for athlete data: what the actor is to the
//! athlete who owns it (the athlete themself, a coach at a granted level,
//! an admin) and whether that is enough for what they ask.
//!
//! Callers resolve the owner first (`plan_athlete`, `session_athlete`),
//! ask [`require`], and then read with the owner's id, so every store
//! query still filters by owner. No relation is `NotFound` (answered 404:
//! a coach never learns whether an athlete or plan exists); a relation too
//! weak is `Forbidden` (403).

use runcoach_store::users::Role;
use runcoach_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

use crate::Actor;

/// What an athlete lets a coach do, weakest first (the order is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    View,
    Comment,
    Edit,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::View => "view",
            Level::Comment => "comment",
            Level::Edit => "edit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "view" => Some(Level::View),
            "comment" => Some(Level::Comment),
            "edit" => Some(Level::Edit),
            _ => None,
        }
    }
}

/// What the actor is to an athlete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Owner,
    Coach(Level),
    /// An admin who is neither: reads, for support; never writes.
    Admin,
}

/// What a route needs to do with the athlete's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Comment,
    Edit,
}

impl Relation {
    /// Whether this relation is enough for `need`.
    pub fn allows(self, need: Need) -> bool {
        match self {
            Relation::Owner => true,
            Relation::Coach(level) => match need {
                Need::Read => true,
                Need::Comment => level >= Level::Comment,
                Need::Edit => level >= Level::Edit,
            },
            Relation::Admin => need == Need::Read,
        }
    }

    pub fn is_owner(self) -> bool {
        self == Relation::Owner
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// No relation to the athlete (or no such athlete, plan or session).
    #[error("not found")]
    NotFound,
    /// A relation, too weak for what was asked.
    #[error("your access to this athlete does not allow that")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `actor` is to `athlete_id`; `None` when nothing.
pub async fn relation(
    db: &Db,
    actor: &Actor,
    athlete_id: &str,
) -> Result<Option<Relation>, StoreError> {
    if actor.user_id.is_empty() || athlete_id.is_empty() {
        return Ok(None);
    }
    if actor.user_id == athlete_id {
        return Ok(Some(Relation::Owner));
    }
    if actor.has(Role::Coach) {
        let levels = runcoach_store::coaching::coach_levels(
            db,
            &actor.user_id,
            athlete_id,
            runcoach_store::now_ms(),
        )
        .await?;
        if let Some(level) = levels.iter().filter_map(|l| Level::parse(l)).max() {
            return Ok(Some(Relation::Coach(level)));
        }
    }
    if actor.is_admin() && runcoach_store::coaching::user_exists(db, athlete_id).await? {
        return Ok(Some(Relation::Admin));
    }
    Ok(None)
}

/// The actor's relation to `athlete_id` when it allows `need`.
pub async fn require(
    db: &Db,
    actor: &Actor,
    athlete_id: &str,
    need: Need,
) -> Result<Relation, AccessError> {
    match relation(db, actor, athlete_id).await? {
        None => Err(AccessError::NotFound),
        Some(r) if r.allows(need) => Ok(r),
        Some(_) => Err(AccessError::Forbidden),
    }
}

/// Whose a plan is.
pub async fn plan_athlete(db: &Db, plan_id: &str) -> Result<Option<String>, StoreError> {
    runcoach_store::coaching::plan_athlete(db, plan_id).await
}

/// Whose a planned session is: `(athlete_id, plan_id)`.
pub async fn session_athlete(
    db: &Db,
    session_id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    runcoach_store::coaching::session_athlete(db, session_id).await
}

/// The plan's athlete, when the actor may do `need` with it.
pub async fn require_plan(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
    need: Need,
) -> Result<(String, Relation), AccessError> {
    let athlete = plan_athlete(db, plan_id)
        .await?
        .ok_or(AccessError::NotFound)?;
    let relation = require(db, actor, &athlete, need).await?;
    Ok((athlete, relation))
}

/// The session's athlete and plan, when the actor may do `need` with it.
pub async fn require_session(
    db: &Db,
    actor: &Actor,
    session_id: &str,
    need: Need,
) -> Result<(String, String, Relation), AccessError> {
    let (athlete, plan) = session_athlete(db, session_id)
        .await?
        .ok_or(AccessError::NotFound)?;
    let relation = require(db, actor, &athlete, need).await?;
    Ok((athlete, plan, relation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_and_named_in_snake_case() {
        assert!(Level::View < Level::Comment && Level::Comment < Level::Edit);
        assert_eq!(
            serde_json::to_string(&Level::Comment).unwrap(),
            "\"comment\""
        );
        for l in [Level::View, Level::Comment, Level::Edit] {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
    }

    #[test]
    fn each_relation_allows_exactly_its_needs() {
        use Need::*;
        let cases = [
            (Relation::Owner, [true, true, true]),
            (Relation::Coach(Level::View), [true, false, false]),
            (Relation::Coach(Level::Comment), [true, true, false]),
            (Relation::Coach(Level::Edit), [true, true, true]),
            (Relation::Admin, [true, false, false]),
        ];
        for (relation, allowed) in cases {
            for (need, want) in [Read, Comment, Edit].into_iter().zip(allowed) {
                assert_eq!(relation.allows(need), want, "{relation:?} {need:?}");
            }
        }
    }
}
