//! Activities, import jobs and their reports on SQLite, and on PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set: the same assertions on both.

use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession};
use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_store::activities::{
    self, Candidate, FileRecord, FileStatus, NewActivity, Sameness, StoredFile,
};
use runcoach_store::marks::{self, Marks};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};
use runcoach_store::{Db, logs, plans};

/// 2026-03-02 06:00 UTC, a Monday.
const T0: i64 = 1_772_431_200_000;
const DAY: i64 = 86_400_000;

/// The dedupe rule (formats::dedupe), restated for the store's tests.
/// A copy with heart rate replaces one without.
fn same(a: &NewActivity, c: &Candidate) -> Sameness {
    let Some(start) = a.start_time_ms else {
        return Sameness::Different;
    };
    let same = (start - c.start_time_ms).abs() <= 60_000
        && (a.distance_m - c.distance_m).abs() <= 0.02 * a.distance_m.max(c.distance_m) + 1e-9;
    match (same, a.avg_hr.is_some() && c.avg_hr.is_none()) {
        (false, _) => Sameness::Different,
        (true, false) => Sameness::Same,
        (true, true) => Sameness::SameButRicher,
    }
}

fn run(key: &str, start_ms: i64, km: f64) -> NewActivity {
    NewActivity {
        source: "fit".into(),
        source_key: key.into(),
        sport: runcoach_core::sport::Sport::Running,
        start_time_ms: Some(start_ms),
        distance_m: km * 1000.0,
        elapsed_s: km * 330.0,
        moving_s: km * 300.0,
        avg_hr: Some(150.4),
        max_hr: Some(171.6),
        laps: 2,
        track_json: "[]".into(),
        ..Default::default()
    }
}

fn file(position: i64, name: &str, activities: Vec<NewActivity>) -> FileRecord {
    FileRecord {
        position,
        file: name.into(),
        file_key: format!("sha256:{name}"),
        status: FileStatus::Imported,
        activities,
        error: None,
        error_kind: None,
        note: None,
    }
}

async fn user(db: &Db, email: &str) -> String {
    users::create(db, email, "Runner", "hash", Role::Athlete)
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn files_store_whole_and_duplicates_are_counted_once() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = user(&db, "ana@example.com").await;
        let bo = user(&db, "bo@example.com").await;
        let job = activities::create_import(&db, &ana, "cli").await.unwrap();
        activities::start_import(&db, &job, 7).await.unwrap();

        let batch = vec![
            file(0, "a.fit", vec![run("sha256:a", T0, 10.0)]),
            // 59 s later, 1.9 % longer: the same run from another device.
            file(1, "a.gpx", vec![run("sha256:b", T0 + 59_000, 10.19)]),
            // 61 s later: a different run.
            file(
                2,
                "c.tcx",
                vec![
                    run("sha256:c", T0 + 61_000, 10.0),
                    run("sha256:c#1", T0 + DAY, 5.0),
                ],
            ),
            FileRecord {
                status: FileStatus::Failed,
                error: Some("truncated FIT file".into()),
                error_kind: Some("truncated".into()),
                ..file(3, "bad.fit", Vec::new())
            },
        ];
        let out = activities::store_files(&db, &ana, &job, &batch, &same)
            .await
            .unwrap();
        let summary: Vec<(FileStatus, u32, u32)> = out
            .iter()
            .map(
                |StoredFile {
                     status,
                     imported,
                     duplicates,
                 }| (*status, *imported, *duplicates),
            )
            .collect();
        assert_eq!(
            summary,
            vec![
                (FileStatus::Imported, 1, 0),
                (FileStatus::Duplicate, 0, 1),
                (FileStatus::Imported, 2, 0),
                (FileStatus::Failed, 0, 0),
            ],
            "{backend}"
        );
        // The same file again (same key) in a later batch: a duplicate even
        // without a start time.
        let mut untimed = run("sha256:a", T0, 10.0);
        untimed.start_time_ms = None;
        let again = activities::store_files(
            &db,
            &ana,
            &job,
            &[file(4, "a-copy.fit", vec![untimed])],
            &same,
        )
        .await
        .unwrap();
        assert_eq!(again[0].status, FileStatus::Duplicate, "{backend}");
        // A run stored without heart rate, then a copy with it: one activity,
        // the copy's numbers.
        let mut plain = run("sha256:d", T0 + 2 * DAY, 8.0);
        plain.avg_hr = None;
        let mut richer = run("sha256:e", T0 + 2 * DAY + 30_000, 8.05);
        richer.avg_hr = Some(140.0);
        let out = activities::store_files(
            &db,
            &ana,
            &job,
            &[
                file(5, "d.gpx", vec![plain]),
                file(6, "e.fit", vec![richer]),
            ],
            &same,
        )
        .await
        .unwrap();
        assert_eq!((out[0].imported, out[1].duplicates), (1, 1), "{backend}");
        let day3 = activities::list(&db, &ana, T0 + 2 * DAY, T0 + 3 * DAY)
            .await
            .unwrap();
        assert_eq!(day3.len(), 1);
        assert_eq!(
            (day3[0].avg_hr, day3[0].distance_m),
            (Some(140), 8050.0),
            "{backend}"
        );
        activities::finish_import(&db, &job, None).await.unwrap();

        let status = activities::get_import(&db, &ana, &job)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                status.status.as_str(),
                status.total,
                status.done,
                status.imported,
                status.duplicates,
                status.failed
            ),
            ("done", 7, 7, 4, 3, 1),
            "{backend}"
        );
        assert!(
            activities::get_import(&db, &bo, &job)
                .await
                .unwrap()
                .is_none(),
            "{backend}: not Bo's"
        );
        let failed = activities::import_files(&db, &ana, &job, Some(&[FileStatus::Failed]))
            .await
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            (
                failed[0].file.as_str(),
                failed[0].error.as_deref(),
                failed[0].error_kind.as_deref()
            ),
            ("bad.fit", Some("truncated FIT file"), Some("truncated"))
        );
        let report = activities::import_files(&db, &ana, &job, None)
            .await
            .unwrap();
        // The note names the stored copy, and says when the new one replaced it.
        let first = activities::list(&db, &ana, T0, T0 + DAY).await.unwrap();
        let names = |i: usize| activities::duplicate_of(report[i].note.as_deref().unwrap());
        assert_eq!(names(1), Some((first[0].id.as_str(), false)), "{backend}");
        assert_eq!(report[6].file, "e.fit");
        assert_eq!(names(6), Some((day3[0].id.as_str(), true)), "{backend}");
        assert_eq!(activities::duplicate_of("salvaged 3 of 4 laps"), None);
        assert!(
            activities::import_files(&db, &bo, &job, None)
                .await
                .unwrap()
                .is_empty()
        );

        let keys = activities::done_file_keys(&db, &ana).await.unwrap();
        let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "sha256:a-copy.fit",
                "sha256:a.fit",
                "sha256:a.gpx",
                "sha256:c.tcx",
                "sha256:d.gpx",
                "sha256:e.fit"
            ],
            "failed files are tried again next time"
        );

        assert_eq!(activities::count(&db, &ana).await.unwrap(), 4);
        assert_eq!(activities::count(&db, &bo).await.unwrap(), 0);
        let first_day = activities::list(&db, &ana, T0 - 1, T0 + DAY).await.unwrap();
        assert_eq!(first_day.len(), 2, "{backend}");
        let a = &first_day[0];
        assert_eq!(
            (
                a.distance_m,
                a.elapsed_s,
                a.moving_s,
                a.avg_hr,
                a.max_hr,
                a.laps
            ),
            (10_000.0, 3300.0, 3000.0, Some(150), Some(172), 2),
            "{backend}"
        );
        assert!(
            activities::list(&db, &bo, 0, i64::MAX)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(activities::all(&db, &ana).await.unwrap().len(), 4);
        let track = activities::track(&db, &ana, &a.id).await.unwrap();
        assert_eq!(track.as_deref(), Some("[]"));
        assert_eq!(activities::track(&db, &bo, &a.id).await.unwrap(), None);
    }
}

#[tokio::test]
async fn links_pair_activities_with_sessions_once_each() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = user(&db, "ana@example.com").await;
        let bo = user(&db, "bo@example.com").await;
        let input = PlanInput {
            race: "half".into(),
            race_date: "2026-05-31".into(),
            start: Some("2026-03-02".into()),
            run_days: ["mon", "wed", "fri", "sun"].map(String::from).to_vec(),
            long_run_day: "sun".into(),
            level: "first-timer".into(),
            weekly_km: 20.0,
            strength_days: 2,
            ..Default::default()
        };
        let plan = build_plan(&input.validate().unwrap());
        let (plan_id, stored) = plans::insert(&db, &ana, &input, &plan).await.unwrap();
        let runs: Vec<String> = stored.weeks[0]
            .days
            .iter()
            .flat_map(|d| &d.sessions)
            .filter(|s| s.kind.is_run())
            .filter_map(|s| s.id.clone())
            .collect();
        assert!(runs.len() >= 2);

        let job = activities::create_import(&db, &ana, "cli").await.unwrap();
        let batch = vec![
            file(0, "mon.fit", vec![run("sha256:mon", T0, 5.0)]),
            file(1, "wed.fit", vec![run("sha256:wed", T0 + 2 * DAY, 5.0)]),
        ];
        activities::store_files(&db, &ana, &job, &batch, &same)
            .await
            .unwrap();
        let bo_job = activities::create_import(&db, &bo, "cli").await.unwrap();
        activities::store_files(
            &db,
            &bo,
            &bo_job,
            &[file(0, "bo.fit", vec![run("sha256:bo", T0, 5.0)])],
            &same,
        )
        .await
        .unwrap();
        let ids = |db: &Db, who: &str| {
            let (db, who) = (db.clone(), who.to_owned());
            async move {
                activities::all(&db, &who)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|a| a.id)
                    .collect::<Vec<_>>()
            }
        };
        let (mine, theirs) = (ids(&db, &ana).await, ids(&db, &bo).await);
        // What came in with the import: both runs, oldest first.
        let came: Vec<String> = activities::of_import(&db, &ana, &job)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(came, mine, "{backend}");
        assert!(
            activities::of_import(&db, &bo, &job)
                .await
                .unwrap()
                .is_empty()
        );

        let linked = activities::link(
            &db,
            &ana,
            &[
                (mine[0].clone(), runs[0].clone()),
                // The session is taken now: the second run stays unlinked.
                (mine[1].clone(), runs[0].clone()),
                // Not Ana's activity.
                (theirs[0].clone(), runs[1].clone()),
            ],
        )
        .await
        .unwrap();
        assert_eq!(linked, 1, "{backend}");
        let links: Vec<Option<String>> = activities::all(&db, &ana)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.planned_session_id)
            .collect();
        assert_eq!(links, [Some(runs[0].clone()), None], "{backend}");
        let matched = activities::matched_in_plan(&db, &ana, &plan_id)
            .await
            .unwrap();
        assert_eq!(matched, [(mine[0].clone(), runs[0].clone())]);
        // Unlinked is what matching may still take.
        let open: Vec<String> = activities::unlinked(&db, &ana, T0, T0 + 7 * DAY)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(open, [mine[1].clone()]);
        // Bo's run cannot be linked to Ana's session either.
        assert_eq!(
            activities::link(&db, &bo, &[(theirs[0].clone(), runs[1].clone())])
                .await
                .unwrap(),
            0
        );

        // A session's marks (store::marks): its logs, oldest first with
        // their status, and the run matched to it, in one query, by
        // session or for the whole plan; nobody else's.
        let log = |status: LogStatus| LoggedSession {
            date: "2026-03-02".parse().unwrap(),
            kind: ActivityKind::Run,
            status,
            duration_s: 1800,
            distance_m: 5000,
            rpe: None,
            pain: Vec::new(),
            notes: String::new(),
        };
        let mut logged = Vec::new();
        for (session, status) in [
            (&runs[0], LogStatus::Partial),
            (&runs[1], LogStatus::Done),
            (&runs[0], LogStatus::Skipped),
        ] {
            let entry = logs::insert(&db, &ana, Some(session), &log(status), &[], None)
                .await
                .unwrap();
            logged.push((session.clone(), entry.id, status));
        }
        logs::insert(&db, &bo, None, &log(LogStatus::Done), &[], None)
            .await
            .unwrap();
        let expected = Marks {
            logs: logged,
            matches: vec![(runs[0].clone(), mine[0].clone())],
        };
        assert_eq!(
            marks::in_plan(&db, &ana, &plan_id).await.unwrap(),
            expected,
            "{backend}"
        );
        let ids: Vec<&str> = runs.iter().map(String::as_str).collect();
        assert_eq!(
            marks::on_sessions(&db, &ana, &ids).await.unwrap(),
            expected,
            "{backend}"
        );
        assert_eq!(
            marks::on_sessions(&db, &bo, &ids).await.unwrap(),
            Marks::default(),
            "{backend}"
        );
        assert_eq!(
            marks::in_plan(&db, &bo, &plan_id).await.unwrap(),
            Marks::default(),
            "{backend}"
        );
    }
}
