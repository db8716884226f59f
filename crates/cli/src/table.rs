//! Human-readable output: aligned plain text that reads well in a terminal
//! and pastes cleanly into a message to a coach.

use std::fmt::Write;

use runcoach_core::science::{PaceReport, Prediction};
use runcoach_core::units::{Pace, Units, format_clock};

fn clock(seconds: f64) -> String {
    format_clock(seconds.round())
}

fn pace(s_per_km: f64, units: Units) -> String {
    Pace::from_s_per_km(s_per_km)
        .expect("reports hold positive paces")
        .display(units)
}

pub fn paces(report: &PaceReport, units: Units) -> String {
    let mut out = String::new();
    let race = &report.race;
    let _ = writeln!(
        out,
        "VDOT {:.1}  from {} in {}\n",
        report.vdot,
        race.name,
        clock(race.time_s)
    );
    let _ = writeln!(out, "Race equivalents");
    for e in &report.equivalents {
        let _ = writeln!(
            out,
            "  {:<10} {:>8}   {}",
            e.name,
            clock(e.time_s),
            pace(e.time_s / e.distance_m * 1000.0, units)
        );
    }
    let t = &report.training;
    let rows = [
        (
            "Easy",
            format!(
                "{}–{}",
                format_clock(t.easy.fast.seconds_per(units).round()),
                pace(t.easy.slow.s_per_km(), units)
            ),
            "most running: long runs, recovery, conversational",
        ),
        (
            "Marathon",
            pace(t.marathon.s_per_km(), units),
            "marathon race rhythm",
        ),
        (
            "Threshold",
            pace(t.threshold.s_per_km(), units),
            "comfortably hard; tempo runs and cruise intervals",
        ),
        (
            "Interval",
            pace(t.interval.s_per_km(), units),
            "hard 3–5 minute repeats",
        ),
        (
            "Repetition",
            pace(t.repetition.s_per_km(), units),
            "short fast repeats with full recovery",
        ),
    ];
    let _ = writeln!(out, "\nTraining paces");
    for (name, value, use_) in rows {
        let _ = writeln!(out, "  {name:<10} {value:<15} {use_}");
    }
    out
}

pub fn prediction(p: &Prediction) -> String {
    format!(
        "{} in {}  →  {} in {}  ({} model)\n",
        p.from.name,
        clock(p.from.time_s),
        p.target.name,
        clock(p.target.time_s),
        p.model.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use runcoach_core::science::{Model, RaceResult};

    fn result(s: &str) -> RaceResult {
        s.parse().unwrap()
    }

    #[test]
    fn paces_table_km() {
        insta::assert_snapshot!(paces(&PaceReport::new(&result("5k:19:57")), Units::Km));
    }

    #[test]
    fn paces_table_miles() {
        insta::assert_snapshot!(paces(&PaceReport::new(&result("half:1:45:00")), Units::Mi));
    }

    #[test]
    fn prediction_line() {
        let p = Prediction::new(
            Model::Riegel,
            &result("10k:41:21"),
            &"marathon".parse().unwrap(),
        );
        assert_eq!(
            prediction(&p),
            "10k in 41:21  →  marathon in 3:10:13  (riegel model)\n"
        );
    }
}

pub use plan_view::{exercises, plan, plan_markdown};

mod plan_view {
    use std::fmt::Write;

    use runcoach_core::exercises::Exercise;
    use runcoach_core::plan::library::{Flavour, flavour_of};
    use runcoach_core::plan::{Dose, Plan, Session, SessionKind, Step, StepKind, Week};
    use runcoach_core::units::{Pace, Units, format_clock};

    fn dist(km: f64, units: Units) -> String {
        format!("{:.1}", km / units.km())
    }

    /// A week's running: the training, and the race apart in race week
    /// ("17.5+21.1"), so the taper's cut reads right.
    fn volume(w: &Week, units: Units, plus: &str) -> String {
        if w.race_km > 0.0 {
            format!(
                "{}{plus}{}",
                dist(w.training_km, units),
                dist(w.race_km, units)
            )
        } else {
            dist(w.run_km, units)
        }
    }

    fn pace_band(band: [u32; 2], units: Units) -> String {
        let p = |s: u32| Pace::from_s_per_km(f64::from(s)).expect("positive");
        format!(
            "{}–{}",
            format_clock(p(band[0]).seconds_per(units).round()),
            p(band[1]).display(units)
        )
    }

    /// A compact cell for the week-at-a-glance grid.
    fn cell(sessions: &[Session], units: Units) -> String {
        let mut parts = Vec::new();
        for s in sessions {
            match s.kind {
                SessionKind::Strength => parts.push("+H".to_owned()),
                SessionKind::Mobility if sessions.len() == 1 => parts.push("mob".to_owned()),
                SessionKind::Mobility => {}
                // A long run with marathon-pace segments is a hard day.
                SessionKind::Long if s.is_hard() => {
                    parts.insert(0, format!("Long+MP {}", dist(s.km(), units)))
                }
                k if k.is_run() => parts.insert(
                    0,
                    format!("{} {}{}", short(s), dist(s.km(), units), strides(s)),
                ),
                k => parts.push(k.label().to_owned()),
            }
        }
        parts.join(" ")
    }

    /// A run's label in the grid: the hills, fartlek and race-pace sessions
    /// by name, the others by kind.
    fn short(s: &Session) -> &'static str {
        match flavour_of(&s.title) {
            Flavour::Hills => "Hills",
            Flavour::Fartlek => "Fartlek",
            Flavour::RacePace => "RP",
            Flavour::Plain => s.kind.short(),
        }
    }

    /// Strides on an easy run: " + 6×20s strides" (nothing otherwise).
    fn strides(s: &Session) -> String {
        if !matches!(s.kind, SessionKind::Easy | SessionKind::Recovery) {
            return String::new();
        }
        s.steps
            .iter()
            .filter(|st| st.kind == StepKind::Repeat)
            .find_map(|st| {
                let work = st.steps.iter().find(|i| i.kind == StepKind::Work)?;
                Some(format!(
                    " + {}×{}s strides",
                    st.times.unwrap_or(1),
                    work.duration_s?
                ))
            })
            .unwrap_or_default()
    }

    pub fn plan(plan: &Plan, units: Units) -> String {
        let mut out = String::new();
        header(&mut out, plan, units);
        let first = &plan.weeks[0];
        let _ = write!(
            out,
            "{:>3}  {:<10}  {:<9} {:>10}",
            "Wk",
            "Start",
            "Phase",
            units.label()
        );
        // Columns as wide as the widest cell (strides make easy days long).
        let cells: Vec<Vec<String>> = plan
            .weeks
            .iter()
            .map(|w| w.days.iter().map(|d| cell(&d.sessions, units)).collect())
            .collect();
        let widths: Vec<usize> = (0..first.days.len())
            .map(|d| {
                cells
                    .iter()
                    .filter_map(|w| w.get(d))
                    .map(|c| c.chars().count())
                    .fold(13, usize::max)
            })
            .collect();
        for (d, width) in first.days.iter().zip(&widths) {
            let _ = write!(out, "  {:<width$}", d.date.strftime("%a").to_string());
        }
        out.push('\n');
        for (w, cells) in plan.weeks.iter().zip(&cells) {
            let phase = if w.recovery {
                format!("{}*", w.phase.label())
            } else {
                w.phase.label().to_owned()
            };
            let _ = write!(
                out,
                "{:>3}  {}  {:<9} {:>10}",
                w.index,
                w.start,
                phase.replace(" week", ""),
                volume(w, units, "+")
            );
            for (c, width) in cells.iter().zip(&widths) {
                let _ = write!(out, "  {c:<width$}");
            }
            out.push('\n');
        }
        out.push_str(
            "\n* recovery week   +H hip strength   mob hip mobility (rest day)   Rec recovery run   Int intervals   Reps repetitions   MP marathon pace   Long+MP long run with marathon-pace segments   Hills hill repeats   RP race pace\n",
        );
        out
    }

    fn header(out: &mut String, plan: &Plan, units: Units) {
        let athlete = plan.athlete.as_ref();
        let _ = writeln!(
            out,
            "{} on {} · {} weeks{}",
            plan.race.name,
            plan.race.date,
            plan.weeks.len(),
            athlete
                .map(|a| format!(
                    " · {} · {} strength days a week",
                    match a.level {
                        runcoach_core::plan::Level::FirstTimer => "first-timer",
                        runcoach_core::plan::Level::Experienced => "experienced",
                    },
                    a.strength_days
                ))
                .unwrap_or_default()
        );
        if let Some(p) = &plan.paces {
            let one = |s: u32| {
                Pace::from_s_per_km(f64::from(s))
                    .expect("positive")
                    .display(units)
            };
            let _ = writeln!(
                out,
                "Paces from {}: easy {}, marathon {}, threshold {}, interval {}, repetition {}",
                p.source,
                pace_band(p.easy, units),
                one(p.marathon),
                one(p.threshold),
                one(p.interval),
                one(p.repetition)
            );
        } else {
            let _ = writeln!(
                out,
                "No recent race given: quality sessions are set by effort (RPE 1–10)."
            );
        }
        for w in &plan.warnings {
            let _ = writeln!(out, "Warning: {w}");
        }
        out.push('\n');
    }

    fn dose(d: &Dose) -> String {
        let amount = match (d.reps, d.hold_s) {
            (Some(r), _) => r.to_string(),
            (_, Some(h)) => format!("{h}s"),
            _ => String::new(),
        };
        format!(
            "{} {}×{}{}",
            d.name.as_deref().unwrap_or(&d.id),
            d.sets,
            amount,
            if d.per_side { "/side" } else { "" }
        )
    }

    fn session_line(s: &Session, units: Units) -> String {
        let mut line = s.title.clone();
        if s.kind.is_run() {
            line = format!(
                "{} {} {}",
                s.kind.label(),
                dist(s.km(), units),
                units.label()
            );
            if s.kind.is_quality() || s.kind == SessionKind::Race {
                line = format!("{line} — {}", s.title);
            }
            if !s.steps.is_empty() {
                // Hills and fartlek are run by the clock, not the distance.
                let timed = matches!(flavour_of(&s.title), Flavour::Hills | Flavour::Fartlek);
                line = format!("{line}: {}", structure(&s.steps, units, timed));
                if let Some([a, b]) = s.rpe {
                    line.push_str(&format!(" (RPE {a}–{b})"));
                }
                return with_doses(line, s);
            }
            if let Some(p) = s.pace_s_per_km {
                line.push_str(&format!(" @ {}", pace_band(p, units)));
            } else if let Some([a, b]) = s.rpe {
                line.push_str(&format!(" @ RPE {a}–{b}"));
            }
        }
        with_doses(line, s)
    }

    fn with_doses(mut line: String, s: &Session) -> String {
        if !s.exercises.is_empty() {
            let list: Vec<String> = s.exercises.iter().map(dose).collect();
            line.push_str(&format!(": {}", list.join(", ")));
        }
        if !s.activation.is_empty() {
            let list: Vec<String> = s.activation.iter().map(dose).collect();
            line.push_str(&format!(" (warm-up activation: {})", list.join(", ")));
        }
        line
    }

    /// A workout's structure in one line: "2.0 km WU · 5×1000 m @
    /// 4:10–4:18/km (2:45 jog) · 1.5 km CD". Reps under 2 km stay in metres,
    /// as on a track; everything else is in the runner's units.
    fn structure(steps: &[Step], units: Units, timed: bool) -> String {
        let road = |m: u32| format!("{} {}", dist(f64::from(m) / 1000.0, units), units.label());
        let rep = |m: u32| {
            if m < 2000 { format!("{m} m") } else { road(m) }
        };
        let pace = |s: &Step| {
            s.pace_s_per_km
                .map(|p| format!(" @ {}", pace_band(p, units)))
        };
        let part = |s: &Step| -> String {
            match s.kind {
                StepKind::Warmup => format!("{} WU", road(s.distance_m.unwrap_or(0))),
                StepKind::Cooldown => format!("{} CD", road(s.distance_m.unwrap_or(0))),
                StepKind::Recovery => format!(
                    "{} jog",
                    s.duration_s
                        .map(|d| format_clock(f64::from(d)))
                        .unwrap_or_else(|| rep(s.distance_m.unwrap_or(0)))
                ),
                _ => match s.duration_s.filter(|_| timed) {
                    Some(secs) if secs.is_multiple_of(60) && secs >= 120 => {
                        format!("{} min", secs / 60)
                    }
                    Some(secs) => format!("{secs} s"),
                    None => format!(
                        "{}{}",
                        rep(s.distance_m.unwrap_or(0)),
                        pace(s).unwrap_or_default()
                    ),
                },
            }
        };
        steps
            .iter()
            .map(|s| match s.kind {
                StepKind::Repeat => {
                    let inner: Vec<String> = s.steps.iter().map(part).collect();
                    let (work, rest) = inner
                        .split_first()
                        .map_or((String::new(), &[][..]), |(w, r)| (w.clone(), r));
                    let rest = if rest.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", rest.join(", "))
                    };
                    format!("{}×{work}{rest}", s.times.unwrap_or(1))
                }
                _ => part(s),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    pub fn plan_markdown(plan: &Plan, units: Units) -> String {
        let mut out = String::new();
        let _ = write!(out, "# ");
        header(&mut out, plan, units);
        for w in &plan.weeks {
            let _ = writeln!(
                out,
                "## Week {} · {}{} · {} {}\n\n{}\n",
                w.index,
                w.phase.label(),
                if w.recovery { " (recovery)" } else { "" },
                volume(w, units, &format!(" {} + race ", units.label())),
                units.label(),
                w.focus
            );
            for d in &w.days {
                for s in &d.sessions {
                    let _ = writeln!(
                        out,
                        "- **{} {}** {}  \n  _{}_",
                        d.date.strftime("%a"),
                        d.date,
                        session_line(s, units),
                        s.why
                    );
                }
            }
            out.push('\n');
        }
        out
    }

    pub fn exercises(lib: &[Exercise]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<34} {:<12} {:<9} {:<12} dose",
            "id", "family", "load", "kit"
        );
        for e in lib {
            let amount = match (e.reps, e.hold_s) {
                (Some([a, b]), _) if a == b => a.to_string(),
                (Some([a, b]), _) => format!("{a}–{b}"),
                (_, Some([a, b])) => format!("{a}–{b}s"),
                _ => String::new(),
            };
            let sets = if e.sets[0] == e.sets[1] {
                e.sets[0].to_string()
            } else {
                format!("{}–{}", e.sets[0], e.sets[1])
            };
            let kit: Vec<String> = e
                .equipment
                .iter()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect();
            let _ = writeln!(
                out,
                "{:<34} {:<12} {:<9} {:<12} {sets} × {amount}{}",
                e.id,
                e.family.label(),
                format!("{:?}", e.load).to_lowercase(),
                if kit.is_empty() {
                    "none".to_owned()
                } else {
                    kit.join(",")
                },
                if e.per_side { "/side" } else { "" }
            );
        }
        out
    }
}
