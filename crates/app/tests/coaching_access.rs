//! The one authorisation point on real databases: what an actor is to an
//! athlete from roles stored as a set and grants, and what that allows.

use runcoach_app::Actor;
use runcoach_app::coaching::access::{self, AccessError, Level, Need, Relation};
use runcoach_store::Db;
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};

async fn user(db: &Db, email: &str, role: Role) -> Actor {
    Actor::of(&users::create(db, email, "Runner", "x", role).await.unwrap())
}

/// Reloads the actor as a request would (roles from the stored set).
async fn reload(db: &Db, actor: &Actor) -> Actor {
    Actor::of(&users::by_id(db, &actor.user_id).await.unwrap().unwrap().0)
}

#[tokio::test]
async fn relations_follow_roles_and_grants() {
    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let athlete = user(&db, "a@example.com", Role::Athlete).await;
        let other = user(&db, "o@example.com", Role::Athlete).await;
        let coach = user(&db, "c@example.com", Role::Coach).await;
        let rival = user(&db, "r@example.com", Role::Coach).await;
        let admin = user(&db, "boss@example.com", Role::Admin).await;
        let a = athlete.user_id.as_str();

        let rel = |actor: Actor| {
            let db = db.clone();
            async move { access::relation(&db, &actor, a).await.unwrap() }
        };
        assert_eq!(
            rel(athlete.clone()).await,
            Some(Relation::Owner),
            "{backend}"
        );
        assert_eq!(rel(other.clone()).await, None, "{backend}");
        assert_eq!(rel(coach.clone()).await, None, "{backend}");
        assert_eq!(rel(admin.clone()).await, Some(Relation::Admin), "{backend}");

        runcoach_store::coaching::upsert_grant(&db, a, &coach.user_id, "comment", "athlete")
            .await
            .unwrap();
        assert_eq!(
            rel(coach.clone()).await,
            Some(Relation::Coach(Level::Comment)),
            "{backend}"
        );
        assert_eq!(rel(rival.clone()).await, None, "{backend}");
        assert!(matches!(
            access::require(&db, &coach, a, Need::Edit).await,
            Err(AccessError::Forbidden)
        ));
        assert!(matches!(
            access::require(&db, &rival, a, Need::Read).await,
            Err(AccessError::NotFound)
        ));

        // A grant to an account that is not (or no longer) a coach counts
        // for nothing; adding the role to the set makes it count.
        runcoach_store::coaching::upsert_grant(&db, a, &other.user_id, "edit", "athlete")
            .await
            .unwrap();
        assert_eq!(rel(other.clone()).await, None, "{backend}");
        users::add_role(&db, &other.user_id, Role::Coach)
            .await
            .unwrap();
        let other = reload(&db, &other).await;
        assert_eq!(other.roles, vec![Role::Athlete, Role::Coach], "{backend}");
        assert_eq!(
            rel(other.clone()).await,
            Some(Relation::Coach(Level::Edit)),
            "{backend}"
        );
        assert!(reload(&db, &admin).await.is_admin());
    }
}

/// A paid coaching package names its coach: the coach may edit for as
/// long as the entitlement lasts, and the athlete sees the grant listed
/// (it is not theirs to revoke; a refund ends it).
#[tokio::test]
async fn buying_coaching_grants_edit_while_the_entitlement_lasts() {
    use runcoach_app::coaching::grants;
    use runcoach_app::shop::{self, CartItem, OrderRequest, ProductInput, ShopConfig};

    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let admin = user(&db, "boss@example.com", Role::Admin).await;
        let coach = user(&db, "c@example.com", Role::Coach).await;
        let athlete = user(&db, "a@example.com", Role::Athlete).await;
        let now = runcoach_store::now_ms();
        let package = shop::create_product(
            &db,
            &admin,
            ProductInput {
                slug: "coach-4".into(),
                name: "Four sessions with Cora".into(),
                description: String::new(),
                kind: "coaching_package".into(),
                price_minor: 20_000,
                currency: "usd".into(),
                races: vec![],
                coach_id: Some(coach.user_id.clone()),
                sessions: Some(4),
            },
            now,
        )
        .await
        .unwrap();
        let request = OrderRequest {
            items: vec![CartItem {
                product_id: package.id.clone(),
                quantity: 1,
            }],
            coupon: None,
            expected_total_minor: None,
        };
        let order = shop::place_order(&db, &ShopConfig::default(), &athlete, &request, now)
            .await
            .unwrap();
        let a = athlete.user_id.as_str();
        // Ordered, not paid: nothing yet.
        assert_eq!(
            access::relation(&db, &coach, a).await.unwrap(),
            None,
            "{backend}"
        );
        shop::mark_paid(&db, &admin, &order.id, now).await.unwrap();
        assert_eq!(
            access::relation(&db, &coach, a).await.unwrap(),
            Some(Relation::Coach(Level::Edit)),
            "{backend}"
        );
        let listed = grants::list(&db, &athlete, runcoach_store::now_ms())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
        assert_eq!(
            (listed[0].source.as_str(), listed[0].access),
            ("purchase", Level::Edit)
        );
        assert_eq!(listed[0].coach_id, coach.user_id);
        assert!(matches!(
            grants::revoke(&db, &athlete, &listed[0].id).await,
            Err(runcoach_app::coaching::CoachingError::Conflict(
                "purchased_grant",
                _
            ))
        ));
        // A direct grant at view does not lower what the purchase gives.
        grants::grant(&db, &athlete, &coach.user_id, "view")
            .await
            .unwrap();
        assert_eq!(
            access::relation(&db, &coach, a).await.unwrap(),
            Some(Relation::Coach(Level::Edit))
        );
        // The entitlement ends (a refund, a dispute): so does the access.
        let mut tx = db.begin().await.unwrap();
        runcoach_store::shop::revoke(&mut tx, &order.id, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            access::relation(&db, &coach, a).await.unwrap(),
            Some(Relation::Coach(Level::View)),
            "{backend}: the direct grant remains"
        );
    }
}

/// One grant per athlete and coach, held by the unique key: concurrent
/// grants (separate connections) change one row, never add a second.
#[tokio::test]
async fn concurrent_grants_to_one_coach_leave_one_grant() {
    use runcoach_app::coaching::grants;
    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let coach = user(&db, "c@example.com", Role::Coach).await;
        let athlete = user(&db, "a@example.com", Role::Athlete).await;
        let tasks: Vec<_> = ["view", "comment", "edit", "view", "edit", "comment"]
            .into_iter()
            .map(|level| {
                let (db, athlete, coach) = (db.clone(), athlete.clone(), coach.user_id.clone());
                tokio::spawn(async move { grants::grant(&db, &athlete, &coach, level).await })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for t in tasks {
            ids.insert(t.await.unwrap().unwrap().id);
        }
        assert_eq!(ids.len(), 1, "{backend}: one grant id for every call");
        let listed = grants::list(&db, &athlete, runcoach_store::now_ms())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
    }
}
