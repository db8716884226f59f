//! Plan templates: a coach keeps a plan (or a few weeks of one) and lays
//! it onto an athlete's race, scaled to their paces
//! (`core::plan::template`) and judged by the same guardrails as any plan.

use jiff::civil::Date;
use runcoach_core::guardrails::{self, Violation};
use runcoach_core::plan::template::{self, TemplateError};
use runcoach_core::plan::{Plan, PlanInput, PlanPaces};
use runcoach_core::science::Vdot;
use runcoach_store::templates::{self as store, NewTemplate, StoredTemplate};
use runcoach_store::users;
use runcoach_store::{Db, StoreError, plans};
use serde::{Deserialize, Serialize};

use super::CoachingError;
use super::access::{self, Need};
use crate::Actor;

const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    pub plan_id: String,
    /// Whose plan it is: one of the coach's athletes; the coach's own when
    /// absent.
    pub athlete_id: Option<String>,
    pub name: Option<String>,
    /// The weeks to keep, by the plan's week numbers; all when absent.
    pub from_week: Option<u32>,
    pub to_week: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub race: String,
    pub race_distance_m: u32,
    pub weeks: i64,
    /// Whether its sessions carry pace targets (scaled when applied).
    pub paced: bool,
    pub source_plan_id: Option<String>,
    pub created_at: i64,
}

fn view(t: &StoredTemplate) -> Result<TemplateView, StoreError> {
    let plan = document(t)?;
    Ok(TemplateView {
        id: t.id.clone(),
        name: t.name.clone(),
        race: plan.race.name.clone(),
        race_distance_m: plan.race.distance_m,
        weeks: t.week_count,
        paced: plan.paces.is_some(),
        source_plan_id: t.source_plan_id.clone(),
        created_at: t.created_at,
    })
}

fn document(t: &StoredTemplate) -> Result<Plan, StoreError> {
    serde_json::from_str(&t.document)
        .map_err(|e| StoreError::Corrupt(format!("template {}: {e}", t.id)))
}

fn coach_only(actor: &Actor) -> Result<(), CoachingError> {
    if actor.is_coach() {
        Ok(())
    } else {
        Err(CoachingError::Forbidden(
            "only a coach keeps plan templates",
        ))
    }
}

/// `POST /coach/templates`.
pub async fn create(
    db: &Db,
    actor: &Actor,
    input: &TemplateInput,
    now: i64,
) -> Result<TemplateView, CoachingError> {
    coach_only(actor)?;
    let owner = input.athlete_id.as_deref().unwrap_or(&actor.user_id);
    access::require(db, actor, owner, Need::Read).await?;
    let mut plan = plans::get(db, owner, &input.plan_id)
        .await?
        .ok_or(CoachingError::NotFound)?;
    let first = plan.weeks.first().map_or(1, |w| w.index);
    let last = plan.weeks.last().map_or(1, |w| w.index);
    let from = input.from_week.unwrap_or(first);
    let to = input.to_week.unwrap_or(last);
    if from > to || from < first || to > last {
        return Err(CoachingError::invalid(
            "from_week",
            format!("weeks {first} to {last} of this plan, the first no later than the last"),
        ));
    }
    plan.weeks.retain(|w| (from..=to).contains(&w.index));
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{} · weeks {from}–{to}", plan.race.name));
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(CoachingError::invalid(
            "name",
            format!("one line of at most {MAX_NAME_CHARS} characters"),
        ));
    }
    let doc = serde_json::to_string(&plan)
        .map_err(|e| StoreError::Corrupt(format!("plan does not serialise: {e}")))?;
    let stored = store::insert_template(
        db,
        &NewTemplate {
            coach_id: &actor.user_id,
            name: &name,
            source_plan_id: Some(&input.plan_id),
            week_count: plan.weeks.len() as i64,
            document: &doc,
        },
        now,
    )
    .await?;
    Ok(view(&stored)?)
}

/// `GET /coach/templates`: the coach's, newest first.
pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<TemplateView>, CoachingError> {
    coach_only(actor)?;
    let mut out = Vec::new();
    for t in store::templates_of(db, &actor.user_id).await? {
        out.push(view(&t)?);
    }
    Ok(out)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    pub athlete_id: String,
    /// `YYYY-MM-DD`.
    pub race_date: String,
    /// Save even when the plan breaks training rules.
    #[serde(default)]
    pub accept_warnings: bool,
    /// Show the plan and its violations without saving.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The athlete's new plan; `None` on a dry run.
    pub plan_id: Option<String>,
    pub plan: Plan,
    pub violations: Vec<Violation>,
}

/// The pace ladder the athlete trains at: their newest plan's.
async fn athlete_paces(db: &Db, athlete_id: &str) -> Result<Option<PlanPaces>, StoreError> {
    let Some(latest) = plans::latest(db, athlete_id).await? else {
        return Ok(None);
    };
    Ok(plans::get(db, athlete_id, &latest.id)
        .await?
        .and_then(|p| p.paces)
        .and_then(|p| {
            // Rebuilt from the VDOT, so rounding in the stored ladder or an
            // older pace model never carries over.
            Vdot::new(p.vdot).map(|v| template::plan_paces(v, p.source))
        }))
}

/// `POST /coach/templates/{id}/apply`: the template on the athlete's race,
/// at the athlete's paces, stored as their new plan unless it breaks a
/// rule the coach did not accept. `today` is the athlete's.
pub async fn apply(
    db: &Db,
    actor: &Actor,
    template_id: &str,
    input: &ApplyInput,
    today: Date,
) -> Result<Applied, CoachingError> {
    coach_only(actor)?;
    let stored = store::template_of(db, &actor.user_id, template_id)
        .await?
        .ok_or(CoachingError::NotFound)?;
    access::require(db, actor, &input.athlete_id, Need::Edit).await?;
    if users::by_id(db, &input.athlete_id).await?.is_none() {
        return Err(CoachingError::NotFound);
    }
    let race_date = runcoach_core::dates::parse(&input.race_date)
        .and_then(|d| runcoach_core::dates::within_plan_horizon(d, today).map(|()| d))
        .map_err(|m| CoachingError::invalid("race_date", m))?;
    if race_date <= today {
        return Err(CoachingError::invalid(
            "race_date",
            format!("{race_date} is not after today ({today})"),
        ));
    }
    let source = document(&stored)?;
    let paces = athlete_paces(db, &input.athlete_id).await?;
    let plan = template::apply(&source, race_date, paces.as_ref()).map_err(|e| match e {
        TemplateError::NoPaces => CoachingError::invalid("athlete_id", e.to_string()),
        _ => CoachingError::invalid("race_date", e.to_string()),
    })?;
    let starts = plan.weeks.first().map_or(race_date, |w| w.start);
    if starts < today {
        let shift = template::days_between(starts, today);
        let earliest = race_date
            .checked_add(jiff::Span::new().days(shift))
            .unwrap_or(race_date);
        return Err(CoachingError::invalid(
            "race_date",
            format!(
                "this {}-week template would start on {starts}, before today: choose a race on or after {earliest}",
                stored.week_count
            ),
        ));
    }
    let violations = guardrails::check(&plan);
    if input.dry_run {
        return Ok(Applied {
            plan_id: None,
            plan,
            violations,
        });
    }
    if !violations.is_empty() && !input.accept_warnings {
        return Err(CoachingError::Guardrails(violations));
    }
    let request = PlanInput {
        race: plan.race.name.clone(),
        race_date: race_date.to_string(),
        today: Some(today.to_string()),
        ..PlanInput::default()
    };
    let (plan_id, plan) = plans::insert(db, &input.athlete_id, &request, &plan).await?;
    Ok(Applied {
        plan_id: Some(plan_id),
        plan,
        violations,
    })
}
