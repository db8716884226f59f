//! A new plan: the request checked, the race distance the athlete's to
//! plan (a distance sold as a plan needs it bought), built, stored.

use runcoach_core::plan::feasibility::{self, StretchOption};
use runcoach_core::plan::{FieldError, Plan, PlanInput, build_plan, longest_run};
use runcoach_store::users::User;
use runcoach_store::{Db, StoreError, plans};
use serde::Serialize;

use crate::Actor;
use crate::shop::ShopError;

/// A stored plan: its id beside the plan's own fields.
#[derive(Debug, Serialize)]
pub struct StoredPlan {
    pub id: String,
    #[serde(flatten)]
    pub plan: Plan,
}

/// Why a plan was not made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The request's fields to fix, each named.
    #[error("some fields need fixing")]
    Invalid(Vec<FieldError>),
    /// The shop's answer: a distance sold as a plan and not bought.
    #[error(transparent)]
    Shop(#[from] ShopError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds and stores a plan for `user`, when the race distance is theirs
/// to plan; with it, a stretch goal's options as ready requests (none
/// when it is no stretch).
pub async fn create_plan(
    db: &Db,
    user: &User,
    input: &PlanInput,
) -> Result<(StoredPlan, Vec<StretchOption>), PlanError> {
    // A race already run is refused, and one too far ahead: "today" is the
    // server's clock unless the request names the day itself.
    let today = crate::calendar::today_in(&user.time_zone);
    let dated = PlanInput {
        today: input.today.clone().or_else(|| Some(today.to_string())),
        ..input.clone()
    };
    let request = dated.validate_on(today).map_err(PlanError::Invalid)?;
    crate::shop::plan_access(db, &Actor::of(user), &input.race, runcoach_store::now_ms()).await?;
    let plan = build_plan(&request);
    let options = feasibility::options(input, &request, longest_run(&plan.weeks));
    let (id, plan) = plans::insert(db, &user.id, input, &plan).await?;
    Ok((StoredPlan { id, plan }, options))
}
