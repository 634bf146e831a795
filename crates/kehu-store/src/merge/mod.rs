//! Merging duplicate customers (合并) and undoing a merge: each in one write transaction.
//!
//! The kept record takes the chosen fields; the merged records' contacts, collaborators and
//! requests move to it; the merged records keep their rows and their ledger, point at the
//! kept one (`customers.merged_into`) and drop out of lists and duplicate checks. A JSON
//! snapshot in `merges` holds what an admin needs to undo it.

mod revert;
mod snapshot;
mod write;

pub use revert::RevertOutcome;

use crate::Store;
use crate::error::StoreError;
use crate::rows::LedgerRow;
use chrono::{DateTime, Utc};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::LedgerEntry;
use serde::Serialize;

/// Tables whose rows belong to one customer and follow it into the kept record, each with
/// the condition that leaves behind a row which would collide there (`t` is the row, `$2`
/// the kept record). A new table of customer records (deals …) is one more line.
pub(crate) const FOLLOWERS: &[(&str, &str)] = &[
    ("contacts", ""),
    ("follow_ups", ""),
    ("deals", ""),
    ("deal_events", ""),
    (
        "access_requests",
        "and not (t.status = 'open' and exists (select 1 from access_requests r \
         where r.customer_id = $2 and r.requester_id = t.requester_id and r.kind = t.kind \
         and r.status = 'open'))",
    ),
];

/// Derived rows of a merged record that go with it (the kept record's are rewritten); the
/// match index has its own function.
pub(crate) const DERIVED: &[&str] = &["identity_keys"];

/// A merge as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeRecord {
    /// Id (for the undo button).
    pub id: i64,
    /// The record that survived.
    pub kept: CustomerId,
    /// The records merged into it.
    pub merged: Vec<CustomerId>,
    /// Who merged, display name.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: Option<String>,
    /// When an admin undid it.
    pub reverted_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct MergeRow {
    id: i64,
    kept_id: i64,
    merged_ids: String,
    by_name: String,
    at: DateTime<Utc>,
    reason: Option<String>,
    reverted_at: Option<DateTime<Utc>>,
}

impl TryFrom<MergeRow> for MergeRecord {
    type Error = StoreError;

    fn try_from(r: MergeRow) -> Result<Self, StoreError> {
        let merged: Vec<i64> = serde_json::from_str(&r.merged_ids)
            .map_err(|_| StoreError::Corrupt(format!("merged_ids = {:?}", r.merged_ids)))?;
        Ok(MergeRecord {
            id: r.id,
            kept: CustomerId(r.kept_id),
            merged: merged.into_iter().map(CustomerId).collect(),
            by_name: r.by_name,
            at: r.at,
            reason: r.reason,
            reverted_at: r.reverted_at,
        })
    }
}

/// `select … from merges` with the merger's name.
macro_rules! merge_select {
    () => {
        "select m.id, m.kept_id, m.merged_ids, u.name as by_name, m.at, m.reason, \
         m.reverted_at from merges m join users u on u.id = m.by_user "
    };
}

/// The ledger of a customer and of every record merged into it (at any depth), oldest first.
const TIMELINE: &str = "with recursive family(id) as (select cast($1 as bigint) \
     union all select c.id from customers c join family f on c.merged_into = f.id) \
     select e.id, e.customer_id, e.kind, e.from_user, f.name as from_name, e.to_user, \
     t.name as to_name, e.by_user, b.name as by_name, e.reason, e.rule, e.at \
     from ownership_events e left join users f on f.id = e.from_user \
     left join users t on t.id = e.to_user join users b on b.id = e.by_user \
     where e.customer_id in (select id from family) order by e.at, e.id";

impl Store {
    /// Where a merged-away id leads: the record it was merged into, followed to the end of
    /// the chain. `None` when `id` is not merged (or does not exist).
    pub async fn merge_target(&self, id: CustomerId) -> Result<Option<CustomerId>, StoreError> {
        let mut at = id;
        // A chain is as long as the merges made on top of each other; cap it against loops.
        for _ in 0..64 {
            let next: Option<Option<i64>> = on_db!(&self.db, |p| sqlx::query_scalar(
                "select merged_into from customers where id = $1"
            )
            .bind(at.0)
            .fetch_optional(p)
            .await)?;
            match next.flatten() {
                Some(n) => at = CustomerId(n),
                None => break,
            }
        }
        Ok((at != id).then_some(at))
    }

    /// The ownership timeline of a customer including the records merged into it, oldest
    /// first (call after `customer_for`): the ledger itself is never rewritten.
    pub async fn timeline(&self, id: CustomerId) -> Result<Vec<LedgerEntry>, StoreError> {
        let rows = on_db!(&self.db, |p| sqlx::query_as::<_, LedgerRow>(TIMELINE)
            .bind(id.0)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(LedgerEntry::try_from).collect()
    }

    /// The merges whose kept record is `kept`, newest first (call after `customer_for`).
    pub async fn merges_of(&self, kept: CustomerId) -> Result<Vec<MergeRecord>, StoreError> {
        const SQL: &str = concat!(merge_select!(), "where m.kept_id = $1 order by m.id desc");
        let rows = on_db!(&self.db, |p| sqlx::query_as::<_, MergeRow>(SQL)
            .bind(kept.0)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(MergeRecord::try_from).collect()
    }

    /// One merge by id.
    pub async fn merge_record(&self, id: i64) -> Result<Option<MergeRecord>, StoreError> {
        const SQL: &str = concat!(merge_select!(), "where m.id = $1");
        let row = on_db!(&self.db, |p| sqlx::query_as::<_, MergeRow>(SQL)
            .bind(id)
            .fetch_optional(p)
            .await)?;
        row.map(MergeRecord::try_from).transpose()
    }
}
