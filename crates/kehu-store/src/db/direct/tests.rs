//! The direct path against sqlx's on one real SQLite file.

use super::Ts;
use crate::Store;
use crate::error::StoreError;
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::named_params;

async fn store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}", dir.path().join("direct.db").display());
    let store = Store::connect(&url).await.expect("connect");
    store
        .execute_admin("create table t (id integer primary key, at text, tag text unique)")
        .await
        .expect("table");
    store
}

fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(1_780_000_000 + secs, nanos)
        .single()
        .expect("valid")
}

async fn insert_direct(s: &Store, tag: &str, t: DateTime<Utc>) -> Result<(), StoreError> {
    s.gate
        .direct(|c| {
            c.execute(
                "insert into t (at, tag) values ($1, $2)",
                named_params! {"$1": Ts(t), "$2": tag},
            )
            .map_err(super::DirectError::wrap)?;
            Ok(())
        })
        .await
        .expect("a file has a direct writer")
}

async fn insert_sqlx(s: &Store, tag: &str, t: DateTime<Utc>) {
    on_db!(&s.db, |p| sqlx::query(
        "insert into t (at, tag) values ($1, $2)"
    )
    .bind(t)
    .bind(tag)
    .execute(p)
    .await
    .map(|_| ()))
    .expect("sqlx insert");
}

async fn tags_by_time(s: &Store) -> Vec<(String, DateTime<Utc>)> {
    on_db!(&s.db, |p| sqlx::query_as(
        "select tag, at from t order by at, id"
    )
    .fetch_all(p)
    .await)
    .expect("read")
}

#[tokio::test]
async fn timestamps_written_directly_read_and_sort_like_sqlx_ones() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(&dir).await;
    // Whole seconds, milliseconds and microseconds: each is written with another number of
    // fraction digits, and the text must still sort by time.
    insert_direct(&s, "d-ms", at(1, 500_000_000))
        .await
        .expect("insert");
    insert_sqlx(&s, "x-whole", at(1, 0)).await;
    insert_direct(&s, "d-whole", at(2, 0))
        .await
        .expect("insert");
    insert_sqlx(&s, "x-us", at(1, 500_001_000)).await;
    insert_direct(&s, "d-us", at(0, 999_999_000))
        .await
        .expect("insert");
    let read = tags_by_time(&s).await;
    let tags: Vec<&str> = read.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tags, ["d-us", "x-whole", "d-ms", "x-us", "d-whole"]);
    assert_eq!(read[0].1, at(0, 999_999_000), "sqlx decodes a direct write");
    let direct: Vec<DateTime<Utc>> = s
        .readers
        .read(|c| {
            let mut st = c.prepare("select at from t order by at, id")?;
            let rows = st.query_map([], |r| r.get::<_, Ts>(0).map(|t| t.0))?;
            rows.collect()
        })
        .expect("a file has direct readers")
        .expect("read");
    let via_sqlx: Vec<DateTime<Utc>> = read.iter().map(|(_, t)| *t).collect();
    assert_eq!(direct, via_sqlx, "a direct read decodes sqlx's writes");
}

#[tokio::test]
async fn a_failed_direct_transaction_writes_nothing_and_names_the_violation() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(&dir).await;
    insert_direct(&s, "taken", at(0, 0)).await.expect("first");
    let failed = s
        .gate
        .direct(|c| {
            let insert = "insert into t (at, tag) values ($1, $2)";
            c.execute(insert, named_params! {"$1": Ts(at(1, 0)), "$2": "fresh"})
                .and_then(|_| c.execute(insert, named_params! {"$1": Ts(at(2, 0)), "$2": "taken"}))
                .map_err(super::DirectError::wrap)
        })
        .await
        .expect("direct");
    let Err(StoreError::Db(e)) = failed else {
        panic!("expected a driver error, got {failed:?}");
    };
    assert_eq!(
        e.as_database_error().map(|d| d.kind()),
        Some(sqlx::error::ErrorKind::UniqueViolation)
    );
    let tags: Vec<String> = tags_by_time(&s).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(
        tags,
        ["taken"],
        "the transaction's first insert was rolled back"
    );
    insert_direct(&s, "after", at(3, 0))
        .await
        .expect("the writer still writes");
}

#[tokio::test]
async fn a_panic_inside_a_direct_transaction_rolls_it_back() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(&dir).await;
    let panicking = s.clone();
    let task = tokio::spawn(async move {
        panicking
            .gate
            .direct(|c| -> Result<(), StoreError> {
                c.execute(
                    "insert into t (at, tag) values ($1, 'lost')",
                    named_params! {"$1": Ts(at(0, 0))},
                )
                .map_err(super::DirectError::wrap)?;
                panic!("a bug between two statements");
            })
            .await
    });
    assert!(task.await.is_err(), "the task panicked");
    insert_direct(&s, "next", at(1, 0))
        .await
        .expect("the gate is free again");
    let tags: Vec<String> = tags_by_time(&s).await.into_iter().map(|(t, _)| t).collect();
    assert_eq!(tags, ["next"]);
}

#[tokio::test]
async fn direct_readers_refuse_writes() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(&dir).await;
    let wrote = s
        .readers
        .read(|c| c.execute("insert into t (tag) values ('nope')", []))
        .expect("direct readers");
    assert!(wrote.is_err(), "a reader is query-only");
    assert!(tags_by_time(&s).await.is_empty());
}

#[tokio::test]
async fn direct_commits_are_copied_back_into_the_database_file() {
    let dir = tempfile::tempdir().expect("dir");
    let s = store(&dir).await;
    let file = dir.path().join("direct.db");
    let before = std::fs::metadata(&file).expect("file").len();
    // Each commit adds two 4 KiB pages or more to the log; the writer never copies them
    // back itself, so only the background checkpoint can grow the database file.
    let blob = "x".repeat(8 * 1024);
    for i in 0..(2 * super::write::CHECKPOINT_EVERY) {
        s.gate
            .direct(|c| {
                c.execute(
                    "insert into t (at, tag) values ($1, $2)",
                    named_params! {"$1": blob, "$2": i.to_string()},
                )
                .map_err(super::DirectError::wrap)
            })
            .await
            .expect("direct")
            .expect("insert");
    }
    let mut grown = 0;
    for _ in 0..100 {
        grown = std::fs::metadata(&file).expect("file").len();
        if grown > before + 256 * 1024 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        grown > before + 256 * 1024,
        "the database file grew from {before} to {grown} bytes only"
    );
}

#[tokio::test]
async fn a_writer_waits_for_its_turn_no_longer_than_the_busy_timeout() {
    let dir = tempfile::tempdir().expect("dir");
    let settings = super::Settings {
        busy: std::time::Duration::from_millis(100),
        mmap_bytes: 0,
    };
    let gate = super::WriteGate::sqlite(Some(dir.path().join("gate.db")), settings);
    let held = gate.enter().await.expect("first writer");
    let waited = gate
        .direct(|_| Ok(()))
        .await
        .expect("a file has a direct writer");
    assert!(
        matches!(waited, Err(StoreError::Busy)),
        "expected Busy, got {waited:?}"
    );
    drop(held);
    gate.direct(|_| Ok(()))
        .await
        .expect("direct")
        .expect("its turn once the first is done");
}

#[tokio::test]
async fn a_database_in_memory_keeps_the_sqlx_path() {
    // A second connection would open another, empty database (or a file of that name).
    for url in [
        "sqlite::memory:",
        "sqlite://kehu-never-created.db?mode=memory",
    ] {
        let s = Store::connect(url).await.expect("connect");
        assert!(
            s.gate.direct(|_| Ok(())).await.is_none(),
            "{url}: no direct writer"
        );
        assert!(
            s.readers.read(|_| Ok(())).is_none(),
            "{url}: no direct readers"
        );
    }
    assert!(!std::path::Path::new("kehu-never-created.db").exists());
}
