//! An athlete's grants to coaches, and coaches' invitations that become
//! grants when accepted.

use runcoach_store::coaching::{self as store, Grant};
use runcoach_store::{Db, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{CoachingError, Level};
use crate::Actor;

/// How long an invitation link stays valid.
pub const INVITATION_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// A grant as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantView {
    pub id: String,
    pub coach_id: String,
    pub coach_name: String,
    pub access: Level,
    /// "athlete", "invitation" or "purchase" (a purchase's grant lasts as
    /// long as its entitlement and is not revoked here).
    pub source: String,
    pub created_at: i64,
}

impl GrantView {
    fn of(g: Grant) -> Result<Self, StoreError> {
        Ok(GrantView {
            access: Level::parse(&g.access)
                .ok_or_else(|| StoreError::Corrupt(format!("grant access '{}'", g.access)))?,
            id: g.id,
            coach_id: g.coach_id,
            coach_name: g.coach_name,
            source: g.source,
            created_at: g.created_at,
        })
    }
}

fn level(access: &str) -> Result<Level, CoachingError> {
    Level::parse(access).ok_or_else(|| {
        CoachingError::invalid(
            "access",
            format!("'{access}' is not an access level: use view, comment or edit"),
        )
    })
}

/// The actor's grants (as the athlete), direct and purchased.
pub async fn list(db: &Db, actor: &Actor, now: i64) -> Result<Vec<GrantView>, CoachingError> {
    Ok(store::grants_of(db, &actor.user_id, now)
        .await?
        .into_iter()
        .map(GrantView::of)
        .collect::<Result<_, _>>()?)
}

/// The actor lets `coach_id` in at `access` (or changes the level of the
/// grant that coach already has).
pub async fn grant(
    db: &Db,
    actor: &Actor,
    coach_id: &str,
    access: &str,
) -> Result<GrantView, CoachingError> {
    let access = level(access)?;
    if coach_id == actor.user_id {
        return Err(CoachingError::invalid(
            "coach_id",
            "you cannot grant yourself access to your own data",
        ));
    }
    if !store::is_coach(db, coach_id).await? {
        return Err(CoachingError::invalid(
            "coach_id",
            format!("'{coach_id}' is not a coach's id; GET /api/v1/coaches lists them"),
        ));
    }
    let id = store::upsert_grant(db, &actor.user_id, coach_id, access.as_str(), "athlete").await?;
    one(db, actor, &id).await
}

async fn one(db: &Db, actor: &Actor, id: &str) -> Result<GrantView, CoachingError> {
    let g = store::grant(db, &actor.user_id, id)
        .await?
        .ok_or(CoachingError::NotFound)?;
    Ok(GrantView::of(g)?)
}

/// Changes the level of one of the actor's grants.
pub async fn change(
    db: &Db,
    actor: &Actor,
    id: &str,
    access: &str,
) -> Result<GrantView, CoachingError> {
    let access = level(access)?;
    if !store::set_access(db, &actor.user_id, id, access.as_str()).await? {
        return Err(purchased_or_missing(id));
    }
    one(db, actor, id).await
}

/// Revokes one of the actor's grants, at once.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<(), CoachingError> {
    if !store::revoke(db, &actor.user_id, id).await? {
        return Err(purchased_or_missing(id));
    }
    Ok(())
}

fn purchased_or_missing(id: &str) -> CoachingError {
    if id.starts_with("purchase:") {
        CoachingError::Conflict(
            "purchased_grant",
            "this access comes with a coaching purchase and lasts as long as it does".into(),
        )
    } else {
        CoachingError::NotFound
    }
}

// ------------------------------------------------------------ invitations

/// A new invitation: `id` is its single-use secret (only its hash is
/// stored), `url` the page where the athlete accepts it.
#[derive(Debug, Clone, Serialize)]
pub struct NewInvitation {
    pub id: String,
    pub url: String,
    pub expires_at: i64,
}

fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_secret() -> Result<String, CoachingError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Setup(format!("the OS random source failed: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A coach invites an athlete by e-mail; the coach sends the url.
pub async fn invite(
    db: &Db,
    actor: &Actor,
    email: &str,
    public_url: &str,
    now: i64,
) -> Result<NewInvitation, CoachingError> {
    if !actor.is_coach() {
        return Err(CoachingError::coaches_only());
    }
    let email = runcoach_store::users::normalise_email(email);
    let plausible = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !plausible {
        return Err(CoachingError::invalid(
            "email",
            "an e-mail address like runner@example.com",
        ));
    }
    let secret = new_secret()?;
    let expires_at = now + INVITATION_TTL_MS;
    store::insert_invitation(
        db,
        &secret_hash(&secret),
        &actor.user_id,
        &email,
        expires_at,
    )
    .await?;
    Ok(NewInvitation {
        url: format!(
            "{}/coaching/invitations/{secret}",
            public_url.trim_end_matches('/')
        ),
        id: secret,
        expires_at,
    })
}

/// Who invites, for the page the athlete accepts on; `None` when the
/// secret is unknown, used or expired.
pub async fn pending(
    db: &Db,
    secret: &str,
    now: i64,
) -> Result<Option<store::Invitation>, CoachingError> {
    Ok(store::invitation(db, &secret_hash(secret))
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now))
}

/// The athlete accepts with the access they choose: the grant. A used,
/// expired or unknown invitation is 404 (nothing tells them apart).
pub async fn accept(
    db: &Db,
    actor: &Actor,
    secret: &str,
    access: &str,
    now: i64,
) -> Result<GrantView, CoachingError> {
    let access = level(access)?;
    let hash = secret_hash(secret);
    if let Some(inv) = store::invitation(db, &hash).await?
        && inv.coach_id == actor.user_id
    {
        return Err(CoachingError::invalid(
            "id",
            "this is your own invitation: send the link to your athlete",
        ));
    }
    let (id, _) = store::accept_invitation(db, &hash, &actor.user_id, access.as_str(), now)
        .await?
        .ok_or(CoachingError::NotFound)?;
    one(db, actor, &id).await
}
