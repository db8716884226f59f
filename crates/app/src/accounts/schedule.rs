//! The athlete's usual start time per weekday, stored as text
//! (`mon=06:30,sat=08:00`), for timed calendar events.

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Monday-first start times; days without one stay all-day events.
pub type StartTimes = [Option<(u8, u8)>; 7];

fn clock(text: &str) -> Option<(u8, u8)> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some((h, m))
}

/// Reads the stored form; unreadable entries are skipped.
pub fn parse(stored: &str) -> StartTimes {
    let mut out = [None; 7];
    for item in stored.split(',') {
        if let Some((day, time)) = item.split_once('=')
            && let Some(i) = DAYS.iter().position(|d| *d == day.trim())
        {
            out[i] = clock(time);
        }
    }
    out
}

/// Reads the stored form strictly, for the API: every entry must be a
/// weekday and a time (`mon=06:30,sat=08:00`); empty means none at all.
pub fn parse_strict(text: &str) -> Result<StartTimes, String> {
    let mut out = [None; 7];
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (day, time) = item.split_once('=').unwrap_or((item, ""));
        let i = DAYS
            .iter()
            .position(|d| *d == day.trim())
            .ok_or_else(|| format!("'{day}' is not a weekday like mon or sat"))?;
        out[i] = Some(clock(time).ok_or_else(|| format!("'{time}' is not a time like 06:30"))?);
    }
    Ok(out)
}

pub fn format(times: &StartTimes) -> String {
    DAYS.iter()
        .zip(times)
        .filter_map(|(d, t)| t.map(|(h, m)| format!("{d}={h:02}:{m:02}")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads one weekday's `HH:MM` from a form; empty means none.
pub fn field(day: &str, text: &str) -> Result<Option<(u8, u8)>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    clock(text).map(Some).ok_or_else(|| {
        format!(
            "Enter {day}'s start time as hours and minutes, like 06:30 (“{text}” is not a time)"
        )
    })
}

/// An IANA zone name such as `Europe/Dublin`; empty for floating times.
/// The name must be one the tz database knows: "today" and timed calendar
/// events are computed in it, so a typo would silently mean UTC.
pub fn zone(text: &str) -> Result<String, String> {
    let t = text.trim();
    let ok = t.is_empty()
        || (t.len() <= 64
            && t.contains('/')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-+".contains(&b))
            && jiff::tz::TimeZone::get(t).is_ok());
    if ok {
        Ok(t.to_owned())
    } else {
        Err(format!(
            "“{t}” is not a time zone we know: write the region and city, like Europe/Dublin or America/Los_Angeles"
        ))
    }
}

/// The zone the runner's browser reports, kept when the account has none
/// yet, so "today" is the runner's day from the first page on. A name the
/// tz database does not know is ignored: the browser sent it, not the
/// runner, and Settings still lets them choose.
pub async fn adopt_browser_zone(
    db: &runcoach_store::Db,
    user_id: &str,
    reported: &str,
) -> Result<bool, runcoach_store::StoreError> {
    match zone(reported) {
        Ok(z) if !z.is_empty() => {
            runcoach_store::users::set_time_zone_if_unset(db, user_id, &z).await
        }
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        let t = parse("mon=06:30, sat=08:05,xyz=01:00,sun=25:00");
        assert_eq!(t[0], Some((6, 30)));
        assert_eq!(t[5], Some((8, 5)));
        assert_eq!(t[6], None);
        assert_eq!(format(&t), "mon=06:30,sat=08:05");
        assert_eq!(field("Tuesday", "7:15"), Ok(Some((7, 15))));
        assert_eq!(field("Tuesday", ""), Ok(None));
        assert!(field("Tuesday", "7pm").unwrap_err().contains("not a time"));
        assert_eq!(zone("Europe/Dublin"), Ok("Europe/Dublin".into()));
        assert!(zone("Dublin; DROP").is_err());
        assert!(zone("Europe/Atlantis").is_err());
        assert_eq!(
            parse_strict(" sat=08:00,mon=6:30").map(|t| format(&t)),
            Ok("mon=06:30,sat=08:00".into())
        );
        assert!(parse_strict("sat=8pm").is_err());
        assert!(parse_strict("someday=08:00").is_err());
        assert_eq!(zone(""), Ok(String::new()));
    }
}
