//! The catalogue and what it unlocks.

use runcoach_core::plan::FieldError;
use runcoach_core::shop::{ProductKind, normalise_currency};
use runcoach_core::units::Distance;
use runcoach_store::shop::{self as store, Entitlement, NewProduct, Product, ProductPatch};
use runcoach_store::{Db, StoreError};
use serde::Deserialize;

use super::ShopError;
use crate::Actor;

/// A product as an admin submits it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub kind: String,
    pub price_minor: i64,
    pub currency: String,
    #[serde(default)]
    pub races: Vec<String>,
    pub coach_id: Option<String>,
    pub sessions: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price_minor: Option<i64>,
    pub active: Option<bool>,
    pub races: Option<Vec<String>>,
}

fn admin(actor: &Actor) -> Result<(), ShopError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(ShopError::Forbidden)
    }
}

/// Race names as the plan engine reads them (`half`, `marathon`, `50k`…).
fn race_keys(races: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut keys = Vec::new();
    for race in races {
        match race.parse::<Distance>() {
            Ok(d) if !keys.contains(&d.name().to_owned()) => keys.push(d.name().to_owned()),
            Ok(_) => {}
            Err(_) => errors.push(FieldError {
                field: "races",
                message: format!("'{race}' is not a race distance (e.g. 5k, 10k, half, marathon)"),
            }),
        }
    }
    keys
}

pub async fn create_product(
    db: &Db,
    actor: &Actor,
    input: ProductInput,
    now: i64,
) -> Result<Product, ShopError> {
    admin(actor)?;
    let mut errors = Vec::new();
    let mut bad = |field: &'static str, message: &str| {
        errors.push(FieldError {
            field,
            message: message.to_owned(),
        })
    };
    let slug_ok = (3..=64).contains(&input.slug.len())
        && input
            .slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        bad("slug", "3 to 64 lower-case letters, digits and hyphens");
    }
    if input.name.trim().is_empty() || input.name.len() > 120 {
        bad("name", "a name of 1 to 120 characters");
    }
    if input.description.len() > 4000 {
        bad("description", "at most 4000 characters");
    }
    let kind = ProductKind::parse(&input.kind);
    if kind.is_none() {
        bad(
            "kind",
            "training_plan, coaching_subscription or coaching_package",
        );
    }
    if !(0..=100_000_000).contains(&input.price_minor) {
        bad("price_minor", "a price in minor units (cents), 0 or more");
    }
    let currency = normalise_currency(&input.currency);
    if currency.is_none() {
        bad("currency", "a three-letter currency code, e.g. USD");
    }
    if kind == Some(ProductKind::TrainingPlan) && input.races.is_empty() {
        bad("races", "name the race distance(s) this plan unlocks");
    }
    if kind == Some(ProductKind::CoachingPackage)
        && !input.sessions.is_some_and(|s| (1..=100).contains(&s))
    {
        bad("sessions", "the number of in-person sessions, 1 to 100");
    }
    let races = race_keys(&input.races, &mut errors);
    let (Some(kind), Some(currency), true) = (kind, currency, errors.is_empty()) else {
        return Err(ShopError::Invalid(errors));
    };
    let mut tx = db.begin().await?;
    let product = store::insert_product(
        &mut tx,
        &NewProduct {
            slug: input.slug,
            name: input.name.trim().to_owned(),
            description: input.description,
            kind,
            price_minor: input.price_minor,
            currency,
            races,
            coach_id: input.coach_id,
            sessions: input.sessions,
        },
        now,
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict => {
            ShopError::Conflict("slug_taken", "another product has this slug".into())
        }
        e => e.into(),
    })?;
    tx.commit().await?;
    Ok(product)
}

pub async fn update_product(
    db: &Db,
    actor: &Actor,
    id: &str,
    update: ProductUpdate,
) -> Result<Product, ShopError> {
    admin(actor)?;
    let mut errors = Vec::new();
    if update
        .price_minor
        .is_some_and(|p| !(0..=100_000_000).contains(&p))
    {
        errors.push(FieldError {
            field: "price_minor",
            message: "a price in minor units (cents), 0 or more".into(),
        });
    }
    let races = update.races.as_ref().map(|r| race_keys(r, &mut errors));
    if !errors.is_empty() {
        return Err(ShopError::Invalid(errors));
    }
    let mut tx = db.begin().await?;
    let patch = ProductPatch {
        name: update.name,
        description: update.description,
        price_minor: update.price_minor,
        active: update.active,
        races,
    };
    let product = store::update_product(&mut tx, id, &patch)
        .await?
        .ok_or(ShopError::NotFound)?;
    tx.commit().await?;
    Ok(product)
}

/// The catalogue as the public sees it (active products), or all of it for
/// an admin.
pub async fn products(db: &Db, actor: Option<&Actor>) -> Result<Vec<Product>, ShopError> {
    Ok(store::products(db, actor.is_some_and(Actor::is_admin)).await?)
}

/// An active product by its slug (the store's pages).
pub async fn product(db: &Db, slug: &str) -> Result<Product, ShopError> {
    store::product_by_slug(db, slug)
        .await?
        .filter(|p| p.active)
        .ok_or(ShopError::NotFound)
}

/// Every product ever sold, retired ones included: what an old order's
/// lines are called.
pub async fn product_names(db: &Db) -> Result<Vec<Product>, ShopError> {
    Ok(store::products(db, true).await?)
}

/// What the actor has bought.
pub async fn entitlements(db: &Db, actor: &Actor, now: i64) -> Result<Vec<Entitlement>, ShopError> {
    Ok(store::entitlements(db, &actor.user_id, now).await?)
}

/// Whether the actor may plan for `race`: a distance that an active
/// training-plan product unlocks needs that product; a distance nothing
/// sells is free (so an instance with no catalogue never shows a paywall);
/// coaches and admins are never asked to pay.
pub async fn plan_access(db: &Db, actor: &Actor, race: &str, now: i64) -> Result<(), ShopError> {
    if actor.is_staff() {
        return Ok(());
    }
    let Ok(distance) = race.parse::<Distance>() else {
        return Ok(()); // the plan request's own validation names the problem
    };
    let for_sale: Vec<Product> = store::products(db, false)
        .await?
        .into_iter()
        .filter(|p| {
            p.kind == ProductKind::TrainingPlan && p.races.iter().any(|r| r == distance.name())
        })
        .collect();
    if for_sale.is_empty() {
        return Ok(());
    }
    let owned = store::entitlements(db, &actor.user_id, now)
        .await?
        .into_iter()
        .any(|e| e.active && e.races.iter().any(|r| r == distance.name()));
    if owned {
        Ok(())
    } else {
        Err(ShopError::EntitlementRequired(for_sale))
    }
}
