//! A generated plan as an iCalendar feed: RFC 5545 framing checked line by line,
//! content checked after unfolding and unescaping, UIDs stable across
//! regenerations and edits, SEQUENCE carried, and the whole feed parsed by an
//! independent parser (Python's `icalendar`, when importable: `pip install
//! icalendar`; CI installs it).

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use jiff::Timestamp;
use runcoach_core::plan::{Plan, PlanInput, RecentInput, SessionKind, build_plan};
use runcoach_core::units::Units;
use runcoach_formats::ics::{MAX_LINE_OCTETS, unescape_text, unfold};
use runcoach_formats::plan_export::{
    FeedOptions, description, kind_name, plan_calendar, planned_sessions, session_uid,
};

fn plan(recent: Option<&str>) -> Plan {
    let input: PlanInput = serde_json::from_value(serde_json::json!({
        "race": "half",
        "race_date": "2026-10-04",
        "weeks": 12,
        "run_days": ["mon", "wed", "thu", "sat", "sun"],
        "long_run_day": "sun",
        "level": "experienced",
        "weekly_km": 40.0,
        "strength_days": 2,
    }))
    .unwrap();
    let input = PlanInput {
        recent: recent.map(|r| RecentInput::parse(r).unwrap()),
        ..input
    };
    build_plan(&input.validate().expect("valid input"))
}

fn stamp() -> Timestamp {
    "2026-07-13T06:00:00Z".parse().unwrap()
}

/// Checks the physical framing and returns the unfolded content lines.
fn content_lines(feed: &str) -> Vec<String> {
    assert!(feed.ends_with("\r\n"), "ends with CRLF");
    for (i, line) in feed[..feed.len() - 2].split("\r\n").enumerate() {
        assert!(
            line.len() <= MAX_LINE_OCTETS,
            "line {i} has {} octets: {line:?}",
            line.len()
        );
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line end"
        );
        assert!(!line.is_empty(), "empty line {i}");
    }
    let unfolded = unfold(feed);
    unfolded[..unfolded.len() - 2]
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

/// Each VEVENT as property name (parameters dropped) → raw value.
fn events(lines: &[String]) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for l in lines {
        match l.as_str() {
            "BEGIN:VEVENT" => current = Some(BTreeMap::new()),
            "END:VEVENT" => out.push(current.take().expect("BEGIN before END")),
            _ => {
                if let Some(ev) = current.as_mut() {
                    let (name, value) = l.split_once(':').expect("name:value");
                    let name = name.split(';').next().unwrap();
                    assert!(
                        ev.insert(name.to_owned(), value.to_owned()).is_none(),
                        "{name} twice"
                    );
                }
            }
        }
    }
    out
}

#[test]
fn the_feed_is_framed_by_rfc_5545() {
    let plan = plan(Some("10k:50:00"));
    let feed = plan_calendar(&plan, &FeedOptions::new("Half marathon · Ana", stamp()));
    let lines = content_lines(&feed);
    assert_eq!(
        &lines[..9],
        &[
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            &format!(
                "PRODID:-//runcoach//runcoach {}//EN",
                env!("CARGO_PKG_VERSION")
            ),
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Half marathon · Ana",
            "NAME:Half marathon · Ana",
            "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
            "X-PUBLISHED-TTL:PT6H",
        ]
    );
    assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    // Long descriptions really were folded.
    assert!(feed.contains("\r\n "), "some line was folded");

    let sessions = planned_sessions(&plan);
    let evs = events(&lines);
    assert_eq!(evs.len(), sessions.len());
    let uids: BTreeSet<&String> = evs.iter().map(|e| &e["UID"]).collect();
    assert_eq!(uids.len(), evs.len(), "UIDs are unique");
    for (ev, p) in evs.iter().zip(&sessions) {
        let s = p.session;
        assert_eq!(ev["UID"], session_uid("", p));
        assert!(ev["UID"].ends_with("@runcoach"));
        assert_eq!(ev["DTSTAMP"], "20260713T060000Z");
        assert_eq!(ev["SEQUENCE"], "0");
        assert_eq!(ev["DTSTART"], p.date.strftime("%Y%m%d").to_string());
        assert_eq!(
            ev["DTEND"],
            p.date.tomorrow().unwrap().strftime("%Y%m%d").to_string()
        );
        assert_eq!(ev["TRANSP"], "TRANSPARENT");
        assert_eq!(unescape_text(&ev["SUMMARY"]), s.name(Units::Km));
        // Unfolded and unescaped, the description is exactly the text we meant.
        assert_eq!(
            unescape_text(&ev["DESCRIPTION"]),
            description(s, Units::Km, None)
        );
        assert_eq!(ev["CATEGORIES"], s.kind.label());
        assert!(!ev.contains_key("URL"));
    }
}

#[test]
fn summaries_and_descriptions_carry_the_session() {
    let plan = plan(Some("10k:50:00"));
    let sessions = planned_sessions(&plan);
    let tempo = sessions
        .iter()
        .find(|p| p.session.kind == SessionKind::Tempo)
        .unwrap()
        .session;
    // The event is called what every page calls it: the workout's title,
    // in the feed's units.
    assert!(!tempo.title.is_empty());
    assert_eq!(tempo.name(Units::Km), tempo.title);
    let in_miles = tempo.name(Units::Mi);
    assert_eq!(in_miles, Units::Mi.localise(&tempo.title));
    assert!(!in_miles.contains(" km"), "{in_miles}");
    let text = description(tempo, Units::Km, Some("https://x.test/s/1"));
    // The title is the event's summary, so the description does not repeat it.
    assert!(!text.contains(&tempo.title), "{text}");
    assert!(text.contains("Warm-up 2.0 km @ "), "{text}");
    assert!(text.contains("/km"), "{text}");
    assert!(text.contains(&format!("Why: {}", tempo.why)), "{text}");
    assert!(text.ends_with("\n\nhttps://x.test/s/1"), "{text}");
    let miles = description(tempo, Units::Mi, None);
    assert!(miles.contains("/mi") && !miles.contains("/km"), "{miles}");
    // The plan's wording was written in km; the miles feed reads in miles.
    assert!(tempo.why.contains(" km"), "{}", tempo.why);
    assert!(!miles.contains(" km"), "{miles}");

    let strength = sessions
        .iter()
        .find(|p| p.session.kind == SessionKind::Strength)
        .unwrap()
        .session;
    assert_eq!(
        strength.name(Units::Km),
        format!("Hip strength {} min", strength.minutes.unwrap())
    );
    let text = description(strength, Units::Km, None);
    for d in &strength.exercises {
        let amount = match (d.reps, d.hold_s) {
            (Some(r), _) => format!("{} × {r}", d.sets),
            (None, Some(h)) => format!("{} × {h} s", d.sets),
            _ => unreachable!(),
        };
        let side = if d.per_side { " per side" } else { "" };
        let line = format!("- {} {amount}{side}\n", d.name.as_deref().unwrap());
        assert!(text.contains(&line), "{line:?} not in {text}");
    }

    // Without a race result, runs carry effort instead of paces.
    let rpe_plan = plan_rpe();
    let tempo = planned_sessions(&rpe_plan)
        .into_iter()
        .find(|p| p.session.kind == SessionKind::Tempo)
        .unwrap()
        .session;
    let text = description(tempo, Units::Km, None);
    assert!(text.contains("RPE 6–7") && !text.contains("/km"), "{text}");
}

fn plan_rpe() -> Plan {
    plan(None)
}

#[test]
fn uids_are_stable_and_sequence_is_carried() {
    let plan1 = plan(Some("10k:50:00"));
    let opts = FeedOptions::new("Plan", stamp());
    let a = plan_calendar(&plan1, &opts);
    let b = plan_calendar(&plan(Some("10k:50:00")), &opts);
    assert_eq!(a, b, "regenerating gives the same bytes");

    // An edit (adaptation: a session gets shorter and retitled) keeps every UID.
    let mut edited = plan1.clone();
    let target = edited.weeks[3]
        .days
        .iter_mut()
        .flat_map(|d| d.sessions.iter_mut())
        .find(|s| s.kind == SessionKind::Easy)
        .unwrap();
    target.distance_m = Some(5000);
    target.title = "Easy 5.0 km".into();
    let edited_date = edited.weeks[3]
        .days
        .iter()
        .find(|d| d.sessions.iter().any(|s| s.title == "Easy 5.0 km"))
        .unwrap()
        .date;
    let uid = planned_sessions(&edited)
        .iter()
        .find(|p| p.date == edited_date && p.session.kind == SessionKind::Easy)
        .map(|p| session_uid("", p))
        .unwrap();
    let mut opts2 = opts.clone();
    opts2
        .sequences
        .insert(uid.trim_end_matches("@runcoach").to_owned(), 3);
    let c = plan_calendar(&edited, &opts2);
    let (ea, ec) = (events(&content_lines(&a)), events(&content_lines(&c)));
    let uids =
        |e: &[BTreeMap<String, String>]| e.iter().map(|e| e["UID"].clone()).collect::<Vec<_>>();
    assert_eq!(uids(&ea), uids(&ec));
    let changed: Vec<_> = ec.iter().filter(|e| e["SEQUENCE"] != "0").collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["UID"], uid);
    assert_eq!(changed[0]["SEQUENCE"], "3");
    assert_eq!(changed[0]["SUMMARY"], "Easy 5.0 km");
    let before = ea.iter().find(|e| e["UID"] == uid).unwrap();
    assert_ne!(before["SUMMARY"], "Easy 5.0 km");

    // A namespace changes derived UIDs (two athletes never collide)…
    let mut other = opts.clone();
    other.uid_namespace = "athlete-2".into();
    let eo = events(&content_lines(&plan_calendar(&plan1, &other)));
    assert!(ea.iter().zip(&eo).all(|(x, y)| x["UID"] != y["UID"]));

    // …while stored ids are used as they are, with the link and SEQUENCE by id.
    let mut stored = plan1.clone();
    let mut n = 0;
    for w in &mut stored.weeks {
        for d in &mut w.days {
            for s in &mut d.sessions {
                n += 1;
                s.id = Some(format!("sess{n:04}"));
            }
        }
    }
    let mut with_links = opts.clone();
    with_links.link_base = Some("https://coach.example/sessions/".into());
    with_links.sequences.insert("sess0002".into(), 1);
    let es = events(&content_lines(&plan_calendar(&stored, &with_links)));
    assert_eq!(es[0]["UID"], "sess0001@runcoach");
    assert_eq!(es[0]["URL"], "https://coach.example/sessions/sess0001");
    assert!(
        unescape_text(&es[0]["DESCRIPTION"])
            .ends_with("\n\nhttps://coach.example/sessions/sess0001")
    );
    assert_eq!(es[1]["SEQUENCE"], "1");
    assert_eq!(es[2]["SEQUENCE"], "0");
}

#[test]
fn busy_only_and_timed_variants() {
    let plan = plan(Some("10k:50:00"));
    let mut opts = FeedOptions::new("Training", stamp());
    opts.busy_only = true;
    opts.start_times[6] = Some((7, 30)); // Sunday
    let evs = events(&content_lines(&plan_calendar(&plan, &opts)));
    assert!(evs.iter().all(|e| e["SUMMARY"] == "Busy"));
    assert!(evs.iter().all(|e| !e.contains_key("DESCRIPTION")));
    assert!(evs.iter().all(|e| e["UID"].starts_with("busy-")));

    let sunday = planned_sessions(&plan)
        .into_iter()
        .filter(|p| p.date.weekday() == jiff::civil::Weekday::Sunday)
        .collect::<Vec<_>>();
    let first_sunday = sunday[0].date;
    let day: Vec<_> = sunday.iter().filter(|p| p.date == first_sunday).collect();
    let timed: Vec<_> = evs
        .iter()
        .filter(|e| e["DTSTART"].starts_with(&first_sunday.strftime("%Y%m%dT").to_string()))
        .collect();
    assert_eq!(timed.len(), day.len());
    // Back to back from 07:30, busy (OPAQUE), in floating local time.
    let ymd = first_sunday.strftime("%Y%m%d").to_string();
    assert_eq!(timed[0]["DTSTART"], format!("{ymd}T073000"));
    assert_eq!(timed[0]["TRANSP"], "OPAQUE");
    if timed.len() > 1 {
        assert_eq!(timed[1]["DTSTART"], timed[0]["DTEND"]);
    }
    // Other days stay all-day and transparent.
    let monday = evs
        .iter()
        .find(|e| !e["DTSTART"].contains('T'))
        .expect("an all-day event");
    assert_eq!(monday["TRANSP"], "TRANSPARENT");

    let mut tz = FeedOptions::new("Training", stamp());
    tz.start_times[6] = Some((7, 30));
    tz.tz = Some("Europe/Berlin".into());
    let feed = plan_calendar(&plan, &tz);
    assert!(feed.contains(&format!("DTSTART;TZID=Europe/Berlin:{ymd}T073000\r\n")));
}

#[test]
fn python_icalendar_parses_the_feed() {
    let ok = Command::new("python3")
        .args(["-c", "import icalendar"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("RUNCOACH_REQUIRE_PYTHON_CHECKS").is_none(),
            "RUNCOACH_REQUIRE_PYTHON_CHECKS is set but icalendar is not importable"
        );
        eprintln!(
            "skipped: Python icalendar is not installed (pip install icalendar); CI installs it"
        );
        return;
    }
    let plan = plan(Some("10k:50:00"));
    let mut opts = FeedOptions::new("Half, 2026; \"A\"", stamp());
    opts.start_times[2] = Some((6, 15)); // Wednesday
    opts.sequences.insert(
        session_uid("", &planned_sessions(&plan)[0])
            .trim_end_matches("@runcoach")
            .to_owned(),
        4,
    );
    let feed = plan_calendar(&plan, &opts);
    let path = std::env::temp_dir().join(format!("runcoach-ics-{}.ics", std::process::id()));
    std::fs::write(&path, &feed).unwrap();
    const SCRIPT: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
assert str(cal["VERSION"]) == "2.0"
out = {"name": str(cal["X-WR-CALNAME"]), "events": []}
for ev in cal.walk("VEVENT"):
    start = ev["DTSTART"].dt
    out["events"].append({
        "uid": str(ev["UID"]),
        "sequence": int(ev["SEQUENCE"]),
        "summary": str(ev["SUMMARY"]),
        "description": str(ev.get("DESCRIPTION", "")),
        "start": start.isoformat(),
        "end": ev["DTEND"].dt.isoformat(),
        "categories": [str(c) for c in ev["CATEGORIES"].cats],
    })
print(json.dumps(out))
"#;
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&path)
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // icalendar leaves X- properties as written (no value type known); RFC 5545 gives
    // them TEXT by default, so the name is escaped like any TEXT.
    assert_eq!(
        unescape_text(parsed["name"].as_str().unwrap()),
        "Half, 2026; \"A\""
    );
    let events = parsed["events"].as_array().unwrap();
    let sessions = planned_sessions(&plan);
    assert_eq!(events.len(), sessions.len());
    for (i, (ev, p)) in events.iter().zip(&sessions).enumerate() {
        let s = p.session;
        let ctx = format!("{} {}", p.date, kind_name(s.kind));
        assert_eq!(ev["uid"], session_uid("", p), "{ctx}");
        assert_eq!(ev["sequence"], if i == 0 { 4 } else { 0 }, "{ctx}");
        assert_eq!(ev["summary"], s.name(Units::Km), "{ctx}");
        assert_eq!(ev["description"], description(s, Units::Km, None), "{ctx}");
        assert_eq!(ev["categories"][0], s.kind.label(), "{ctx}");
        let start = ev["start"].as_str().unwrap();
        if p.date.weekday() == jiff::civil::Weekday::Wednesday {
            assert!(start.starts_with(&format!("{}T", p.date)), "{ctx}: {start}");
        } else {
            assert_eq!(start, p.date.to_string(), "{ctx}");
            assert_eq!(ev["end"], p.date.tomorrow().unwrap().to_string(), "{ctx}");
        }
    }
    let wednesday_first = sessions
        .iter()
        .zip(events)
        .find(|(p, _)| p.date.weekday() == jiff::civil::Weekday::Wednesday)
        .unwrap()
        .1;
    assert!(
        wednesday_first["start"]
            .as_str()
            .unwrap()
            .ends_with("T06:15:00"),
        "{wednesday_first}"
    );
}
