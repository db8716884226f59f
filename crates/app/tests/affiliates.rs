//! The affiliate program's use-cases on real databases (SQLite always,
//! PostgreSQL when `RUNCOACH_TEST_POSTGRES_URL` is set): settings and
//! applications, clicks and first/last touch, binding at sign-up, at the
//! first paid order and by coupon, commissions made in the payment's
//! transaction (once per payment), hold and review, refunds before and
//! after payout, the lifetime cap over renewals, payouts per period.

use runcoach_app::Actor;
use runcoach_app::affiliates::{self, AffiliateError, Application, Decision};
use runcoach_app::shop::{self, CartItem, CouponInput, OrderRequest, ProductInput, ShopConfig};
use runcoach_core::affiliate::{Attribution, CommissionStatus, Program};
use runcoach_store::Db;
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};

const NOW: i64 = 1_790_000_000_000; // 2026-09-21
const DAY: i64 = 24 * 3600 * 1000;
const SECRET: &str = "whsec_test_secret";

struct World {
    db: Db,
    _dir: Option<tempfile::TempDir>,
    admin: Actor,
    config: ShopConfig,
}

async fn user(db: &Db, email: &str) -> Actor {
    Actor::of(
        &users::create(db, email, "Runner", "x", Role::Athlete)
            .await
            .unwrap(),
    )
}

async fn open(backend: &str) -> World {
    let (db, dir) = fresh(backend).await.unwrap();
    let admin = Actor::of(
        &users::create(&db, "boss@example.com", "Boss", "x", Role::Admin)
            .await
            .unwrap(),
    );
    World {
        db,
        _dir: dir,
        admin,
        config: ShopConfig {
            webhook_secrets: vec![SECRET.into()],
            ..ShopConfig::default()
        },
    }
}

impl World {
    async fn program(&self, p: Program) {
        affiliates::set_program(&self.db, &self.admin, p, NOW)
            .await
            .unwrap();
    }

    /// A user who applies (and is approved at once by default).
    async fn affiliate(&self, email: &str, slug: &str, address: Option<&str>) -> (Actor, String) {
        let who = user(&self.db, email).await;
        let made = affiliates::apply(
            &self.db,
            &who,
            Application {
                slug: slug.into(),
                payout_email: format!("pay-{email}"),
                website: None,
                note: None,
            },
            address,
            NOW,
        )
        .await
        .unwrap();
        (who, made.id)
    }

    async fn product(&self, slug: &str, kind: &str, price: i64, currency: &str) -> String {
        let input = ProductInput {
            slug: slug.into(),
            name: slug.into(),
            description: String::new(),
            kind: kind.into(),
            price_minor: price,
            currency: currency.into(),
            races: if kind == "training_plan" {
                vec!["marathon".into()]
            } else {
                vec![]
            },
            coach_id: None,
            sessions: (kind == "coaching_package").then_some(4),
        };
        shop::create_product(&self.db, &self.admin, input, NOW)
            .await
            .unwrap()
            .id
    }

    async fn coupon(&self, code: &str, affiliate: Option<&str>) {
        let input = CouponInput {
            code: code.into(),
            percent_off_bps: Some(1000),
            amount_off_minor: None,
            currency: None,
            starts_at: Some("2026-09-01T00:00:00Z".into()),
            expires_at: "2027-12-31T00:00:00Z".into(),
            max_redemptions: None,
            per_athlete_limit: Some(1),
            min_subtotal_minor: None,
            first_order_only: false,
            applies_to: vec![],
            athlete_id: None,
            affiliate_id: affiliate.map(str::to_owned),
            active: true,
        };
        shop::create_coupon(&self.db, &self.admin, input, NOW)
            .await
            .unwrap();
    }

    /// Places and pays (manually) an order; returns it.
    async fn buy(
        &self,
        who: &Actor,
        product: &str,
        coupon: Option<&str>,
        click: Option<&str>,
        at: i64,
    ) -> runcoach_store::shop::Order {
        let request = OrderRequest {
            items: vec![CartItem {
                product_id: product.into(),
                quantity: 1,
            }],
            coupon: coupon.map(str::to_owned),
            expected_total_minor: None,
        };
        let order = shop::place_order_referred(&self.db, &self.config, who, &request, click, at)
            .await
            .unwrap();
        shop::mark_paid(&self.db, &self.admin, &order.id, at)
            .await
            .unwrap()
    }

    async fn refund(&self, order: &str, amount: i64, at: i64) {
        shop::record_refund(&self.db, &self.config, &self.admin, order, amount, at)
            .await
            .unwrap();
    }

    async fn webhook(&self, body: serde_json::Value, at: i64) {
        let body = body.to_string();
        let header = shop::signature::sign(body.as_bytes(), SECRET, at / 1000);
        shop::stripe_webhook(&self.db, &self.config, Some(&header), body.as_bytes(), at)
            .await
            .unwrap();
    }

    async fn dashboard(&self, who: &Actor, at: i64) -> affiliates::Dashboard {
        affiliates::dashboard(&self.db, who, "https://coach.example/", at)
            .await
            .unwrap()
    }

    /// A visitor's click; the cookie value it leaves (the click id).
    async fn click(&self, slug: &str, held: Option<&str>, at: i64) -> Option<String> {
        affiliates::click(&self.db, slug, held, "addr-visitor", false, at)
            .await
            .unwrap()
            .map(|(id, _)| id)
    }
}

fn amounts(d: &affiliates::Dashboard) -> Vec<(i64, CommissionStatus, String)> {
    let mut v: Vec<_> = d
        .commissions
        .iter()
        .map(|c| (c.amount_minor, c.status, c.kind.clone()))
        .collect();
    v.sort_by_key(|(a, _, k)| (k.clone(), *a));
    v
}

#[tokio::test]
async fn settings_applications_and_decisions() {
    for backend in backends() {
        let w = open(backend).await;
        let p = affiliates::program(&w.db, &w.admin).await.unwrap();
        assert_eq!(p, Program::default(), "{backend}");
        let bad = Program {
            hold_days: 3,
            ..Program::default()
        };
        assert!(matches!(
            affiliates::set_program(&w.db, &w.admin, bad, NOW).await,
            Err(AffiliateError::Invalid(f)) if f[0].field == "hold_days"
        ));
        let ana = user(&w.db, "ana@example.com").await;
        assert!(matches!(
            affiliates::program(&w.db, &ana).await,
            Err(AffiliateError::Forbidden)
        ));

        // Fast approval by default.
        let (coach, id) = w.affiliate("coach@example.com", "trail-club", None).await;
        let mine = affiliates::mine(&w.db, &coach).await.unwrap().unwrap();
        assert_eq!(
            (mine.id.as_str(), mine.status.as_str()),
            (id.as_str(), "approved")
        );

        // Slugs: unique, shaped, not reserved; one application per user.
        for (slug, who) in [("trail-club", "b1"), ("admin", "b2"), ("No Spaces", "b3")] {
            let someone = user(&w.db, &format!("{who}@example.com")).await;
            let got = affiliates::apply(
                &w.db,
                &someone,
                Application {
                    slug: slug.into(),
                    payout_email: "p@example.com".into(),
                    website: None,
                    note: None,
                },
                None,
                NOW,
            )
            .await;
            assert!(
                matches!(&got, Err(AffiliateError::Invalid(f)) if f[0].field == "slug"),
                "{slug}: {got:?}"
            );
        }
        let again = affiliates::apply(
            &w.db,
            &coach,
            Application {
                slug: "second".into(),
                payout_email: "p@example.com".into(),
                website: None,
                note: None,
            },
            None,
            NOW,
        )
        .await;
        assert!(matches!(
            again,
            Err(AffiliateError::Conflict("already_applied", _))
        ));

        // Without auto-approval an admin decides.
        w.program(Program {
            auto_approve: false,
            ..Program::default()
        })
        .await;
        let (_, blog) = w.affiliate("blog@example.com", "run-blog", None).await;
        let step = |d| affiliates::decide(&w.db, &w.admin, &blog, d, NOW);
        assert!(matches!(
            step(Decision::Suspend).await,
            Err(AffiliateError::Conflict("affiliate_status", _))
        ));
        assert_eq!(step(Decision::Approve).await.unwrap().status, "approved");
        assert_eq!(step(Decision::Suspend).await.unwrap().status, "suspended");
        assert_eq!(step(Decision::Reinstate).await.unwrap().status, "approved");
        let (_, spam) = w.affiliate("spam@example.com", "spam-site", None).await;
        assert_eq!(
            affiliates::decide(&w.db, &w.admin, &spam, Decision::Reject, NOW)
                .await
                .unwrap()
                .status,
            "rejected"
        );
        assert!(matches!(
            affiliates::decide(&w.db, &ana, &spam, Decision::Approve, NOW).await,
            Err(AffiliateError::Forbidden)
        ));
        assert_eq!(
            affiliates::affiliates(&w.db, &w.admin).await.unwrap().len(),
            3
        );
    }
}

#[tokio::test]
async fn first_touch_holds_last_touch_moves_and_others_never_count() {
    for backend in backends() {
        let w = open(backend).await;
        w.affiliate("club@example.com", "trail-club", None).await;
        w.affiliate("blog@example.com", "run-blog", None).await;

        let first = w.click("trail-club", None, NOW).await.expect("cookie set");
        // A later click while the first is valid leaves the cookie alone.
        assert_eq!(w.click("run-blog", Some(&first), NOW + DAY).await, None);
        // Unknown slugs, robots and prefetches change nothing.
        assert_eq!(w.click("nobody-here", Some(&first), NOW).await, None);
        assert_eq!(w.click("nobody-here", None, NOW).await, None);
        let robot = affiliates::click(&w.db, "run-blog", None, "a", true, NOW)
            .await
            .unwrap();
        assert_eq!(robot, None);
        // After the window (end-exclusive) a new click takes over.
        assert!(
            w.click("run-blog", Some(&first), NOW + 30 * DAY)
                .await
                .is_some()
        );
        assert!(
            affiliates::valid_click(&w.db, &first, NOW + 30 * DAY - 1)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            affiliates::valid_click(&w.db, &first, NOW + 30 * DAY)
                .await
                .unwrap()
                .is_none()
        );

        // Last touch: the newer click replaces the cookie.
        w.program(Program {
            attribution: Attribution::Last,
            ..Program::default()
        })
        .await;
        assert!(w.click("run-blog", Some(&first), NOW + DAY).await.is_some());

        // A suspended affiliate's clicks are logged and set nothing; being
        // reinstated later does not reach back.
        let club = affiliates::affiliates(&w.db, &w.admin)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.slug == "trail-club")
            .unwrap();
        affiliates::decide(&w.db, &w.admin, &club.id, Decision::Suspend, NOW)
            .await
            .unwrap();
        assert_eq!(w.click("trail-club", None, NOW + 2 * DAY).await, None);
        affiliates::decide(&w.db, &w.admin, &club.id, Decision::Reinstate, NOW)
            .await
            .unwrap();
        let (clicks, _, _) = runcoach_store::affiliates::counts(&w.db, &club.id)
            .await
            .unwrap();
        assert_eq!(clicks, 1, "{backend}: only the click while approved counts");
    }
}

#[tokio::test]
async fn signup_plan_with_run10_hold_payout_refund_clawback() {
    for backend in backends() {
        let w = open(backend).await;
        w.program(Program {
            min_payout_minor: 300,
            ..Program::default()
        })
        .await;
        let (coach, _) = w.affiliate("coach@example.com", "trail-club", None).await;
        let plan = w
            .product("marathon-plan", "training_plan", 3485, "USD")
            .await;
        w.coupon("RUN10", None).await;

        // A visitor clicks, signs up with the cookie: bound at sign-up.
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        let ana = user(&w.db, "ana@example.com").await;
        assert!(
            affiliates::on_signup(&w.db, &ana.user_id, Some(&cookie), "addr-ana", NOW + 1000)
                .await
                .unwrap()
        );
        // $34.85 less 10 % = $31.36 paid; 20 % = $6.27.
        let order = w.buy(&ana, &plan, Some("RUN10"), None, NOW + DAY).await;
        assert_eq!(order.total_minor, 3136);
        let d = w.dashboard(&coach, NOW + DAY).await;
        assert_eq!(d.link, "https://coach.example/r/trail-club");
        assert_eq!((d.clicks, d.signups, d.conversions), (1, 1, 1), "{backend}");
        assert_eq!(
            amounts(&d),
            [(627, CommissionStatus::Pending, "commission".into())]
        );
        assert_eq!(d.balance.pending_minor, 627);
        assert_eq!(d.commissions[0].base_minor, 3136);

        // Nothing is paid during the hold.
        assert!(
            affiliates::run_payouts(&w.db, &w.admin, "2026-10", NOW + 10 * DAY)
                .await
                .unwrap()
                .is_empty()
        );
        // After the hold it is approved on read, and by the sweep.
        let after_hold = NOW + 31 * DAY;
        let d = w.dashboard(&coach, after_hold).await;
        assert_eq!(d.balance.approved_minor, 627);
        assert_eq!(affiliates::sweep(&w.db, after_hold).await.unwrap(), 1);

        let lines = affiliates::run_payouts(&w.db, &w.admin, "2026-10", after_hold)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(
            (lines[0].amount_minor, lines[0].currency.as_str()),
            (627, "USD")
        );
        // The same period again creates nothing.
        assert!(
            affiliates::run_payouts(&w.db, &w.admin, "2026-10", after_hold)
                .await
                .unwrap()
                .is_empty()
        );
        let d = w.dashboard(&coach, after_hold).await;
        assert_eq!(d.balance.paid_minor, 627);
        let paid_id = d.commissions[0].id.clone();
        assert!(matches!(
            affiliates::approve_commission(&w.db, &w.admin, &paid_id, after_hold).await,
            Err(AffiliateError::Conflict("commission_paid", _))
        ));

        // A full refund after payout: a clawback, approved at once.
        w.refund(&order.id, 3136, after_hold + DAY).await;
        let d = w.dashboard(&coach, after_hold + DAY).await;
        assert_eq!(
            amounts(&d),
            [
                (-627, CommissionStatus::Approved, "clawback".into()),
                (627, CommissionStatus::Paid, "commission".into())
            ],
            "{backend}"
        );
        // A negative balance carries forward; it nets off the next payout.
        assert!(
            affiliates::run_payouts(&w.db, &w.admin, "2026-11", after_hold + DAY)
                .await
                .unwrap()
                .is_empty()
        );
        let bob = user(&w.db, "bob@example.com").await;
        let cookie = w.click("trail-club", None, after_hold).await.unwrap();
        affiliates::on_signup(&w.db, &bob.user_id, Some(&cookie), "addr-bob", after_hold)
            .await
            .unwrap();
        let coaching = w
            .product("coaching", "coaching_package", 9_900, "USD")
            .await;
        w.buy(&bob, &coaching, None, None, after_hold).await;
        let later = after_hold + 31 * DAY;
        let lines = affiliates::run_payouts(&w.db, &w.admin, "2026-12", later)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount_minor, 1980 - 627, "{backend}");
        assert_eq!(lines[0].commission_ids.len(), 2);
        let csv = affiliates::payouts_csv(&w.db, &w.admin).await.unwrap();
        assert_eq!(csv.lines().count(), 3);
        assert!(csv.contains("\"trail-club\",\"pay-coach@example.com\",\"USD\",1353"));
    }
}

#[tokio::test]
async fn renewals_pay_until_the_lifetime_cap_and_duplicates_never_pay_twice() {
    for backend in backends() {
        let w = open(backend).await;
        let (coach, _) = w.affiliate("coach@example.com", "trail-club", None).await;
        let monthly = w
            .product("online-coaching", "coaching_subscription", 9_900, "USD")
            .await;
        let ana = user(&w.db, "ana@example.com").await;
        // Signed up without a cookie; the click rides on the order.
        affiliates::on_signup(&w.db, &ana.user_id, None, "addr-ana", NOW)
            .await
            .unwrap();
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        let request = OrderRequest {
            items: vec![CartItem {
                product_id: monthly,
                quantity: 1,
            }],
            coupon: None,
            expected_total_minor: None,
        };
        let order =
            shop::place_order_referred(&w.db, &w.config, &ana, &request, Some(&cookie), NOW)
                .await
                .unwrap();
        let completed = serde_json::json!({
            "id": "evt_cs", "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_1", "mode": "subscription", "client_reference_id": order.id,
                "metadata": {"order_id": order.id}, "payment_status": "paid", "invoice": "in_1",
                "subscription": "sub_1", "amount_total": 9_900, "currency": "usd"}}
        });
        w.webhook(completed.clone(), NOW).await;
        w.webhook(completed, NOW).await;
        for n in 1..=8 {
            let at = NOW + (n - 1) * 30 * DAY;
            let invoice = serde_json::json!({
                "id": format!("evt_inv_{n}"), "type": "invoice.paid",
                "data": {"object": {
                    "id": format!("in_{n}"), "amount_paid": 9_900, "currency": "usd",
                    "subscription_details": {"metadata": {"order_id": order.id}},
                    "lines": {"data": [{"period": {"end": at / 1000 + 30 * 86_400}}]},
                }}
            });
            w.webhook(invoice.clone(), at).await;
            // A redelivery with a new event id: the payment key holds.
            let mut again = invoice;
            again["id"] = format!("evt_inv_{n}_again").into();
            w.webhook(again, at).await;
        }
        let d = w.dashboard(&coach, NOW).await;
        let mut got: Vec<i64> = d.commissions.iter().map(|c| c.amount_minor).collect();
        got.sort_unstable();
        assert_eq!(got, [100, 1980, 1980, 1980, 1980, 1980], "{backend}");
        assert_eq!(got.iter().sum::<i64>(), 10_000);
        assert_eq!(d.conversions, 1);
    }
}

#[tokio::test]
async fn refunds_before_payout_recompute_or_void_and_a_won_dispute_restores() {
    for backend in backends() {
        let w = open(backend).await;
        let (coach, _) = w.affiliate("coach@example.com", "trail-club", None).await;
        let plan = w
            .product("marathon-plan", "training_plan", 3136, "USD")
            .await;
        let ana = user(&w.db, "ana@example.com").await;
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        affiliates::on_signup(&w.db, &ana.user_id, Some(&cookie), "a", NOW)
            .await
            .unwrap();
        let order = w.buy(&ana, &plan, None, None, NOW).await;
        w.refund(&order.id, 1000, NOW + DAY).await;
        let d = w.dashboard(&coach, NOW + DAY).await;
        assert_eq!(
            amounts(&d),
            [(427, CommissionStatus::Pending, "commission".into())]
        );
        w.refund(&order.id, 2136, NOW + DAY).await;
        let d = w.dashboard(&coach, NOW + 40 * DAY).await;
        assert_eq!(
            amounts(&d),
            [(0, CommissionStatus::Voided, "commission".into())]
        );

        // A dispute voids, winning it restores once.
        let bob = user(&w.db, "bob@example.com").await;
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        affiliates::on_signup(&w.db, &bob.user_id, Some(&cookie), "b", NOW)
            .await
            .unwrap();
        let order = w.buy(&bob, &plan, None, None, NOW).await;
        let dispute = |kind: &str, status: &str| {
            serde_json::json!({"id": format!("evt_{kind}_{status}"), "type": kind, "data": {"object": {
                "id": "dp_1", "amount": 3136, "status": status, "currency": "usd",
                "metadata": {"order_id": order.id}}}})
        };
        w.webhook(dispute("charge.dispute.created", "open"), NOW + DAY)
            .await;
        let d = w.dashboard(&coach, NOW + DAY).await;
        assert!(
            d.commissions
                .iter()
                .any(|c| c.order_id == order.id && c.status == CommissionStatus::Voided),
            "{backend}"
        );
        w.webhook(dispute("charge.dispute.closed", "won"), NOW + 2 * DAY)
            .await;
        w.webhook(dispute("charge.dispute.closed", "won"), NOW + 2 * DAY)
            .await;
        let d = w.dashboard(&coach, NOW + 2 * DAY).await;
        let restored: Vec<_> = d
            .commissions
            .iter()
            .filter(|c| c.order_id == order.id)
            .map(|c| (c.amount_minor, c.status))
            .collect();
        assert_eq!(restored, [(627, CommissionStatus::Pending)], "{backend}");
    }
}

#[tokio::test]
async fn self_referral_suspension_coupons_currency_and_review() {
    for backend in backends() {
        let w = open(backend).await;
        w.program(Program {
            review_threshold_minor: Some(1_000),
            ..Program::default()
        })
        .await;
        let (coach, coach_id) = w
            .affiliate("Coach+Club@Example.com", "trail-club", Some("addr-coach"))
            .await;
        let plan = w
            .product("marathon-plan", "training_plan", 3136, "USD")
            .await;
        let euro = w.product("plan-eur", "training_plan", 3000, "EUR").await;

        // The affiliate's own account, their e-mail with a tag, their address.
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        w.buy(&coach, &plan, None, Some(&cookie), NOW).await;
        let alias = user(&w.db, " coach+alt@example.com").await;
        affiliates::on_signup(&w.db, &alias.user_id, Some(&cookie), "x", NOW)
            .await
            .unwrap();
        w.buy(&alias, &plan, None, None, NOW).await;
        let twin = user(&w.db, "twin@example.com").await;
        affiliates::on_signup(&w.db, &twin.user_id, Some(&cookie), "addr-coach", NOW)
            .await
            .unwrap();
        w.buy(&twin, &plan, None, None, NOW).await;
        let d = w.dashboard(&coach, NOW).await;
        assert_eq!(d.commissions.len(), 3, "{backend}");
        assert!(d.commissions.iter().all(|c| c.amount_minor == 0
            && c.status == CommissionStatus::Voided
            && c.reason.as_deref() == Some("self_referral")));

        // An affiliate coupon binds an unbound athlete without a click.
        w.coupon("CLUB10", Some(&coach_id)).await;
        let cat = user(&w.db, "cat@example.com").await;
        affiliates::on_signup(&w.db, &cat.user_id, None, "addr-cat", NOW)
            .await
            .unwrap();
        w.buy(&cat, &plan, Some("CLUB10"), None, NOW).await;
        // Another currency is recorded as ineligible.
        w.buy(&cat, &euro, None, None, NOW).await;
        let d = w.dashboard(&coach, NOW).await;
        let cats: Vec<_> = d
            .commissions
            .iter()
            .filter(|c| c.reason.as_deref() != Some("self_referral"))
            .map(|c| (c.amount_minor, c.currency.clone(), c.reason.clone()))
            .collect();
        assert!(
            cats.contains(&(564, "USD".into(), None)),
            "{backend}: {cats:?}"
        );
        assert!(cats.contains(&(0, "EUR".into(), Some("currency".into()))));

        // Suspended: conversions earn nothing while it lasts.
        affiliates::decide(&w.db, &w.admin, &coach_id, Decision::Suspend, NOW)
            .await
            .unwrap();
        let coaching = w
            .product("coaching", "coaching_package", 9_900, "USD")
            .await;
        w.buy(&cat, &coaching, None, None, NOW).await;
        affiliates::decide(&w.db, &w.admin, &coach_id, Decision::Reinstate, NOW)
            .await
            .unwrap();
        // Reinstated: a large commission waits for review after the hold.
        w.buy(&cat, &coaching, None, None, NOW + DAY).await;
        let d = w.dashboard(&coach, NOW + 40 * DAY).await;
        let big: Vec<_> = d
            .commissions
            .iter()
            .filter(|c| c.base_minor == 9_900)
            .map(|c| (c.amount_minor, c.status, c.reason.clone(), c.needs_review))
            .collect();
        assert!(big.contains(&(0, CommissionStatus::Voided, Some("suspended".into()), false)));
        assert!(
            big.contains(&(1980, CommissionStatus::Pending, None, true)),
            "{big:?}"
        );
        let id = d
            .commissions
            .iter()
            .find(|c| c.needs_review)
            .unwrap()
            .id
            .clone();
        let approved = affiliates::approve_commission(&w.db, &w.admin, &id, NOW + 40 * DAY)
            .await
            .unwrap();
        assert_eq!(approved.status, CommissionStatus::Approved);
    }
}

#[tokio::test]
async fn concurrent_webhooks_pay_each_payment_once_and_never_past_the_cap() {
    for backend in backends() {
        let w = std::sync::Arc::new(open(backend).await);
        let (coach, _) = w.affiliate("coach@example.com", "trail-club", None).await;
        let monthly = w
            .product("online-coaching", "coaching_subscription", 9_900, "USD")
            .await;
        let ana = user(&w.db, "ana@example.com").await;
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        affiliates::on_signup(&w.db, &ana.user_id, Some(&cookie), "addr-ana", NOW)
            .await
            .unwrap();
        // Two subscriptions of one athlete, each paid once.
        let mut orders = Vec::new();
        for n in 0..2 {
            let request = OrderRequest {
                items: vec![CartItem {
                    product_id: monthly.clone(),
                    quantity: 1,
                }],
                coupon: None,
                expected_total_minor: None,
            };
            let order = shop::place_order(&w.db, &w.config, &ana, &request, NOW)
                .await
                .unwrap();
            w.webhook(
                serde_json::json!({"id": format!("evt_cs_{n}"), "type": "checkout.session.completed",
                    "data": {"object": {"id": format!("cs_{n}"), "client_reference_id": order.id,
                    "metadata": {"order_id": order.id}, "payment_status": "paid",
                    "invoice": format!("in_first_{n}"), "amount_total": 9_900, "currency": "usd"}}}),
                NOW,
            )
            .await;
            orders.push(order.id);
        }
        // 6 renewals per subscription, each delivered 3 times under
        // different event ids, all at once.
        let mut tasks = Vec::new();
        for (o, order) in orders.iter().enumerate() {
            for n in 0..6 {
                for copy in 0..3 {
                    let w = w.clone();
                    let body = serde_json::json!({
                        "id": format!("evt_{o}_{n}_{copy}"), "type": "invoice.paid",
                        "data": {"object": {
                            "id": format!("in_{o}_{n}"), "amount_paid": 9_900, "currency": "usd",
                            "subscription_details": {"metadata": {"order_id": order}}}}
                    });
                    tasks.push(tokio::spawn(async move { w.webhook(body, NOW).await }));
                }
            }
        }
        for t in tasks {
            t.await.unwrap();
        }
        let d = w.dashboard(&coach, NOW).await;
        let total: i64 = d.commissions.iter().map(|c| c.amount_minor).sum();
        assert_eq!(total, 10_000, "{backend}: exactly the cap");
        assert!(d.commissions.len() <= 6, "{backend}: {:?}", amounts(&d));
        let payments = [
            runcoach_store::shop::payments(&w.db, &orders[0])
                .await
                .unwrap(),
            runcoach_store::shop::payments(&w.db, &orders[1])
                .await
                .unwrap(),
        ];
        assert_eq!(payments[0].len() + payments[1].len(), 14, "{backend}");
    }
}

#[tokio::test]
async fn program_changes_reach_only_new_commissions_and_a_won_dispute_after_payout_cancels_the_clawback()
 {
    for backend in backends() {
        let w = open(backend).await;
        w.program(Program {
            min_payout_minor: 0,
            ..Program::default()
        })
        .await;
        let (coach, _) = w.affiliate("coach@example.com", "trail-club", None).await;
        let plan = w
            .product("marathon-plan", "training_plan", 3136, "USD")
            .await;
        let ana = user(&w.db, "ana@example.com").await;
        let cookie = w.click("trail-club", None, NOW).await.unwrap();
        affiliates::on_signup(&w.db, &ana.user_id, Some(&cookie), "a", NOW)
            .await
            .unwrap();
        let first = w.buy(&ana, &plan, None, None, NOW).await;

        // Rate and hold change: the first commission keeps 20 % and 30 days.
        w.program(Program {
            commission_bps: 5000,
            hold_days: 60,
            min_payout_minor: 0,
            ..Program::default()
        })
        .await;
        let coaching = w.product("coaching", "coaching_package", 2000, "USD").await;
        w.buy(&ana, &coaching, None, None, NOW).await;
        let d = w.dashboard(&coach, NOW + 31 * DAY).await;
        let mut got: Vec<_> = d
            .commissions
            .iter()
            .map(|c| (c.amount_minor, c.status))
            .collect();
        got.sort_by_key(|(a, _)| *a);
        assert_eq!(
            got,
            [
                (627, CommissionStatus::Approved),
                (1000, CommissionStatus::Pending)
            ],
            "{backend}"
        );

        // Paid out, then disputed: a clawback; the dispute is won: the
        // clawback is cancelled before it is netted, once.
        let lines = affiliates::run_payouts(&w.db, &w.admin, "2026-10", NOW + 31 * DAY)
            .await
            .unwrap();
        assert_eq!(lines[0].amount_minor, 627);
        let dispute = |kind: &str, status: &str| {
            serde_json::json!({"id": format!("evt_{kind}_{status}"), "type": kind, "data": {"object": {
                "id": "dp_1", "amount": 3136, "status": status, "currency": "usd",
                "metadata": {"order_id": first.id}}}})
        };
        w.webhook(dispute("charge.dispute.created", "open"), NOW + 32 * DAY)
            .await;
        let d = w.dashboard(&coach, NOW + 32 * DAY).await;
        assert!(d.commissions.iter().any(|c| c.kind == "clawback"
            && c.amount_minor == -627
            && c.status == CommissionStatus::Approved));
        w.webhook(dispute("charge.dispute.closed", "won"), NOW + 33 * DAY)
            .await;
        let d = w.dashboard(&coach, NOW + 33 * DAY).await;
        let clawback = d.commissions.iter().find(|c| c.kind == "clawback").unwrap();
        assert_eq!(
            (clawback.amount_minor, clawback.status),
            (0, CommissionStatus::Voided),
            "{backend}"
        );
        // The next run pays the coaching commission alone, in full.
        let lines = affiliates::run_payouts(&w.db, &w.admin, "2026-12", NOW + 61 * DAY)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].amount_minor, 1000, "{backend}");
    }
}

#[tokio::test]
async fn concurrent_payout_runs_never_pay_a_commission_twice() {
    for backend in backends() {
        let w = std::sync::Arc::new(open(backend).await);
        w.program(Program {
            min_payout_minor: 0,
            ..Program::default()
        })
        .await;
        w.affiliate("coach@example.com", "trail-club", None).await;
        let plan = w
            .product("marathon-plan", "training_plan", 3136, "USD")
            .await;
        for n in 0..3 {
            let who = user(&w.db, &format!("r{n}@example.com")).await;
            let cookie = w.click("trail-club", None, NOW).await.unwrap();
            affiliates::on_signup(&w.db, &who.user_id, Some(&cookie), "x", NOW)
                .await
                .unwrap();
            w.buy(&who, &plan, None, None, NOW).await;
        }
        let runs: Vec<_> = [
            "2026-10", "2026-11", "2026-12", "2027-01", "2026-10", "2026-10",
        ]
        .into_iter()
        .map(|period| {
            let w = w.clone();
            tokio::spawn(async move {
                affiliates::run_payouts(&w.db, &w.admin, period, NOW + 31 * DAY).await
            })
        })
        .collect();
        let mut paid = 0;
        for r in runs {
            match r.await.unwrap() {
                Ok(lines) => paid += lines.iter().map(|l| l.amount_minor).sum::<i64>(),
                Err(AffiliateError::Conflict("payout_running", _)) => {}
                Err(e) => panic!("{backend}: {e:?}"),
            }
        }
        assert_eq!(paid, 3 * 627, "{backend}: paid once in all");
        let lines = affiliates::payouts(&w.db, &w.admin).await.unwrap();
        assert_eq!(lines.len(), 1, "{backend}");
        assert_eq!(lines[0].commission_ids.len(), 3);
    }
}
