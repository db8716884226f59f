//! Queries on a plan's adjustments and a session's calendar sequence name
//! the plan's owner, so another athlete's id (a coach's or anyone's) finds
//! and changes nothing, whatever plan or session id it brings. SQLite, and
//! PostgreSQL when `RUNCOACH_TEST_POSTGRES_URL` is set.

use crate::common;

use common::{plan, user};
use jiff::civil::date;
use runcoach_core::adapt::{Action, Adjustment, Rule};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::{Db, feeds, logs};

fn cap(week: u32) -> Adjustment {
    Adjustment {
        id: Adjustment::id_for(Rule::Pain, week),
        rule: Rule::Pain,
        week,
        on: date(2027, 2, 8),
        summary: "Eased for pain".into(),
        why: "Knee pain 5/10 on Monday".into(),
        action: Action::CapVolume { max_km: 10.0 },
        touched: Vec::new(),
    }
}

/// Ana's plan with one stored adjustment (`pain-w2`), and Ben, who is
/// nobody to it.
struct World {
    db: Db,
    _guard: Option<tempfile::TempDir>,
    ana: String,
    ben: String,
    plan: String,
    session: String,
}

async fn world(backend: &str) -> World {
    let (db, guard) = fresh(backend).await.unwrap();
    let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
    let (plan, sessions) = plan(&db, &ana).await;
    logs::sync_adjustments(&db, &ana, &plan, &[cap(2)])
        .await
        .unwrap();
    World {
        db,
        _guard: guard,
        ana,
        ben,
        plan,
        session: sessions[0].clone(),
    }
}

async fn ids(w: &World, owner: &str) -> Vec<String> {
    logs::adjustments(&w.db, owner, &w.plan)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.adjustment.id)
        .collect()
}

#[tokio::test]
async fn adjustments_are_read_only_by_the_plans_owner() {
    for backend in backends() {
        let w = &world(backend).await;
        assert_eq!(ids(w, &w.ana).await, ["pain-w2"], "{backend}");
        assert!(ids(w, &w.ben).await.is_empty(), "{backend}");
    }
}

#[tokio::test]
async fn only_the_owner_syncs_a_plans_adjustments() {
    for backend in backends() {
        let w = &world(backend).await;
        // Ben's sync would drop Ana's adjustment and add another.
        logs::sync_adjustments(&w.db, &w.ben, &w.plan, &[cap(3)])
            .await
            .unwrap();
        assert_eq!(ids(w, &w.ana).await, ["pain-w2"], "{backend}");
    }
}

#[tokio::test]
async fn only_the_owner_undoes_an_adjustment() {
    for backend in backends() {
        let w = &world(backend).await;
        let undone =
            || async { logs::adjustments(&w.db, &w.ana, &w.plan).await.unwrap()[0].undone };
        let set = |who: String| async move {
            logs::set_undone(&w.db, &who, &w.plan, "pain-w2", true)
                .await
                .unwrap()
        };
        assert!(
            !set(w.ben.clone()).await,
            "{backend}: Ben's id matches nothing"
        );
        assert!(!undone().await, "{backend}");
        assert!(set(w.ana.clone()).await, "{backend}");
        assert!(undone().await, "{backend}");
    }
}

#[tokio::test]
async fn active_adjustments_are_seen_only_by_the_owner() {
    for backend in backends() {
        let w = &world(backend).await;
        let active = |who: String| async move {
            logs::has_active_adjustments(&w.db, &who, &w.plan)
                .await
                .unwrap()
        };
        assert!(active(w.ana.clone()).await, "{backend}");
        assert!(!active(w.ben.clone()).await, "{backend}");
    }
}

#[tokio::test]
async fn only_the_owner_bumps_a_sessions_sequence() {
    for backend in backends() {
        let w = &world(backend).await;
        let bump = |who: String| async move { feeds::bump(&w.db, &who, &w.session).await.unwrap() };
        assert_eq!(bump(w.ben.clone()).await, None, "{backend}");
        assert!(
            feeds::sequences_for_plan(&w.db, &w.plan)
                .await
                .unwrap()
                .is_empty(),
            "{backend}: nothing was bumped"
        );
        assert_eq!(bump(w.ana.clone()).await, Some(1), "{backend}");
    }
}
