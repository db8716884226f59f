//! Comments on sessions and weeks, both directions between an athlete and
//! their coaches: writing needs `comment` access (or the athlete's own
//! training), reading needs any relation, and reading marks read.

use runcoach_core::coaching::comment_body;
use runcoach_store::comments::{self as store, Comment, On};
use runcoach_store::{Db, StoreError};
use serde::Serialize;

use super::CoachingError;
use super::access::{self, Need};
use crate::Actor;

/// What a comment is on.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Session(&'a str),
    Week { plan_id: &'a str, index: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Author {
    pub id: String,
    pub name: String,
    /// "athlete" for the athlete whose training it is, "coach" otherwise.
    pub role: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentView {
    pub id: String,
    pub author: Author,
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub athlete_id: String,
    pub plan_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub week: Option<i64>,
}

impl From<Comment> for CommentView {
    fn from(c: Comment) -> Self {
        CommentView {
            author: Author {
                role: if c.author_id == c.athlete_id {
                    "athlete"
                } else {
                    "coach"
                },
                id: c.author_id,
                name: c.author_name,
            },
            created_at: jiff::Timestamp::from_millisecond(c.created_at)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            id: c.id,
            body: c.body,
            athlete_id: c.athlete_id,
            plan_id: c.plan_id,
            session_id: c.session_id,
            week: c.week_index,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unread {
    pub count: i64,
    pub items: Vec<CommentView>,
}

/// The athlete and plan a target belongs to, when the actor may `need`.
async fn resolve<'a>(
    db: &Db,
    actor: &Actor,
    target: Target<'a>,
    need: Need,
) -> Result<(String, String, On<'a>), CoachingError> {
    match target {
        Target::Session(id) => {
            let (athlete, plan, _) = access::require_session(db, actor, id, need).await?;
            Ok((athlete, plan, On::Session(id)))
        }
        Target::Week { plan_id, index } => {
            let (athlete, _) = access::require_plan(db, actor, plan_id, need).await?;
            if !store::week_exists(db, plan_id, index).await? {
                return Err(CoachingError::NotFound);
            }
            Ok((athlete, plan_id.to_owned(), On::Week(index)))
        }
    }
}

pub async fn post(
    db: &Db,
    actor: &Actor,
    target: Target<'_>,
    body: &str,
) -> Result<CommentView, CoachingError> {
    let (athlete, plan, on) = resolve(db, actor, target, Need::Comment).await?;
    let body = comment_body(body).map_err(|m| CoachingError::invalid("body", m))?;
    let comment = store::insert(db, &athlete, &plan, on, &actor.user_id, &body)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => CoachingError::invalid("body", "too long"),
            e => e.into(),
        })?;
    Ok(comment.into())
}

/// The target's comments, oldest first; they are read by the actor now.
pub async fn read(
    db: &Db,
    actor: &Actor,
    target: Target<'_>,
) -> Result<Vec<CommentView>, CoachingError> {
    let (athlete, plan, on) = resolve(db, actor, target, Need::Read).await?;
    Ok(store::read(db, &athlete, &plan, on, &actor.user_id)
        .await?
        .into_iter()
        .map(CommentView::from)
        .collect())
}

/// Every comment on a plan (its sessions and weeks), oldest first, read
/// by the actor now: one access check for a page of sessions.
pub async fn read_plan(
    db: &Db,
    actor: &Actor,
    plan_id: &str,
) -> Result<Vec<CommentView>, CoachingError> {
    let (athlete, _) = access::require_plan(db, actor, plan_id, Need::Read).await?;
    Ok(store::read_plan(db, &athlete, plan_id, &actor.user_id)
        .await?
        .into_iter()
        .map(CommentView::from)
        .collect())
}

/// What others wrote that the actor has not read: the count and the
/// newest 50.
pub async fn unread(db: &Db, actor: &Actor, now: i64) -> Result<Unread, CoachingError> {
    let (count, items) = store::unread(db, &actor.user_id, now, 50).await?;
    Ok(Unread {
        count,
        items: items.into_iter().map(CommentView::from).collect(),
    })
}
