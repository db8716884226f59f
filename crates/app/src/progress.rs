//! Progress: weekly volume planned against done, training load and its
//! ratios, fitness/fatigue/form, pain, strength adherence and the race
//! prediction over time. One pass over the daily load series (core::load).
//! The API and the progress page render it.

use std::collections::BTreeMap;

use jiff::ToSpan;
use jiff::civil::Date;
use runcoach_core::load::{
    ActivityKind, LogStatus, LoggedSession, PainLocation, compliance, report,
};
use runcoach_core::plan::{Plan, SessionKind};
use runcoach_core::science::{RaceResult, equivalent_time};
use runcoach_core::units::{Distance, RaceTime};
use runcoach_store::{Db, StoreError, plans};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ProgressWeek {
    pub start: Date,
    pub planned_km: f64,
    pub done_km: f64,
    pub load: f64,
    pub acwr: Option<f64>,
    pub acwr_ewma: Option<f64>,
    pub monotony: Option<f64>,
    pub strain: Option<f64>,
    pub compliance: Option<f64>,
    pub strength_planned: u32,
    pub strength_done: u32,
}

#[derive(Debug, Serialize)]
pub struct FitnessPoint {
    pub date: Date,
    pub fitness: f64,
    pub fatigue: f64,
    pub form: f64,
}

#[derive(Debug, Serialize)]
pub struct PredictionPoint {
    pub date: Date,
    pub source: String,
    pub vdot: f64,
    pub race: String,
    pub predicted_s: u32,
}

#[derive(Debug, Serialize)]
pub struct PainPoint {
    pub date: Date,
    pub location: PainLocation,
    pub score: u8,
}

#[derive(Debug, Serialize)]
pub struct Progress {
    pub weeks: Vec<ProgressWeek>,
    pub fitness: Vec<FitnessPoint>,
    pub prediction: Vec<PredictionPoint>,
    pub pain: Vec<PainPoint>,
}

/// The most weeks one request covers: ten years.
pub const MAX_WEEKS: u32 = 520;

fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

fn race_prediction(
    plan: &Plan,
    date: Date,
    source: String,
    vdot: runcoach_core::science::Vdot,
) -> Option<PredictionPoint> {
    let race = Distance::from_metres(f64::from(plan.race.distance_m))?;
    Some(PredictionPoint {
        date,
        source,
        vdot: round(vdot.value(), 1),
        race: plan.race.name.clone(),
        predicted_s: equivalent_time(vdot, &race).seconds().round() as u32,
    })
}

/// The progress of the last `n` weeks up to `today`, weeks aligned with the
/// newest plan's weeks (or Mondays without a plan).
pub async fn progress(db: &Db, user_id: &str, n: u32, today: Date) -> Result<Progress, StoreError> {
    let plan = match plans::latest_id(db, user_id).await? {
        Some(id) => crate::plans::standing(db, user_id, &id).await?,
        None => None,
    };
    let anchor = plan
        .as_ref()
        .and_then(|p| p.weeks.first().map(|w| w.start))
        .unwrap_or(jiff::civil::date(2024, 1, 1));
    let offset = (today - anchor).get_days().rem_euclid(7);
    // Saturating: `today` and the plan are bounded on input, but rows stored
    // before that bound must not panic the page.
    let last = today.saturating_sub(i64::from(offset).days());
    let first = last.saturating_sub((7 * (i64::from(n) - 1)).days());
    let history = first.saturating_sub(28.days());
    let end = last.saturating_add(6.days());
    let entries = crate::log::activity_log(db, user_id, history, end).await?;
    let logged: Vec<&LoggedSession> = entries.iter().collect();
    let load = report(logged.iter().copied(), history, end);
    let plan_weeks: BTreeMap<Date, &runcoach_core::plan::Week> = plan
        .iter()
        .flat_map(|p| &p.weeks)
        .map(|w| (w.start, w))
        .collect();
    let owned: Vec<LoggedSession> = logged.iter().map(|l| (*l).clone()).collect();
    let weeks = load
        .weeks
        .iter()
        .filter(|w| w.start >= first)
        .map(|w| {
            let in_week = |d: Date| d >= w.start && d < w.start.saturating_add(7.days());
            let done_km: f64 = logged
                .iter()
                .filter(|l| in_week(l.date) && l.kind.is_run() && l.status != LogStatus::Skipped)
                .map(|l| l.run_km())
                .sum();
            let planned = plan_weeks.get(&w.start);
            let c = planned.map(|pw| compliance(pw, &owned));
            ProgressWeek {
                start: w.start,
                planned_km: round(planned.map_or(0.0, |pw| pw.run_km), 1),
                done_km: round(done_km, 1),
                load: round(w.load, 0),
                acwr: w.acwr.map(|x| round(x, 2)),
                acwr_ewma: w.acwr_ewma.map(|x| round(x, 2)),
                monotony: w.monotony.map(|x| round(x, 2)),
                strain: w.strain.map(|x| round(x, 0)),
                compliance: c.and_then(|c| c.compliance).map(|x| round(x, 2)),
                strength_planned: planned.map_or(0, |pw| {
                    pw.sessions()
                        .filter(|(_, s)| s.kind == SessionKind::Strength)
                        .count() as u32
                }),
                strength_done: logged
                    .iter()
                    .filter(|l| {
                        in_week(l.date)
                            && l.kind == ActivityKind::Strength
                            && l.status != LogStatus::Skipped
                    })
                    .count() as u32,
            }
        })
        .collect();
    let fitness = load
        .days
        .iter()
        .filter(|d| d.date >= first && d.date <= today)
        .map(|d| FitnessPoint {
            date: d.date,
            fitness: round(d.fitness, 1),
            fatigue: round(d.fatigue, 1),
            form: round(d.form, 1),
        })
        .collect();
    let mut prediction = Vec::new();
    if let Some(p) = &plan {
        if let (Some(paces), Some(w)) = (&p.paces, p.weeks.first())
            && let Some(v) = runcoach_core::science::Vdot::new(paces.vdot)
        {
            // The race session's own time, so this page and the race day
            // give the same figure (paces.vdot is rounded to 0.1).
            let planned = p
                .weeks
                .iter()
                .flat_map(|w| w.sessions())
                .find(|(_, s)| s.kind == runcoach_core::plan::SessionKind::Race)
                .and_then(|(_, s)| s.duration_s);
            prediction.extend(race_prediction(p, w.start, paces.source.clone(), v).map(
                |mut point| {
                    point.predicted_s = planned.unwrap_or(point.predicted_s);
                    point
                },
            ));
        }
        for l in logged
            .iter()
            .filter(|l| l.kind == ActivityKind::Race && l.status == LogStatus::Done)
        {
            let result = Distance::from_metres(f64::from(l.distance_m))
                .zip(RaceTime::from_seconds(f64::from(l.duration_s)))
                .and_then(|(d, t)| RaceResult::new(d, t).ok());
            if let Some(r) = result {
                prediction.extend(race_prediction(
                    p,
                    l.date,
                    format!("{} in {}", r.distance(), r.time()),
                    r.vdot(),
                ));
            }
        }
    }
    let pain = logged
        .iter()
        .filter(|l| l.date >= first)
        .flat_map(|l| {
            l.pain.iter().filter(|p| p.score > 0).map(|p| PainPoint {
                date: l.date,
                location: p.location,
                score: p.score,
            })
        })
        .collect();
    Ok(Progress {
        weeks,
        fitness,
        prediction,
        pain,
    })
}
