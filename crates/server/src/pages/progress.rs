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
use crate::auth::PageUser;
use crate::error::ApiError;
use runcoach_app::progress::{MAX_WEEKS, Progress, progress};

pub struct Figure {
    pub svg: String,
    pub legend: String,
    pub note: String,
    /// Said instead of the chart while there is nothing to draw: what will
    /// appear and when.
    pub empty: String,
    /// Plain names with one line each, behind a tap.
    pub terms: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct Page {
    nav: Nav,
    weeks: u32,
    /// The race prediction in words, with its trend.
    prediction: String,
    figures: Vec<(String, Figure)>,
    empty: bool,
}

fn figure(chart: &Chart, note: String) -> Figure {
    Figure {
        svg: chart.render(),
        legend: chart.legend(),
        note,
        empty: String::new(),
        terms: Vec::new(),
    }
}

impl Figure {
    fn empty_unless(mut self, has_data: bool, empty: &str) -> Self {
        if !has_data {
            self.empty = empty.to_owned();
        }
        self
    }

    fn terms(mut self, terms: &[(&'static str, &'static str)]) -> Self {
        self.terms = terms.to_vec();
        self
    }
}

/// One line per term the charts use, in plain words.
const LOAD_RATIO: (&str, &str) = (
    "Load ratio",
    "This week's training load against your average week of the last four: 0.8–1.3 is steady building; above 1.5 is a jump, and the plan eases the next week.",
);
const FITNESS: (&str, &str) = (
    "Fitness",
    "Your training of the last six weeks, weighted: it climbs slowly while you keep training.",
);
const FATIGUE: (&str, &str) = (
    "Fatigue",
    "Your training of the last week: it rises quickly after hard days and drops quickly with rest.",
);
const FRESHNESS: (&str, &str) = (
    "Freshness",
    "Fitness minus fatigue: below zero you carry tiredness, normal in a training block; above zero you are rested, as you should be on race day.",
);
const LOAD: (&str, &str) = (
    "Training load",
    "Minutes times effort (1–10) for each session, added up per week.",
);

/// "Half marathon 2:01:52, 1:20 faster than 4 weeks ago": the latest
/// prediction against the one about four weeks before it.
pub fn prediction_text(points: &[runcoach_app::progress::PredictionPoint]) -> String {
    let Some(last) = points.last() else {
        return "No prediction yet: it appears when your plan has paces, or after you log a race."
            .into();
    };
    let head = format!(
        "{} {}",
        view::race_name(&last.race),
        format_clock(f64::from(last.predicted_s))
    );
    let four_weeks_before = last.date.saturating_sub(jiff::Span::new().days(28));
    let earlier = points
        .iter()
        .rev()
        .find(|p| p.date <= four_weeks_before)
        .or_else(|| points.first().filter(|p| p.date < last.date));
    let Some(then) = earlier else {
        return format!("{head}, from {}.", last.source);
    };
    let weeks = ((last.date - then.date).get_days() as f64 / 7.0)
        .round()
        .max(1.0);
    let ago = if weeks == 1.0 {
        "a week ago".to_owned()
    } else {
        format!("{weeks:.0} weeks ago")
    };
    let diff = i64::from(last.predicted_s) - i64::from(then.predicted_s);
    match diff {
        0 => format!("{head}, the same as {ago}."),
        d if d < 0 => format!("{head}, {} faster than {ago}.", format_clock((-d) as f64)),
        d => format!("{head}, {} slower than {ago}.", format_clock(d as f64)),
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
        axis: if units == runcoach_core::units::Units::Mi {
            "mi a week"
        } else {
            "km a week"
        },
    };
    let load = Chart {
        id: "load",
        title: "Weekly training load (effort × minutes)",
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
        axis: "load (effort × min)",
    };
    // A ratio against four weeks means something once four weeks of
    // training are behind it: before that, the first week is "4.0" against
    // the empty weeks before it, which reads as a spike, not as news.
    let first_loaded = p.weeks.iter().position(|w| w.load > 0.0);
    let settled = |i: usize, v: Option<f64>| v.filter(|_| first_loaded.is_some_and(|f| i >= f + 3));
    let ratio: Vec<Option<f64>> = p
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| settled(i, w.acwr))
        .collect();
    let ratio_ewma: Vec<Option<f64>> = p
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| settled(i, w.acwr_ewma))
        .collect();
    let ratio_any = ratio.iter().chain(&ratio_ewma).any(Option::is_some);
    let acwr = Chart {
        id: "acwr",
        title: "Load ratio: this week against the last four",
        desc: "The week's load against the average of the four weeks before (acute:chronic workload ratio), at each week's end, with the 0.8–1.3 band and the 1.5 line above which the plan eases off.".into(),
        labels: week_labels.clone(),
        series: vec![
            Series { name: "load ratio", class: "c-acwr", values: ratio, bars: false },
            Series { name: "load ratio, recent days weighted more", class: "c-ewma", values: ratio_ewma, bars: false },
        ],
        guides: vec![Guide { label: "steady 0.8–1.3", from: 0.8, to: 1.3 }, Guide { label: "1.5: plan eases", from: 1.5, to: 1.5 }],
        unit: "",
        axis: "ratio (1 = your usual week)",
    };
    let day_labels: Vec<String> = p
        .fitness
        .iter()
        .map(|d| d.date.strftime("%-d %b").to_string())
        .collect();
    let fitness = Chart {
        id: "fitness",
        title: "Fitness, fatigue and freshness",
        desc: format!(
            "42-day (fitness) and 7-day (fatigue) weighted load; freshness is fitness minus fatigue. Today: fitness {:.0}, fatigue {:.0}, freshness {:.0}.",
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
                name: "freshness",
                class: "c-form",
                values: p.fitness.iter().map(|d| Some(d.form)).collect(),
                bars: false,
            },
        ],
        guides: vec![],
        unit: "",
        axis: "load, weighted",
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
        axis: "pain score (0–10)",
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
        axis: "sessions a week",
    };
    let prediction_chart = Chart {
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
        axis: "minutes",
    };
    let done_any = p.weeks.iter().any(|w| w.done_km > 0.0);
    let planned_any = p.weeks.iter().any(|w| w.planned_km > 0.0);
    let load_any = p.weeks.iter().any(|w| w.load > 0.0);
    // Fitness and fatigue start from nothing: until about six weeks of
    // training are logged, freshness reads low for anyone.
    let days_logged = p
        .fitness
        .iter()
        .position(|d| d.fitness > 0.0)
        .map_or(0, |i| p.fitness.len() - i);
    let fitness_note = if load_any && days_logged < 42 {
        "These numbers settle after about six weeks of logging; until then freshness reads low, whatever your shape.".to_owned()
    } else {
        String::new()
    };
    let strength_any = p
        .weeks
        .iter()
        .any(|w| w.strength_planned > 0 || w.strength_done > 0);
    let pain_any = !pain.series.is_empty();
    let mut figures = vec![
        (
            "Weekly running".into(),
            figure(&volume, String::new()).empty_unless(
                done_any || planned_any,
                &format!("Your planned and done {u} per week appear here once you have a plan or log a run."),
            ),
        ),
        (
            "Training load".into(),
            figure(&load, String::new()).terms(&[LOAD]).empty_unless(
                load_any,
                "Appears after your first session logged with its minutes and effort.",
            ),
        ),
        (
            "Load ratio".into(),
            figure(&acwr, String::new())
                .terms(&[LOAD_RATIO])
                .empty_unless(
                    ratio_any,
                    "Appears after your fourth week of logged training: it compares each week with the four before it.",
                ),
        ),
        (
            "Fitness and freshness".into(),
            figure(&fitness, fitness_note)
                .terms(&[FITNESS, FATIGUE, FRESHNESS])
                .empty_unless(
                    load_any,
                    "Appears after your first session logged with its minutes and effort, and becomes meaningful over about six weeks.",
                ),
        ),
        (
            "Pain".into(),
            figure(
                &pain,
                "Pain of 4 or more, or the same pain on two days, eases the next week.".into(),
            )
            .empty_unless(
                pain_any,
                "No pain logged in these weeks. If something hurts, note it when you log a session: it shows here by week, and the plan eases off.",
            ),
        ),
        (
            "Hip strength".into(),
            figure(&strength, String::new()).empty_unless(
                strength_any,
                "Your planned and done hip sessions per week appear here once your plan has them.",
            ),
        ),
    ];
    // One point is a sentence, not a chart: the text above says it.
    if p.prediction.len() >= 2 {
        figures.push((
            "Race prediction".into(),
            figure(&prediction_chart, String::new()),
        ));
    }
    figures
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
        runcoach_app::calendar::today_in(&user.0.user.time_zone),
    )
    .await?;
    let units = view::units_of(&user.0.user.units);
    let empty = p.weeks.iter().all(|w| w.done_km == 0.0 && w.load == 0.0);
    Ok(render(&Page {
        nav: Nav::page(&user),
        weeks,
        prediction: prediction_text(&p.prediction),
        figures: figures(&p, units),
        empty,
    }))
}

#[cfg(test)]
mod tests {
    use super::prediction_text;
    use runcoach_app::progress::PredictionPoint;

    fn at(date: &str, secs: u32) -> PredictionPoint {
        PredictionPoint {
            date: date.parse().unwrap(),
            source: "10k in 52:30".into(),
            vdot: 40.0,
            race: "half".into(),
            predicted_s: secs,
        }
    }

    #[test]
    fn the_prediction_reads_as_a_sentence_with_its_trend() {
        assert_eq!(
            prediction_text(&[at("2026-10-01", 7392)]),
            "Half marathon 2:03:12, from 10k in 52:30."
        );
        // Against the latest point at least four weeks older.
        assert_eq!(
            prediction_text(&[
                at("2026-09-01", 7500),
                at("2026-10-01", 7392),
                at("2026-10-20", 7350),
                at("2026-10-29", 7312),
            ]),
            "Half marathon 2:01:52, 1:20 faster than 4 weeks ago."
        );
        assert_eq!(
            prediction_text(&[at("2026-10-15", 7300), at("2026-10-29", 7312)]),
            "Half marathon 2:01:52, 0:12 slower than 2 weeks ago."
        );
        assert_eq!(
            prediction_text(&[at("2026-10-22", 7312), at("2026-10-29", 7312)]),
            "Half marathon 2:01:52, the same as a week ago."
        );
        assert!(prediction_text(&[]).starts_with("No prediction yet"));
    }

    /// Weeks of training from the third of six weeks, each with its ratio.
    fn loaded_from_week_3(loaded_weeks: usize) -> runcoach_app::progress::Progress {
        let start: jiff::civil::Date = "2026-10-05".parse().unwrap();
        runcoach_app::progress::Progress {
            weeks: (0..6)
                .map(|i| {
                    let loaded = i >= 2 && i < 2 + loaded_weeks;
                    runcoach_app::progress::ProgressWeek {
                        start: start + jiff::Span::new().days(7 * i as i64),
                        planned_km: 30.0,
                        done_km: if loaded { 30.0 } else { 0.0 },
                        load: if loaded { 1500.0 } else { 0.0 },
                        acwr: loaded.then_some(if i == 2 { 4.0 } else { 1.1 }),
                        acwr_ewma: loaded.then_some(1.0),
                        monotony: None,
                        strain: None,
                        compliance: None,
                        strength_planned: 0,
                        strength_done: 0,
                    }
                })
                .collect(),
            fitness: Vec::new(),
            prediction: Vec::new(),
            pain: Vec::new(),
        }
    }

    /// Three weeks of training give a ratio against weeks that held none
    /// (the first reads 4.0): the chart waits for the fourth, and says so.
    #[test]
    fn the_load_ratio_waits_for_four_weeks_of_training() {
        let ratio = |p| {
            super::figures(&p, runcoach_core::units::Units::Km)
                .into_iter()
                .find(|(name, _)| name == "Load ratio")
                .unwrap()
                .1
        };
        let early = ratio(loaded_from_week_3(3));
        assert!(
            early.empty.starts_with("Appears after your fourth week"),
            "{}",
            early.empty
        );
        let settled = ratio(loaded_from_week_3(4));
        assert!(settled.empty.is_empty());
        // Only the fourth week's ratio is drawn: one dot per series.
        assert_eq!(
            settled.svg.matches("c-acwr dot").count(),
            1,
            "{}",
            settled.svg
        );
        assert!(
            settled.svg.contains(": load ratio 1.1</title>"),
            "{}",
            settled.svg
        );
        assert!(
            !settled.svg.contains(": load ratio 4</title>"),
            "{}",
            settled.svg
        );
    }
}
