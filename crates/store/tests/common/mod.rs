//! Fixtures shared by the store's integration tests.

use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_store::users::Role;
use runcoach_store::{Db, plans, users};

fn input() -> PlanInput {
    PlanInput {
        race: "10k".into(),
        race_date: "2027-03-28".into(),
        weeks: Some(8),
        run_days: ["tue", "thu", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "first-timer".into(),
        weekly_km: 15.0,
        strength_days: 2,
        ..Default::default()
    }
}

pub async fn user(db: &Db, email: &str) -> String {
    users::create(db, email, "Runner", "hash", Role::Athlete)
        .await
        .unwrap()
        .id
}

/// A stored plan's id and its session ids in plan order.
pub async fn plan(db: &Db, user_id: &str) -> (String, Vec<String>) {
    let request = input().validate().unwrap();
    let (id, stored) = plans::insert(db, user_id, &input(), &build_plan(&request))
        .await
        .unwrap();
    let ids = stored
        .weeks
        .iter()
        .flat_map(|w| &w.days)
        .flat_map(|d| &d.sessions)
        .map(|s| s.id.clone().unwrap())
        .collect();
    (id, ids)
}
