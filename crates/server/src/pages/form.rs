//! What was wrong with a submitted form, field by field, the way the race
//! page's pacing form first did it: each message sits beside its field
//! (`aria-invalid`, `aria-describedby` → the message's id) and a summary
//! at the top links to every field, so all problems show at once.
//!
//! The rules stay in core/app: a page hands their `FieldError`s (or its
//! own reading of a form) to [`FormErrors`], naming the input each one
//! belongs to, and templates render it with the macros in `form.html`.

use runcoach_core::plan::FieldError;

/// One problem: the `id` of the input it belongs to and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Every problem with one form, in the order of the form's fields as
/// they were found; at most one message per field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    problems: Vec<Problem>,
}

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a problem to `field`; a field already marked keeps its first
    /// message (the one nearest the cause), so a field never reads twice.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.problems.push(Problem {
                field: field.to_owned(),
                message: sentence(message.into()),
            });
        }
    }

    /// The app's field errors, each put on the input `input(field)` names
    /// and worded by `words(field, message)`.
    pub fn extend_from(
        &mut self,
        fields: &[FieldError],
        input: impl Fn(&str) -> &str,
        words: impl Fn(&str, &str) -> String,
    ) {
        for f in fields {
            self.add(input(f.field), words(f.field, &f.message));
        }
    }

    /// The problems in the order the form asks its fields (`order`, input
    /// ids), so the summary reads top to bottom like the form; fields not
    /// named keep their order after the others.
    pub fn in_form_order(mut self, order: &[&str]) -> Self {
        self.problems.sort_by_key(|p| {
            order
                .iter()
                .position(|f| *f == p.field)
                .unwrap_or(order.len())
        });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn len(&self) -> usize {
        self.problems.len()
    }

    pub fn has(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }

    /// The message beside `field`; empty when it is fine.
    pub fn message(&self, field: &str) -> &str {
        self.problems
            .iter()
            .find(|p| p.field == field)
            .map_or("", |p| p.message.as_str())
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

/// Messages start with a capital and end with a full stop, whoever wrote
/// them ("race date … " from the engine reads as a sentence on a page).
fn sentence(message: String) -> String {
    let trimmed = message.trim();
    let mut chars = trimmed.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_field_once_in_order() {
        let mut e = FormErrors::new();
        e.add("weekly_km", "enter the kilometres you run in a week");
        e.add("run_days", "Choose at least 3 run days.");
        e.add("weekly_km", "a second message is dropped");
        assert_eq!(e.len(), 2);
        assert_eq!(
            e.message("weekly_km"),
            "Enter the kilometres you run in a week."
        );
        assert_eq!(e.message("run_days"), "Choose at least 3 run days.");
        assert_eq!(e.message("race_date"), "");
        assert!(!e.has("race_date"));
        assert_eq!(
            e.problems()
                .iter()
                .map(|p| p.field.as_str())
                .collect::<Vec<_>>(),
            ["weekly_km", "run_days"]
        );
    }

    #[test]
    fn the_summary_follows_the_form() {
        let mut e = FormErrors::new();
        e.add("weekly_km", "a");
        e.add("unknown", "b");
        e.add("race_date", "c");
        let e = e.in_form_order(&["race_date", "run_days", "weekly_km"]);
        assert_eq!(
            e.problems()
                .iter()
                .map(|p| p.field.as_str())
                .collect::<Vec<_>>(),
            ["race_date", "weekly_km", "unknown"]
        );
    }

    #[test]
    fn app_errors_land_on_their_inputs() {
        let fields = vec![
            FieldError {
                field: "recent",
                message: "no time".into(),
            },
            FieldError {
                field: "email",
                message: "'' is not an email address".into(),
            },
        ];
        let mut e = FormErrors::new();
        e.extend_from(
            &fields,
            |f| if f == "recent" { "recent_time" } else { f },
            |f, m| {
                if f == "email" {
                    "Enter your e-mail address".into()
                } else {
                    m.to_owned()
                }
            },
        );
        assert_eq!(e.message("recent_time"), "No time.");
        assert_eq!(e.message("email"), "Enter your e-mail address.");
    }
}
