//! Where a planned session stands: the athlete's log says done, partly
//! done or skipped; a run imported from a watch and matched to it counts
//! as done; a past day with neither is missed. One rule for the API, the
//! calendar and Today.

use jiff::civil::Date;
use serde::Serialize;

use crate::load::LogStatus;

/// A session's status, in the log's own words plus `planned` and `missed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Planned,
    Done,
    Partial,
    Skipped,
    Missed,
}

impl SessionStatus {
    /// The JSON word, also the CSS class on pages.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planned",
            SessionStatus::Done => "done",
            SessionStatus::Partial => "partial",
            SessionStatus::Skipped => "skipped",
            SessionStatus::Missed => "missed",
        }
    }

    /// What a page prints beside the colour, so status never rests on
    /// colour alone.
    pub fn label(self) -> &'static str {
        match self {
            SessionStatus::Planned => "Planned",
            SessionStatus::Done => "Done",
            SessionStatus::Partial => "Partly done",
            SessionStatus::Skipped => "Skipped",
            SessionStatus::Missed => "Missed",
        }
    }
}

/// The status of a session on `date`, seen on `today`. `logged` is the
/// newest log entry's status for it (the athlete's latest word wins, so a
/// "skipped" corrected to "done" reads done); `matched` says an imported
/// activity was linked to it. A log outranks the import: the athlete may
/// have run only part of the session the watch recorded. Rest days are
/// never missed, and neither are days before `since` (the day the plan was
/// made: a plan starting on Monday, made on Thursday, has missed nothing).
pub fn session_status(
    date: Date,
    today: Date,
    since: Date,
    logged: Option<LogStatus>,
    matched: bool,
    rest: bool,
) -> SessionStatus {
    match (logged, matched) {
        (Some(LogStatus::Done), _) | (None, true) => SessionStatus::Done,
        (Some(LogStatus::Partial), _) => SessionStatus::Partial,
        (Some(LogStatus::Skipped), _) => SessionStatus::Skipped,
        (None, false) if date < today && date >= since && !rest => SessionStatus::Missed,
        (None, false) => SessionStatus::Planned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn nothing_is_missed_before_the_plan_was_made() {
        let made = date(2027, 3, 4);
        let status = |d| session_status(d, date(2027, 3, 10), made, None, false, false);
        assert_eq!(status(date(2027, 3, 1)), SessionStatus::Planned);
        assert_eq!(status(date(2027, 3, 4)), SessionStatus::Missed);
    }

    #[test]
    fn log_then_import_then_the_calendar_decide() {
        let today = date(2027, 3, 10);
        let past = date(2027, 3, 9);
        let s = |d, l, m| session_status(d, today, date(2027, 1, 1), l, m, false);
        assert_eq!(s(past, None, false), SessionStatus::Missed);
        assert_eq!(s(today, None, false), SessionStatus::Planned);
        assert_eq!(s(date(2027, 3, 11), None, false), SessionStatus::Planned);
        assert_eq!(s(past, None, true), SessionStatus::Done);
        assert_eq!(
            s(past, Some(LogStatus::Partial), true),
            SessionStatus::Partial
        );
        assert_eq!(
            s(today, Some(LogStatus::Skipped), false),
            SessionStatus::Skipped
        );
        assert_eq!(s(past, Some(LogStatus::Done), false), SessionStatus::Done);
        assert_eq!(
            session_status(past, today, past, None, false, true),
            SessionStatus::Planned
        );
        assert_eq!(
            serde_json::to_value(SessionStatus::Partial).unwrap(),
            "partial"
        );
    }
}
