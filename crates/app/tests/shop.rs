//! The shop's use-cases on real databases (SQLite always, PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set): coupon limits under concurrent
//! orders on separate connections, reservations released and kept, signed
//! webhooks applied once, and what buying unlocks.

use std::sync::Arc;

use runcoach_app::Actor;
use runcoach_app::shop::{
    self, CartItem, CouponInput, OrderRequest, ProductInput, ShopConfig, ShopError, WebhookError,
    WebhookOutcome, signature,
};
use runcoach_core::shop::{CouponError, OrderStatus};
use runcoach_store::Db;
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};

const NOW: i64 = 1_790_000_000_000; // 2026-09-21
const SECRET: &str = "whsec_test_secret";

struct Shop {
    db: Db,
    _dir: Option<tempfile::TempDir>,
    admin: Actor,
    config: ShopConfig,
}

async fn user(db: &Db, email: &str, role: Role) -> Actor {
    Actor::of(&users::create(db, email, "Runner", "x", role).await.unwrap())
}

async fn open(backend: &str) -> Shop {
    let (db, dir) = fresh(backend).await.unwrap();
    let admin = user(&db, "boss@example.com", Role::Admin).await;
    Shop {
        db,
        _dir: dir,
        admin,
        config: ShopConfig {
            webhook_secrets: vec![SECRET.into()],
            ..ShopConfig::default()
        },
    }
}

impl Shop {
    async fn plan_product(&self, slug: &str, races: &[&str], price: i64) -> String {
        let input = ProductInput {
            slug: slug.into(),
            name: format!("{slug} plan"),
            description: String::new(),
            kind: "training_plan".into(),
            price_minor: price,
            currency: "USD".into(),
            races: races.iter().map(|r| (*r).to_owned()).collect(),
            coach_id: None,
            sessions: None,
        };
        shop::create_product(&self.db, &self.admin, input, NOW)
            .await
            .unwrap()
            .id
    }

    async fn coupon(&self, code: &str, max: Option<i64>, per_athlete: Option<i64>) {
        let input = CouponInput {
            code: code.into(),
            percent_off_bps: Some(1000),
            amount_off_minor: None,
            currency: None,
            starts_at: Some("2026-09-01T00:00:00Z".into()),
            expires_at: "2026-12-31T00:00:00Z".into(),
            max_redemptions: max,
            per_athlete_limit: per_athlete,
            min_subtotal_minor: None,
            first_order_only: false,
            applies_to: vec!["training_plan".into()],
            athlete_id: None,
            affiliate_id: None,
            active: true,
        };
        shop::create_coupon(&self.db, &self.admin, input, NOW)
            .await
            .unwrap();
    }

    async fn order(
        &self,
        who: &Actor,
        product: &str,
        coupon: Option<&str>,
    ) -> Result<runcoach_store::shop::Order, ShopError> {
        let request = OrderRequest {
            items: vec![CartItem {
                product_id: product.into(),
                quantity: 1,
            }],
            coupon: coupon.map(str::to_owned),
            expected_total_minor: None,
        };
        shop::place_order(&self.db, &self.config, who, &request, NOW).await
    }

    async fn webhook(&self, body: &str) -> Result<WebhookOutcome, WebhookError> {
        let header = signature::sign(body.as_bytes(), SECRET, NOW / 1000);
        shop::stripe_webhook(&self.db, &self.config, Some(&header), body.as_bytes(), NOW).await
    }
}

fn paid_event(event_id: &str, order_id: &str, amount: i64, currency: &str) -> String {
    serde_json::json!({
        "id": event_id,
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": format!("cs_{event_id}"),
            "object": "checkout.session",
            "client_reference_id": order_id,
            "metadata": {"order_id": order_id},
            "payment_status": "paid",
            "payment_intent": format!("pi_{order_id}"),
            "amount_total": amount,
            "currency": currency,
        }}
    })
    .to_string()
}

fn refund_event(event_id: &str, order_id: &str, refunded: i64) -> String {
    serde_json::json!({
        "id": event_id,
        "type": "charge.refunded",
        "data": {"object": {
            "id": format!("ch_{order_id}"),
            "object": "charge",
            "payment_intent": format!("pi_{order_id}"),
            "metadata": {"order_id": order_id},
            "amount_refunded": refunded,
            "currency": "usd",
        }}
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn run10_is_used_once_however_many_orders_race() {
    for backend in backends() {
        let shop = Arc::new(open(backend).await);
        let plan = shop.plan_product("marathon", &["marathon"], 1985).await;
        shop.coupon("RUN10", None, Some(1)).await;
        let athlete = user(&shop.db, "ana@example.com", Role::Athlete).await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (shop, athlete, plan) = (Arc::clone(&shop), athlete.clone(), plan.clone());
                // Spellings differ; the normalised code is one key.
                let code = ["run10", " RUN10 ", "Run10\u{a0}"][i % 3];
                tokio::spawn(async move { shop.order(&athlete, &plan, Some(code)).await })
            })
            .collect();
        let mut placed = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(order) => placed.push(order),
                Err(ShopError::Coupon(CouponError::AlreadyRedeemedByYou)) => {}
                Err(other) => panic!("{backend}: {other:?}"),
            }
        }
        assert_eq!(placed.len(), 1, "{backend}");
        let order = &placed[0];
        assert_eq!(
            (
                order.subtotal_minor,
                order.discount_minor,
                order.total_minor
            ),
            (1985, 199, 1786),
            "{backend}"
        );
        assert_eq!(order.coupon.as_deref(), Some("RUN10"));
        assert_eq!(order.status, OrderStatus::PendingPayment);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_athletes_race_for_five_redemptions() {
    for backend in backends() {
        let shop = Arc::new(open(backend).await);
        let plan = shop.plan_product("half", &["half"], 2500).await;
        shop.coupon("FIVE", Some(5), Some(1)).await;
        let mut athletes = Vec::new();
        for i in 0..20 {
            athletes.push(user(&shop.db, &format!("a{i}@example.com"), Role::Athlete).await);
        }
        let tasks: Vec<_> = athletes
            .into_iter()
            .map(|a| {
                let (shop, plan) = (Arc::clone(&shop), plan.clone());
                tokio::spawn(async move { shop.order(&a, &plan, Some("five")).await })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(ShopError::Coupon(CouponError::UsedUp)) => {}
                Err(other) => panic!("{backend}: {other:?}"),
            }
        }
        assert_eq!(won, 5, "{backend}");
        let listed = shop::coupons(&shop.db, &shop.admin).await.unwrap();
        assert_eq!(
            (listed[0].reserved, listed[0].confirmed),
            (5, 0),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn an_unpaid_order_gives_the_offer_back_and_a_refund_does_not() {
    for backend in backends() {
        let shop = open(backend).await;
        let plan = shop.plan_product("tenk", &["10k"], 1985).await;
        shop.coupon("RUN10", None, Some(1)).await;
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;

        // Cancelled: the use comes back.
        let first = shop.order(&ana, &plan, Some("RUN10")).await.unwrap();
        let cancelled = shop::cancel_order(&shop.db, &ana, &first.id, NOW)
            .await
            .unwrap();
        assert_eq!(cancelled.status, OrderStatus::Cancelled);

        // Expired after the TTL: the use comes back.
        let second = shop.order(&ana, &plan, Some("RUN10")).await.unwrap();
        assert_eq!(
            shop::expire_overdue(&shop.db, NOW + shop.config.order_ttl_ms - 1)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            shop::expire_overdue(&shop.db, NOW + shop.config.order_ttl_ms)
                .await
                .unwrap(),
            1
        );
        let expired = shop::order(&shop.db, &ana, &second.id, NOW).await.unwrap();
        assert_eq!(expired.status, OrderStatus::Expired);

        // A failed payment: the use comes back.
        let third = shop.order(&ana, &plan, Some("RUN10")).await.unwrap();
        let failed = serde_json::json!({
            "id": "evt_fail", "type": "payment_intent.payment_failed",
            "data": {"object": {"id": "pi_x", "metadata": {"order_id": third.id}}}
        })
        .to_string();
        assert_eq!(
            shop.webhook(&failed).await.unwrap(),
            WebhookOutcome::Handled
        );

        // Paid: confirmed, and a second use is refused, refunded or not.
        let fourth = shop.order(&ana, &plan, Some("RUN10")).await.unwrap();
        shop.webhook(&paid_event("evt_paid", &fourth.id, 1786, "usd"))
            .await
            .unwrap();
        assert!(matches!(
            shop.order(&ana, &plan, Some("RUN10")).await,
            Err(ShopError::Coupon(CouponError::AlreadyRedeemedByYou))
        ));
        shop.webhook(&refund_event("evt_refund", &fourth.id, 1786))
            .await
            .unwrap();
        let refunded = shop::order(&shop.db, &ana, &fourth.id, NOW).await.unwrap();
        assert_eq!(
            (refunded.status, refunded.refunded_minor),
            (OrderStatus::Refunded, 1786)
        );
        assert!(matches!(
            shop.order(&ana, &plan, Some("RUN10")).await,
            Err(ShopError::Coupon(CouponError::AlreadyRedeemedByYou))
        ));
        let listed = shop::coupons(&shop.db, &shop.admin).await.unwrap();
        assert_eq!(
            (listed[0].reserved, listed[0].confirmed),
            (0, 1),
            "{backend}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_paid_webhook_unlocks_once_even_delivered_concurrently() {
    for backend in backends() {
        let shop = Arc::new(open(backend).await);
        let plan = shop.plan_product("marathon", &["marathon"], 1985).await;
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        assert!(matches!(
            shop::plan_access(&shop.db, &ana, "marathon", NOW).await,
            Err(ShopError::EntitlementRequired(p)) if p.len() == 1
        ));
        // A distance nothing sells stays free; staff are never asked to pay.
        shop::plan_access(&shop.db, &ana, "5k", NOW).await.unwrap();
        let coach = user(&shop.db, "coach@example.com", Role::Coach).await;
        shop::plan_access(&shop.db, &coach, "marathon", NOW)
            .await
            .unwrap();

        let order = shop.order(&ana, &plan, None).await.unwrap();
        let body = paid_event("evt_1", &order.id, 1985, "usd");
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (shop, body) = (Arc::clone(&shop), body.clone());
                tokio::spawn(async move { shop.webhook(&body).await })
            })
            .collect();
        let mut handled = 0;
        for t in tasks {
            match t.await.unwrap().unwrap() {
                WebhookOutcome::Handled => handled += 1,
                WebhookOutcome::Duplicate => {}
                other => panic!("{backend}: {other:?}"),
            }
        }
        assert_eq!(handled, 1, "{backend}");
        let paid = shop::order(&shop.db, &ana, &order.id, NOW).await.unwrap();
        assert_eq!(paid.status, OrderStatus::Paid);
        shop::plan_access(&shop.db, &ana, "marathon", NOW)
            .await
            .unwrap();
        let owned = shop::entitlements(&shop.db, &ana, NOW).await.unwrap();
        assert_eq!(owned.len(), 1);
        assert!(owned[0].active);

        // A late failure changes nothing; a full refund takes the plan back.
        let late = serde_json::json!({
            "id": "evt_late", "type": "payment_intent.payment_failed",
            "data": {"object": {"metadata": {"order_id": order.id}}}
        })
        .to_string();
        shop.webhook(&late).await.unwrap();
        assert_eq!(
            shop::order(&shop.db, &ana, &order.id, NOW)
                .await
                .unwrap()
                .status,
            OrderStatus::Paid
        );
        shop.webhook(&refund_event("evt_r", &order.id, 1985))
            .await
            .unwrap();
        assert!(matches!(
            shop::plan_access(&shop.db, &ana, "marathon", NOW).await,
            Err(ShopError::EntitlementRequired(_))
        ));
    }
}

#[tokio::test]
async fn money_that_does_not_match_the_order_is_reviewed_not_fulfilled() {
    for backend in backends() {
        let shop = open(backend).await;
        let plan = shop.plan_product("marathon", &["marathon"], 1985).await;
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        let order = shop.order(&ana, &plan, None).await.unwrap();
        shop.webhook(&paid_event("evt_1", &order.id, 100, "usd"))
            .await
            .unwrap();
        let o = shop::order(&shop.db, &ana, &order.id, NOW).await.unwrap();
        assert_eq!(o.status, OrderStatus::NeedsReview, "{backend}");
        assert!(
            shop::entitlements(&shop.db, &ana, NOW)
                .await
                .unwrap()
                .is_empty()
        );

        let order = shop.order(&ana, &plan, None).await.unwrap();
        shop.webhook(&paid_event("evt_2", &order.id, 1985, "eur"))
            .await
            .unwrap();
        let o = shop::order(&shop.db, &ana, &order.id, NOW).await.unwrap();
        assert_eq!(o.status, OrderStatus::NeedsReview, "{backend}");
    }
}

#[tokio::test]
async fn a_refund_before_its_payment_ends_refunded() {
    for backend in backends() {
        let shop = open(backend).await;
        let plan = shop.plan_product("marathon", &["marathon"], 1985).await;
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        let order = shop.order(&ana, &plan, None).await.unwrap();
        shop.webhook(&refund_event("evt_r", &order.id, 1985))
            .await
            .unwrap();
        shop.webhook(&paid_event("evt_p", &order.id, 1985, "usd"))
            .await
            .unwrap();
        let o = shop::order(&shop.db, &ana, &order.id, NOW).await.unwrap();
        assert_eq!(
            (o.status, o.refunded_minor),
            (OrderStatus::Refunded, 1985),
            "{backend}"
        );
        assert!(
            shop::entitlements(&shop.db, &ana, NOW)
                .await
                .unwrap()
                .iter()
                .all(|e| !e.active)
        );
        shop::plan_access(&shop.db, &ana, "marathon", NOW)
            .await
            .unwrap_err();
    }
}

#[tokio::test]
async fn bad_signatures_are_refused_and_record_nothing() {
    for backend in backends() {
        let shop = open(backend).await;
        let plan = shop.plan_product("marathon", &["marathon"], 1985).await;
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        let order = shop.order(&ana, &plan, None).await.unwrap();
        let body = paid_event("evt_1", &order.id, 1985, "usd");
        let forged = signature::sign(body.as_bytes(), "whsec_wrong", NOW / 1000);
        let stale = signature::sign(body.as_bytes(), SECRET, NOW / 1000 - 301);
        for header in [
            Some(forged.as_str()),
            Some(stale.as_str()),
            None,
            Some("t=1,v1=zz"),
        ] {
            let r =
                shop::stripe_webhook(&shop.db, &shop.config, header, body.as_bytes(), NOW).await;
            assert!(
                matches!(r, Err(WebhookError::Signature(_))),
                "{backend}: {header:?}"
            );
        }
        let not_json = b"not json";
        let header = signature::sign(not_json, SECRET, NOW / 1000);
        assert!(matches!(
            shop::stripe_webhook(&shop.db, &shop.config, Some(&header), not_json, NOW).await,
            Err(WebhookError::NotAnEvent(_))
        ));
        // Nothing was recorded: the genuine event still applies.
        assert_eq!(shop.webhook(&body).await.unwrap(), WebhookOutcome::Handled);
        let unknown = r#"{"id":"evt_x","type":"customer.created","data":{"object":{"metadata":{"order_id":"nope"}}}}"#;
        assert_eq!(
            shop.webhook(unknown).await.unwrap(),
            WebhookOutcome::Ignored
        );
    }
}

#[tokio::test]
async fn an_operator_without_stripe_sells_and_refunds_by_hand() {
    for backend in backends() {
        let shop = open(backend).await;
        let input = ProductInput {
            slug: "in-person-4".into(),
            name: "Four in-person sessions".into(),
            description: "Strength and form, at the track".into(),
            kind: "coaching_package".into(),
            price_minor: 24_000,
            currency: "usd".into(),
            races: vec![],
            coach_id: None,
            sessions: Some(4),
        };
        let package = shop::create_product(&shop.db, &shop.admin, input, NOW)
            .await
            .unwrap();
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        assert!(matches!(
            shop::mark_paid(&shop.db, &ana, "x", NOW).await,
            Err(ShopError::Forbidden)
        ));
        let order = shop.order(&ana, &package.id, None).await.unwrap();
        let paid = shop::mark_paid(&shop.db, &shop.admin, &order.id, NOW)
            .await
            .unwrap();
        assert_eq!(paid.status, OrderStatus::Paid, "{backend}");
        let part = shop::record_refund(&shop.db, &shop.config, &shop.admin, &order.id, 6_000, NOW)
            .await
            .unwrap();
        assert_eq!(
            (part.status, part.refunded_minor),
            (OrderStatus::PartiallyRefunded, 6_000)
        );
        assert!(matches!(
            shop::record_refund(&shop.db, &shop.config, &shop.admin, &order.id, 18_001, NOW).await,
            Err(ShopError::Invalid(_))
        ));
        let all = shop::record_refund(&shop.db, &shop.config, &shop.admin, &order.id, 18_000, NOW)
            .await
            .unwrap();
        assert_eq!(all.status, OrderStatus::Refunded);
    }
}

#[tokio::test]
async fn monthly_coaching_renews_on_each_paid_invoice_and_ends_with_the_subscription() {
    for backend in backends() {
        let shop = open(backend).await;
        let input = ProductInput {
            slug: "online-coaching".into(),
            name: "Online coaching".into(),
            description: String::new(),
            kind: "coaching_subscription".into(),
            price_minor: 9_900,
            currency: "USD".into(),
            races: vec![],
            coach_id: None,
            sessions: None,
        };
        let coaching = shop::create_product(&shop.db, &shop.admin, input, NOW)
            .await
            .unwrap();
        let ana = user(&shop.db, "ana@example.com", Role::Athlete).await;
        let order = shop.order(&ana, &coaching.id, None).await.unwrap();
        let period = 30 * 24 * 3600;
        let invoice = |n: i64| {
            serde_json::json!({
                "id": format!("evt_inv_{n}"), "type": "invoice.paid",
                "data": {"object": {
                    "id": format!("in_{n}"), "amount_paid": 9_900, "currency": "usd",
                    "subscription_details": {"metadata": {"order_id": order.id}},
                    "lines": {"data": [{"period": {"end": NOW / 1000 + n * period}}]},
                }}
            })
            .to_string()
        };
        // The checkout completes and the first invoice is paid: one payment.
        let completed = serde_json::json!({
            "id": "evt_cs", "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_1", "mode": "subscription", "client_reference_id": order.id,
                "metadata": {"order_id": order.id}, "payment_status": "paid", "invoice": "in_1",
                "subscription": "sub_1", "amount_total": 9_900, "currency": "usd"}}
        })
        .to_string();
        shop.webhook(&completed).await.unwrap();
        shop.webhook(&invoice(1)).await.unwrap();
        let owned = shop::entitlements(&shop.db, &ana, NOW).await.unwrap();
        assert_eq!(owned[0].ends_at, Some(NOW + period * 1000), "{backend}");
        assert!(owned[0].active);

        // Two renewals: each its own payment, one more period each.
        shop.webhook(&invoice(2)).await.unwrap();
        shop.webhook(&invoice(3)).await.unwrap();
        shop.webhook(&invoice(3)).await.unwrap(); // a duplicate delivery
        let owned = shop::entitlements(&shop.db, &ana, NOW).await.unwrap();
        assert_eq!(owned[0].ends_at, Some(NOW + 3 * period * 1000));
        let payments = runcoach_store::shop::payments(&shop.db, &order.id)
            .await
            .unwrap();
        let refs: Vec<_> = payments
            .iter()
            .map(|p| (p.kind.as_str(), p.provider_ref.as_str(), p.amount_minor))
            .collect();
        assert_eq!(
            refs,
            [
                ("payment", "in_1", 9_900),
                ("payment", "in_2", 9_900),
                ("payment", "in_3", 9_900)
            ],
            "{backend}: one row per paid invoice"
        );

        // Cancelled: it runs to the end of the paid period, then stops.
        let deleted = serde_json::json!({
            "id": "evt_del", "type": "customer.subscription.deleted",
            "data": {"object": {"id": "sub_1", "metadata": {"order_id": order.id},
                "current_period_end": NOW / 1000 + period}}
        })
        .to_string();
        shop.webhook(&deleted).await.unwrap();
        assert!(shop::entitlements(&shop.db, &ana, NOW).await.unwrap()[0].active);
        assert!(
            !shop::entitlements(&shop.db, &ana, NOW + period * 1000)
                .await
                .unwrap()[0]
                .active
        );
    }
}
