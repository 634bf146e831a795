//! SQLite's hot write transactions without a hand-off per statement.
//!
//! sqlx runs each SQLite connection on a worker thread of its own, and every statement is a
//! hand-off to that thread and back. On two cores under load that hand-off, not the SQL, is
//! the price of a short transaction (see docs/BENCHMARKS.md, "Claims under concurrency"), and
//! the write lock is held across every one of them while the lock holder waits its turn to
//! run again. So the hottest write transactions (a claim, a lead's intake) run here instead:
//! on a connection of the store's own to the same file, through rusqlite, with the same SQL
//! texts, on the calling thread, without an `.await` between `BEGIN IMMEDIATE` and `COMMIT`.
//! The write lock is held only while SQLite works.
//!
//! Every SQLite write transaction of this process, sqlx's too, first takes [`WriteGate`], the
//! mutex that owns that connection, so writers of this process queue there asynchronously
//! and `BEGIN IMMEDIATE` on the calling thread waits for another process's writer only.
//!
//! The same goes for the hottest point reads (an API token, the customer a claim reads):
//! [`Readers`] runs them on connections of their own, on the calling thread. Only reads of a
//! few index lookups belong there, since they hold the thread while SQLite works; in WAL mode
//! a reader never waits for a writer.

mod read;
mod write;

pub(crate) use read::Readers;
pub(crate) use write::{DirectTx, GateGuard, WriteGate};

use crate::error::StoreError;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

/// The pool's per-connection settings, for the direct writer's connection.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Settings {
    /// `busy_timeout`.
    pub busy: Duration,
    /// `pragma mmap_size`.
    pub mmap_bytes: u64,
}

/// Opens `file` with the pool's settings (WAL is the file's already: the pool set it).
fn open(file: &Path, settings: Settings) -> rusqlite::Result<Connection> {
    let conn = Connection::open(file)?;
    conn.busy_timeout(settings.busy)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.query_row(
        &format!("pragma mmap_size = {}", settings.mmap_bytes),
        [],
        |_| Ok(()),
    )?;
    Ok(conn)
}

/// A timestamp as sqlx's SQLite driver writes it (RFC 3339 text, as many fraction digits as
/// needed), so rows written here compare and decode like rows written through sqlx.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ts(pub DateTime<Utc>);

impl Ts {
    /// `t` as sqlx's SQLite driver writes it.
    pub(crate) fn text(t: DateTime<Utc>) -> String {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
    }
}

impl ToSql for Ts {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(Ts::text(self.0)))
    }
}

impl FromSql for Ts {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(Ts(t.with_timezone(&Utc)));
        }
        // SQLite's own `datetime()` text (a column default), read as UTC, as sqlx reads it.
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
            .map(|t| Ts(t.and_utc()))
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

/// A rusqlite error as a driver error of sqlx's, so the store's one mapping (unique
/// violations by kind, `Db` for the rest) holds for both paths.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DirectError(rusqlite::Error);

impl DirectError {
    /// Wraps `e` as [`StoreError::Db`].
    pub(crate) fn wrap(e: rusqlite::Error) -> StoreError {
        match e {
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
            e => StoreError::Db(sqlx::Error::Database(Box::new(DirectError(e)))),
        }
    }
}

impl sqlx::error::DatabaseError for DirectError {
    fn message(&self) -> &str {
        match &self.0 {
            rusqlite::Error::SqliteFailure(_, Some(m)) => m,
            _ => "sqlite error",
        }
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        self.0
            .sqlite_error()
            .map(|e| Cow::Owned(e.extended_code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        use sqlx::error::ErrorKind;
        match self.0.sqlite_error().map(|e| e.extended_code) {
            Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
                ErrorKind::UniqueViolation
            }
            Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => ErrorKind::ForeignKeyViolation,
            Some(ffi::SQLITE_CONSTRAINT_NOTNULL) => ErrorKind::NotNullViolation,
            Some(ffi::SQLITE_CONSTRAINT_CHECK) => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests;
