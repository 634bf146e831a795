#![doc = include_str!("../README.md")]

pub mod browser;
mod pg;

use kehu_store::Store;
use std::sync::atomic::{AtomicU32, Ordering};

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A temp SQLite file.
    Sqlite,
    /// A database on the harness's PostgreSQL cluster.
    Postgres,
}

/// Both engines, for tests that loop over them.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A migrated, empty database for one test; removed on drop.
pub struct TestDb {
    /// The connected store.
    pub store: Store,
    /// Its URL, for starting servers or CLI processes on the same database.
    pub url: String,
    _guard: Guard,
}

enum Guard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres(pg::DbGuard),
}

impl TestDb {
    /// Creates a database on `backend` and runs the migrations.
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("kehu.db").display());
                let store = Store::connect(&url).await.expect("open sqlite");
                store.migrate().await.expect("migrate sqlite");
                TestDb {
                    store,
                    url,
                    _guard: Guard::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let guard = pg::fresh_database().await;
                let url = guard.url.clone();
                let store = Store::connect(&url).await.expect("connect postgres");
                TestDb {
                    store,
                    url,
                    _guard: Guard::Postgres(guard),
                }
            }
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres(g) = self {
            g.drop_database();
        }
    }
}

/// A process-unique number, for names that must not collide between tests.
pub fn unique() -> u32 {
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}
