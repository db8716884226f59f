//! Every repository against SQLite, and against PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set: the same assertions on both.

use runcoach_core::plan::{PlanInput, build_plan};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::Role;
use runcoach_store::{StoreError, limits, plans, sessions, users};

fn input() -> PlanInput {
    PlanInput {
        race: "half".into(),
        race_date: "2027-03-28".into(),
        weeks: Some(12),
        run_days: ["mon", "wed", "fri", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "first-timer".into(),
        weekly_km: 20.0,
        strength_days: 2,
        ..Default::default()
    }
}

#[tokio::test]
async fn users_sessions_and_tokens() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = users::create(&db, " Ana@Example.com ", "Ana", "hash-a", Role::Athlete)
            .await
            .unwrap();
        assert_eq!(ana.email, "ana@example.com", "{backend}");
        let dup = users::create(&db, "ana@example.COM", "Other", "h", Role::Athlete).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict)),
            "{backend}: {dup:?}"
        );
        let (found, hash) = users::by_email(&db, "ANA@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (found.id.as_str(), hash.as_str()),
            (ana.id.as_str(), "hash-a")
        );
        assert!(
            users::by_email(&db, "nobody@example.com")
                .await
                .unwrap()
                .is_none()
        );

        users::set_password(&db, &ana.id, "hash-b").await.unwrap();
        users::set_settings(&db, &ana.id, "Ana R", "mi", "sun")
            .await
            .unwrap();
        let (u, hash) = users::by_id(&db, &ana.id).await.unwrap().unwrap();
        assert_eq!(
            (
                u.name.as_str(),
                u.units.as_str(),
                u.week_start.as_str(),
                hash.as_str()
            ),
            ("Ana R", "mi", "sun", "hash-b")
        );
        assert_eq!((u.start_times.as_str(), u.time_zone.as_str()), ("", ""));
        users::set_schedule(&db, &ana.id, "mon=06:30,sat=08:00", "Europe/Dublin")
            .await
            .unwrap();
        let (u, _) = users::by_id(&db, &ana.id).await.unwrap().unwrap();
        assert_eq!(
            (u.start_times.as_str(), u.time_zone.as_str()),
            ("mon=06:30,sat=08:00", "Europe/Dublin")
        );

        sessions::create_session(&db, "s1", &ana.id, "csrf1", 60_000)
            .await
            .unwrap();
        sessions::create_session(&db, "s2", &ana.id, "csrf2", 60_000)
            .await
            .unwrap();
        sessions::create_session(&db, "old", &ana.id, "csrf3", -1)
            .await
            .unwrap();
        let (u, csrf) = sessions::session_user(&db, "s1").await.unwrap().unwrap();
        assert_eq!((u.id.as_str(), csrf.as_str()), (ana.id.as_str(), "csrf1"));
        assert!(
            sessions::session_user(&db, "old").await.unwrap().is_none(),
            "expired"
        );
        assert_eq!(
            sessions::delete_other_sessions(&db, &ana.id, "s1")
                .await
                .unwrap(),
            2
        );
        assert!(sessions::session_user(&db, "s2").await.unwrap().is_none());
        sessions::delete_session(&db, "s1").await.unwrap();
        assert!(sessions::session_user(&db, "s1").await.unwrap().is_none());

        let tok = sessions::create_token(&db, &ana.id, "script", "tok-hash", None)
            .await
            .unwrap();
        let (u, id) = sessions::token_user(&db, "tok-hash")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (u.id.as_str(), id.as_str()),
            (ana.id.as_str(), tok.id.as_str())
        );
        let listed = sessions::list_tokens(&db, &ana.id).await.unwrap();
        assert!(listed[0].last_used_at.is_some(), "{backend}: use noted");
        sessions::create_token(&db, &ana.id, "gone", "expired-hash", Some(-1))
            .await
            .unwrap();
        assert!(
            sessions::token_user(&db, "expired-hash")
                .await
                .unwrap()
                .is_none(),
            "{backend}: expired tokens do not work"
        );
        // An expired session and the expired token are purged.
        sessions::create_session(&db, "stale", &ana.id, "csrf4", -1)
            .await
            .unwrap();
        assert_eq!(sessions::purge_expired(&db).await.unwrap(), 1 + 1);
        assert_eq!(sessions::list_tokens(&db, &ana.id).await.unwrap().len(), 1);
        assert!(
            !sessions::delete_token(&db, "someone-else", &tok.id)
                .await
                .unwrap()
        );
        assert!(sessions::delete_token(&db, &ana.id, &tok.id).await.unwrap());
        assert!(
            sessions::token_user(&db, "tok-hash")
                .await
                .unwrap()
                .is_none()
        );
        assert!(sessions::token_user(&db, "other").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn plans_round_trip_with_stable_session_ids_and_owner_checks() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = users::create(&db, "ana@example.com", "Ana", "h", Role::Athlete)
            .await
            .unwrap();
        let ben = users::create(&db, "ben@example.com", "Ben", "h", Role::Athlete)
            .await
            .unwrap();
        let plan = build_plan(&input().validate().unwrap());
        let (id, stored) = plans::insert(&db, &ana.id, &input(), &plan).await.unwrap();

        let loaded = plans::get(&db, &ana.id, &id).await.unwrap().unwrap();
        assert_eq!(
            loaded, stored,
            "{backend}: the plan comes back exactly as stored"
        );
        let mut without_ids = loaded.clone();
        without_ids
            .weeks
            .iter_mut()
            .flat_map(|w| &mut w.days)
            .flat_map(|d| &mut d.sessions)
            .for_each(|s| s.id = None);
        assert_eq!(without_ids, plan);
        assert!(
            plans::get(&db, &ben.id, &id).await.unwrap().is_none(),
            "{backend}: not Ben's"
        );
        let doc: runcoach_core::plan::Plan =
            serde_json::from_str(&plans::get_json(&db, &ana.id, &id).await.unwrap().unwrap())
                .unwrap();
        assert_eq!(doc, stored, "the JSON document is the plan");
        assert!(plans::get_json(&db, &ben.id, &id).await.unwrap().is_none());
        let latest = plans::latest(&db, &ana.id).await.unwrap().unwrap();
        assert_eq!(
            (latest.id.as_str(), latest.active_adjustments),
            (id.as_str(), 0)
        );
        assert!(plans::latest(&db, &ben.id).await.unwrap().is_none());
        // Plans stored before documents existed are rebuilt from their rows.
        let sql = "UPDATE plans SET document = NULL";
        match &db {
            runcoach_store::Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            runcoach_store::Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
        .unwrap();
        assert_eq!(
            plans::get(&db, &ana.id, &id).await.unwrap().unwrap(),
            stored,
            "{backend}: rebuilt from rows"
        );

        let first = &stored.weeks[0].days[0];
        let sid = first.sessions[0].id.clone().unwrap();
        let at = plans::session_by_id(&db, &ana.id, &sid)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (at.plan_id.as_str(), at.week_index, at.date),
            (id.as_str(), 1, first.date)
        );
        assert!(
            plans::session_by_id(&db, &ben.id, &sid)
                .await
                .unwrap()
                .is_none()
        );

        let today = plans::sessions_on(&db, &ana.id, first.date).await.unwrap();
        assert_eq!(today, first.sessions);
        assert!(
            plans::sessions_on(&db, &ben.id, first.date)
                .await
                .unwrap()
                .is_empty()
        );

        // A week from its rows: every day of the week holding the day asked
        // for, whichever of its days that is.
        let week = &stored.weeks[1];
        let third = week.days[2].date;
        for day in [week.start, third, week.days.last().unwrap().date] {
            let (index, days) = plans::week_holding(&db, &ana.id, &id, day)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (index, &days[..]),
                (week.index, &week.days[..]),
                "{backend}"
            );
        }
        assert!(
            plans::week_holding(&db, &ben.id, &id, third)
                .await
                .unwrap()
                .is_none()
        );
        let after = stored.weeks.last().unwrap().days.last().unwrap().date;
        let outside = [first.date.yesterday().unwrap(), after.tomorrow().unwrap()];
        for day in outside {
            assert!(
                plans::week_holding(&db, &ana.id, &id, day)
                    .await
                    .unwrap()
                    .is_none()
            );
        }

        let (second, _) = plans::insert(&db, &ana.id, &input(), &plan).await.unwrap();
        let list = plans::list(&db, &ana.id).await.unwrap();
        assert_eq!(
            list.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            [second.as_str(), id.as_str()]
        );
        assert_eq!(
            (list[0].race.as_str(), list[0].race_date.as_str()),
            ("half", "2027-03-28")
        );
        assert_eq!(plans::latest_id(&db, &ana.id).await.unwrap(), Some(second));
        assert!(plans::list(&db, &ben.id).await.unwrap().is_empty());
    }
}

/// The four profiles the coach reviews (crates/cli/tests/plan_cli.rs) and a
/// 36-week marathon, as plan requests.
fn review_profiles() -> Vec<(&'static str, PlanInput)> {
    let days = |d: &[&str]| d.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let recent = |distance: &str, time: &str| {
        Some(runcoach_core::plan::RecentInput {
            distance: distance.into(),
            time: time.into(),
        })
    };
    let base = |race: &str, date: &str, weeks: u32| PlanInput {
        race: race.into(),
        race_date: date.into(),
        weeks: Some(weeks),
        strength_days: 2,
        today: Some("2026-11-28".into()),
        ..Default::default()
    };
    vec![
        (
            "half, first-timer, 3 days",
            PlanInput {
                run_days: days(&["tue", "thu", "sun"]),
                long_run_day: "sun".into(),
                level: "first-timer".into(),
                weekly_km: 15.0,
                longest_run_km: Some(6.0),
                ..base("half", "2027-02-28", 12)
            },
        ),
        (
            "marathon, experienced, 6 days",
            PlanInput {
                run_days: days(&["mon", "tue", "wed", "thu", "sat", "sun"]),
                long_run_day: "sun".into(),
                level: "experienced".into(),
                weekly_km: 70.0,
                longest_run_km: Some(24.0),
                recent: recent("10k", "45:00"),
                ..base("marathon", "2027-04-18", 16)
            },
        ),
        (
            "5k, first-timer, knee",
            PlanInput {
                run_days: days(&["mon", "wed", "sat"]),
                long_run_day: "sat".into(),
                level: "first-timer".into(),
                weekly_km: 10.0,
                new_to_strength: true,
                niggles: days(&["knee"]),
                ..base("5k", "2027-01-24", 8)
            },
        ),
        (
            "50k, experienced",
            PlanInput {
                run_days: days(&["mon", "tue", "wed", "thu", "sat", "sun"]),
                long_run_day: "sat".into(),
                level: "experienced".into(),
                weekly_km: 90.0,
                longest_run_km: Some(30.0),
                recent: recent("marathon", "3:10:00"),
                ..base("50k", "2027-04-18", 20)
            },
        ),
        (
            "marathon, 36 weeks",
            PlanInput {
                run_days: days(&["mon", "tue", "wed", "thu", "sat", "sun"]),
                long_run_day: "sun".into(),
                level: "experienced".into(),
                weekly_km: 70.0,
                longest_run_km: Some(24.0),
                recent: recent("10k", "45:00"),
                ..base("marathon", "2027-08-08", 36)
            },
        ),
    ]
}

async fn scalar(db: &runcoach_store::Db, sql: &str, id: &str) -> i64 {
    match db {
        runcoach_store::Db::Sqlite(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .bind(id)
                .fetch_one(p)
                .await
        }
        runcoach_store::Db::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .bind(id)
                .fetch_one(p)
                .await
        }
    }
    .unwrap()
}

async fn execute(db: &runcoach_store::Db, sql: &'static str, text: &str, id: &str) {
    match db {
        runcoach_store::Db::Sqlite(p) => sqlx::query(sql)
            .bind(text)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ()),
        runcoach_store::Db::Postgres(p) => sqlx::query(sql)
            .bind(text)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ()),
    }
    .unwrap()
}

/// What one stored plan takes, bytes of column data: (the plan row, its
/// week rows, its session rows). On PostgreSQL `pg_column_size` (what TOAST
/// keeps, compressed past 2 KB) when `on_disk`.
async fn plan_bytes(db: &runcoach_store::Db, id: &str, on_disk: bool) -> (i64, i64, i64) {
    let size = |column: &str| {
        if on_disk {
            format!("pg_column_size({column})")
        } else {
            format!("octet_length({column})")
        }
    };
    let sql = |columns: &[&str], table: &str, key: &str| {
        let sum: Vec<String> = columns
            .iter()
            .map(|c| format!("COALESCE(SUM({}), 0)", size(c)))
            .collect();
        format!(
            "SELECT CAST({} AS BIGINT) FROM {table} WHERE {key} = $1",
            sum.join(" + ")
        )
    };
    (
        scalar(
            db,
            &sql(
                &[
                    "id",
                    "user_id",
                    "race_name",
                    "race_date",
                    "start_date",
                    "request",
                    "header",
                    "document",
                ],
                "plans",
                "id",
            ),
            id,
        )
        .await,
        scalar(
            db,
            &sql(&["plan_id", "start_date", "body"], "plan_weeks", "plan_id"),
            id,
        )
        .await,
        scalar(
            db,
            &sql(
                &["id", "plan_id", "user_id", "day", "kind", "body"],
                "plan_sessions",
                "plan_id",
            ),
            id,
        )
        .await,
    )
}

/// Plan documents are stored deflated; documents stored plain before stay
/// readable; a damaged one is an error, not a panic. Prints the bytes per
/// plan for the README.
#[tokio::test]
async fn plan_documents_are_stored_deflated_and_plain_ones_still_read() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = users::create(&db, "ana@example.com", "Ana", "h", Role::Athlete)
            .await
            .unwrap();
        for (name, input) in review_profiles() {
            let plan = build_plan(&input.validate().unwrap());
            let (id, stored) = plans::insert(&db, &ana.id, &input, &plan).await.unwrap();
            let json = serde_json::to_string(&stored).unwrap();
            assert_eq!(
                plans::get_json(&db, &ana.id, &id).await.unwrap().unwrap(),
                json,
                "{backend} {name}: the document served is the plan's JSON, byte for byte"
            );
            assert_eq!(
                plans::get(&db, &ana.id, &id).await.unwrap().unwrap(),
                stored
            );
            let document_bytes = scalar(
                &db,
                "SELECT CAST(octet_length(document) AS BIGINT) FROM plans WHERE id = $1",
                &id,
            )
            .await;
            assert!(
                (document_bytes as usize) < json.len() / 4,
                "{backend} {name}: {document_bytes} bytes stored for {} of JSON",
                json.len()
            );
            let packed = plan_bytes(&db, &id, false).await;
            let packed_disk = if backend.to_string().contains("postgres") {
                Some(plan_bytes(&db, &id, true).await)
            } else {
                None
            };
            // As plans were stored before: the document as plain JSON.
            execute(
                &db,
                "UPDATE plans SET document = $1 WHERE id = $2",
                &json,
                &id,
            )
            .await;
            assert_eq!(
                plans::get(&db, &ana.id, &id).await.unwrap().unwrap(),
                stored
            );
            assert_eq!(
                plans::get_json(&db, &ana.id, &id).await.unwrap().unwrap(),
                json
            );
            let plain = plan_bytes(&db, &id, false).await;
            let plain_disk = if packed_disk.is_some() {
                Some(plan_bytes(&db, &id, true).await)
            } else {
                None
            };
            let sessions = stored
                .weeks
                .iter()
                .flat_map(|w| &w.days)
                .map(|d| d.sessions.len())
                .sum::<usize>();
            let kb = |(p, w, s): (i64, i64, i64)| {
                format!(
                    "{:.1} KB (plan {:.1} + weeks {:.1} + sessions {:.1})",
                    (p + w + s) as f64 / 1e3,
                    p as f64 / 1e3,
                    w as f64 / 1e3,
                    s as f64 / 1e3
                )
            };
            eprintln!(
                "{backend} · {name}: {} weeks, {sessions} sessions, JSON {:.1} KB · stored plain {} · deflated {}{}",
                stored.weeks.len(),
                json.len() as f64 / 1e3,
                kb(plain),
                kb(packed),
                match (plain_disk, packed_disk) {
                    (Some(a), Some(b)) =>
                        format!(" · on disk (TOAST) plain {} · deflated {}", kb(a), kb(b)),
                    _ => String::new(),
                }
            );
            // A damaged document is a clear error.
            execute(
                &db,
                "UPDATE plans SET document = $1 WHERE id = $2",
                "deflate:not base64!",
                &id,
            )
            .await;
            match plans::get(&db, &ana.id, &id).await {
                Err(StoreError::Corrupt(m)) => assert!(m.starts_with("plan document"), "{m}"),
                other => panic!("{backend} {name}: {other:?}"),
            }
        }
    }
}

/// Every write that changes a plan as it stands raises its revision (the
/// key of the assembled plans each app server keeps in memory): a write
/// that did not would leave every server showing the plan before it.
#[tokio::test]
async fn writes_that_change_the_standing_plan_raise_its_revision() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = users::create(&db, "ana@example.com", "Ana", "h", Role::Athlete)
            .await
            .unwrap();
        let plan = build_plan(&input().validate().unwrap());
        let (id, stored) = plans::insert(&db, &ana.id, &input(), &plan).await.unwrap();
        let revision = || async { plans::revision(&db, &ana.id, &id).await.unwrap().unwrap() };
        assert_eq!(revision().await, 0, "{backend}");

        let edit = runcoach_store::edits::NewEdit {
            id: "edit-1",
            plan_id: &id,
            position: 0,
            rule: "athlete_edit",
            editor_id: &ana.id,
            editor_name: "Ana",
            note: "",
            body: "{}",
            now: 1,
        };
        let mut tx = db.begin().await.unwrap();
        runcoach_store::edits::insert(&mut tx, &edit).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(revision().await, 1, "{backend}: an edit");
        assert!(
            !runcoach_store::edits::set_undone(&db, "someone-else", &id, "edit-1", true)
                .await
                .unwrap(),
            "{backend}: another athlete's id undoes nothing"
        );
        assert_eq!(revision().await, 1, "{backend}: nothing changed, no bump");
        assert!(
            runcoach_store::edits::set_undone(&db, &ana.id, &id, "edit-1", true)
                .await
                .unwrap()
        );
        assert_eq!(revision().await, 2, "{backend}: an edit undone");

        use runcoach_core::adapt::{Action, Adjustment, Rule};
        let adjustment = Adjustment {
            id: "pain-w1".into(),
            rule: Rule::Pain,
            week: 1,
            on: stored.weeks[0].days[0].date,
            summary: "Eased".into(),
            why: "Pain".into(),
            action: Action::CapVolume { max_km: 10.0 },
            touched: Vec::new(),
        };
        runcoach_store::logs::sync_adjustments(
            &db,
            &ana.id,
            &id,
            std::slice::from_ref(&adjustment),
        )
        .await
        .unwrap();
        assert_eq!(revision().await, 3, "{backend}: adaptation");
        assert!(
            runcoach_store::logs::set_undone(&db, &ana.id, &id, "pain-w1", true)
                .await
                .unwrap()
        );
        assert_eq!(revision().await, 4, "{backend}: an adjustment undone");
        assert_eq!(
            plans::latest(&db, &ana.id).await.unwrap().unwrap().revision,
            4
        );
    }
}

#[tokio::test]
async fn rate_limits_count_per_bucket_and_window() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        for i in 1..=3 {
            assert!(
                limits::hit(&db, "login:1.2.3.4", 60_000, 3).await.unwrap(),
                "{backend} hit {i}"
            );
        }
        assert!(
            !limits::hit(&db, "login:1.2.3.4", 60_000, 3).await.unwrap(),
            "{backend}: 4th refused"
        );
        assert!(
            limits::hit(&db, "login:5.6.7.8", 60_000, 3).await.unwrap(),
            "other bucket"
        );
        // A zero-length window has always expired: the count restarts.
        assert!(limits::hit(&db, "login:1.2.3.4", 0, 3).await.unwrap());
    }
}
