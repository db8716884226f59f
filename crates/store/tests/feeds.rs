//! Feeds and session sequences against SQLite, and against PostgreSQL when
//! `RUNCOACH_TEST_POSTGRES_URL` is set: the same assertions on both.

use crate::common;

use common::{plan, user};
use runcoach_store::test_support::{backends, fresh};
use runcoach_store::{Db, StoreError, feeds};

#[tokio::test]
async fn feeds_are_found_by_token_hash_until_revoked_by_their_owner() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = user(&db, "ana@example.com").await;
        let ben = user(&db, "ben@example.com").await;

        let full = feeds::create(&db, &ana, "hash-full", false).await.unwrap();
        let busy = feeds::create(&db, &ana, "hash-busy", true).await.unwrap();
        assert_ne!(full, busy, "{backend}");
        let dup = feeds::create(&db, &ben, "hash-full", false).await;
        assert!(
            matches!(dup, Err(StoreError::Conflict)),
            "{backend}: {dup:?}"
        );

        let f = feeds::by_token_hash(&db, "hash-full")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (f.id.as_str(), f.user_id.as_str(), f.busy_only),
            (full.as_str(), ana.as_str(), false),
            "{backend}"
        );
        let b = feeds::by_token_hash(&db, "hash-busy")
            .await
            .unwrap()
            .unwrap();
        assert!(b.busy_only, "{backend}");
        assert!(
            feeds::by_token_hash(&db, "unknown")
                .await
                .unwrap()
                .is_none()
        );
        let listed: Vec<String> = feeds::list(&db, &ana)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(listed, vec![full.clone(), busy.clone()], "{backend}");

        // Only the owner revokes, and only once.
        assert!(!feeds::revoke(&db, &ben, &full).await.unwrap(), "{backend}");
        assert!(
            feeds::by_token_hash(&db, "hash-full")
                .await
                .unwrap()
                .is_some()
        );
        assert!(feeds::revoke(&db, &ana, &full).await.unwrap(), "{backend}");
        assert!(!feeds::revoke(&db, &ana, &full).await.unwrap(), "{backend}");
        assert!(!feeds::revoke(&db, &ana, "no-such-feed").await.unwrap());
        assert!(
            feeds::by_token_hash(&db, "hash-full")
                .await
                .unwrap()
                .is_none(),
            "{backend}: a revoked token stays dead"
        );
        assert_eq!(feeds::list(&db, &ana).await.unwrap().len(), 1, "{backend}");
        assert!(
            feeds::by_token_hash(&db, "hash-busy")
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn session_sequences_count_changes_per_session() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = user(&db, "ana@example.com").await;
        let (plan_a, ids_a) = plan(&db, &ana).await;
        let (plan_b, ids_b) = plan(&db, &ana).await;
        assert!(ids_a.len() > 3, "{backend}");

        assert!(
            feeds::sequences_for_plan(&db, &plan_a)
                .await
                .unwrap()
                .is_empty(),
            "{backend}: unchanged sessions have no sequence rows"
        );
        assert_eq!(feeds::bump(&db, &ana, &ids_a[1]).await.unwrap(), Some(1));
        assert_eq!(feeds::bump(&db, &ana, &ids_a[1]).await.unwrap(), Some(2));
        assert_eq!(feeds::bump(&db, &ana, &ids_a[3]).await.unwrap(), Some(1));
        assert_eq!(feeds::bump(&db, &ana, &ids_b[0]).await.unwrap(), Some(1));
        assert_eq!(
            feeds::bump(&db, &ana, "no-such-session").await.unwrap(),
            None,
            "{backend}"
        );

        let seqs = feeds::sequences_for_plan(&db, &plan_a).await.unwrap();
        assert_eq!(
            seqs.into_iter().collect::<Vec<_>>(),
            {
                let mut v = vec![(ids_a[1].clone(), 2), (ids_a[3].clone(), 1)];
                v.sort();
                v
            },
            "{backend}"
        );
        let seqs_b = feeds::sequences_for_plan(&db, &plan_b).await.unwrap();
        assert_eq!(seqs_b.len(), 1, "{backend}");
        assert_eq!(seqs_b[&ids_b[0]], 1);
    }
}

#[tokio::test]
async fn deleting_a_user_removes_their_feeds_and_sequences() {
    for backend in backends() {
        let (db, _guard) = fresh(backend).await.unwrap();
        let ana = user(&db, "ana@example.com").await;
        let (plan_id, ids) = plan(&db, &ana).await;
        feeds::create(&db, &ana, "hash-a", false).await.unwrap();
        feeds::bump(&db, &ana, &ids[0]).await.unwrap();
        let before = count(&db, "session_sequences").await;
        assert_eq!(before, 1, "{backend}");
        let sql = "DELETE FROM users WHERE id = $1";
        match &db {
            Db::Sqlite(p) => sqlx::query(sql).bind(&ana).execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query(sql).bind(&ana).execute(p).await.map(|_| ()),
        }
        .unwrap();
        assert!(feeds::by_token_hash(&db, "hash-a").await.unwrap().is_none());
        assert_eq!(count(&db, "feeds").await, 0, "{backend}");
        assert_eq!(count(&db, "session_sequences").await, 0, "{backend}");
        assert!(
            feeds::sequences_for_plan(&db, &plan_id)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}");
    let sql = sqlx::AssertSqlSafe(sql);
    match db {
        Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        Db::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
    }
    .unwrap()
}
