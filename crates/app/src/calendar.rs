//! "Today" for an athlete. Here rather than in core: it reads the clock,
//! and a zone's rules come from the tz database on disk (or the copy
//! bundled in), which core, doing no IO, does not touch.

use jiff::civil::Date;

/// Today for an athlete: the date in their saved IANA zone, or in UTC when
/// they saved none (or the zone has since left the tz database). Every
/// "today" the app computes (pages, API defaults, adaptation) comes from
/// here, so a runner in Auckland sees their own Monday.
pub fn today_in(zone: &str) -> Date {
    date_at(jiff::Timestamp::now(), zone)
}

/// The calendar date at instant `now` in `zone` (UTC when empty/unknown).
pub fn date_at(now: jiff::Timestamp, zone: &str) -> Date {
    now.to_zoned(crate::imports::matching::zone_of(zone)).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_athletes_date_not_utcs() {
        // 11:30 UTC on 1 March is already 00:30 on 2 March in Auckland
        // (NZDT, UTC+13) and still 1 March in UTC and in Dublin.
        let now: jiff::Timestamp = "2027-03-01T11:30:00Z".parse().unwrap();
        assert_eq!(
            date_at(now, "Pacific/Auckland"),
            jiff::civil::date(2027, 3, 2)
        );
        assert_eq!(date_at(now, ""), jiff::civil::date(2027, 3, 1));
        assert_eq!(date_at(now, "Europe/Dublin"), jiff::civil::date(2027, 3, 1));
        // A zone the tz database no longer knows falls back to UTC.
        assert_eq!(date_at(now, "Mars/Olympus"), jiff::civil::date(2027, 3, 1));
    }
}
