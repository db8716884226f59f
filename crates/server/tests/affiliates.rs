//! The affiliate program over HTTP, on SQLite and PostgreSQL: a visitor
//! arrives through an approved affiliate's link, signs up, buys the
//! marathon plan with RUN10 (a signed Stripe webhook); the affiliate sees
//! a pending commission on the discounted price; after the hold it is
//! approved and paid out; a refund after payout is clawed back from the
//! next payout; a coaching subscription's renewals stop paying at $100.
//! Plus the referral link's cookie, redirects, robots, and error codes.

use crate::common;

use common::{App, json_of};
use reqwest::StatusCode;
use runcoach_app::shop::{ShopConfig, signature};
use runcoach_store::test_support::{age_commissions, backends};
use runcoach_store::users::Role;
use serde_json::{Value, json};

const SECRET: &str = "whsec_affiliate_test";
const BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
const DAY_MS: i64 = 24 * 3600 * 1000;

fn config() -> runcoach_server::Config {
    runcoach_server::Config {
        public_url: Some("https://coach.example".into()),
        shop: ShopConfig {
            public_url: "https://shop.example".into(),
            webhook_secrets: vec![SECRET.into()],
            ..ShopConfig::default()
        },
        // Every client is on loopback: each says its own address.
        trust_proxy: true,
        ..runcoach_server::Config::default()
    }
}

/// A browser that keeps cookies, follows no redirects, and says who it is,
/// from an address of its own.
fn browser() -> reqwest::Client {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        format!("203.0.113.{}", n % 250 + 1).parse().unwrap(),
    );
    headers.extend(common::api_marker());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(BROWSER)
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn webhook(app: &App, event: Value) {
    let body = event.to_string();
    let now = jiff::Timestamp::now().as_second();
    let r = app
        .client()
        .post(app.url("/api/v1/webhooks/stripe"))
        .header(
            "Stripe-Signature",
            signature::sign(body.as_bytes(), SECRET, now),
        )
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    json_of(req.send().await.unwrap()).await
}

async fn created(req: reqwest::RequestBuilder) -> Value {
    let (status, v) = send(req).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn sign_up(app: &App, c: &reqwest::Client, email: &str) {
    created(
        c.post(app.url("/api/v1/signup"))
            .json(&json!({"email": email, "password": "long enough password", "name": "Runner"})),
    )
    .await;
}

async fn dashboard(app: &App, c: &reqwest::Client) -> Value {
    let (status, d) = send(c.get(app.url("/api/v1/affiliate/dashboard"))).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    d
}

fn set_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rc_ref="))
        .map(str::to_owned)
}

fn commissions(d: &Value) -> Vec<(i64, String, String)> {
    let mut v: Vec<_> = d["commissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["amount_minor"].as_i64().unwrap(),
                c["status"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_referred_runner_buys_with_run10_and_the_affiliate_is_paid_once_clawed_back_and_capped() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;

        // The operator's settings: the offer, with a low payout minimum.
        let (status, p) = send(admin.get(app.url("/api/v1/admin/affiliate-program"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (p["commission_bps"].as_i64(), p["cap_minor"].as_i64()),
            (Some(2000), Some(10_000))
        );
        let mut p = p;
        p["min_payout_minor"] = json!(500);
        let (status, _) = send(
            admin
                .put(app.url("/api/v1/admin/affiliate-program"))
                .json(&p),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{backend}");

        // The catalogue: the marathon plan ($34.85), RUN10, monthly coaching.
        let plan = created(admin.post(app.url("/api/v1/admin/products")).json(&json!({
            "slug": "marathon-plan", "name": "Marathon plan", "kind": "training_plan",
            "price_minor": 3485, "currency": "USD", "races": ["marathon"], "description": "16–20 weeks"
        })))
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        created(admin.post(app.url("/api/v1/admin/coupons")).json(&json!({
            "code": "RUN10", "percent_off_bps": 1000, "per_athlete_limit": 1,
            "applies_to": ["training_plan"], "expires_at": "2099-01-01T00:00:00Z"
        })))
        .await;
        let coaching = created(admin.post(app.url("/api/v1/admin/products")).json(&json!({
            "slug": "online-coaching", "name": "Online coaching", "kind": "coaching_subscription",
            "price_minor": 9900, "currency": "USD", "description": "monthly"
        })))
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // A running club applies: approved at once ("fast approval").
        let club = browser();
        sign_up(&app, &club, "club@example.com").await;
        let applied = created(
            club.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({
                    "slug": "trail-club", "payout_email": "treasurer@trail-club.example"
                })),
        )
        .await;
        assert_eq!(applied["status"], "approved", "{backend}");

        // A visitor follows the link: 302 to the page named, cookie set.
        let ana = browser();
        let r = ana
            .get(app.url("/r/trail-club?to=/store"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()["location"], "/store");
        let cookie = set_cookie(&r).expect("referral cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(cookie.contains("Max-Age=2592000"), "{cookie}");

        // Ana signs up (bound to the club) and buys the plan with RUN10.
        sign_up(&app, &ana, "ana@example.com").await;
        let order = created(ana.post(app.url("/api/v1/orders")).json(&json!({
            "items": [{"product_id": plan}], "coupon": "RUN10"
        })))
        .await;
        assert_eq!(order["total_minor"], 3136);
        let order_id = order["id"].as_str().unwrap().to_owned();
        let paid = json!({"id": "evt_paid", "type": "checkout.session.completed", "data": {"object": {
            "id": "cs_1", "client_reference_id": order_id, "metadata": {"order_id": order_id},
            "payment_status": "paid", "payment_intent": "pi_1", "amount_total": 3136, "currency": "usd"}}});
        webhook(&app, paid.clone()).await;
        let mut again = paid;
        again["id"] = json!("evt_paid_again");
        webhook(&app, again).await;

        // The club sees one pending commission on what Ana paid: 20 % of
        // $31.36 = $6.27; counts, never who.
        let d = dashboard(&app, &club).await;
        assert_eq!(d["link"], "https://coach.example/r/trail-club");
        assert_eq!(
            (
                d["clicks"].as_i64(),
                d["signups"].as_i64(),
                d["conversions"].as_i64()
            ),
            (Some(1), Some(1), Some(1)),
            "{backend}"
        );
        assert_eq!(
            commissions(&d),
            [(627, "pending".into(), "commission".into())]
        );
        assert_eq!(d["commissions"][0]["base_minor"], 3136);
        assert_eq!(d["balance"]["pending_minor"], 627);
        let weeks = d["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 12);
        assert_eq!(
            (
                weeks[11]["clicks"].as_i64(),
                weeks[11]["signups"].as_i64(),
                weeks[11]["conversions"].as_i64()
            ),
            (Some(1), Some(1), Some(1))
        );
        let text = d.to_string();
        assert!(!text.contains("ana@example.com") && !text.contains("Runner"));

        // During the hold nothing is paid.
        let lines = created(
            admin
                .post(app.url("/api/v1/admin/payouts"))
                .json(&json!({"period": "2026-11"})),
        )
        .await;
        assert_eq!(lines, json!([]));

        // After the hold: approved, then paid in the period's run, once.
        age_commissions(&app.db, 31 * DAY_MS).await.unwrap();
        let d = dashboard(&app, &club).await;
        assert_eq!(d["balance"]["approved_minor"], 627, "{backend}");
        let lines = created(
            admin
                .post(app.url("/api/v1/admin/payouts"))
                .json(&json!({"period": "2026-12"})),
        )
        .await;
        assert_eq!(lines.as_array().unwrap().len(), 1, "{lines}");
        assert_eq!(
            (
                lines[0]["amount_minor"].as_i64(),
                lines[0]["currency"].as_str()
            ),
            (Some(627), Some("USD"))
        );
        let again = created(
            admin
                .post(app.url("/api/v1/admin/payouts"))
                .json(&json!({"period": "2026-12"})),
        )
        .await;
        assert_eq!(again, json!([]));
        let d = dashboard(&app, &club).await;
        assert_eq!(d["balance"]["paid_minor"], 627);
        assert_eq!(d["payouts"][0]["amount_minor"], 627);

        // A paid commission is locked.
        let paid_id = d["commissions"][0]["id"].as_str().unwrap().to_owned();
        let (status, body) =
            send(admin.post(app.url(&format!("/api/v1/admin/commissions/{paid_id}/approve"))))
                .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("commission_paid"))
        );

        // Ana is refunded after the payout: a clawback, approved at once.
        let (status, _) = send(
            admin
                .post(app.url(&format!("/api/v1/admin/orders/{order_id}/refunds")))
                .json(&json!({"amount_minor": 3136})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let d = dashboard(&app, &club).await;
        assert_eq!(
            commissions(&d),
            [
                (-627, "approved".into(), "clawback".into()),
                (627, "paid".into(), "commission".into())
            ],
            "{backend}"
        );

        // Bob arrives by ?ref= on the home page and subscribes to coaching:
        // $19.80 a month until $100, then nothing.
        let bob = browser();
        let r = bob.get(app.url("/?ref=trail-club")).send().await.unwrap();
        assert!(set_cookie(&r).is_some(), "{backend}: ?ref= sets the cookie");
        sign_up(&app, &bob, "bob@example.com").await;
        let sub = created(
            bob.post(app.url("/api/v1/orders"))
                .json(&json!({"items": [{"product_id": coaching}]})),
        )
        .await;
        let sub_id = sub["id"].as_str().unwrap().to_owned();
        webhook(&app, json!({"id": "evt_sub", "type": "checkout.session.completed", "data": {"object": {
            "id": "cs_2", "mode": "subscription", "client_reference_id": sub_id, "metadata": {"order_id": sub_id},
            "payment_status": "paid", "invoice": "in_1", "subscription": "sub_1", "amount_total": 9900, "currency": "usd"}}})).await;
        for n in 1..=7 {
            webhook(
                &app,
                json!({"id": format!("evt_in_{n}"), "type": "invoice.paid", "data": {"object": {
                "id": format!("in_{n}"), "amount_paid": 9900, "currency": "usd",
                "subscription_details": {"metadata": {"order_id": sub_id}}}}}),
            )
            .await;
        }
        let d = dashboard(&app, &club).await;
        let bobs: Vec<i64> = d["commissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["order_id"] == sub_id.as_str())
            .map(|c| c["amount_minor"].as_i64().unwrap())
            .collect();
        let mut sorted = bobs.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [100, 1980, 1980, 1980, 1980, 1980], "{backend}");

        // The next payout nets the clawback off: $100 − $6.27.
        age_commissions(&app.db, 31 * DAY_MS).await.unwrap();
        let lines = created(
            admin
                .post(app.url("/api/v1/admin/payouts"))
                .json(&json!({"period": "2027-01"})),
        )
        .await;
        assert_eq!(lines[0]["amount_minor"], 10_000 - 627, "{backend}");
        assert_eq!(lines[0]["commission_ids"].as_array().unwrap().len(), 7);

        let r = admin
            .get(app.url("/api/v1/admin/payouts.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let csv = r.text().await.unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
        assert!(
            csv.contains("\"treasurer@trail-club.example\",\"USD\",9373"),
            "{csv}"
        );
    }
}

#[tokio::test]
async fn referral_links_never_redirect_away_and_robots_unknown_slugs_and_others_set_nothing() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let club = browser();
        sign_up(&app, &club, "club@example.com").await;
        created(
            club.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({
                    "slug": "trail-club", "payout_email": "t@example.com"
                })),
        )
        .await;
        let blog = browser();
        sign_up(&app, &blog, "blog@example.com").await;
        let blog_id = created(
            blog.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({
                    "slug": "run-blog", "payout_email": "b@example.com"
                })),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();

        for to in [
            "%2F%2Fevil.example",
            "https%3A%2F%2Fevil.example%2Fx",
            "%2F%5Cevil.example",
            "//evil.example",
        ] {
            let r = browser()
                .get(app.url(&format!("/r/trail-club?to={to}")))
                .send()
                .await
                .unwrap();
            assert_eq!(
                (r.status(), r.headers()["location"].to_str().unwrap()),
                (StatusCode::FOUND, "/"),
                "{to}"
            );
        }
        // Robots and prefetches: redirected, not counted, no cookie.
        let bot = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Googlebot/2.1 (+http://www.google.com/bot.html)")
            .build()
            .unwrap();
        let r = bot.get(app.url("/r/trail-club")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert!(set_cookie(&r).is_none());
        let r = browser()
            .get(app.url("/r/trail-club"))
            .header("Sec-Purpose", "prefetch")
            .send()
            .await
            .unwrap();
        assert!(set_cookie(&r).is_none());
        let r = browser()
            .head(app.url("/r/trail-club"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert!(
            set_cookie(&r).is_none(),
            "a HEAD (link checker) sets nothing"
        );

        // First touch: a later click, or an unknown slug, keeps the cookie.
        let visitor = browser();
        let r = visitor.get(app.url("/r/trail-club")).send().await.unwrap();
        assert!(set_cookie(&r).is_some());
        for later in ["/r/run-blog", "/r/nobody-here", "/?ref=run-blog"] {
            let r = visitor.get(app.url(later)).send().await.unwrap();
            assert!(set_cookie(&r).is_none(), "{backend}: {later}");
        }
        // A suspended affiliate's link sets nothing.
        let (status, _) =
            send(admin.post(app.url(&format!("/api/v1/admin/affiliates/{blog_id}/suspend")))).await;
        assert_eq!(status, StatusCode::OK);
        let r = browser().get(app.url("/r/run-blog")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert!(set_cookie(&r).is_none());
        let (status, body) =
            send(admin.post(app.url(&format!("/api/v1/admin/affiliates/{blog_id}/suspend")))).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("affiliate_status"))
        );

        let d = dashboard(&app, &club).await;
        assert_eq!(
            d["clicks"], 5,
            "{backend}: the 4 redirect checks and the visitor"
        );
    }
}

#[tokio::test]
async fn settings_applications_and_admin_routes_answer_with_codes() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let ana = browser();
        sign_up(&app, &ana, "ana@example.com").await;

        let (status, body) = send(ana.get(app.url("/api/v1/admin/affiliate-program"))).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        let (status, body) = send(
            admin
                .put(app.url("/api/v1/admin/affiliate-program"))
                .json(&json!({"hold_days": 7, "attribution": "last"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], "hold_days");
        let (status, _) = send(
            admin
                .put(app.url("/api/v1/admin/affiliate-program"))
                .json(&json!({"auto_approve": false})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);

        for slug in ["admin", "ab", "Trail Club"] {
            let (status, body) = send(
                ana.post(app.url("/api/v1/affiliate/application"))
                    .json(&json!({"slug": slug, "payout_email": "p@example.com"})),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
            assert_eq!(body["fields"][0]["field"], "slug");
        }
        let (status, _) = send(ana.get(app.url("/api/v1/affiliate/dashboard"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let made = created(
            ana.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({"slug": "ana-runs", "payout_email": "p@example.com"})),
        )
        .await;
        assert_eq!(made["status"], "applied", "{backend}");
        let (status, body) = send(
            ana.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({"slug": "ana-two", "payout_email": "p@example.com"})),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::CONFLICT, Some("already_applied"))
        );
        let (_, list) = send(admin.get(app.url("/api/v1/admin/affiliates"))).await;
        assert_eq!(list[0]["status"], "applied");
        let id = made["id"].as_str().unwrap();
        let (status, a) =
            send(admin.post(app.url(&format!("/api/v1/admin/affiliates/{id}/approve")))).await;
        assert_eq!(
            (status, a["status"].as_str()),
            (StatusCode::OK, Some("approved"))
        );
        let (status, _) =
            send(ana.post(app.url(&format!("/api/v1/admin/affiliates/{id}/suspend")))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = send(
            admin
                .post(app.url("/api/v1/admin/payouts"))
                .json(&json!({"period": "2026-13"})),
        )
        .await;
        assert_eq!(
            (status, body["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("period"))
        );
        let (status, _) = send(admin.post(app.url("/api/v1/admin/commissions/nope/approve"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // An affiliate's coupon names an affiliate that exists.
        let (status, body) = send(admin.post(app.url("/api/v1/admin/coupons")).json(&json!({
            "code": "CLUB10", "percent_off_bps": 1000, "expires_at": "2099-01-01T00:00:00Z", "affiliate_id": "nobody"
        }))).await;
        assert_eq!(
            (status, body["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("affiliate_id"))
        );
        let coupon = created(admin.post(app.url("/api/v1/admin/coupons")).json(&json!({
            "code": "CLUB10", "percent_off_bps": 1000, "expires_at": "2099-01-01T00:00:00Z", "affiliate_id": id
        }))).await;
        assert_eq!(coupon["affiliate_id"], id);
    }
}

#[tokio::test]
async fn the_footer_links_to_the_apply_page_and_the_pages_work_without_javascript() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let visitor = browser();
        let home = visitor
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("<a href=\"/affiliate\">Earn up to $100 per referral</a>"));
        let page = visitor
            .get(app.url("/affiliate"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("earn up to $100.00 per runner"), "{page}");
        assert!(page.contains("/signup?next=/affiliate"));

        let coach = browser();
        sign_up(&app, &coach, "coach@example.com").await;
        let page = coach
            .get(app.url("/affiliate"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = common::csrf_of(&page);
        let r = coach
            .post(app.url("/affiliate"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("slug", "trail-club"),
                ("payout_email", "pay@example.com"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let page = coach
            .get(app.url("/affiliate"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("value=\"https://coach.example/r/trail-club\""),
            "{backend}: {page}"
        );
        assert!(page.contains("0 clicks · 0 sign-ups · 0 paying runners"));
        assert!(page.contains("<figcaption>Your referrals by week</figcaption>"));
        assert!(page.contains("QR code for https://coach.example/r/trail-club"));
        let r = coach
            .get(app.url("/affiliate/qr.svg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        assert!(r.text().await.unwrap().starts_with("<svg"));

        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let page = admin
            .get(app.url("/admin/affiliates"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("<strong>trail-club</strong> · approved"),
            "{page}"
        );
        let csrf = common::csrf_of(&page);
        let r = admin
            .post(app.url("/admin/payouts"))
            .form(&[("csrf", csrf.as_str()), ("period", "2026-12")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .contains("0%20payout%20lines")
        );
        let r = coach
            .get(app.url("/admin/affiliates"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}

fn browser_at(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    headers.extend(common::api_marker());
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(BROWSER)
        .default_headers(headers)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_sign_up_from_the_affiliates_own_address_or_e_mail_earns_nothing() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let plan = created(admin.post(app.url("/api/v1/admin/products")).json(&json!({
            "slug": "marathon-plan", "name": "Marathon plan", "kind": "training_plan",
            "price_minor": 3485, "currency": "USD", "races": ["marathon"], "description": "16–20 weeks"
        })))
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let coach = browser_at("198.51.100.7");
        sign_up(&app, &coach, "Coach@Example.com").await;
        created(
            coach
                .post(app.url("/api/v1/affiliate/application"))
                .json(&json!({
                    "slug": "trail-club", "payout_email": "pay@example.com"
                })),
        )
        .await;
        let buy = |c: reqwest::Client| {
            let app = &app;
            let admin = &admin;
            let plan = plan.clone();
            async move {
                c.get(app.url("/r/trail-club")).send().await.unwrap();
                let order = created(
                    c.post(app.url("/api/v1/orders"))
                        .json(&json!({"items": [{"product_id": plan}]})),
                )
                .await;
                let id = order["id"].as_str().unwrap();
                let (status, _) =
                    send(admin.post(app.url(&format!("/api/v1/admin/orders/{id}/mark-paid"))))
                        .await;
                assert_eq!(status, StatusCode::OK);
            }
        };
        // The same address as the application; the same e-mail with a tag.
        let twin = browser_at("198.51.100.7");
        twin.get(app.url("/r/trail-club")).send().await.unwrap();
        sign_up(&app, &twin, "twin@example.com").await;
        buy(twin).await;
        let alias = browser_at("192.0.2.99");
        alias.get(app.url("/r/trail-club")).send().await.unwrap();
        sign_up(&app, &alias, " coach+alias@example.com").await;
        buy(alias).await;
        // Someone else: earns.
        let ana = browser_at("192.0.2.10");
        ana.get(app.url("/r/trail-club")).send().await.unwrap();
        sign_up(&app, &ana, "ana@example.com").await;
        buy(ana).await;

        let (_, all) = send(admin.get(app.url("/api/v1/admin/commissions"))).await;
        let mut got: Vec<(i64, String)> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["amount_minor"].as_i64().unwrap(),
                    c["reason"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (0, "self_referral".into()),
                (0, "self_referral".into()),
                (697, String::new())
            ],
            "{backend}"
        );
    }
}

/// Roles are a set: an athlete who becomes an approved affiliate is both,
/// and `role` keeps naming the account's own.
#[tokio::test]
async fn an_approved_affiliate_athlete_has_both_roles() {
    for backend in backends() {
        let app = App::start(backend).await;
        let ana = app.signup("ana@example.com").await;
        let (_, me) = json_of(ana.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(
            (me["role"].clone(), me["roles"].clone()),
            (json!("athlete"), json!(["athlete"]))
        );
        let (s, applied) = json_of(
            ana.post(app.url("/api/v1/affiliate/application"))
                .json(&json!({"slug": "ana-runs", "payout_email": "ana@example.com"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (s, applied["status"].as_str()),
            (reqwest::StatusCode::CREATED, Some("approved")),
            "{backend}"
        );
        let (_, me) = json_of(ana.get(app.url("/api/v1/me")).send().await.unwrap()).await;
        assert_eq!(me["role"], "athlete");
        assert_eq!(me["roles"], json!(["athlete", "affiliate"]), "{backend}");
    }
}

#[tokio::test]
async fn the_footer_offer_follows_the_programs_cap_on_every_page() {
    for backend in backends() {
        let app = App::start_with(backend, config()).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let visitor = browser();
        let runner = browser();
        sign_up(&app, &runner, "ana@example.com").await;
        let footer = |html: String| {
            let start = html.find("<footer").expect("every page has the footer");
            let end = html[start..].find("</footer>").unwrap() + start;
            html[start..end].to_owned()
        };
        let (_, mut program) = send(admin.get(app.url("/api/v1/admin/affiliate-program"))).await;
        // (cap in cents, what the footer says)
        for (cap, offer) in [
            (25_000, "Earn up to $250 per referral"),
            (12_550, "Earn up to $125.50 per referral"),
            (0, "Earn by referring runners"),
        ] {
            program["cap_minor"] = json!(cap);
            let (status, saved) = send(
                admin
                    .put(app.url("/api/v1/admin/affiliate-program"))
                    .json(&program),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{backend}: {saved}");
            for (who, path) in [(&visitor, "/"), (&visitor, "/store"), (&runner, "/today")] {
                let html = who
                    .get(app.url(path))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(
                    footer(html).contains(&format!("<a href=\"/affiliate\">{offer}</a>")),
                    "{backend} {path}: cap {cap}"
                );
            }
        }
    }
}
