//! Who an account is in the product: its roles as a set. The stored set
//! (`user_roles`) plus what it has become elsewhere: an approved affiliate
//! is an affiliate too, whatever else they are.

pub mod email;
pub mod password;
pub mod schedule;
mod signup;

pub use signup::*;

use runcoach_store::users::Role;
use runcoach_store::{Db, StoreError};

use crate::Actor;

/// The actor's roles, each once, in a fixed order.
pub async fn roles(db: &Db, actor: &Actor) -> Result<Vec<Role>, StoreError> {
    let affiliate = match crate::affiliates::mine(db, actor).await {
        Ok(found) => found.is_some_and(|a| a.status == "approved"),
        Err(crate::affiliates::AffiliateError::Store(e)) => return Err(e),
        Err(_) => false,
    };
    Ok(Role::ALL
        .into_iter()
        .filter(|r| actor.has(*r) || (affiliate && *r == Role::Affiliate))
        .collect())
}
