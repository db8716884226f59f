//! Parsing of the ISO 8601 / RFC 3339 timestamps found in GPX and TCX files.

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may replace the `T`)
/// into UTC unix milliseconds. A time without a zone is taken as UTC (GPX requires
/// UTC; devices that omit the `Z` mean it).
pub(crate) fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 24 || minute > 59 {
        return None;
    }
    let second = second.min(60);
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        // First three fraction digits, right-padded: ".5" is 500 ms.
        millis = (0..3).fold(0i64, |m, k| {
            let d = b
                .get(start + k)
                .filter(|d| start + k < i && d.is_ascii_digit())
                .map_or(0, |d| i64::from(d - b'0'));
            m * 10 + d
        });
    }
    let offset_s = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let (h, m) = match b.len() - i - 1 {
                5 if b[i + 3] == b':' => (num(i + 1..i + 3)?, num(i + 4..i + 6)?),
                4 => (num(i + 1..i + 3)?, num(i + 3..i + 5)?),
                2 => (num(i + 1..i + 3)?, 0),
                _ => return None,
            };
            let off = h * 3600 + m * 60;
            if sign == b'+' { off } else { -off }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(secs * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339_ms;

    #[test]
    fn parses_common_shapes() {
        assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_ms("2012-12-26T21:29:53Z"),
            Some(1_356_557_393_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-12-07T12:33:18.000Z"),
            Some(1_670_416_398_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-12-07T12:33:18.25Z"),
            Some(1_670_416_398_250)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-12-07T14:33:18+02:00"),
            Some(1_670_416_398_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2022-12-07T07:33:18-0500"),
            Some(1_670_416_398_000)
        );
        assert_eq!(
            parse_rfc3339_ms(" 2022-12-07 12:33:18 "),
            Some(1_670_416_398_000)
        );
        assert_eq!(
            parse_rfc3339_ms("2000-02-29T00:00:00Z"),
            Some(951_782_400_000)
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "yesterday",
            "2022-13-07T12:33:18Z",
            "2022-12-07T12:33",
            "2022-12-07T12:33:18Q",
        ] {
            assert_eq!(parse_rfc3339_ms(s), None, "{s}");
        }
    }
}
