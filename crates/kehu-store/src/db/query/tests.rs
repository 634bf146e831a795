//! The same query on the direct writer and through sqlx reads back the same rows.

use super::Query;
use crate::Store;
use chrono::{DateTime, Duration, TimeZone, Utc};

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("q.db").display());
    let store = Store::connect(&url).await.expect("connect");
    let mut tx = store.begin_write().await.expect("begin");
    let create = Query::new(
        "create table t (id integer primary key, name text, n integer, ok boolean, at text, x real)",
    );
    tx.run(&create).await.expect("create");
    tx.commit().await.expect("commit");
    (dir, store)
}

type Row = (
    i64,
    Option<String>,
    Option<i64>,
    bool,
    DateTime<Utc>,
    Option<f64>,
);

fn insert(name: Option<&str>, at: DateTime<Utc>) -> Query {
    let mut q = Query::new("insert into t (name, n, ok, at, x) values ");
    q.push_rows([(name, at)], |(name, at)| {
        vec![
            super::Param::from(name),
            super::Param::from(None::<i64>),
            super::Param::from(true),
            super::Param::from(at),
            super::Param::from(Some(0.5)),
        ]
    });
    q
}

#[tokio::test]
async fn rows_written_by_either_path_read_back_alike_on_either() {
    let (_dir, store) = store().await;
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 8, 0, 0).unwrap() + Duration::microseconds(5);
    let mut direct = store.begin_hot_write().await.expect("begin direct");
    assert!(matches!(direct, crate::db::Tx::Direct(_)));
    direct
        .run(&insert(Some("张伟"), at))
        .await
        .expect("direct insert");
    direct.commit().await.expect("commit");
    let mut sqlx = store.begin_write().await.expect("begin sqlx");
    sqlx.run(&insert(None, at + Duration::seconds(1)))
        .await
        .expect("sqlx insert");
    let select =
        Query::new("select id, name, n, ok, at, x from t where at >= $1 order by at").bind(at);
    let through_sqlx: Vec<Row> = sqlx.all(&select).await.expect("sqlx read");
    sqlx.commit().await.expect("commit");
    let through_reader: Vec<Row> = store.read_all(&select).await.expect("direct read");
    assert_eq!(through_sqlx, through_reader);
    assert_eq!(through_reader.len(), 2);
    assert_eq!(through_reader[0].1.as_deref(), Some("张伟"));
    assert_eq!(through_reader[0].4, at);
    assert_eq!(through_reader[1].1, None);
    assert_eq!(through_reader[1].5, Some(0.5));
}

#[tokio::test]
async fn placeholders_bind_by_number_whatever_order_the_text_names_them() {
    let (_dir, store) = store().await;
    let mut tx = store.begin_hot_write().await.expect("begin");
    let q = Query::new("select $2 || '-' || $1, $2").bind("a").bind("b");
    let (joined, second): (String, String) = tx.one(&q).await.expect("select");
    assert_eq!((joined.as_str(), second.as_str()), ("b-a", "b"));
    let missing = Query::new("select $1, $2").bind(1i64);
    assert!(
        tx.opt::<(i64, i64)>(&missing).await.is_err(),
        "an unbound placeholder is an error"
    );
}

#[tokio::test]
async fn a_direct_transaction_dropped_uncommitted_writes_nothing() {
    let (_dir, store) = store().await;
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    {
        let mut tx = store.begin_hot_write().await.expect("begin");
        tx.run(&insert(Some("gone"), at)).await.expect("insert");
    }
    let count = Query::new("select count(*) from t");
    let (n,): (i64,) = store.read_opt(&count).await.expect("count").expect("a row");
    assert_eq!(n, 0);
    // The writer is usable again at once.
    let mut tx = store.begin_hot_write().await.expect("begin again");
    tx.run(&insert(Some("kept"), at)).await.expect("insert");
    tx.commit().await.expect("commit");
    let (n,): (i64,) = store.read_opt(&count).await.expect("count").expect("a row");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn sqlx_statements_refuse_the_direct_writer_with_an_error_not_a_panic() {
    let (_dir, store) = store().await;
    let mut tx = store.begin_hot_write().await.expect("begin");
    let out: Result<u64, crate::error::StoreError> = async {
        Ok(on_tx!(&mut tx, |c| sqlx::query("select 1")
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?)
    }
    .await;
    assert!(matches!(out, Err(crate::error::StoreError::NotDirect)));
}

#[test]
fn placeholders_are_in_order_when_each_first_appears_after_the_ones_before() {
    assert!(super::in_order("select $1, $2, $1, $3"));
    assert!(super::in_order("select 1"));
    assert!(!super::in_order("select $2 || $1"));
    let mut q = Query::new("select $1 where x = ");
    q.push_bind(1i64).push_bind(2i64);
    assert!(!q.out_of_order, "push_bind numbers in textual order");
}
