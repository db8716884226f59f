//! The shop over HTTP, on SQLite and PostgreSQL: a runner buys the
//! marathon plan with `run10`, pays through Stripe Checkout (a local fake
//! of Stripe's API; the payment arrives as a signed webhook), the plan
//! unlocks, and the code cannot be used again; an operator without Stripe
//! sells an in-person package by marking it paid; error codes and shapes.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::Form;
use axum::routing::post;
use common::{App, json_of};
use reqwest::StatusCode;
use runcoach_app::shop::{ShopConfig, StripeApi, signature};
use runcoach_store::test_support::backends;
use runcoach_store::users::Role;
use serde_json::{Value, json};

const SECRET: &str = "whsec_http_test";

type Calls = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// Stripe's API as far as runcoach calls it: Checkout Sessions and refunds,
/// each call recorded with its form fields.
async fn fake_stripe() -> (String, Calls) {
    let calls: Calls = Arc::default();
    let record = |calls: Calls, reply: fn(usize) -> Value| {
        move |Form(form): Form<Vec<(String, String)>>| {
            let calls = calls.clone();
            async move {
                let mut c = calls.lock().unwrap();
                c.push(form);
                axum::Json(reply(c.len()))
            }
        }
    };
    let app = axum::Router::new()
        .route(
            "/v1/checkout/sessions",
            post(record(calls.clone(), |n| {
                json!({"id": format!("cs_test_{n}"), "url": format!("https://checkout.stripe.test/c/pay/cs_test_{n}")})
            })),
        )
        .route("/v1/refunds", post(record(calls.clone(), |n| json!({"id": format!("re_{n}")}))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, calls)
}

fn config(stripe: Option<String>) -> runcoach_server::Config {
    runcoach_server::Config {
        shop: ShopConfig {
            public_url: "https://coach.example".into(),
            stripe: stripe.map(|api_base| StripeApi {
                secret_key: "sk_test_123".into(),
                api_base,
            }),
            webhook_secrets: vec!["whsec_old".into(), SECRET.into()],
            ..ShopConfig::default()
        },
        ..runcoach_server::Config::default()
    }
}

async fn send_webhook(app: &App, event: &Value) -> StatusCode {
    let body = event.to_string();
    let now = jiff::Timestamp::now().as_second();
    app.client()
        .post(app.url("/api/v1/webhooks/stripe"))
        .header(
            "Stripe-Signature",
            signature::sign(body.as_bytes(), SECRET, now),
        )
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

async fn create(c: &reqwest::Client, app: &App, path: &str, body: Value) -> Value {
    let (status, v) = json_of(c.post(app.url(path)).json(&body).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {v}");
    v
}

/// The demo-like catalogue: the marathon plan and RUN10.
async fn catalogue(app: &App, admin: &reqwest::Client) -> String {
    let plan = create(
        admin,
        app,
        "/api/v1/admin/products",
        json!({
            "slug": "marathon-plan", "name": "Marathon plan", "kind": "training_plan",
            "price_minor": 1985, "currency": "USD", "races": ["marathon"],
            "description": "16–20 weeks with hip strength built in"
        }),
    )
    .await;
    create(
        admin,
        app,
        "/api/v1/admin/coupons",
        json!({
            "code": "RUN10", "percent_off_bps": 1000, "per_athlete_limit": 1,
            "applies_to": ["training_plan"], "expires_at": "2099-01-01T00:00:00Z"
        }),
    )
    .await;
    plan["id"].as_str().unwrap().to_owned()
}

fn marathon_request() -> Value {
    json!({"race": "marathon", "race_date": "2027-05-02", "weeks": 16,
           "run_days": ["tue", "thu", "sat", "sun"], "long_run_day": "sun",
           "level": "experienced", "weekly_km": 45.0, "strength_days": 2})
}

#[tokio::test]
async fn a_runner_buys_the_marathon_plan_with_run10_through_stripe() {
    for backend in backends() {
        let (stripe, calls) = fake_stripe().await;
        let app = App::start_with(backend, config(Some(stripe))).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let plan = catalogue(&app, &admin).await;
        let ana = app.signup("ana@example.com").await;

        // The marathon is for sale: planning it without the plan is 402.
        let (status, body) = json_of(
            ana.post(app.url("/api/v1/plans"))
                .json(&marathon_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{backend}: {body}");
        assert_eq!(body["error"], "entitlement_required");
        assert_eq!(body["products"][0]["slug"], "marathon-plan");

        // The quote shows the discount; the order freezes it.
        let items = json!([{"product_id": plan, "quantity": 1}]);
        let (status, quote) = json_of(
            ana.post(app.url("/api/v1/cart/quote"))
                .json(&json!({"items": items, "coupon": " run10 "}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (
                quote["subtotal_minor"].as_i64(),
                quote["discount_minor"].as_i64(),
                quote["total_minor"].as_i64()
            ),
            (Some(1985), Some(199), Some(1786))
        );
        assert_eq!(quote["coupon"]["applied"], true);
        assert_eq!(quote["lines"][0]["discount_minor"], 199);

        let (status, stale) = json_of(
            ana.post(app.url("/api/v1/orders"))
                .json(&json!({"items": items, "coupon": "RUN10", "expected_total_minor": 1985}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(stale["error"], "total_changed");
        assert_eq!(stale["quote"]["total_minor"], 1786);

        let order = create(
            &ana,
            &app,
            "/api/v1/orders",
            json!({"items": items, "coupon": "RUN10", "expected_total_minor": 1786}),
        )
        .await;
        assert_eq!(order["status"], "pending_payment");
        assert_eq!(order["coupon"], "RUN10");
        assert_eq!(
            order["checkout_url"],
            "https://checkout.stripe.test/c/pay/cs_test_1"
        );
        let order_id = order["id"].as_str().unwrap().to_owned();

        // What Stripe was asked for: our order id in three places, links
        // from the public URL, the discounted amount.
        let sent = calls.lock().unwrap()[0].clone();
        let field = |k: &str| {
            sent.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(
            field("client_reference_id").as_deref(),
            Some(order_id.as_str())
        );
        assert_eq!(
            field("metadata[order_id]").as_deref(),
            Some(order_id.as_str())
        );
        assert_eq!(
            field("payment_intent_data[metadata][order_id]").as_deref(),
            Some(order_id.as_str())
        );
        assert_eq!(
            field("success_url"),
            Some(format!("https://coach.example/orders/{order_id}?paid=1"))
        );
        assert_eq!(
            field("line_items[0][price_data][unit_amount]").as_deref(),
            Some("1786")
        );
        assert_eq!(
            field("line_items[0][price_data][currency]").as_deref(),
            Some("usd")
        );
        assert_eq!(field("mode").as_deref(), Some("payment"));

        // Coming back from Stripe unlocks nothing; the signed webhook does.
        let (status, _) = json_of(
            ana.post(app.url("/api/v1/plans"))
                .json(&marathon_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        let paid = json!({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {
            "id": "cs_test_1", "client_reference_id": order_id, "metadata": {"order_id": order_id},
            "payment_status": "paid", "payment_intent": "pi_1", "amount_total": 1786, "currency": "usd"}}});
        assert_eq!(send_webhook(&app, &paid).await, StatusCode::OK);
        assert_eq!(
            send_webhook(&app, &paid).await,
            StatusCode::OK,
            "a duplicate is acknowledged"
        );
        let (_, got) = json_of(
            ana.get(app.url(&format!("/api/v1/orders/{order_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(got["status"], "paid", "{backend}");
        let (_, owned) = json_of(
            ana.get(app.url("/api/v1/entitlements"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(owned[0]["slug"], "marathon-plan");
        assert_eq!(owned[0]["active"], true);
        let (status, _) = json_of(
            ana.post(app.url("/api/v1/plans"))
                .json(&marathon_request())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{backend}");

        // RUN10 once per athlete.
        let (status, again) = json_of(
            ana.post(app.url("/api/v1/orders"))
                .json(&json!({"items": items, "coupon": "run10"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(again["error"], "already_redeemed_by_you");
        assert!(again["message"].as_str().unwrap().contains("already used"));

        // Someone else's order is not found; an admin refund goes to Stripe.
        let ben = app.signup("ben@example.com").await;
        let (status, _) = json_of(
            ben.get(app.url(&format!("/api/v1/orders/{order_id}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = json_of(
            admin
                .post(app.url(&format!("/api/v1/admin/orders/{order_id}/refunds")))
                .json(&json!({"amount_minor": 1786}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let refund_call = calls.lock().unwrap()[1].clone();
        assert!(
            refund_call.contains(&("payment_intent".into(), "pi_1".into())),
            "{refund_call:?}"
        );
        assert!(refund_call.contains(&("amount".into(), "1786".into())));
    }
}

#[tokio::test]
async fn webhooks_need_a_valid_signature() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let body =
            json!({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}})
                .to_string();
        let now = jiff::Timestamp::now().as_second();
        let post = |header: Option<String>| {
            let mut r = app
                .client()
                .post(app.url("/api/v1/webhooks/stripe"))
                .header("Content-Type", "application/json")
                .body(body.clone());
            if let Some(h) = header {
                r = r.header("Stripe-Signature", h);
            }
            r.send()
        };
        for header in [
            None,
            Some("nonsense".into()),
            Some(signature::sign(body.as_bytes(), "whsec_wrong", now)),
            Some(signature::sign(body.as_bytes(), SECRET, now - 600)),
            Some(signature::sign(body.as_bytes(), SECRET, now + 600)),
        ] {
            let (status, v) = json_of(post(header.clone()).await.unwrap()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{backend}: {header:?}");
            assert_eq!(v["error"], "invalid_webhook");
        }
        // Signed with the rotated-out secret: still accepted; unknown order: ignored.
        let (status, v) = json_of(
            post(Some(signature::sign(body.as_bytes(), "whsec_old", now)))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(v["outcome"], "ignored");
    }
}

#[tokio::test]
async fn an_operator_without_stripe_sells_an_in_person_package() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let package = create(&admin, &app, "/api/v1/admin/products", json!({
            "slug": "in-person-4", "name": "Four in-person sessions", "kind": "coaching_package",
            "price_minor": 24000, "currency": "USD", "sessions": 4
        }))
        .await;
        let ana = app.signup("ana@example.com").await;
        // Athletes cannot reach admin routes.
        let (status, v) = json_of(
            ana.get(app.url("/api/v1/admin/orders"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );

        let order = create(
            &ana,
            &app,
            "/api/v1/orders",
            json!({"items": [{"product_id": package["id"]}]}),
        )
        .await;
        assert_eq!(order["status"], "pending_payment");
        assert!(order["checkout_url"].is_null());
        let id = order["id"].as_str().unwrap();
        let (_, pending) = json_of(
            admin
                .get(app.url("/api/v1/admin/orders?status=pending_payment"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(pending.as_array().unwrap().len(), 1);
        let (status, paid) = json_of(
            admin
                .post(app.url(&format!("/api/v1/admin/orders/{id}/mark-paid")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, paid["status"].as_str()),
            (StatusCode::OK, Some("paid")),
            "{backend}"
        );
        let (_, owned) = json_of(
            ana.get(app.url("/api/v1/entitlements"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(owned[0]["kind"], "coaching_package");
        let (status, v) = json_of(
            admin
                .post(app.url(&format!("/api/v1/admin/orders/{id}/mark-paid")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::CONFLICT, Some("order_not_pending"))
        );
    }
}

#[tokio::test]
async fn coupon_errors_are_specific_and_the_catalogue_is_public() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let plan = catalogue(&app, &admin).await;
        let (status, products) = json_of(
            app.client()
                .get(app.url("/api/v1/products"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(products[0]["price_minor"], 1985);

        // Impossible coupon definitions: 422 per field.
        let (status, v) = json_of(
            admin.post(app.url("/api/v1/admin/coupons"))
                .json(&json!({"code": "BAD", "percent_off_bps": 1000, "amount_off_minor": 500,
                              "starts_at": "2027-01-01T00:00:00Z", "expires_at": "2026-01-01T00:00:00Z"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let fields: Vec<_> = v["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["percent_off_bps", "expires_at"]);

        let items = json!([{"product_id": plan}]);
        let quote = |code: &'static str| {
            app.client()
                .post(app.url("/api/v1/cart/quote"))
                .json(&json!({"items": items, "coupon": code}))
                .send()
        };
        for (code, error) in [
            ("RUN-10", "invalid_code_format"),
            ("NOPE", "coupon_not_found"),
            ("RUN10", "login_required"),
        ] {
            let (status, v) = json_of(quote(code).await.unwrap()).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                (v["coupon"]["error"].as_str(), v["total_minor"].as_i64()),
                (Some(error), Some(1985)),
                "{code}"
            );
        }
        let (status, v) = json_of(
            app.client()
                .post(app.url("/api/v1/cart/quote"))
                .json(&json!({"items": [{"product_id": "nope"}]}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
}

#[tokio::test]
async fn the_pages_sell_a_plan_onboarding_asked_for() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        catalogue(&app, &admin).await;
        let c = app.signup("ana@example.com").await;

        // Onboarding a paid distance leads to the product, not an error.
        let html = app.page(&c, "/onboarding").await;
        let csrf = common::csrf_of(&html);
        let form = [
            ("csrf", csrf.as_str()),
            ("race", "marathon"),
            ("custom_distance", ""),
            ("race_date", "2027-04-25"),
            ("start", "2026-12-21"),
            ("day_tue", "on"),
            ("day_thu", "on"),
            ("day_sat", "on"),
            ("day_sun", "on"),
            ("long_run_day", "sun"),
            ("week_start", "mon"),
            ("level", "experienced"),
            ("weekly_km", "40"),
            ("longest_run_km", "16"),
            ("recent_distance", ""),
            ("recent_time", ""),
            ("strength_days", "2"),
            ("units", "km"),
        ];
        let r = c
            .post(app.url("/onboarding"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert_eq!(
            r.headers()["location"],
            "/store/marathon-plan?for=onboarding"
        );
        let product = app.page(&c, "/store/marathon-plan?for=onboarding").await;
        assert!(product.contains("Buy for $19.85"), "{product}");

        // The checkout names why a code fails, then applies RUN10.
        let bad = app
            .page(&c, "/checkout?product=marathon-plan&coupon=nope")
            .await;
        assert!(bad.contains("NOPE: there is no such code."), "{bad}");
        let page = app
            .page(&c, "/checkout?product=marathon-plan&coupon=%C2%A0run10")
            .await;
        assert!(page.contains("RUN10 takes $1.99 off."), "{page}");
        assert!(page.contains("Place order for $17.86"));
        let csrf = common::csrf_of(&page);

        // A stale total shows the checkout again instead of charging it.
        let r = c
            .post(app.url("/checkout"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("product", "marathon-plan"),
                ("coupon", "RUN10"),
                ("expected_total", "1985"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let r = c
            .post(app.url("/checkout"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("product", "marathon-plan"),
                ("coupon", "RUN10"),
                ("expected_total", "1786"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let order_page = r.headers()["location"].to_str().unwrap().to_owned();
        let html = app.page(&c, &order_page).await;
        assert!(
            html.contains("Awaiting payment") && html.contains("$17.86"),
            "{html}"
        );

        // Without the form's token nothing is placed.
        let r = c
            .post(app.url("/checkout"))
            .form(&[("csrf", "x"), ("product", "marathon-plan")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // The admin page marks it paid; the order page then unlocks the plan.
        let id = order_page.trim_start_matches("/orders/");
        let admin_html = app.page(&admin, "/admin/shop").await;
        assert!(admin_html.contains("ana@example.com"), "{admin_html}");
        let r = admin
            .post(app.url("/admin/shop/mark-paid"))
            .form(&[
                ("csrf", common::csrf_of(&admin_html).as_str()),
                ("order", id),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let html = app.page(&c, &order_page).await;
        assert!(html.contains("Your plan is unlocked"), "{html}");
        let athlete_admin = c.get(app.url("/admin/shop")).send().await.unwrap();
        assert_eq!(athlete_admin.status(), StatusCode::FORBIDDEN);

        // Back in onboarding, the answers given before the purchase are
        // there (not the defaults) ...
        let html = app.page(&c, "/onboarding").await;
        assert!(
            html.contains("Your answers from before the purchase are filled in"),
            "{html}"
        );
        for (id, value) in [
            ("race_date", "2027-04-25"),
            ("weekly_km", "40"),
            ("longest_run_km", "16"),
        ] {
            let at = html
                .find(&format!("id=\"{id}\""))
                .unwrap_or_else(|| panic!("{id}: {html}"));
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            assert!(
                tag.contains(&format!("value=\"{value}\"")),
                "{backend}: {tag}"
            );
        }
        // ... and make the plan, after which they are forgotten.
        let csrf = common::csrf_of(&html);
        let mut again = form.to_vec();
        again[0] = ("csrf", csrf.as_str());
        let r = c
            .post(app.url("/onboarding"))
            .form(&again)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/plans/")
        );
        let html = app.page(&c, "/onboarding").await;
        assert!(!html.contains("before the purchase"), "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_orders_with_run10_give_one_order_and_no_5xx() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let plan = catalogue(&app, &admin).await;
        let ana = app.signup("ana@example.com").await;
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let request = ana
                    .post(app.url("/api/v1/orders"))
                    .json(&json!({"items": [{"product_id": plan}], "coupon": "RUN10"}));
                tokio::spawn(async move { json_of(request.send().await.unwrap()).await })
            })
            .collect();
        let mut created = 0;
        for t in tasks {
            let (status, body) = t.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert_eq!(body["error"], "already_redeemed_by_you")
                }
                other => panic!("{backend}: {other} {body}"),
            }
        }
        assert_eq!(created, 1, "{backend}");
    }
}

#[tokio::test]
async fn guessing_codes_is_limited_but_a_valid_code_is_not_counted() {
    for backend in backends() {
        let app = App::start_with(backend, config(None)).await;
        let admin = app.user_with_role("boss@example.com", Role::Admin).await;
        let plan = catalogue(&app, &admin).await;
        let ana = app.signup("ana@example.com").await;
        let quote = |code: String| {
            ana.post(app.url("/api/v1/cart/quote"))
                .json(&json!({"items": [{"product_id": plan}], "coupon": code}))
                .send()
        };
        for _ in 0..40 {
            let (status, _) = json_of(quote("RUN10".into()).await.unwrap()).await;
            assert_eq!(
                status,
                StatusCode::OK,
                "{backend}: a valid code is never a guess"
            );
        }
        for i in 0..31 {
            let (status, v) = json_of(quote(format!("GUESS{i}")).await.unwrap()).await;
            assert_eq!(
                (status, v["coupon"]["error"].as_str()),
                (StatusCode::OK, Some("coupon_not_found"))
            );
        }
        let (status, v) = json_of(quote("RUN10".into()).await.unwrap()).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
            "{backend}"
        );
    }
}
