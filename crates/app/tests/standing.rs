//! The plan as it stands, kept in memory per (owner, plan, revision): a
//! change written by any app server raises the revision, so the next read
//! assembles the changed plan instead of serving the one kept.

use std::sync::Arc;

use runcoach_app::plans::{
    EditBody, current, current_json, is_kept_json, made, standing_at, tracked_json, week_of,
};
use runcoach_core::plan::edit::Op;
use runcoach_core::plan::{Plan, PlanInput, build_plan};
use runcoach_store::Db;
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{Role, User};
use runcoach_store::{edits, plans, users};

/// Ana and a 12-week half-marathon plan of hers: its id and the plan stored.
async fn ana_with_a_plan(db: &Db) -> (User, String, Plan) {
    let ana = users::create(db, "ana@example.com", "Ana", "h", Role::Athlete)
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
    let (id, stored) = plans::insert(db, &ana.id, &input, &plan).await.unwrap();
    (ana, id, stored)
}

/// Another server removes `session_id` from the plan, straight through the
/// store as that server would: the plan's revision goes up.
async fn remove_session(db: &Db, owner: &User, plan_id: &str, session_id: &str) {
    let body = EditBody {
        ops: vec![Op::Remove {
            session_id: session_id.to_owned(),
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
            plan_id,
            position: 0,
            rule: "athlete_edit",
            editor_id: &owner.id,
            editor_name: "Ana",
            note: "",
            body: &body,
            now: 1,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn has_session(p: &Plan, id: &str) -> bool {
    p.weeks
        .iter()
        .flat_map(|w| &w.days)
        .flat_map(|d| &d.sessions)
        .any(|s| s.id.as_deref() == Some(id))
}

#[tokio::test]
async fn a_kept_plan_is_replaced_when_a_write_raises_the_revision() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, id, stored) = ana_with_a_plan(&db).await;
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

        let first = stored.weeks[0].days[0].sessions[0].id.clone().unwrap();
        remove_session(&db, &ana, &id, &first).await;

        let after = plans::revision(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(after > before, "{backend}");
        let now = standing_at(&db, &ana.id, &id, after)
            .await
            .unwrap()
            .unwrap();
        assert!(!has_session(&now, &first), "{backend}: the edit is seen");
        // The entry of the old revision is what was kept, not re-read.
        let old = standing_at(&db, &ana.id, &id, before)
            .await
            .unwrap()
            .unwrap();
        assert!(has_session(&old, &first), "{backend}");
    }
}

/// Issue 16: the plan routes read the plan on every view. A read of a
/// revision this process has read before must be the kept value itself
/// (the same allocation: nothing re-read, inflated or parsed), and a write
/// by any server must make the next read see it.
#[tokio::test]
async fn plan_reads_are_served_from_memory_until_the_revision_moves() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, id, stored) = ana_with_a_plan(&db).await;
        let revision = plans::revision(&db, &ana.id, &id).await.unwrap().unwrap();

        let plan = current(&db, &ana.id, &id).await.unwrap().unwrap();
        assert_eq!(*plan, stored, "{backend}");
        let again = current(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(
            Arc::ptr_eq(&plan, &again),
            "{backend}: the typed plan is kept"
        );

        assert!(!is_kept_json(&ana.id, &id, revision), "{backend}");
        let (doc, head) = current_json(&db, &ana.id, &id).await.unwrap().unwrap();
        assert_eq!(head.revision, revision, "{backend}");
        assert_eq!(*doc, serde_json::to_value(&stored).unwrap(), "{backend}");
        assert!(is_kept_json(&ana.id, &id, revision), "{backend}");
        let (same, _) = current_json(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&doc, &same), "{backend}: the JSON is kept");

        // The API's body: written once per revision and statuses.
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        let body = tracked_json(&db, &ana.id, &id, day("2026-12-01"))
            .await
            .unwrap()
            .unwrap();
        let again = tracked_json(&db, &ana.id, &id, day("2026-12-01"))
            .await
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(&body, &again), "{backend}: the body is kept");
        let later = tracked_json(&db, &ana.id, &id, day("2027-03-01"))
            .await
            .unwrap()
            .unwrap();
        assert!(!Arc::ptr_eq(&body, &later), "{backend}: other statuses");
        let doc: serde_json::Value = serde_json::from_slice(&later).unwrap();
        assert_eq!(doc["id"], id.as_str(), "{backend}");
        // Before the plan's first week nothing is missed; weeks into it,
        // the sessions never logged are.
        let missed = |body: &[u8]| String::from_utf8_lossy(body).contains("\"status\":\"missed\"");
        assert!(!missed(&body), "{backend}");
        assert!(missed(&later), "{backend}");

        let as_made = made(&db, &ana.id, &id).await.unwrap().unwrap();
        assert_eq!(*as_made, stored, "{backend}");
        let as_made_again = made(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(Arc::ptr_eq(&as_made, &as_made_again), "{backend}");

        assert!(current(&db, "someone-else", &id).await.unwrap().is_none());
        assert!(
            current_json(&db, "someone-else", &id)
                .await
                .unwrap()
                .is_none()
        );

        let first = stored.weeks[0].days[0].sessions[0].id.clone().unwrap();
        remove_session(&db, &ana, &id, &first).await;
        let edited = current(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(!Arc::ptr_eq(&plan, &edited), "{backend}");
        assert!(!has_session(&edited, &first), "{backend}: the edit is seen");
        let (doc_now, head_now) = current_json(&db, &ana.id, &id).await.unwrap().unwrap();
        assert!(head_now.revision > revision, "{backend}");
        assert_eq!(
            *doc_now,
            serde_json::to_value(&*edited).unwrap(),
            "{backend}"
        );
    }
}

/// Today reads the week holding the day on every view: it is kept per
/// (owner, plan, revision, day) as well, so a second read is the kept
/// value itself, and a change by any server shows on the next read.
#[tokio::test]
async fn a_kept_week_is_replaced_when_a_write_raises_the_revision() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let (ana, id, stored) = ana_with_a_plan(&db).await;
        let week = &stored.weeks[1];
        let day = week.days[2].date;
        let first = week_of(&db, &ana.id, day).await.unwrap();
        assert_eq!(first.plan_id.as_deref(), Some(id.as_str()), "{backend}");
        assert_eq!(*first.days, week.days, "{backend}");
        let again = week_of(&db, &ana.id, day).await.unwrap();
        assert!(Arc::ptr_eq(&first.days, &again.days), "{backend}: kept");

        let gone = week
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .find_map(|s| s.id.clone())
            .unwrap();
        remove_session(&db, &ana, &id, &gone).await;
        let after = week_of(&db, &ana.id, day).await.unwrap();
        assert_eq!(after.days.len(), week.days.len(), "{backend}");
        assert!(
            !after
                .days
                .iter()
                .flat_map(|d| &d.sessions)
                .any(|s| s.id.as_deref() == Some(gone.as_str())),
            "{backend}: the edit is seen"
        );

        let bo = users::create(&db, "bo@example.com", "Bo", "h", Role::Athlete)
            .await
            .unwrap();
        let theirs = week_of(&db, &bo.id, day).await.unwrap();
        assert!(
            theirs.plan_id.is_none() && theirs.days.is_empty(),
            "{backend}"
        );
    }
}
