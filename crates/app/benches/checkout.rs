//! Checkout throughput: orders placed per second with the RUN10 coupon
//! (quote, coupon verdict, conditional use counters, order and lines, one
//! transaction each), by distinct athletes, 8 at a time, on SQLite and, when
//! RUNCOACH_TEST_POSTGRES_URL is set, PostgreSQL.
//!
//! `cargo bench -p runcoach-app --bench checkout`

use std::sync::Arc;
use std::time::Instant;

use runcoach_app::Actor;
use runcoach_app::shop::{self, CartItem, CouponInput, OrderRequest, ProductInput, ShopConfig};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};

const ORDERS: usize = 2_000;
const CONCURRENCY: usize = 8;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let now = runcoach_store::now_ms();
        let admin = Actor::operator();
        let plan = shop::create_product(
            &db,
            &admin,
            ProductInput {
                slug: "marathon-plan".into(),
                name: "Marathon plan".into(),
                description: String::new(),
                kind: "training_plan".into(),
                price_minor: 3485,
                currency: "USD".into(),
                races: vec!["marathon".into()],
                coach_id: None,
                sessions: None,
            },
            now,
        )
        .await
        .unwrap();
        shop::create_coupon(
            &db,
            &admin,
            CouponInput {
                code: "RUN10".into(),
                percent_off_bps: Some(1000),
                amount_off_minor: None,
                currency: None,
                starts_at: None,
                expires_at: "2099-01-01T00:00:00Z".into(),
                max_redemptions: None,
                per_athlete_limit: Some(1),
                min_subtotal_minor: None,
                first_order_only: false,
                applies_to: vec!["training_plan".into()],
                athlete_id: None,
                affiliate_id: None,
                active: true,
            },
            now,
        )
        .await
        .unwrap();
        let mut athletes = Vec::with_capacity(ORDERS);
        for i in 0..ORDERS {
            let u = users::create(&db, &format!("a{i}@example.com"), "A", "x", Role::Athlete)
                .await
                .unwrap();
            athletes.push(Actor::of(&u));
        }
        let queue = Arc::new(std::sync::Mutex::new(athletes));
        let config = Arc::new(ShopConfig::default());
        let started = Instant::now();
        let workers: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (db, queue, config, plan) =
                    (db.clone(), queue.clone(), config.clone(), plan.id.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    loop {
                        let Some(athlete) = queue.lock().unwrap().pop() else {
                            break;
                        };
                        let request = OrderRequest {
                            items: vec![CartItem {
                                product_id: plan.clone(),
                                quantity: 1,
                            }],
                            coupon: Some("run10".into()),
                            expected_total_minor: Some(3136),
                        };
                        let t = Instant::now();
                        let order = shop::place_order(
                            &db,
                            &config,
                            &athlete,
                            &request,
                            runcoach_store::now_ms(),
                        )
                        .await
                        .unwrap();
                        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                        assert_eq!(order.total_minor, 3136);
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for w in workers {
            latencies.extend(w.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort_by(f64::total_cmp);
        let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
        println!(
            "{backend:8} {ORDERS} orders with RUN10, {CONCURRENCY} at a time: {:.0} orders/s, p50 {:.1} ms, p99 {:.1} ms",
            ORDERS as f64 / elapsed,
            pct(0.5),
            pct(0.99)
        );
        let coupons = shop::coupons(&db, &admin).await.unwrap();
        assert_eq!(coupons[0].reserved, ORDERS as i64);
    }
}
