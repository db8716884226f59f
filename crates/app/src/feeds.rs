//! Calendar feeds: secret subscription URLs for an athlete's plans.

use runcoach_store::{Db, StoreError, feeds};
use serde::Serialize;

use crate::secrets;

#[derive(Debug, Serialize)]
pub struct CreatedFeed {
    pub id: String,
    /// The secret subscription URL; shown once, only its hash is stored.
    pub url: String,
    pub busy_only: bool,
}

/// Opens a new secret feed for `user_id` under `origin` (the site's
/// address, `https://run.example`); the URL is shown once.
pub async fn open(
    db: &Db,
    user_id: &str,
    origin: &str,
    busy_only: bool,
) -> Result<CreatedFeed, StoreError> {
    let token = secrets::new_secret();
    let id = feeds::create(db, user_id, &secrets::hash(&token), busy_only).await?;
    Ok(CreatedFeed {
        id,
        url: format!("{origin}/feeds/{token}.ics"),
        busy_only,
    })
}
