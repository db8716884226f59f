//! The demo athlete `serve --demo` seeds, so a newcomer sees the product in
//! one command.

use runcoach_core::plan::{PlanInput, RecentInput, build_plan};
use runcoach_store::users::Role;
use runcoach_store::{Db, StoreError, plans, users};

pub const EMAIL: &str = "demo@runcoach.local";
pub const PASSWORD: &str = "demo-password";
/// The demo shop's admin (same password): products, coupons, orders.
pub const ADMIN_EMAIL: &str = "admin@runcoach.local";

/// Creates the demo athlete and a half-marathon plan starting this week;
/// does nothing when the athlete already exists.
pub async fn seed(db: &Db) -> Result<String, StoreError> {
    if users::by_email(db, EMAIL).await?.is_some() {
        return Ok(format!("demo athlete already present: log in as {EMAIL}"));
    }
    let user = users::create(
        db,
        EMAIL,
        "Demo Runner",
        &runcoach_app::accounts::password::hash(PASSWORD),
        Role::Athlete,
    )
    .await?;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let monday = today - jiff::Span::new().days(i64::from(today.weekday().to_monday_zero_offset()));
    let race = monday + jiff::Span::new().days(14 * 7 - 1);
    let input = PlanInput {
        race: "half".into(),
        race_date: race.to_string(),
        start: Some(monday.to_string()),
        weeks: None,
        run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "first-timer".into(),
        weekly_km: 22.0,
        longest_run_km: Some(9.0),
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "55:00".into(),
        }),
        strength_days: 2,
        new_to_strength: true,
        equipment: vec!["band".into()],
        niggles: vec!["knee".into()],
        units: None,
        ..Default::default()
    };
    let request = input
        .validate()
        .map_err(|e| StoreError::Setup(format!("{e:?}")))?;
    plans::insert(db, &user.id, &input, &build_plan(&request)).await?;
    users::create(
        db,
        ADMIN_EMAIL,
        "Demo Admin",
        &runcoach_app::accounts::password::hash(PASSWORD),
        Role::Admin,
    )
    .await?;
    seed_shop(db, &user).await?;
    // The password is in the README, never in the logs: logs are shipped
    // and kept where passwords must not be.
    Ok(format!("demo athlete seeded: log in as {EMAIL}"))
}

/// slug, name, kind, price in cents, races unlocked, in-person sessions.
type Listing = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [&'static str],
    Option<i64>,
);

/// A realistic catalogue (four race plans, a bundle, monthly online
/// coaching, an in-person package) and the RUN10 offer: 10% off training
/// plans for 90 days, once per athlete. The demo athlete owns every plan,
/// so paid distances are for sale to everyone else who signs up.
async fn seed_shop(db: &Db, demo: &users::User) -> Result<(), StoreError> {
    use runcoach_app::Actor;
    use runcoach_app::shop::{self, CartItem, CouponInput, OrderRequest, ProductInput, ShopConfig};
    let fail = |e: shop::ShopError| StoreError::Setup(format!("demo shop: {e}"));
    let now = runcoach_store::now_ms();
    let operator = Actor::operator();
    let catalogue: [Listing; 7] = [
        ("5k-plan", "5K plan", "training_plan", 1985, &["5k"], None),
        (
            "10k-plan",
            "10K plan",
            "training_plan",
            2485,
            &["10k"],
            None,
        ),
        (
            "half-marathon-plan",
            "Half-marathon plan",
            "training_plan",
            2985,
            &["half"],
            None,
        ),
        (
            "marathon-plan",
            "Marathon plan",
            "training_plan",
            3485,
            &["marathon"],
            None,
        ),
        (
            "all-race-plans",
            "All four race plans",
            "training_plan",
            7900,
            &["5k", "10k", "half", "marathon"],
            None,
        ),
        (
            "online-coaching",
            "Online coaching",
            "coaching_subscription",
            9900,
            &[],
            None,
        ),
        (
            "in-person-4",
            "Four in-person sessions",
            "coaching_package",
            24000,
            &[],
            Some(4),
        ),
    ];
    let mut bundle = String::new();
    for (slug, name, kind, price, races, sessions) in catalogue {
        let p = shop::create_product(
            db,
            &operator,
            ProductInput {
                slug: slug.into(),
                name: name.into(),
                description: String::new(),
                kind: kind.into(),
                price_minor: price,
                currency: "USD".into(),
                races: races.iter().map(|r| (*r).to_owned()).collect(),
                coach_id: None,
                sessions,
            },
            now,
        )
        .await
        .map_err(fail)?;
        if slug == "all-race-plans" {
            bundle = p.id;
        }
    }
    let expires = jiff::Timestamp::from_millisecond(now + 90 * 24 * 3600 * 1000)
        .map_err(|e| StoreError::Setup(e.to_string()))?;
    shop::create_coupon(
        db,
        &operator,
        CouponInput {
            code: "RUN10".into(),
            percent_off_bps: Some(1000),
            amount_off_minor: None,
            currency: None,
            starts_at: None,
            expires_at: expires.to_string(),
            max_redemptions: None,
            per_athlete_limit: Some(1),
            min_subtotal_minor: None,
            first_order_only: false,
            applies_to: vec!["training_plan".into()],
            athlete_id: None,
            affiliate_id: None,
            active: true,
        },
        now,
    )
    .await
    .map_err(fail)?;
    let order = shop::place_order(
        db,
        &ShopConfig::default(),
        &Actor::of(demo),
        &OrderRequest {
            items: vec![CartItem {
                product_id: bundle,
                quantity: 1,
            }],
            coupon: None,
            expected_total_minor: None,
        },
        now,
    )
    .await
    .map_err(fail)?;
    shop::mark_paid(db, &operator, &order.id, now)
        .await
        .map_err(fail)?;
    Ok(())
}
