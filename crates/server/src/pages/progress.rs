//! The progress page: six server-rendered SVG charts from the same numbers
//! `/api/v1/progress` serves.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use runcoach_core::units::format_clock;

use super::charts::{Chart, Guide, Series};
use super::log::PAIN_LOCATIONS;
use super::{Nav, render, view};
use crate::AppState;
use crate::api::progress::{MAX_WEEKS, Progress, progress};
use crate::auth::PageUser;
use crate::error::ApiError;
use crate::training;

pub struct Figure {
    pub svg: String,
    pub legend: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct Page {
    nav: Nav,
    weeks: u32,
    figures: Vec<(String, Figure)>,
    empty: bool,
}

fn figure(chart: &Chart, note: String) -> Figure {
    Figure {
        svg: chart.render(),
        legend: chart.legend(),
        note,
    }
}

/// The six charts for a progress report, in the athlete's units.
pub fn figures(p: &Progress, units: runcoach_core::units::Units) -> Vec<(String, Figure)> {
    let week_labels: Vec<String> = p
        .weeks
        .iter()
        .map(|w| w.start.strftime("%-d %b").to_string())
        .collect();
    let per = units.km();
    let u = units.label();
    let volume = Chart {
        id: "volume",
        title: "Weekly running: planned and done",
        desc: format!(
            "Planned against done {u} for {} weeks; last week {:.1} planned, {:.1} done.",
            p.weeks.len(),
            p.weeks.last().map_or(0.0, |w| w.planned_km / per),
            p.weeks.last().map_or(0.0, |w| w.done_km / per)
        ),
        labels: week_labels.clone(),
        series: vec![
            Series {
                name: "planned",
                class: "c-planned",
                values: p.weeks.iter().map(|w| Some(w.planned_km / per)).collect(),
                bars: true,
            },
            Series {
                name: "done",
                class: "c-done",
                values: p.weeks.iter().map(|w| Some(w.done_km / per)).collect(),
                bars: true,
            },
        ],
        guides: vec![],
        unit: if units == runcoach_core::units::Units::Mi {
            " mi"
        } else {
            " km"
        },
    };
    let load = Chart {
        id: "load",
        title: "Weekly training load (RPE × minutes)",
        desc: format!(
            "Session-RPE load per week; monotony and strain are in the API. Last week {:.0}.",
            p.weeks.last().map_or(0.0, |w| w.load)
        ),
        labels: week_labels.clone(),
        series: vec![Series {
            name: "load",
            class: "c-load",
            values: p.weeks.iter().map(|w| Some(w.load)).collect(),
            bars: true,
        }],
        guides: vec![],
        unit: "",
    };
    let acwr = Chart {
        id: "acwr",
        title: "Acute:chronic workload ratio",
        desc: "Rolling 7/28-day ACWR at each week's end, with the 0.8–1.3 band and the 1.5 line above which the plan eases off.".into(),
        labels: week_labels.clone(),
        series: vec![
            Series { name: "ACWR (rolling)", class: "c-acwr", values: p.weeks.iter().map(|w| w.acwr).collect(), bars: false },
            Series { name: "ACWR (EWMA)", class: "c-ewma", values: p.weeks.iter().map(|w| w.acwr_ewma).collect(), bars: false },
        ],
        guides: vec![Guide { label: "0.8–1.3", from: 0.8, to: 1.3 }, Guide { label: "1.5", from: 1.5, to: 1.5 }],
        unit: "",
    };
    let day_labels: Vec<String> = p
        .fitness
        .iter()
        .map(|d| d.date.strftime("%-d %b").to_string())
        .collect();
    let fitness = Chart {
        id: "fitness",
        title: "Fitness, fatigue and form",
        desc: format!(
            "42-day (fitness) and 7-day (fatigue) weighted load; form is fitness minus fatigue. Today: fitness {:.0}, fatigue {:.0}, form {:.0}.",
            p.fitness.last().map_or(0.0, |d| d.fitness),
            p.fitness.last().map_or(0.0, |d| d.fatigue),
            p.fitness.last().map_or(0.0, |d| d.form)
        ),
        labels: day_labels,
        series: vec![
            Series {
                name: "fitness",
                class: "c-fitness",
                values: p.fitness.iter().map(|d| Some(d.fitness)).collect(),
                bars: false,
            },
            Series {
                name: "fatigue",
                class: "c-fatigue",
                values: p.fitness.iter().map(|d| Some(d.fatigue)).collect(),
                bars: false,
            },
            Series {
                name: "form",
                class: "c-form",
                values: p.fitness.iter().map(|d| Some(d.form)).collect(),
                bars: false,
            },
        ],
        guides: vec![],
        unit: "",
    };
    // Pain: the week's highest score per location that hurt at all.
    let mut pain_series = Vec::new();
    for (_, label, location) in PAIN_LOCATIONS {
        let values: Vec<Option<f64>> = p
            .weeks
            .iter()
            .map(|w| {
                p.pain
                    .iter()
                    .filter(|x| {
                        x.location == location
                            && x.date >= w.start
                            && x.date < w.start.saturating_add(jiff::Span::new().days(7))
                    })
                    .map(|x| f64::from(x.score))
                    .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
            })
            .collect();
        if values.iter().any(Option::is_some) {
            pain_series.push(Series {
                name: label,
                class: "c-pain",
                values,
                bars: true,
            });
        }
    }
    let pain_desc = if pain_series.is_empty() {
        "No pain logged in these weeks.".to_owned()
    } else {
        format!(
            "Highest weekly pain score (0–10) at: {}.",
            pain_series
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let pain = Chart {
        id: "pain",
        title: "Pain by week",
        desc: pain_desc,
        labels: week_labels.clone(),
        series: pain_series,
        guides: vec![Guide {
            label: "4: plan eases",
            from: 4.0,
            to: 4.0,
        }],
        unit: "/10",
    };
    let strength = Chart {
        id: "strength",
        title: "Hip strength sessions: planned and done",
        desc: format!(
            "{} of {} planned hip sessions logged over these weeks.",
            p.weeks.iter().map(|w| w.strength_done).sum::<u32>(),
            p.weeks.iter().map(|w| w.strength_planned).sum::<u32>()
        ),
        labels: week_labels,
        series: vec![
            Series {
                name: "planned",
                class: "c-planned",
                values: p
                    .weeks
                    .iter()
                    .map(|w| Some(f64::from(w.strength_planned)))
                    .collect(),
                bars: true,
            },
            Series {
                name: "done",
                class: "c-strength",
                values: p
                    .weeks
                    .iter()
                    .map(|w| Some(f64::from(w.strength_done)))
                    .collect(),
                bars: true,
            },
        ],
        guides: vec![],
        unit: "",
    };
    let prediction = Chart {
        id: "prediction",
        title: "Predicted race time (minutes)",
        desc: p.prediction.last().map_or(
            "No race result yet: log a race to see a prediction.".to_owned(),
            |x| {
                format!(
                    "Latest: {} for the {} from {}.",
                    format_clock(f64::from(x.predicted_s)),
                    x.race,
                    x.source
                )
            },
        ),
        labels: p
            .prediction
            .iter()
            .map(|x| x.date.strftime("%-d %b").to_string())
            .collect(),
        series: vec![Series {
            name: "prediction",
            class: "c-prediction",
            values: p
                .prediction
                .iter()
                .map(|x| Some(f64::from(x.predicted_s) / 60.0))
                .collect(),
            bars: p.prediction.len() < 2,
        }],
        guides: vec![],
        unit: " min",
    };
    vec![
        ("Volume".into(), figure(&volume, String::new())),
        ("Load".into(), figure(&load, String::new())),
        (
            "Load ratio".into(),
            figure(
                &acwr,
                "Above 1.5 the next week is lowered automatically.".into(),
            ),
        ),
        ("Fitness".into(), figure(&fitness, String::new())),
        (
            "Pain".into(),
            figure(
                &pain,
                "Pain of 4 or more, or the same pain on two days, eases the next week.".into(),
            ),
        ),
        ("Hip strength".into(), figure(&strength, String::new())),
        ("Race prediction".into(), figure(&prediction, String::new())),
    ]
}

pub async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let weeks = q
        .get("weeks")
        .and_then(|w| w.parse().ok())
        .filter(|w| (1..=MAX_WEEKS).contains(w))
        .unwrap_or(12);
    let p = progress(
        &state.db,
        &user.0.user.id,
        weeks,
        training::today_in(&user.0.user.time_zone),
    )
    .await?;
    let units = view::units_of(&user.0.user.units);
    let empty = p.weeks.iter().all(|w| w.done_km == 0.0 && w.load == 0.0);
    Ok(render(&Page {
        nav: Nav::page(&user),
        weeks,
        figures: figures(&p, units),
        empty,
    }))
}
