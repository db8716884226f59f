//! What pages print: plan data turned into short strings in the runner's
//! units, so templates stay free of logic.

use jiff::civil::Date;
use runcoach_core::exercises::find;
use runcoach_core::plan::{Dose, Plan, Session, SessionKind};
use runcoach_core::status::SessionStatus;
use runcoach_core::units::{Pace, Units, format_clock};

/// `s` percent-encoded for a URL's query (unreserved bytes kept).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn units_of(pref: &str) -> Units {
    pref.parse().unwrap_or_default()
}

pub fn distance(metres: u32, units: Units) -> String {
    units.distance(f64::from(metres) / 1000.0)
}

pub fn band(b: [u32; 2], units: Units) -> String {
    let p = |s: u32| Pace::from_s_per_km(f64::from(s.max(1))).expect("positive");
    format!(
        "{}–{}",
        format_clock(p(b[0]).seconds_per(units).round()),
        p(b[1]).display(units)
    )
}

pub fn pace(s_per_km: u32, units: Units) -> String {
    Pace::from_s_per_km(f64::from(s_per_km.max(1)))
        .expect("positive")
        .display(units)
}

/// A session's length to the minute, in the words the workout steps use
/// ("27 min", "2 h 10 min", "2 h"), never "2h10".
pub fn duration(secs: u32) -> String {
    let m = (secs + 30) / 60;
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// CSS class and legend name of a kind: the same everywhere.
pub fn kind_class(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Easy => "easy",
        SessionKind::Recovery => "recovery",
        SessionKind::Long => "long",
        SessionKind::Tempo => "tempo",
        SessionKind::Intervals => "intervals",
        SessionKind::Repetition => "repetition",
        SessionKind::MarathonPace => "mp",
        SessionKind::Race => "race",
        SessionKind::Strength => "strength",
        SessionKind::Mobility => "mobility",
        SessionKind::CrossTraining => "cross",
        SessionKind::Rest => "rest",
    }
}

pub fn target(s: &Session, units: Units) -> String {
    match (s.pace_s_per_km, s.rpe) {
        (Some(b), _) => band(b, units),
        (None, Some([a, b])) => format!("effort {a}–{b}/10"),
        _ => String::new(),
    }
}

pub fn dose(d: &Dose) -> String {
    let amount = match (d.reps, d.hold_s) {
        (Some(r), _) => r.to_string(),
        (_, Some(h)) => format!("{h} s"),
        _ => String::new(),
    };
    let side = if d.per_side { " per side" } else { "" };
    format!("{} × {amount}{side}", d.sets)
}

pub struct ExerciseLine {
    pub id: String,
    pub name: String,
    pub dose: String,
    pub focus: String,
    /// The movement's start and end positions as inline SVG.
    pub figure: String,
}

pub fn exercise_lines(doses: &[Dose]) -> Vec<ExerciseLine> {
    doses
        .iter()
        .map(|d| {
            let e = find(&d.id);
            ExerciseLine {
                id: d.id.clone(),
                name: e.map_or_else(|| d.id.clone(), |e| e.name.clone()),
                dose: dose(d),
                focus: e.map(|e| e.focus.clone()).unwrap_or_default(),
                figure: e.and_then(super::figure::positions).unwrap_or_default(),
            }
        })
        .collect()
}

/// A race as people say it: "Half marathon", "10K"; other names as given.
pub fn race_name(name: &str) -> String {
    match name {
        "5k" => "5K".to_owned(),
        "10k" => "10K".to_owned(),
        "15k" => "15K".to_owned(),
        "half" => "Half marathon".to_owned(),
        "marathon" => "Marathon".to_owned(),
        other => other.to_owned(),
    }
}

/// "Marathon on Sun 25 Apr 2027", "30 km race on …".
pub fn race_title(race: &runcoach_core::plan::RaceInfo) -> String {
    let name = match race.name.as_str() {
        "5k" | "10k" | "15k" | "half" | "marathon" => race_name(&race.name),
        _ => format!("{} km race", trim_km(f64::from(race.distance_m) / 1000.0)),
    };
    format!("{name} on {}", race.date.strftime("%a %-d %b %Y"))
}

fn trim_km(km: f64) -> String {
    let s = format!("{km:.1}");
    s.trim_end_matches(".0").to_owned()
}

/// A plan's warning as a page shows it: in the runner's units, and without
/// the command line's flags ("a later race (--race-date 2027-05-02)" reads
/// "a later race"): the page's own links carry them.
pub fn advice(warning: &str, units: Units) -> String {
    let mut out = String::with_capacity(warning.len());
    let mut rest = warning;
    while let Some(at) = rest.find(" (--") {
        out.push_str(&rest[..at]);
        rest = rest[at..].find(')').map_or("", |end| &rest[at + end + 1..]);
    }
    out.push_str(rest);
    units.localise(&out)
}

/// A note as a sentence: a capital first letter (the adjustments' wording
/// is lower case so it can follow "Adjusted: ").
pub fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn day_label(d: Date) -> String {
    d.strftime("%a %-d %b").to_string()
}

pub struct ItemView {
    pub href: String,
    pub class: &'static str,
    pub label: String,
    /// `planned`, `done`, … : the CSS class that draws the mark.
    pub status: &'static str,
    /// The status in words, printed beside the mark (never colour alone).
    pub status_label: &'static str,
    /// A shape for the status, hidden from screen readers (they read the
    /// words); empty while planned.
    pub mark: &'static str,
    /// A quality run's shape, small (decoration: the label says it).
    pub shape: String,
}

/// A status in words: a planned session a watch recorded (nothing logged
/// by hand) says so, so the runner knows where the tick came from.
pub fn status_words(o: &runcoach_app::plans::Outcome) -> &'static str {
    match (o.status, &o.log_id, &o.activity_id) {
        (SessionStatus::Done, None, Some(_)) => "Done, from your watch",
        (status, _, _) => status.label(),
    }
}

/// The shape drawn beside a status: tick, half, dash, cross.
pub fn status_mark(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Planned => "",
        SessionStatus::Done => "✓",
        SessionStatus::Partial => "◐",
        SessionStatus::Skipped => "–",
        SessionStatus::Missed => "✗",
    }
}

pub struct DayView {
    pub label: String,
    pub today: bool,
    pub items: Vec<ItemView>,
    /// What was done beside the plan that day.
    pub extras: Vec<ItemView>,
}

/// An unplanned activity as the calendar shows it: a plus and "Extra",
/// linked to its log entry or the watch's record.
pub fn extra_item(e: &runcoach_app::log::Extra, units: Units) -> ItemView {
    use runcoach_app::log::Extra;
    use runcoach_core::load::ActivityKind;
    let (href, class, label, status_label) = match e {
        Extra::Logged(entry) => {
            let l = &entry.log;
            let class = match l.kind {
                ActivityKind::Run => "easy",
                ActivityKind::Race => "race",
                ActivityKind::Cross => "cross",
                ActivityKind::Strength => "strength",
                ActivityKind::Mobility => "mobility",
                ActivityKind::Other => "rest",
            };
            let size = if l.distance_m > 0 {
                distance(l.distance_m, units)
            } else {
                duration(l.duration_s)
            };
            (
                format!("/logs/{}/edit", entry.id),
                class,
                format!("{} {size}", super::activities::kind_word(l.kind)),
                "Extra",
            )
        }
        Extra::Imported(_, a) => (
            format!("/activities/{}", a.id),
            if a.sport.is_running() {
                "easy"
            } else {
                "cross"
            },
            format!(
                "{} {}",
                super::activities::sport(a),
                distance(a.distance_m.round() as u32, units)
            ),
            "Extra, from your watch",
        ),
    };
    ItemView {
        href,
        class,
        label,
        status: "extra",
        status_label,
        mark: "+",
        shape: String::new(),
    }
}

pub struct WeekView {
    pub index: u32,
    pub phase: String,
    pub recovery: bool,
    pub volume: String,
    /// Running done so far against that plan, e.g. "12.4 of 30.0 km done";
    /// empty for weeks not begun.
    pub done: String,
    pub focus: String,
    pub days: Vec<DayView>,
}

/// The week the runner is in (1-based position): week 1 before the plan
/// starts, the race week after it.
pub fn this_week(plan: &Plan, today: Date) -> usize {
    plan.weeks
        .iter()
        .rposition(|w| w.start <= today)
        .map_or(1, |i| i + 1)
}

/// A week's running in the runner's units: "7.5 mi", or in race week the
/// training volume then the race ("12.0 km + race").
fn volume(w: &runcoach_core::plan::Week, units: Units) -> String {
    if w.run_km > w.training_km + 0.05 {
        format!("{} + race", units.distance(w.training_km))
    } else {
        units.distance(w.run_km)
    }
}

/// A week's note in the runner's units, led by the week's total as it
/// stands when an edit or an adjustment changed it from the total the note
/// was written for (`stated`: that week in the plan as made), so the note
/// and the heading above it say the same number.
pub fn week_note(
    w: &runcoach_core::plan::Week,
    stated: Option<&runcoach_core::plan::Week>,
    units: Units,
) -> String {
    let note = units.localise(&w.focus);
    match stated {
        Some(s) if units.amount(s.run_km) != units.amount(w.run_km) => format!(
            "Now {}, changed from the {} planned. {note}",
            volume(w, units),
            volume(s, units)
        ),
        _ => note,
    }
}

/// The calendar: each session with its status (`tracker`), each week's
/// planned against done running from `logged` (the athlete's log plus
/// imported runs, as progress counts them). `made` is the plan as it was
/// made (its notes' numbers), when it differs from `plan`.
pub fn weeks(
    plan: &Plan,
    made: Option<&Plan>,
    units: Units,
    tracker: &runcoach_app::plans::Tracker,
    today: Date,
    logged: &[runcoach_core::load::LoggedSession],
    extras: &[runcoach_app::log::Extra],
) -> Vec<WeekView> {
    plan.weeks
        .iter()
        .map(|w| WeekView {
            done: if w.start <= today {
                let c = runcoach_core::load::compliance(w, logged);
                format!(
                    "{} of {} done",
                    units.amount(c.done_km),
                    units.distance(c.planned_km)
                )
            } else {
                String::new()
            },
            index: w.index,
            phase: w.phase.label().to_owned(),
            recovery: w.recovery,
            volume: volume(w, units),
            focus: week_note(
                w,
                made.and_then(|m| m.weeks.iter().find(|s| s.index == w.index)),
                units,
            ),
            days: w
                .days
                .iter()
                .map(|d| DayView {
                    label: day_label(d.date),
                    today: d.date == today,
                    extras: extras
                        .iter()
                        .filter(|e| e.date() == d.date)
                        .map(|e| extra_item(e, units))
                        .collect(),
                    items: d
                        .sessions
                        .iter()
                        .map(|s| {
                            let outcome = tracker.outcome(s, d.date);
                            let status = outcome.status;
                            ItemView {
                                href: format!("/sessions/{}", s.id.as_deref().unwrap_or("")),
                                class: kind_class(s.kind),
                                label: s.name(units),
                                status: status.as_str(),
                                status_label: status_words(&outcome),
                                mark: status_mark(status),
                                shape: if s.kind.is_quality() {
                                    super::workout::thumbnail(s)
                                } else {
                                    String::new()
                                },
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use runcoach_core::plan::{PlanInput, build_plan};

    use super::*;

    fn plan() -> Plan {
        let input = PlanInput {
            race: "half".into(),
            race_date: "2026-05-31".into(),
            start: Some("2026-03-02".into()),
            run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "experienced".into(),
            weekly_km: 25.0,
            strength_days: 2,
            ..Default::default()
        };
        build_plan(&input.validate().unwrap())
    }

    #[test]
    fn a_run_only_the_watch_recorded_says_so() {
        let outcome = |status, log: Option<&str>, activity: Option<&str>| {
            status_words(&runcoach_app::plans::Outcome {
                status,
                log_id: log.map(str::to_owned),
                activity_id: activity.map(str::to_owned),
            })
        };
        use SessionStatus::*;
        assert_eq!(outcome(Done, None, Some("a1")), "Done, from your watch");
        // The runner's own word wins over the watch's.
        assert_eq!(outcome(Done, Some("l1"), Some("a1")), "Done");
        assert_eq!(outcome(Partial, Some("l1"), Some("a1")), "Partly done");
        assert_eq!(outcome(Done, Some("l1"), None), "Done");
        assert_eq!(outcome(Missed, None, None), "Missed");
    }

    #[test]
    fn advice_reads_without_the_command_lines_flags() {
        let w = "A first marathon from 10 km a week in 12 weeks is a stretch. Options: a later race (--race-date 2027-05-02), a half marathon first (--race half), or run-walk this one.";
        assert_eq!(
            advice(w, Units::Mi),
            "A first marathon from 6.2 mi a week in 12 weeks is a stretch. Options: a later race, a half marathon first, or run-walk this one."
        );
    }

    #[test]
    fn a_week_note_made_in_km_reads_in_miles_with_the_headings_number() {
        let p = plan();
        assert_eq!(p.units(), Units::Km);
        let w = &p.weeks[2];
        let heading = volume(w, Units::Mi);
        let note = week_note(w, Some(w), Units::Mi);
        assert!(!note.contains(" km"), "{note}");
        // The note's first number is the week's volume, as in the heading.
        assert!(
            note.contains(&format!(": {heading}, ")),
            "{heading} / {note}"
        );
        insta::assert_snapshot!(format!("{heading}\n{note}"));
    }

    #[test]
    fn after_an_adjustment_the_note_leads_with_the_adjusted_total() {
        let p = plan();
        let made = &p.weeks[2];
        let mut eased = made.clone();
        eased.run_km = 12.0;
        eased.training_km = 12.0;
        eased.focus = format!("Eased after knee pain. {}", made.focus);
        let note = week_note(&eased, Some(made), Units::Km);
        assert_eq!(
            note,
            format!(
                "Now 12.0 km, changed from the {} planned. {}",
                Units::Km.distance(made.run_km),
                eased.focus
            )
        );
        assert_eq!(volume(&eased, Units::Km), "12.0 km");
        let miles = week_note(&eased, Some(made), Units::Mi);
        assert!(
            miles.starts_with(&format!(
                "Now 7.5 mi, changed from the {} planned. Eased after knee pain. ",
                Units::Mi.distance(made.run_km)
            )),
            "{miles}"
        );
        // Unchanged weeks say nothing extra.
        assert_eq!(week_note(made, Some(made), Units::Km), made.focus);
    }
}
