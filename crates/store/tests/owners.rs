//! Queries on a plan's adjustments and a session's calendar sequence name
//! the plan's owner, so another athlete's id (a coach's or anyone's) finds
//! and changes nothing, whatever plan or session id it brings. SQLite, and
//! PostgreSQL when `RUNCOACH_TEST_POSTGRES_URL` is set.

use jiff::civil::date;
use runcoach_core::adapt::{Action, Adjustment, Rule};
use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::Role;
use runcoach_store::{Db, feeds, logs, plans, users};

fn input() -> PlanInput {
    PlanInput {
        race: "10k".into(),
        race_date: "2027-03-28".into(),
        weeks: Some(8),
        run_days: ["tue", "thu", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "first-timer".into(),
        weekly_km: 15.0,
        strength_days: 2,
        ..Default::default()
    }
}

async fn user(db: &Db, email: &str) -> String {
    users::create(db, email, "Runner", "hash", Role::Athlete)
        .await
        .unwrap()
        .id
}

/// Ana's plan with one stored adjustment; its id and first session's id.
async fn ana_with_adjustment(db: &Db, ana: &str) -> (String, String) {
    let request = input().validate().unwrap();
    let (plan_id, stored) = plans::insert(db, ana, &input(), &build_plan(&request))
        .await
        .unwrap();
    let session = stored.weeks[0].days[0].sessions[0].id.clone().unwrap();
    logs::sync_adjustments(db, ana, &plan_id, &[cap()])
        .await
        .unwrap();
    (plan_id, session)
}

fn cap() -> Adjustment {
    Adjustment {
        id: Adjustment::id_for(Rule::Pain, 2),
        rule: Rule::Pain,
        week: 2,
        on: date(2027, 2, 8),
        summary: "Eased for pain".into(),
        why: "Knee pain 5/10 on Monday".into(),
        action: Action::CapVolume { max_km: 10.0 },
        touched: Vec::new(),
    }
}

#[tokio::test]
async fn adjustments_are_read_only_by_the_plans_owner() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
        let (plan, _) = ana_with_adjustment(&db, &ana).await;
        let ids = |a: Vec<logs::StoredAdjustment>| -> Vec<String> {
            a.into_iter().map(|s| s.adjustment.id).collect()
        };
        assert_eq!(
            ids(logs::adjustments(&db, &ana, &plan).await.unwrap()),
            vec!["pain-w2".to_owned()],
            "{backend}"
        );
        assert!(
            logs::adjustments(&db, &ben, &plan)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn only_the_owner_syncs_a_plans_adjustments() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
        let (plan, _) = ana_with_adjustment(&db, &ana).await;
        // Ben's sync would remove Ana's adjustment (he passes none) and add one.
        let mut other = cap();
        other.id = Adjustment::id_for(Rule::Pain, 3);
        logs::sync_adjustments(&db, &ben, &plan, &[other])
            .await
            .unwrap();
        let kept: Vec<String> = logs::adjustments(&db, &ana, &plan)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.adjustment.id)
            .collect();
        assert_eq!(kept, vec!["pain-w2".to_owned()], "{backend}");
    }
}

#[tokio::test]
async fn only_the_owner_undoes_an_adjustment() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
        let (plan, _) = ana_with_adjustment(&db, &ana).await;
        assert!(
            !logs::set_undone(&db, &ben, &plan, "pain-w2", true)
                .await
                .unwrap(),
            "{backend}: another athlete's id matches nothing"
        );
        let undone = |db: Db, ana: String, plan: String| async move {
            logs::adjustments(&db, &ana, &plan).await.unwrap()[0].undone
        };
        assert!(
            !undone(db.clone(), ana.clone(), plan.clone()).await,
            "{backend}"
        );
        assert!(
            logs::set_undone(&db, &ana, &plan, "pain-w2", true)
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            undone(db.clone(), ana.clone(), plan.clone()).await,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn active_adjustments_are_seen_only_by_the_owner() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
        let (plan, _) = ana_with_adjustment(&db, &ana).await;
        assert!(
            logs::has_active_adjustments(&db, &ana, &plan)
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            !logs::has_active_adjustments(&db, &ben, &plan)
                .await
                .unwrap(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn only_the_owner_bumps_a_sessions_sequence() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, ben) = (user(&db, "ana@x.org").await, user(&db, "ben@x.org").await);
        let (plan, session) = ana_with_adjustment(&db, &ana).await;
        assert_eq!(
            feeds::bump(&db, &ben, &session).await.unwrap(),
            None,
            "{backend}"
        );
        assert!(
            feeds::sequences_for_plan(&db, &plan)
                .await
                .unwrap()
                .is_empty(),
            "{backend}: nothing was bumped"
        );
        assert_eq!(
            feeds::bump(&db, &ana, &session).await.unwrap(),
            Some(1),
            "{backend}"
        );
    }
}
