//! Direct readers: connections for point reads, run on the calling thread.

use super::{DirectError, Settings, open};
use crate::error::StoreError;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// Idle connections kept for reuse; more are opened when more threads read at once.
const MAX_IDLE: usize = 8;

/// The direct readers of a SQLite store on a file, shared by its clones; none otherwise.
#[derive(Clone, Debug, Default)]
pub(crate) struct Readers(Option<Arc<Shared>>);

#[derive(Debug)]
struct Shared {
    file: PathBuf,
    settings: Settings,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    /// The readers of a SQLite store on `file` (`None` in memory: another connection would
    /// not see that database).
    pub(crate) fn sqlite(file: Option<PathBuf>, settings: Settings) -> Readers {
        Readers(file.map(|file| {
            Arc::new(Shared {
                file,
                settings,
                idle: Mutex::new(Vec::new()),
            })
        }))
    }

    /// Runs `f` on an idle read connection (opened if none is idle), on this thread.
    /// `None` when this store has no direct readers (PostgreSQL, SQLite in memory): take
    /// the sqlx path then. Keep `f` to a few index lookups: it holds the thread.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Option<Result<T, StoreError>> {
        self.read_with(|c| f(c).map_err(DirectError::wrap))
    }

    /// [`Readers::read`] for `f` answering the store's errors.
    pub(crate) fn read_with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Option<Result<T, StoreError>> {
        let shared = self.0.as_ref()?;
        let idle = shared
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle.map_or_else(|| reader(shared), Ok) {
            Ok(c) => c,
            Err(e) => return Some(Err(DirectError::wrap(e))),
        };
        let out = f(&conn);
        if conn.is_autocommit() {
            let mut idle = shared.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
        Some(out)
    }
}

/// A connection that refuses writes (`query_only`): reads are all it is for.
fn reader(shared: &Shared) -> rusqlite::Result<Connection> {
    let conn = open(&shared.file, shared.settings)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}
