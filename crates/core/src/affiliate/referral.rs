//! The rules around a referral that are not money: who is the same person,
//! which traffic is a person at all, where a referral link may send them,
//! and which payout period a run is for.

use unicode_normalization::UnicodeNormalization;

/// An e-mail address as compared for self-referral: trimmed, NFKC,
/// lower-cased, and without a `+tag` in the local part
/// (` Coach+Club@Example.com` and `coach@example.com` are one person).
pub fn email_key(email: &str) -> String {
    let folded: String = email.trim().nfkc().collect::<String>().to_lowercase();
    match folded.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => folded,
    }
}

/// Why a referral earns nothing, when it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfReferral {
    SameAccount,
    SameEmail,
    SameAddress,
}

/// Whether the athlete is the affiliate under another name: the same
/// account, the same normalised e-mail, or the same client address (hashed)
/// at sign-up as the affiliate's at application.
pub fn self_referral(
    affiliate_user: &str,
    affiliate_email_key: &str,
    affiliate_address: Option<&str>,
    athlete_user: &str,
    athlete_email: &str,
    athlete_signup_address: Option<&str>,
) -> Option<SelfReferral> {
    if affiliate_user == athlete_user {
        Some(SelfReferral::SameAccount)
    } else if email_key(athlete_email) == affiliate_email_key {
        Some(SelfReferral::SameEmail)
    } else if affiliate_address.is_some() && affiliate_address == athlete_signup_address {
        Some(SelfReferral::SameAddress)
    } else {
        None
    }
}

/// Traffic that is not a person choosing to follow a link: prefetches
/// (`Purpose: prefetch`, `Sec-Purpose: prefetch…`) and obvious robots by
/// user agent (or none at all). Such clicks are not counted and set no
/// cookie.
pub fn is_automated(user_agent: Option<&str>, purpose: Option<&str>) -> bool {
    if purpose.is_some_and(|p| p.to_ascii_lowercase().contains("prefetch")) {
        return true;
    }
    let Some(ua) = user_agent.map(str::trim).filter(|ua| !ua.is_empty()) else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    const ROBOTS: &[&str] = &[
        "bot",
        "crawl",
        "spider",
        "slurp",
        "preview",
        "facebookexternalhit",
        "headless",
        "python-requests",
        "curl/",
        "wget/",
        "httpclient",
        "lighthouse",
        "monitor",
    ];
    ROBOTS.iter().any(|r| ua.contains(r))
}

/// Where a referral link may send its visitor: a path on this site only
/// (`/plans/marathon?x=1`), never another host (`//evil.example`,
/// `/\evil.example`, `https://…`) or anything with control characters.
pub fn safe_redirect(to: Option<&str>) -> &str {
    let Some(to) = to else { return "/" };
    let ok = to.starts_with('/')
        && !to.starts_with("//")
        && !to.starts_with("/\\")
        && to.len() <= 512
        && to
            .chars()
            .all(|c| !c.is_control() && c != '\\' && !c.is_whitespace());
    if ok { to } else { "/" }
}

/// How much of an order's returned money (refunds and open disputes) each
/// of its payments bears, newest payment first (a refund is usually of the
/// latest charge); `bases_oldest_first` are the payments' bases.
pub fn allocate_returned(bases_oldest_first: &[i64], returned_minor: i64) -> Vec<i64> {
    let mut left = returned_minor.max(0);
    let mut out = vec![0; bases_oldest_first.len()];
    for (i, base) in bases_oldest_first.iter().enumerate().rev() {
        let take = left.min((*base).max(0));
        out[i] = take;
        left -= take;
    }
    out
}

/// What a commission is worth after `returned_minor` of its payment went
/// back, and, when it was already paid out, the clawback that restores the
/// balance: `(commission_amount, clawback_amount)`. Before payout the
/// commission itself shrinks (zero: void) and there is no clawback; after
/// payout the commission stays as paid and the clawback is the (negative)
/// difference — zero again if a dispute is won.
pub fn after_return(
    original_minor: i64,
    bps: i64,
    base_minor: i64,
    returned_minor: i64,
    paid_out_minor: Option<i64>,
) -> (i64, i64) {
    let owed = super::settle_refund(original_minor, bps, base_minor, returned_minor);
    match paid_out_minor {
        None => (owed, 0),
        Some(paid) => (paid, (owed - paid).min(0)),
    }
}

/// A payout period, `YYYY-MM`.
pub fn check_period(period: &str) -> Result<(), String> {
    let b = period.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 7
        && b[4] == b'-'
        && digits(0..4)
        && digits(5..7)
        && (1..=12).contains(&period[5..7].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(())
    } else {
        Err(format!("'{period}' is not a month such as 2026-12"))
    }
}

const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;

/// How many of `times` fall in each of the `weeks` seven-day windows that
/// end at `now` (oldest window first; the last one includes `now`).
pub fn weekly_counts(times: &[i64], now: i64, weeks: usize) -> Vec<i64> {
    let mut counts = vec![0; weeks];
    for t in times.iter().filter(|t| **t <= now) {
        let back = usize::try_from((now - t) / WEEK_MS).unwrap_or(usize::MAX);
        if back < weeks {
            counts[weeks - 1 - back] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_compare_without_case_space_tags_or_width() {
        assert_eq!(email_key(" Coach+Club@Example.COM "), "coach@example.com");
        assert_eq!(email_key("ｃｏａｃｈ@example.com"), "coach@example.com");
        assert_ne!(
            email_key("coach@example.com"),
            email_key("coach2@example.com")
        );
    }

    #[test]
    fn self_referral_by_account_email_or_address() {
        let key = email_key("coach@example.com");
        let same = |user, email, addr| self_referral("u1", &key, Some("h1"), user, email, addr);
        assert_eq!(same("u1", "x@y.z", None), Some(SelfReferral::SameAccount));
        assert_eq!(
            same("u2", "COACH+alt@example.com", None),
            Some(SelfReferral::SameEmail)
        );
        assert_eq!(
            same("u2", "ana@example.com", Some("h1")),
            Some(SelfReferral::SameAddress)
        );
        assert_eq!(same("u2", "ana@example.com", Some("h2")), None);
        assert_eq!(
            self_referral("u1", &key, None, "u2", "ana@example.com", None),
            None
        );
    }

    #[test]
    fn robots_and_prefetches_are_not_clicks() {
        let chrome = Some("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36");
        assert!(!is_automated(chrome, None));
        assert!(is_automated(chrome, Some("prefetch")));
        assert!(is_automated(chrome, Some("prefetch;prerender")));
        assert!(is_automated(Some("Googlebot/2.1"), None));
        assert!(is_automated(Some("Slackbot-LinkExpanding 1.0"), None));
        assert!(is_automated(None, None));
    }

    #[test]
    fn redirects_stay_on_the_site() {
        assert_eq!(safe_redirect(None), "/");
        assert_eq!(safe_redirect(Some("/store?x=1")), "/store?x=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil.example",
            "/ok\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(safe_redirect(Some(bad)), "/", "{bad:?}");
        }
    }

    #[test]
    fn refunds_fall_on_the_latest_payment_first() {
        assert_eq!(allocate_returned(&[9900, 9900], 5000), [0, 5000]);
        assert_eq!(allocate_returned(&[9900, 9900], 12_000), [2100, 9900]);
        assert_eq!(allocate_returned(&[3136], 99_999), [3136]);
    }

    #[test]
    fn after_payout_a_refund_is_a_clawback_and_a_won_dispute_undoes_it() {
        assert_eq!(after_return(627, 2000, 3136, 0, None), (627, 0));
        assert_eq!(after_return(627, 2000, 3136, 3136, None), (0, 0));
        assert_eq!(after_return(627, 2000, 3136, 3136, Some(627)), (627, -627));
        assert_eq!(after_return(627, 2000, 3136, 1000, Some(627)), (627, -200));
        assert_eq!(after_return(627, 2000, 3136, 0, Some(627)), (627, 0));
    }

    #[test]
    fn weeks_count_back_from_now() {
        let now = 100 * WEEK_MS;
        let times = [
            now,
            now - 1,
            now - WEEK_MS,
            now - 3 * WEEK_MS + 1,
            now + 1,
            0,
        ];
        assert_eq!(weekly_counts(&times, now, 3), [1, 1, 2]);
        assert_eq!(weekly_counts(&[], now, 2), [0, 0]);
    }

    #[test]
    fn periods() {
        assert!(check_period("2026-12").is_ok());
        for bad in ["2026-13", "2026-00", "26-12", "2026/12", "2026-1x"] {
            assert!(check_period(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_redirect_is_always_a_local_path(s in ".{0,40}") {
            let to = safe_redirect(Some(&s));
            prop_assert!(to.starts_with('/'));
            prop_assert!(!to.starts_with("//") && !to.starts_with("/\\"));
            prop_assert!(!to.chars().any(|c| c.is_control()));
        }

        #[test]
        fn allocation_never_exceeds_a_payment_or_the_total(
            bases in proptest::collection::vec(0i64..20_000, 0..6),
            returned in 0i64..100_000,
        ) {
            let parts = allocate_returned(&bases, returned);
            prop_assert_eq!(parts.len(), bases.len());
            for (p, b) in parts.iter().zip(&bases) {
                prop_assert!(*p >= 0 && p <= b);
            }
            let total: i64 = bases.iter().sum();
            prop_assert_eq!(parts.iter().sum::<i64>(), returned.min(total));
        }

        #[test]
        fn the_clawback_never_takes_more_than_was_paid(
            base in 1i64..100_000, returned in 0i64..200_000, bps in 0i64..=10_000,
        ) {
            let original = super::super::commission_for(bps, base, 0, 10_000);
            let (kept, clawback) = after_return(original, bps, base, returned, Some(original));
            prop_assert_eq!(kept, original);
            prop_assert!(clawback <= 0 && -clawback <= original);
            let (before, none) = after_return(original, bps, base, returned, None);
            prop_assert!(none == 0 && (0..=original).contains(&before));
        }

        #[test]
        fn lifetime_earnings_never_pass_the_cap(
            payments in proptest::collection::vec(0i64..50_000, 0..30),
            bps in 0i64..=10_000, cap in 0i64..20_000,
        ) {
            let mut earned = 0;
            for base in payments {
                let c = super::super::commission_for(bps, base, earned, cap);
                prop_assert!(c >= 0);
                earned += c;
            }
            prop_assert!(earned <= cap);
        }
    }
}
