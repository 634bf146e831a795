//! The direct writer: one connection, owned by the gate every writer of this process takes,
//! and its checkpoints, run off the async threads.

use super::{DirectError, Settings, open};
use crate::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Direct commits between two checkpoints. A claim or a lead writes some ten pages, so the
/// log holds about SQLite's default of 1,000 pages before it is copied back.
pub(super) const CHECKPOINT_EVERY: u32 = 100;

/// The one lock SQLite writers of this process queue on before `BEGIN IMMEDIATE`, owning the
/// connection that [`WriteGate::direct`] writes on.
#[derive(Clone, Debug, Default)]
pub(crate) struct WriteGate {
    lane: Arc<tokio::sync::Mutex<Writer>>,
    /// Whether [`Writer`] has a file to open (SQLite on a file).
    direct: bool,
    /// How long a writer waits for its turn: SQLite's busy timeout.
    wait: Duration,
}

/// Held while a write transaction is open: this process's turn to write.
pub(crate) type GateGuard = tokio::sync::OwnedMutexGuard<Writer>;

/// The direct writer's connection, opened on first use.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    /// The database file; `None` for PostgreSQL and for SQLite in memory, which a second
    /// connection would not see.
    file: Option<PathBuf>,
    /// The connection's settings: as the pool's.
    settings: Settings,
    conn: Option<Connection>,
    /// Commits since the last checkpoint was started.
    commits: u32,
    checkpoints: Arc<Checkpoints>,
}

/// Copies the write-ahead log back into the database on a blocking thread. The writer's
/// own automatic checkpoint is off: it would run on the async thread that committed, with
/// an `fsync`, every thousand pages.
#[derive(Debug, Default)]
struct Checkpoints {
    conn: Mutex<Option<Connection>>,
    running: AtomicBool,
}

impl WriteGate {
    /// The gate of a SQLite store on `file` (`None` in memory).
    pub(crate) fn sqlite(file: Option<PathBuf>, settings: Settings) -> WriteGate {
        WriteGate {
            direct: file.is_some(),
            wait: settings.busy,
            lane: Arc::new(tokio::sync::Mutex::new(Writer {
                file,
                settings,
                ..Writer::default()
            })),
        }
    }

    /// Waits for this process's turn to write, as long as SQLite's busy timeout would wait
    /// for the lock, then gives up with [`StoreError::Busy`].
    pub(crate) async fn enter(&self) -> Result<GateGuard, StoreError> {
        tokio::time::timeout(self.wait, Arc::clone(&self.lane).lock_owned())
            .await
            .map_err(|_| StoreError::Busy)
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`) on the direct writer's
    /// connection: committed when `f` answers `Ok`, rolled back otherwise (and on a panic).
    /// `None` when this store has no such connection (PostgreSQL, SQLite in memory): take
    /// the sqlx path then.
    pub(crate) async fn direct<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        if !self.direct {
            return None;
        }
        Some(match self.enter().await {
            Ok(mut writer) => writer.run(f),
            Err(busy) => Err(busy),
        })
    }
}

impl WriteGate {
    /// Opens a write transaction (`BEGIN IMMEDIATE`) on the direct writer's connection, for
    /// statements written as [`crate::db::query::Query`]s. `None` when this store has no
    /// such connection: take the sqlx path then.
    pub(crate) async fn begin(&self) -> Option<Result<DirectTx, StoreError>> {
        if !self.direct {
            return None;
        }
        Some(self.begin_direct().await)
    }

    async fn begin_direct(&self) -> Result<DirectTx, StoreError> {
        let mut writer = self.enter().await?;
        writer
            .connection()?
            .prepare_cached("BEGIN IMMEDIATE")
            .and_then(|mut s| s.execute([]))
            .map_err(DirectError::wrap)?;
        Ok(DirectTx { writer, open: true })
    }
}

/// A write transaction open on the direct writer, holding this process's turn to write:
/// committed by [`DirectTx::commit`], rolled back when dropped otherwise (an error, a
/// panic, a cancelled request).
pub(crate) struct DirectTx {
    writer: GateGuard,
    open: bool,
}

impl DirectTx {
    /// The connection, inside the transaction.
    pub(crate) fn conn(&self) -> Result<&Connection, StoreError> {
        self.writer.conn.as_ref().ok_or(StoreError::Busy)
    }

    /// Commits.
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        self.conn()?
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
            .map_err(DirectError::wrap)?;
        self.open = false;
        self.writer.committed();
        Ok(())
    }
}

impl Drop for DirectTx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let Some(conn) = self.writer.conn.as_ref() else {
            return;
        };
        let _ = conn.execute_batch("ROLLBACK");
        if !conn.is_autocommit() {
            // The rollback failed too: start afresh rather than write inside a transaction
            // nobody ends.
            self.writer.conn = None;
        }
    }
}

impl Writer {
    fn run<T>(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.connection()?;
        let out = transaction(conn, f);
        if !conn.is_autocommit() {
            // Both COMMIT and ROLLBACK failed: start afresh rather than write inside a
            // transaction nobody ends.
            self.conn = None;
        }
        if out.is_ok() {
            self.committed();
        }
        out
    }

    fn connection(&mut self) -> Result<&mut Connection, StoreError> {
        let conn = match self.conn.take() {
            Some(c) => c,
            None => {
                let file = self.file.as_deref().ok_or(StoreError::Busy)?;
                let conn = open(file, self.settings).map_err(DirectError::wrap)?;
                conn.pragma_update(None, "wal_autocheckpoint", 0)
                    .map_err(DirectError::wrap)?;
                conn
            }
        };
        Ok(self.conn.insert(conn))
    }

    /// Counts a commit; every [`CHECKPOINT_EVERY`] starts a checkpoint unless one runs.
    fn committed(&mut self) {
        self.commits += 1;
        if self.commits < CHECKPOINT_EVERY {
            return;
        }
        let Some(file) = self.file.clone() else {
            return;
        };
        if self.checkpoints.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.commits = 0;
        let checkpoints = Arc::clone(&self.checkpoints);
        let settings = self.settings;
        tokio::task::spawn_blocking(move || {
            if let Err(e) = checkpoints.run(&file, settings) {
                tracing::warn!(error = %e, "SQLite checkpoint failed; the next one retries");
            }
            checkpoints.running.store(false, Ordering::Release);
        });
    }
}

impl Checkpoints {
    /// A passive checkpoint: it copies what it can without waiting for readers or writers.
    fn run(&self, file: &std::path::Path, settings: Settings) -> rusqlite::Result<()> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let conn = match conn.take() {
            Some(c) => conn.insert(c),
            None => conn.insert(open(file, settings)?),
        };
        conn.query_row("pragma wal_checkpoint(passive)", [], |_| Ok(()))
    }
}

fn transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(DirectError::wrap)?;
    let value = f(&tx)?;
    tx.commit().map_err(DirectError::wrap)?;
    Ok(value)
}
