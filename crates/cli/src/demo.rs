//! The demo athlete `serve --demo` seeds, so a newcomer sees the product in
//! one command.

use runcoach_core::plan::{PlanInput, RecentInput, build_plan};
use runcoach_store::users::Role;
use runcoach_store::{Db, StoreError, plans, users};

pub const EMAIL: &str = "demo@runcoach.local";
pub const PASSWORD: &str = "demo-password";

/// Creates the demo athlete and a half-marathon plan starting this week;
/// does nothing when the athlete already exists.
pub async fn seed(db: &Db) -> Result<String, StoreError> {
    if users::by_email(db, EMAIL).await?.is_some() {
        return Ok(format!(
            "demo athlete already present: log in as {EMAIL} / {PASSWORD}"
        ));
    }
    let user = users::create(
        db,
        EMAIL,
        "Demo Runner",
        &runcoach_server::password::hash(PASSWORD),
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
    Ok(format!(
        "demo athlete seeded: log in as {EMAIL} / {PASSWORD}"
    ))
}
