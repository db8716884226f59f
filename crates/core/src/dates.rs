//! The calendar the product accepts. Dates come from people and scripts,
//! and jiff's range (years −9999 to 9999) is far wider than any training
//! history or plan: at its edges plain date arithmetic overflows and
//! panics. Every accepted date is parsed here and bounded to 1900–2100,
//! so arithmetic on it (a plan's 52 weeks, a 5-year chart) stays far from
//! those edges; the server's own arithmetic saturates besides, for rows
//! stored before the bound.

use jiff::civil::{Date, date};

pub const EARLIEST: Date = date(1900, 1, 1);
pub const LATEST: Date = date(2100, 12, 31);
/// A plan's race lies at most this many years from today, either way.
pub const PLAN_HORIZON_YEARS: i16 = 2;

/// A `YYYY-MM-DD` date within [`EARLIEST`]..=[`LATEST`]; the message
/// names the problem.
pub fn parse(text: &str) -> Result<Date, String> {
    let d = text
        .trim()
        .parse::<Date>()
        .map_err(|_| format!("'{text}' is not a real date: expected YYYY-MM-DD"))?;
    in_range(d)
}

/// `d` when it lies within [`EARLIEST`]..=[`LATEST`].
pub fn in_range(d: Date) -> Result<Date, String> {
    if (EARLIEST..=LATEST).contains(&d) {
        Ok(d)
    } else {
        Err(format!(
            "{d} is outside the dates accepted ({EARLIEST} to {LATEST})"
        ))
    }
}

/// Whether a race on `race_date` is near enough to `today` to plan for.
pub fn within_plan_horizon(race_date: Date, today: Date) -> Result<(), String> {
    let years = jiff::Span::new().years(PLAN_HORIZON_YEARS);
    let earliest = today.checked_sub(years).unwrap_or(EARLIEST);
    let latest = today.checked_add(years).unwrap_or(LATEST);
    if (earliest..=latest).contains(&race_date) {
        Ok(())
    } else {
        Err(format!(
            "race date {race_date} is more than {PLAN_HORIZON_YEARS} years from today ({today}); plan races from {earliest} to {latest}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_outside_1900_to_2100_are_refused_with_a_reason() {
        assert_eq!(parse(" 2027-04-25 "), Ok(date(2027, 4, 25)));
        assert_eq!(parse("1900-01-01"), Ok(EARLIEST));
        assert_eq!(parse("2100-12-31"), Ok(LATEST));
        assert!(parse("1899-12-31").unwrap_err().contains("outside"));
        assert!(parse("9999-12-31").unwrap_err().contains("outside"));
        assert!(parse("-009999-01-01").unwrap_err().contains("outside"));
        assert!(parse("2027-02-30").unwrap_err().contains("not a real date"));
        let today = date(2026, 11, 28);
        assert!(within_plan_horizon(date(2028, 11, 28), today).is_ok());
        assert!(within_plan_horizon(date(2024, 11, 28), today).is_ok());
        assert!(within_plan_horizon(date(2028, 11, 29), today).is_err());
        assert!(within_plan_horizon(date(2024, 11, 27), today).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any string either parses to a date in range or is refused:
        /// never a panic, never a date outside the range.
        #[test]
        fn parse_never_panics_and_bounds(
            y in -9999i32..=9999, m in 0u8..=13, d in 0u8..=32, wide in any::<bool>()
        ) {
            // jiff reads years outside 0000–9999 in the 6-digit form.
            let year = if y < 0 || wide {
                format!("{}{:06}", if y < 0 { "-" } else { "+" }, y.abs())
            } else {
                format!("{y:04}")
            };
            let text = format!("{year}-{m:02}-{d:02}");
            if let Ok(day) = parse(&text) {
                prop_assert!((EARLIEST..=LATEST).contains(&day));
            }
        }
    }
}
