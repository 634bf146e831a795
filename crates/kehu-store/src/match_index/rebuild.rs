//! Rebuilding the match index when the code's blocking rules differ from those the stored
//! rows were built with: at startup (after migrations), in batches, with progress logged.

use super::lookup::{BatchRow, ContactRow, batch_record};
use super::{Counts, counts, insert_keys, keys_of};
use crate::Store;
use crate::error::StoreError;
use kehu_domain::identity::matching::index::{INDEX_VERSION, IndexKey, fingerprint};
use kehu_domain::ids::CustomerId;

/// Customers per transaction while rebuilding.
const BATCH: i64 = 5000;

/// Merged-away customers match nothing: they are left out (and their id range still moves on).
const CUSTOMERS: &str = "select id, name, phone, credit_code, province, city from customers \
     where id > $1 and merged_into is null order by id limit $2";

const CONTACTS: &str = "select customer_id, name, phone from contacts \
     where customer_id >= $1 and customer_id <= $2 order by customer_id, id";

/// The version the code builds: the declared version and a digest of what blocking makes of
/// sample records, so a change to blocking is noticed even without a bump.
pub fn current_version() -> String {
    format!("{INDEX_VERSION}:{:016x}", fingerprint())
}

impl Store {
    /// The version the stored match index was built with, if any.
    pub async fn match_index_version(&self) -> Result<Option<String>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "select value from match_index_meta where name = 'version'"
        )
        .fetch_optional(p)
        .await)?)
    }

    /// Rebuilds the match index unless it was built by this code's rules; returns how many
    /// customers were indexed (0 when it was current). Creates and edits during a rebuild
    /// index themselves; each batch is one transaction.
    pub async fn ensure_match_index(&self) -> Result<u64, StoreError> {
        let wanted = current_version();
        let stored = self.match_index_version().await?;
        if stored.as_deref() == Some(wanted.as_str()) {
            return Ok(0);
        }
        let total: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
            "select count(*) from customers where merged_into is null"
        )
        .fetch_one(p)
        .await)?;
        tracing::info!(from = ?stored, to = %wanted, customers = total, "match index: rebuilding");
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| sqlx::query("delete from match_keys")
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        counts::clear(&mut tx).await?;
        tx.commit().await?;
        let (mut after, mut done) = (0_i64, 0_u64);
        loop {
            let indexed = self.rebuild_batch(after).await?;
            let Some(last) = indexed.last else { break };
            done += indexed.count;
            after = last;
            tracing::info!(done, total, "match index: rebuilding");
            if indexed.count < BATCH as u64 {
                break;
            }
        }
        on_db!(&self.db, |p| sqlx::query(
            "insert into match_index_meta (name, value) values ('version', $1) \
             on conflict (name) do update set value = excluded.value"
        )
        .bind(&wanted)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        tracing::info!(customers = done, version = %wanted, "match index: rebuilt");
        Ok(done)
    }

    /// Indexes the customers after id `after`, one batch in one transaction.
    async fn rebuild_batch(&self, after: i64) -> Result<Batch, StoreError> {
        let mut tx = self.begin_write().await?;
        let (rows, contacts): (Vec<BatchRow>, Vec<ContactRow>) = on_tx!(&mut tx, |c| {
            let rows: Vec<BatchRow> = sqlx::query_as(CUSTOMERS)
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *c)
                .await?;
            let (first, last) = match (rows.first(), rows.last()) {
                (Some(f), Some(l)) => (f.0, l.0),
                _ => (0, -1),
            };
            let contacts = sqlx::query_as(CONTACTS)
                .bind(first)
                .bind(last)
                .fetch_all(&mut *c)
                .await?;
            (rows, contacts)
        });
        let batch = Batch {
            count: rows.len() as u64,
            last: rows.last().map(|r| r.0),
        };
        let mut keys: Vec<(CustomerId, IndexKey)> = Vec::new();
        let mut contacts = contacts.into_iter().peekable();
        for row in rows {
            let id = row.0;
            let mut own = Vec::new();
            while let Some((of, name, phone)) = contacts.next_if(|k| k.0 <= id) {
                if of == id {
                    own.push((name, phone));
                }
            }
            let record = batch_record(row, &own);
            keys.extend(keys_of(&record).map(|k| (CustomerId(id), k)));
        }
        let mut delta = Counts::new();
        insert_keys(&mut tx, keys, &mut delta).await?;
        counts::apply(&mut tx, &delta).await?;
        tx.commit().await?;
        Ok(batch)
    }
}

/// What one rebuild batch covered.
struct Batch {
    count: u64,
    last: Option<i64>,
}
