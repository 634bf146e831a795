//! The two engines behind one `Store`: chosen once from the URL scheme.

use crate::error::StoreError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one file.
    Sqlite,
    /// Server, many instances.
    Postgres,
}

#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool, once per engine, so each query
/// text is written once and type-checked for both.
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// The same for an open write transaction: `$conn` is the concrete connection.
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
            // Only statements written as a `query::Query` run on the direct writer.
            $crate::db::Tx::Direct(_) => return Err($crate::error::StoreError::NotDirect),
        }
    };
}

// After the macros, which their tests use.
pub(crate) mod direct;
pub(crate) mod query;

/// An open transaction on either engine; a SQLite write transaction holds this process's
/// write turn ([`direct::WriteGate`]) until it ends.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>, Option<direct::GateGuard>),
    Postgres(Transaction<'static, Postgres>),
    /// On the direct writer: only [`query::Query`] statements run on it.
    Direct(direct::DirectTx),
}

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t, _turn) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
            Tx::Direct(t) => t.commit()?,
        }
        Ok(())
    }
}

/// Bounds on the SQLite pool (see `Store::sqlite_pool_size`).
const SQLITE_POOL_MIN: usize = 2;
const SQLITE_POOL_MAX: usize = 8;

/// How much of a SQLite file is read through a memory map (`pragma mmap_size`): SQLite's
/// own ceiling (`SQLITE_MAX_MMAP_SIZE`, just under 2 GiB), so a database of a million
/// customers (1.3 GB) is mapped whole. With 1 GiB the rest of that file was read through each
/// connection's small page cache, and the duplicate check's slowest 1% took 4.5 ms instead
/// of 0.8 ms in its statement alone.
const SQLITE_MMAP_BYTES: u64 = 0x7fff_0000;

/// How long a SQLite writer waits for another process's write lock.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Kehu's database: a pool on SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// SQLite writers of this process queue here (see [`direct`]).
    pub(crate) gate: direct::WriteGate,
    /// SQLite's direct point reads (see [`direct`]).
    pub(crate) readers: direct::Readers,
}

impl Store {
    /// Connects to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let mut gate = direct::WriteGate::default();
        let mut readers = direct::Readers::default();
        let db = if url.starts_with("sqlite:") {
            // WAL: readers never block the writer. synchronous=NORMAL: a commit survives an
            // application crash (not a power loss) and costs no fsync per transaction.
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Url(format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                // Reads map the file instead of copying pages into each connection's cache:
                // the OS page cache is shared by all connections (and other processes) and
                // given back under memory pressure, so this costs address space, not RAM.
                // Beyond this size the rest of the file is read the usual way.
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string());
            let file = opts.get_filename();
            // sqlx keeps its in-memory flag to itself (and names `sqlite::memory:` a file of
            // its own making), so the URL tells.
            let in_memory = file.as_os_str().is_empty()
                || url.contains(":memory:")
                || url.contains("mode=memory");
            let file = (!in_memory).then(|| file.to_path_buf());
            let settings = direct::Settings {
                busy: SQLITE_BUSY_TIMEOUT,
                mmap_bytes: SQLITE_MMAP_BYTES,
            };
            gate = direct::WriteGate::sqlite(file.clone(), settings);
            readers = direct::Readers::sqlite(file, settings);
            Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(Store::sqlite_pool_size())
                    // No ping on every acquire: a connection to a file in this process cannot
                    // be hung up on, and on SQLite each ping is one more hand-off to the
                    // connection's thread and back (a claim acquires three times).
                    .test_before_acquire(false)
                    .connect_with(opts)
                    .await?,
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts =
                PgConnectOptions::from_str(url).map_err(|e| StoreError::Url(format!("{e}")))?;
            Db::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(opts)
                    .await?,
            )
        } else {
            return Err(StoreError::Url(format!(
                "unsupported database URL {url:?}: use sqlite://kehu.db or postgres://user@host/db"
            )));
        };
        Ok(Store { db, gate, readers })
    }

    /// Connections in a SQLite pool: one per core, at least 2, at most 8.
    ///
    /// Each SQLite connection runs its statements on a worker thread of its own, and every
    /// statement is a hand-off to that thread and back. In WAL mode readers never block each
    /// other or the writer, and writers serialise on the one write lock whatever the pool
    /// size, so connections beyond the cores add no parallelism, only thread switches (on
    /// 2 cores, 8 connections cost a concurrent claim more CPU than 2 and gave no faster
    /// hot path; see docs/BENCHMARKS.md, "Claims under concurrency"). At least 2, so one slow read never
    /// leaves every other request waiting for a connection.
    pub fn sqlite_pool_size() -> u32 {
        let cores = std::thread::available_parallelism().map_or(SQLITE_POOL_MIN, |n| n.get());
        // At most 8, so the cast cannot truncate.
        cores.clamp(SQLITE_POOL_MIN, SQLITE_POOL_MAX) as u32
    }

    /// Applies pending migrations of this engine's folder.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        self.backfill_search_text().await?;
        self.ensure_match_index().await?;
        Ok(())
    }

    /// The engine in use.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        on_db!(&self.db, |p| p.close().await);
    }

    /// Starts a write transaction; on SQLite it takes the write lock up front.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match &self.db {
            Db::Sqlite(p) => {
                let turn = self.gate.enter().await?;
                Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, Some(turn))
            }
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a write transaction for statements written as [`query::Query`]s only: on the
    /// direct writer where this store has one (SQLite on a file), else as
    /// [`Store::begin_write`].
    pub(crate) async fn begin_hot_write(&self) -> Result<Tx, StoreError> {
        match self.gate.begin().await {
            Some(direct) => Ok(Tx::Direct(direct?)),
            None => self.begin_write().await,
        }
    }

    /// Starts a read-only transaction: one consistent snapshot for several reads. SQLite's
    /// deferred `BEGIN` takes no write lock (in WAL a reader never blocks the writer);
    /// PostgreSQL's `repeatable read read only` sees one snapshot and refuses any write.
    /// Dropped without commit, it is rolled back.
    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match &self.db {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN DEFERRED").await?, None),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// Runs one statement assembled at runtime (`create database …` in test harnesses and
    /// admin tools). Never pass user input: nothing here binds or escapes.
    pub async fn execute_admin(&self, sql: &str) -> Result<(), StoreError> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_db!(&self.db, |p| sqlx::query(sql)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query("select 1")
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

/// Retries `op` on PostgreSQL serialization failures and deadlocks (40001, 40P01), at most
/// five times with jittered back-off, then gives up with [`StoreError::Busy`].
pub(crate) async fn with_retry<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    for attempt in 0..5u32 {
        match op().await {
            Err(StoreError::Db(e)) if is_retryable(&e) => {
                let base = 10u64 << attempt;
                let jitter = rand::random_range(0..base);
                tokio::time::sleep(Duration::from_millis(base + jitter)).await;
            }
            other => return other,
        }
    }
    Err(StoreError::Busy)
}

fn is_retryable(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "40001" || c == "40P01")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    fn names(dir: &str) -> BTreeSet<String> {
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn both_engines_have_the_same_migrations() {
        let sqlite = names("sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names("postgres"));
    }
}
