//! How many postings each key has (`match_key_counts`), so the check skips a key over its
//! cap with one primary-key read instead of counting its posting list.
//!
//! Every writer of `match_keys` in this module collects what it inserted and deleted (from
//! `returning`, so only rows really written count) and applies the net change per key with
//! [`apply`], in the same transaction. The rebuild empties both tables together.

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use std::collections::BTreeMap;

/// Net change of postings per key. Ordered, so [`apply`] writes keys in ascending order:
/// two PostgreSQL transactions updating the same keys then take their row locks in one
/// order and do not deadlock each other.
pub(super) type Counts = BTreeMap<i64, i64>;

/// Rows per upsert: 2 binds a row.
const CHUNK: usize = 5000;

/// Adds `delta` to the counts, creating missing keys; keys whose change is 0 are not
/// written (an edit that keeps its keys touches no count row).
pub(super) async fn apply(tx: &mut Tx, delta: &Counts) -> Result<(), StoreError> {
    let changed: Vec<(i64, i64)> = delta
        .iter()
        .filter(|(_, d)| **d != 0)
        .map(|(k, d)| (*k, *d))
        .collect();
    for chunk in changed.chunks(CHUNK) {
        on_tx!(tx, |c| {
            let mut q = sqlx::QueryBuilder::new("insert into match_key_counts (key, n) ");
            q.push_values(chunk, |mut b, (key, d)| {
                b.push_bind(*key).push_bind(*d);
            });
            q.push(" on conflict (key) do update set n = match_key_counts.n + excluded.n");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Empties the counts (with `match_keys`, before a rebuild), in the caller's transaction.
pub(super) async fn clear(tx: &mut Tx) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("delete from match_key_counts")
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Keys whose stored count differs from their postings: keys with postings and another
/// count, plus counted keys without postings.
const DRIFT: &str = "select (select count(*) from (select key, count(*) as n from match_keys group by key) m \
       where m.n <> coalesce((select c.n from match_key_counts c where c.key = m.key), 0)) \
     + (select count(*) from match_key_counts c where c.n <> 0 \
       and not exists (select 1 from match_keys m where m.key = c.key))";

impl Store {
    /// How many blocking keys have a stored posting count that differs from their postings:
    /// 0 when `match_key_counts` is right. Reads the whole index: for tests and diagnostics,
    /// not for a request.
    pub async fn match_key_count_drift(&self) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(DRIFT)
            .fetch_one(p)
            .await)?)
    }
}
