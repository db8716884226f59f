//! The coach's roster on real databases: who comes first and why, and
//! that it reads in a fixed number of queries (measured with 200
//! athletes by the ignored test `roster_of_200_athletes`).

use jiff::ToSpan;
use jiff::civil::Date;
use runcoach_app::Actor;
use runcoach_app::coaching::roster::roster;
use runcoach_core::coaching::Alert;
use runcoach_core::load::{ActivityKind, LogStatus, LoggedSession, Pain, PainLocation};
use runcoach_core::plan::{PlanInput, RecentInput, build_plan};
use runcoach_store::Db;
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::users::{self, Role};

fn today() -> Date {
    jiff::Zoned::now().date()
}

async fn user(db: &Db, email: &str, name: &str, role: Role) -> Actor {
    Actor::of(&users::create(db, email, name, "x", role).await.unwrap())
}

/// A half-marathon plan that began two weeks ago; its id.
async fn plan(db: &Db, athlete: &Actor) -> String {
    let t = today();
    let monday = t - 14.days() - i64::from(t.weekday().to_monday_zero_offset()).days();
    let input = PlanInput {
        race: "half".into(),
        race_date: (monday + (14 * 7 - 1).days()).to_string(),
        start: Some(monday.to_string()),
        run_days: ["tue", "thu", "sat", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 40.0,
        recent: Some(RecentInput {
            distance: "10k".into(),
            time: "50:00".into(),
        }),
        strength_days: 2,
        today: Some(t.to_string()),
        ..Default::default()
    };
    let request = input.validate_on(t).unwrap();
    runcoach_store::plans::insert(db, &athlete.user_id, &input, &build_plan(&request))
        .await
        .unwrap()
        .0
}

async fn log(db: &Db, athlete: &Actor, date: Date, pain: Vec<Pain>) {
    let entry = LoggedSession {
        date,
        kind: ActivityKind::Run,
        status: LogStatus::Done,
        duration_s: 2400,
        distance_m: 8000,
        rpe: Some(5),
        pain,
        notes: String::new(),
    };
    runcoach_store::logs::insert(db, &athlete.user_id, None, &entry, &[], None)
        .await
        .unwrap();
}

async fn grant(db: &Db, athlete: &Actor, coach: &Actor, access: &str) {
    runcoach_store::coaching::upsert_grant(db, &athlete.user_id, &coach.user_id, access, "athlete")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_athlete_in_pain_comes_first() {
    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let coach = user(&db, "coach@example.com", "Coach", Role::Coach).await;
        let ana = user(&db, "ana@example.com", "Ana", Role::Athlete).await;
        let bo = user(&db, "bo@example.com", "Bo", Role::Athlete).await;
        let stranger = user(&db, "cy@example.com", "Cy", Role::Athlete).await;
        let bo_plan = plan(&db, &bo).await;
        plan(&db, &ana).await;
        plan(&db, &stranger).await;
        grant(&db, &ana, &coach, "view").await;
        grant(&db, &bo, &coach, "edit").await;
        // Bo ran yesterday, free of pain; Ana logged knee pain 5.
        log(&db, &bo, today() - 1.day(), vec![]).await;
        log(
            &db,
            &ana,
            today() - 1.day(),
            vec![Pain {
                location: PainLocation::Knee,
                score: 5,
            }],
        )
        .await;
        log(
            &db,
            &stranger,
            today(),
            vec![Pain {
                location: PainLocation::Hip,
                score: 9,
            }],
        )
        .await;

        let r = roster(&db, &coach, today(), runcoach_store::now_ms())
            .await
            .unwrap();
        let names: Vec<&str> = r.athletes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Ana", "Bo"], "{backend}: the stranger stays out");
        let (a, b) = (&r.athletes[0], &r.athletes[1]);
        assert!(a.alerts.contains(&Alert::Pain), "{backend}: {a:?}");
        assert_eq!(a.pain.len(), 1);
        assert_eq!(
            (a.pain[0].location, a.pain[0].score),
            (PainLocation::Knee, 5)
        );
        assert!(a.attention > b.attention, "{backend}");
        assert_eq!(b.plan_id.as_deref(), Some(bo_plan.as_str()));
        assert_eq!(b.access, runcoach_app::coaching::Level::Edit);
        assert_eq!(b.last_activity, Some(today() - 1.day()));
        assert!(!b.alerts.contains(&Alert::Inactive), "{backend}: {b:?}");
        assert_eq!(
            b.days_to_race,
            b.race_date.map(|d| (d - today()).get_days())
        );
        let week = b.week.as_ref().expect("a plan week today");
        assert!(week.planned_km > 0.0, "{backend}: {week:?}");
        assert_eq!(b.race.as_deref(), Some("half"));
        // Two weeks of plan before today, not one logged long run among them.
        assert!(
            b.alerts.contains(&Alert::MissedLongRuns),
            "{backend}: {b:?}"
        );
        assert!(b.missed_key_sessions >= 2, "{backend}: {b:?}");

        // An athlete is not a coach: no roster.
        assert!(roster(&db, &ana, today(), 0).await.is_err());
    }
}

/// Run with `cargo test -p runcoach-app --test integration roster -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "a measurement: prints the roster's time and query count for 200 athletes"]
async fn roster_of_200_athletes() {
    for backend in backends() {
        let (db, _dir) = fresh(backend).await.unwrap();
        let coach = user(&db, "coach@example.com", "Coach", Role::Coach).await;
        for i in 0..200 {
            let a = user(
                &db,
                &format!("a{i}@example.com"),
                &format!("Runner {i:03}"),
                Role::Athlete,
            )
            .await;
            plan(&db, &a).await;
            for d in [1, 3, 5, 8, 10] {
                let pain = if i % 10 == 0 && d == 1 {
                    vec![Pain {
                        location: PainLocation::Knee,
                        score: 5,
                    }]
                } else {
                    vec![]
                };
                log(&db, &a, today() - d.days(), pain).await;
            }
            grant(&db, &a, &coach, "comment").await;
        }
        let mut times = Vec::new();
        let mut queries = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let r = roster(&db, &coach, today(), runcoach_store::now_ms())
                .await
                .unwrap();
            times.push(t.elapsed());
            assert_eq!(r.athletes.len(), 200);
            assert!(
                r.athletes[..20]
                    .iter()
                    .all(|a| a.alerts.contains(&Alert::Pain))
            );
            queries = r.queries;
        }
        times.sort();
        println!(
            "{backend}: roster of 200 athletes in {queries} queries; median {:?}, best {:?}",
            times[2], times[0]
        );
        assert_eq!(queries, 9);
    }
}
