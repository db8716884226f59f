//! Which referral a conversion is credited to.

use serde::{Deserialize, Serialize};

/// Whether the first or the latest valid referral click counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    First,
    Last,
}

/// A referral click remembered in the visitor's cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub slug: String,
    /// Unix ms.
    pub at: i64,
}

const DAY_MS: i64 = 24 * 3600 * 1000;

impl Touch {
    /// A referral counts for a conversion strictly before `at + cookie_days`.
    pub fn valid_at(&self, now: i64, cookie_days: i64) -> bool {
        now >= self.at && now < self.at + cookie_days * DAY_MS
    }
}

/// The touch to keep when a visitor clicks `new` while holding `held`:
/// first touch keeps a still-valid earlier click, last touch takes the new
/// one. A click for an unknown or unapproved affiliate never reaches here.
pub fn credited(held: Option<Touch>, new: Touch, mode: Attribution, cookie_days: i64) -> Touch {
    match (held, mode) {
        (Some(h), Attribution::First) if h.valid_at(new.at, cookie_days) => h,
        _ => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(slug: &str, day: i64) -> Touch {
        Touch {
            slug: slug.into(),
            at: day * DAY_MS,
        }
    }

    #[test]
    fn the_cookie_window_is_end_exclusive() {
        let t = touch("club", 10);
        assert!(t.valid_at(10 * DAY_MS, 30));
        assert!(t.valid_at(40 * DAY_MS - 1, 30));
        assert!(!t.valid_at(40 * DAY_MS, 30));
    }

    #[test]
    fn first_touch_holds_until_it_lapses_and_last_touch_moves() {
        let held = Some(touch("club", 10));
        assert_eq!(
            credited(held.clone(), touch("blog", 20), Attribution::First, 30).slug,
            "club"
        );
        assert_eq!(
            credited(held.clone(), touch("blog", 41), Attribution::First, 30).slug,
            "blog"
        );
        assert_eq!(
            credited(held, touch("blog", 20), Attribution::Last, 30).slug,
            "blog"
        );
        assert_eq!(
            credited(None, touch("blog", 20), Attribution::First, 30).slug,
            "blog"
        );
    }
}
