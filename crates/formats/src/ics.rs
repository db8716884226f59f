//! An RFC 5545 iCalendar writer, generic over what the events are.
//!
//! ```
//! use jiff::civil::date;
//! use runcoach_formats::ics::{Calendar, Event, When, write};
//!
//! let calendar = Calendar {
//!     name: "My plan".into(),
//!     prodid: "-//runcoach//plan//EN".into(),
//!     refresh_minutes: 60,
//!     dtstamp: "2026-03-01T00:00:00Z".parse().unwrap(),
//!     events: vec![Event {
//!         uid: "w1-tempo@runcoach".into(),
//!         sequence: 0,
//!         summary: "Tempo 8.5 km".into(),
//!         description: "Warm-up 2 km, 4 km at 4:20/km; cool-down 2.5 km".into(),
//!         location: None,
//!         url: None,
//!         categories: vec!["Tempo".into()],
//!         when: When::AllDay(date(2026, 3, 3)),
//!         transparent: true,
//!     }],
//! };
//! let text = write(&calendar);
//! assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
//! ```
//!
//! Output is byte-exact and deterministic: CRLF line ends, content lines folded at
//! 75 octets (never inside a UTF-8 character; continuation lines start with one
//! space), TEXT values escaped (`\\`, `\;`, `\,`, `\n`). There is no clock here: the
//! `DTSTAMP` of every event is [`Calendar::dtstamp`].

use std::fmt::Write;

use jiff::civil::{Date, DateTime};
use jiff::{Span, Timestamp};

/// Longest content line, in octets, without its CRLF (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// A published calendar: one `VCALENDAR` with its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Shown by calendar apps as the subscription's name (`X-WR-CALNAME`, `NAME`).
    pub name: String,
    /// `PRODID`, e.g. `-//runcoach//plan//EN`.
    pub prodid: String,
    /// How often subscribers should re-fetch (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`).
    pub refresh_minutes: u32,
    /// When this calendar was generated; every event's `DTSTAMP`.
    pub dtstamp: Timestamp,
    /// The events, written in this order.
    pub events: Vec<Event>,
}

/// One `VEVENT`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Globally unique and stable across regenerations, e.g. `abc123@runcoach`.
    pub uid: String,
    /// Raised each time the event changes, so clients update instead of duplicating.
    pub sequence: u32,
    /// The title.
    pub summary: String,
    /// Free text; newlines allowed. Empty: no `DESCRIPTION` line.
    pub description: String,
    /// `LOCATION`, if any.
    pub location: Option<String>,
    /// `URL` (a URI, written unescaped), if any.
    pub url: Option<String>,
    /// `CATEGORIES` values; none: no line.
    pub categories: Vec<String>,
    /// When it happens.
    pub when: When,
    /// `TRANSP:TRANSPARENT` (does not block time) when true, `OPAQUE` (busy) otherwise.
    pub transparent: bool,
}

/// The time of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// A whole day (`DTSTART;VALUE=DATE`, `DTEND` the next day).
    AllDay(Date),
    /// A start time and a length.
    Timed {
        /// Local wall-clock start.
        start: DateTime,
        /// Length in minutes (at least 1 is written).
        minutes: u32,
        /// IANA time zone name for `TZID`. `None` writes floating local time, which
        /// RFC 5545 defines as "the same wall-clock time wherever the viewer is".
        /// Each zone used gets its `VTIMEZONE` (RFC 5545 §3.6.5: one for every
        /// `TZID`), its rules over the events' span from the tz database.
        tz: Option<String>,
    },
}

/// The calendar as iCalendar text (`text/calendar; charset=utf-8`).
pub fn write(calendar: &Calendar) -> String {
    let mut out = String::new();
    let stamp = utc(calendar.dtstamp);
    let ttl = duration(calendar.refresh_minutes.max(1));
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, &format!("PRODID:{}", text(&calendar.prodid)));
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(&calendar.name)));
    line(&mut out, &format!("NAME:{}", text(&calendar.name)));
    line(&mut out, &format!("REFRESH-INTERVAL;VALUE=DURATION:{ttl}"));
    line(&mut out, &format!("X-PUBLISHED-TTL:{ttl}"));
    for (zone, from, to) in zones_used(&calendar.events) {
        vtimezone(&mut out, &zone, from, to);
    }
    for e in &calendar.events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("SEQUENCE:{}", e.sequence));
        match &e.when {
            When::AllDay(day) => {
                let next = day.tomorrow().unwrap_or(*day);
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", ymd(*day)));
                line(&mut out, &format!("DTEND;VALUE=DATE:{}", ymd(next)));
            }
            When::Timed { start, minutes, tz } => {
                let end = start
                    .checked_add(Span::new().minutes(i64::from((*minutes).max(1))))
                    .unwrap_or(*start);
                let param = tz
                    .as_deref()
                    .map(|z| format!(";TZID={}", param_value(z)))
                    .unwrap_or_default();
                line(&mut out, &format!("DTSTART{param}:{}", local(*start)));
                line(&mut out, &format!("DTEND{param}:{}", local(end)));
            }
        }
        line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
        if !e.description.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
        }
        if let Some(loc) = &e.location {
            line(&mut out, &format!("LOCATION:{}", text(loc)));
        }
        if let Some(url) = &e.url {
            line(&mut out, &format!("URL:{}", uri(url)));
        }
        if !e.categories.is_empty() {
            let list: Vec<String> = e.categories.iter().map(|c| text(c)).collect();
            line(&mut out, &format!("CATEGORIES:{}", list.join(",")));
        }
        line(
            &mut out,
            if e.transparent {
                "TRANSP:TRANSPARENT"
            } else {
                "TRANSP:OPAQUE"
            },
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// Each zone the timed events name, with the span of their starts.
fn zones_used(events: &[Event]) -> Vec<(String, DateTime, DateTime)> {
    let mut zones: Vec<(String, DateTime, DateTime)> = Vec::new();
    for e in events {
        if let When::Timed {
            start, tz: Some(z), ..
        } = &e.when
        {
            match zones.iter_mut().find(|(name, ..)| name == z) {
                Some((_, from, to)) => {
                    *from = (*from).min(*start);
                    *to = (*to).max(*start);
                }
                None => zones.push((z.clone(), *start, *start)),
            }
        }
    }
    zones
}

/// A `VTIMEZONE` for `name` covering `from`..=`to` (local times): the
/// observance in force at the first event, then every change up to the
/// last, each a dated STANDARD or DAYLIGHT part. A zone the tz database
/// does not know is left to the client, as before.
fn vtimezone(out: &mut String, name: &str, from: DateTime, to: DateTime) {
    let Ok(tz) = jiff::tz::TimeZone::get(name) else {
        return;
    };
    let (Ok(first), Ok(last)) = (tz.to_timestamp(from), tz.to_timestamp(to)) else {
        return;
    };
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{}", text(name)));
    let in_force = tz.preceding(first).next();
    let changes = in_force
        .into_iter()
        .chain(tz.following(first).take_while(|t| t.timestamp() <= last));
    let mut any = false;
    for t in changes {
        let before = tz.to_offset(
            t.timestamp()
                .checked_sub(Span::new().seconds(1))
                .unwrap_or(t.timestamp()),
        );
        // The onset as the wall clock read it just before the change.
        let onset = before.to_datetime(t.timestamp());
        observance(
            out,
            t.dst().is_dst(),
            onset,
            before,
            t.offset(),
            t.abbreviation(),
        );
        any = true;
    }
    if !any {
        // A zone that never changes (UTC, Etc/GMT+5): one observance.
        let info = tz.to_offset_info(first);
        let offset = info.offset();
        observance(
            out,
            info.dst().is_dst(),
            jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0),
            offset,
            offset,
            info.abbreviation(),
        );
    }
    line(out, "END:VTIMEZONE");
}

fn observance(
    out: &mut String,
    daylight: bool,
    onset: DateTime,
    from: jiff::tz::Offset,
    to: jiff::tz::Offset,
    abbreviation: &str,
) {
    let part = if daylight { "DAYLIGHT" } else { "STANDARD" };
    line(out, &format!("BEGIN:{part}"));
    line(out, &format!("DTSTART:{}", local(onset)));
    line(out, &format!("TZOFFSETFROM:{}", utc_offset(from)));
    line(out, &format!("TZOFFSETTO:{}", utc_offset(to)));
    if !abbreviation.is_empty() {
        line(out, &format!("TZNAME:{}", text(abbreviation)));
    }
    line(out, &format!("END:{part}"));
}

/// `+0100`, `-0430`, `+053000` (RFC 5545 §3.3.14 UTC-OFFSET).
fn utc_offset(o: jiff::tz::Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline
/// (CRLF, CR or LF all become `\n`); other control characters except tab are dropped.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Undoes [`text`] (for tests and round-trips): `\n`/`\N` → newline, `\x` → `x`.
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Appends one content line, folded, with CRLF.
fn line(out: &mut String, content: &str) {
    out.push_str(&fold(content));
}

/// Folds one content line (without line end) into CRLF-terminated physical lines of
/// at most [`MAX_LINE_OCTETS`] octets, never splitting a UTF-8 character.
pub fn fold(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + content.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if used + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// Undoes [`fold`] on a whole document: removes every CRLF followed by one space or tab.
pub fn unfold(document: &str) -> String {
    document.replace("\r\n ", "").replace("\r\n\t", "")
}

/// A parameter value, quoted when it holds `:`, `;` or `,`; `"` and controls dropped.
fn param_value(v: &str) -> String {
    let clean: String = v.chars().filter(|c| *c != '"' && !c.is_control()).collect();
    if clean.contains([':', ';', ',']) {
        format!("\"{clean}\"")
    } else {
        clean
    }
}

/// A URI value: written as is, minus characters that cannot appear in one.
fn uri(v: &str) -> String {
    v.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

fn local(t: DateTime) -> String {
    format!(
        "{}T{:02}{:02}{:02}",
        ymd(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn utc(ts: Timestamp) -> String {
    format!(
        "{}Z",
        local(ts.to_zoned(jiff::tz::TimeZone::UTC).datetime())
    )
}

/// `PT90M` → `PT1H30M`; whole days as `P1D`.
fn duration(minutes: u32) -> String {
    if minutes.is_multiple_of(24 * 60) {
        return format!("P{}D", minutes / (24 * 60));
    }
    let (h, m) = (minutes / 60, minutes % 60);
    let mut s = "PT".to_owned();
    if h > 0 {
        let _ = write!(s, "{h}H");
    }
    if m > 0 {
        let _ = write!(s, "{m}M");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn physical_lines(s: &str) -> Vec<&str> {
        assert!(s.ends_with("\r\n"));
        s[..s.len() - 2].split("\r\n").collect()
    }

    #[test]
    fn short_lines_are_not_folded() {
        assert_eq!(fold("SUMMARY:Easy 8 km"), "SUMMARY:Easy 8 km\r\n");
        let exact = format!("X:{}", "a".repeat(73));
        assert_eq!(exact.len(), 75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
    }

    #[test]
    fn long_ascii_lines_fold_at_75_octets() {
        let content = format!("DESCRIPTION:{}", "x".repeat(200));
        let folded = fold(&content);
        let lines = physical_lines(&folded);
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' ') && !lines[1][1..].starts_with(' '));
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2].len(), 212 - 75 - 74 + 1);
        assert_eq!(unfold(&folded), format!("{content}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_multibyte_character() {
        // 73 ASCII octets, then "é" (2 octets) fits exactly at 75; "€" (3 octets)
        // would end at 76 and moves whole to the next line.
        let fits = format!("{}é{}", "a".repeat(73), "b".repeat(10));
        let lines: Vec<String> = physical_lines(&fold(&fits))
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert_eq!(lines[0].len(), 75);
        assert!(lines[0].ends_with('é'));
        assert_eq!(lines[1], format!(" {}", "b".repeat(10)));

        let moves = format!("{}€x", "a".repeat(73));
        let folded = fold(&moves);
        let lines = physical_lines(&folded);
        assert_eq!(lines[0], "a".repeat(73));
        assert_eq!(lines[1], " €x");

        // A run of 4-octet characters: every physical line stays ≤ 75 octets and
        // valid UTF-8 (it is a &str), and unfolding restores the text.
        let emoji = format!("SUMMARY:{}", "🏃".repeat(60));
        let folded = fold(&emoji);
        for l in physical_lines(&folded) {
            assert!(l.len() <= MAX_LINE_OCTETS, "{} octets", l.len());
        }
        assert_eq!(physical_lines(&folded)[0].len(), 8 + 16 * 4); // 72: a 4-octet char would pass 75
        assert_eq!(unfold(&folded), format!("{emoji}\r\n"));
    }

    #[test]
    fn text_escaping() {
        assert_eq!(
            text("Warm-up; 2 km, easy\\steady\nthen 3 × 1 km"),
            "Warm-up\\; 2 km\\, easy\\\\steady\\nthen 3 × 1 km"
        );
        assert_eq!(text("a\r\nb\rc\u{7}d"), "a\\nb\\ncd");
        let original = "a;b,c\\d\ne: f";
        assert_eq!(unescape_text(&text(original)), original);
    }

    #[test]
    fn durations_and_stamps() {
        assert_eq!(duration(60), "PT1H");
        assert_eq!(duration(90), "PT1H30M");
        assert_eq!(duration(15), "PT15M");
        assert_eq!(duration(1440), "P1D");
        assert_eq!(
            utc("2026-03-01T07:08:09+02:00".parse().unwrap()),
            "20260301T050809Z"
        );
        assert_eq!(param_value("Europe/London"), "Europe/London");
        assert_eq!(param_value("a:b"), "\"a:b\"");
    }

    #[test]
    fn writes_a_whole_calendar() {
        let cal = Calendar {
            name: "Plan, 10k".into(),
            prodid: "-//runcoach//test//EN".into(),
            refresh_minutes: 360,
            dtstamp: "2026-03-01T00:00:00Z".parse().unwrap(),
            events: vec![
                Event {
                    uid: "a@runcoach".into(),
                    sequence: 2,
                    summary: "Tempo 8.5 km".into(),
                    description: "line one\nline two".into(),
                    location: None,
                    url: Some("https://example.test/s/a?x=1,2".into()),
                    categories: vec!["Run".into(), "Tempo, hard".into()],
                    when: When::AllDay(date(2026, 12, 31)),
                    transparent: true,
                },
                Event {
                    uid: "b@runcoach".into(),
                    sequence: 0,
                    summary: "Busy".into(),
                    description: String::new(),
                    location: Some("Park".into()),
                    url: None,
                    categories: vec![],
                    when: When::Timed {
                        start: date(2026, 3, 2).at(23, 30, 0, 0),
                        minutes: 45,
                        tz: Some("Europe/London".into()),
                    },
                    transparent: false,
                },
            ],
        };
        let expected = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//runcoach//test//EN\r\n\
            CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Plan\\, 10k\r\nNAME:Plan\\, 10k\r\n\
            REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\nX-PUBLISHED-TTL:PT6H\r\n\
            BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:STANDARD\r\nDTSTART:20251026T020000\r\n\
            TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
            BEGIN:VEVENT\r\nUID:a@runcoach\r\nDTSTAMP:20260301T000000Z\r\nSEQUENCE:2\r\n\
            DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\nSUMMARY:Tempo 8.5 km\r\n\
            DESCRIPTION:line one\\nline two\r\nURL:https://example.test/s/a?x=1,2\r\n\
            CATEGORIES:Run,Tempo\\, hard\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n\
            BEGIN:VEVENT\r\nUID:b@runcoach\r\nDTSTAMP:20260301T000000Z\r\nSEQUENCE:0\r\n\
            DTSTART;TZID=Europe/London:20260302T233000\r\nDTEND;TZID=Europe/London:20260303T001500\r\n\
            SUMMARY:Busy\r\nLOCATION:Park\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assert_eq!(write(&cal), expected);
    }

    fn timed(uid: &str, start: DateTime, tz: &str) -> Event {
        Event {
            uid: uid.into(),
            sequence: 0,
            summary: "Easy".into(),
            description: String::new(),
            location: None,
            url: None,
            categories: vec![],
            when: When::Timed {
                start,
                minutes: 30,
                tz: Some(tz.into()),
            },
            transparent: false,
        }
    }

    /// Between the part of the document from `BEGIN:VTIMEZONE` to its end.
    fn zones_of(doc: &str) -> Vec<String> {
        doc.split("BEGIN:VTIMEZONE\r\n")
            .skip(1)
            .map(|z| z[..z.find("END:VTIMEZONE").unwrap()].to_owned())
            .collect()
    }

    #[test]
    fn every_zone_used_has_its_rules_over_the_events_span() {
        let cal = Calendar {
            name: "Plan".into(),
            prodid: "-//runcoach//test//EN".into(),
            refresh_minutes: 60,
            dtstamp: "2026-03-01T00:00:00Z".parse().unwrap(),
            events: vec![
                timed("a", date(2026, 3, 1).at(6, 30, 0, 0), "America/New_York"),
                timed("b", date(2026, 3, 20).at(6, 30, 0, 0), "America/New_York"),
                timed("c", date(2026, 3, 21).at(7, 0, 0, 0), "Etc/GMT+5"),
            ],
        };
        let zones = zones_of(&write(&cal));
        assert_eq!(zones.len(), 2, "one VTIMEZONE per TZID");
        assert_eq!(
            zones[0],
            "TZID:America/New_York\r\n\
             BEGIN:STANDARD\r\nDTSTART:20251102T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n\
             BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\n"
        );
        assert_eq!(
            zones[1],
            "TZID:Etc/GMT+5\r\n\
             BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0500\r\nTZNAME:-05\r\nEND:STANDARD\r\n"
        );
        assert_eq!(
            utc_offset(jiff::tz::Offset::from_seconds(19_800).unwrap()),
            "+0530"
        );
        assert_eq!(
            utc_offset(jiff::tz::Offset::from_seconds(-1_234).unwrap()),
            "-002034"
        );
    }

    #[test]
    fn a_zone_the_database_lacks_gets_no_vtimezone() {
        let cal = Calendar {
            name: "Plan".into(),
            prodid: "-//runcoach//test//EN".into(),
            refresh_minutes: 60,
            dtstamp: "2026-03-01T00:00:00Z".parse().unwrap(),
            events: vec![timed(
                "a",
                date(2026, 3, 1).at(6, 30, 0, 0),
                "Mars/Olympus_Mons",
            )],
        };
        let doc = write(&cal);
        assert!(!doc.contains("VTIMEZONE"));
        assert!(doc.contains("DTSTART;TZID=Mars/Olympus_Mons:20260301T063000"));
    }
}
