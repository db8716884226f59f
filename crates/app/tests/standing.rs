//! The plan as it stands, kept in memory per (owner, plan, revision): a
//! change written by any app server raises the revision, so the next read
//! assembles the changed plan instead of serving the one kept.

use runcoach_app::plans::{EditBody, standing_at};
use runcoach_core::plan::edit::Op;
use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::Role;
use runcoach_store::{edits, plans, users};

#[tokio::test]
async fn a_kept_plan_is_replaced_when_a_write_raises_the_revision() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = users::create(&db, "ana@example.com", "Ana", "h", Role::Athlete)
            .await
            .unwrap();
        let input = PlanInput {
            race: "half".into(),
            race_date: "2027-03-28".into(),
            weeks: Some(12),
            run_days: ["mon", "wed", "fri", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: 20.0,
            strength_days: 2,
            ..Default::default()
        };
        let plan = build_plan(&input.validate().unwrap());
        let (id, stored) = plans::insert(&db, &ana.id, &input, &plan).await.unwrap();
        let before = plans::revision(&db, &ana.id, &id).await.unwrap().unwrap();
        let kept = standing_at(&db, &ana.id, &id, before)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(*kept, stored, "{backend}");
        assert!(
            standing_at(&db, "someone-else", &id, before)
                .await
                .unwrap()
                .is_none(),
            "{backend}: a kept plan is still only its owner's"
        );

        // Another server removes the first session (straight through the
        // store, as that server would).
        let first = stored.weeks[0].days[0].sessions[0].id.clone().unwrap();
        let body = EditBody {
            ops: vec![Op::Remove {
                session_id: first.clone(),
            }],
            why: String::new(),
            summary: "Removed".into(),
            action: String::new(),
            week: 1,
            violations: Vec::new(),
        };
        let body = serde_json::to_string(&body).unwrap();
        let mut tx = db.begin().await.unwrap();
        edits::insert(
            &mut tx,
            &edits::NewEdit {
                id: "edit-1",
                plan_id: &id,
                position: 0,
                rule: "athlete_edit",
                editor_id: &ana.id,
                editor_name: "Ana",
                note: "",
                body: &body,
                now: 1,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let after = plans::revision(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(after > before, "{backend}");
        let has_first = |p: &runcoach_core::plan::Plan| {
            p.weeks
                .iter()
                .flat_map(|w| &w.days)
                .flat_map(|d| &d.sessions)
                .any(|s| s.id.as_deref() == Some(first.as_str()))
        };
        let now = standing_at(&db, &ana.id, &id, after)
            .await
            .unwrap()
            .unwrap();
        assert!(!has_first(&now), "{backend}: the edit is seen");
        // The entry of the old revision is what was kept, not re-read.
        let old = standing_at(&db, &ana.id, &id, before)
            .await
            .unwrap()
            .unwrap();
        assert!(has_first(&old), "{backend}");
    }
}
