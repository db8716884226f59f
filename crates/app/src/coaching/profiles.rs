//! A coach's public profile and the list athletes choose from.

use runcoach_store::Db;
use serde::{Deserialize, Serialize};

use super::CoachingError;
use crate::Actor;

/// Longest bio, in characters.
pub const BIO_MAX: usize = 2000;
/// At most this many specialities, each at most 60 characters.
pub const SPECIALITIES_MAX: usize = 12;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    #[serde(default)]
    pub bio: String,
    #[serde(default)]
    pub specialities: Vec<String>,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub in_person_location: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coach {
    pub id: String,
    pub name: String,
    pub bio: String,
    pub specialities: Vec<String>,
    pub online: bool,
    pub in_person_location: Option<String>,
}

/// Writes the actor's own profile; coaches only.
pub async fn put(db: &Db, actor: &Actor, input: &ProfileInput) -> Result<Coach, CoachingError> {
    if !actor.is_coach() {
        return Err(CoachingError::coaches_only());
    }
    let mut fields = Vec::new();
    let bio = input.bio.trim();
    if bio.chars().count() > BIO_MAX {
        fields.push(("bio", format!("at most {BIO_MAX} characters")));
    }
    let specialities: Vec<String> = input
        .specialities
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    if specialities.len() > SPECIALITIES_MAX || specialities.iter().any(|s| s.chars().count() > 60)
    {
        fields.push((
            "specialities",
            format!("at most {SPECIALITIES_MAX} specialities of at most 60 characters each"),
        ));
    }
    let location = input
        .in_person_location
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    if location.chars().count() > 200 {
        fields.push(("in_person_location", "at most 200 characters".into()));
    }
    if !fields.is_empty() {
        return Err(CoachingError::Invalid(
            fields
                .into_iter()
                .map(|(field, message)| runcoach_core::plan::FieldError { field, message })
                .collect(),
        ));
    }
    let json = serde_json::to_string(&specialities).unwrap_or_else(|_| "[]".into());
    runcoach_store::coaching::put_profile(db, &actor.user_id, bio, &json, input.online, location)
        .await?;
    list(db)
        .await?
        .into_iter()
        .find(|c| c.id == actor.user_id)
        .ok_or(CoachingError::NotFound)
}

/// Every coach, by name.
pub async fn list(db: &Db) -> Result<Vec<Coach>, CoachingError> {
    Ok(runcoach_store::coaching::coaches(db)
        .await?
        .into_iter()
        .map(|r| Coach {
            id: r.id,
            name: r.name,
            bio: r.bio.unwrap_or_default(),
            specialities: r
                .specialities
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default(),
            online: r.online.unwrap_or(0) != 0,
            in_person_location: r.in_person_location.filter(|l| !l.is_empty()),
        })
        .collect())
}
