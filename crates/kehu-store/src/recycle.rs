//! What the recycle job writes: a recycle (an owner change by the system user, into its target
//! pool) and a warning sent once per customer, owner and due time.

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in};
use crate::pools::Activity;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::OwnerChange;
use std::collections::BTreeMap;

/// Warnings written per transaction.
const WARN_CHUNK: usize = 200;
/// Recycles written per transaction: a few milliseconds of the write lock at most.
const RECYCLE_CHUNK: usize = 50;

/// A warning to send: `customer` will be recycled from `owner` at `due`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecycleWarning {
    /// The customer.
    pub customer: CustomerId,
    /// Its name, for the notification.
    pub customer_name: String,
    /// Its owner, who is warned.
    pub owner: UserId,
    /// When it will be recycled.
    pub due: DateTime<Utc>,
    /// The due time in the owner's words (the team's offset).
    pub due_text: String,
}

impl Store {
    /// The system user automatic owner changes are by (created by migration 0013).
    pub async fn system_user(&self) -> Result<UserId, StoreError> {
        let id: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
            "select id from users where login = '_system'"
        )
        .fetch_one(p)
        .await)?;
        Ok(UserId(id))
    }

    /// Recycles a customer into `pool` through the one owner-change path (compare-and-set on
    /// the version: a customer claimed, edited or recycled by another instance meanwhile is
    /// `Stale`, and nothing is written). The former owner is notified in the same transaction.
    pub async fn recycle_into(&self, change: &OwnerChange, pool: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        crate::ownership::apply_into(&mut tx, change, Some(pool)).await?;
        tx.commit().await
    }

    /// Recycles each customer of `changes` into its pool, like [`Store::recycle_into`], up to
    /// [`RECYCLE_CHUNK`] of them in one transaction: each customer is still all or nothing
    /// (a `Stale` one writes nothing and the others go on), while a catch-up pass with
    /// thousands of due customers pays one commit per chunk, not per customer. Answers, per
    /// change, whether it was recycled.
    /// `activity` is what the verdict saw: a customer followed up, given a deal or locked
    /// since is not recycled either.
    pub async fn recycle_all(
        &self,
        changes: &[(OwnerChange, i64, Activity)],
    ) -> Result<Vec<bool>, StoreError> {
        let mut done = Vec::with_capacity(changes.len());
        for chunk in changes.chunks(RECYCLE_CHUNK) {
            let mut tx = self.begin_write().await?;
            for (change, pool, activity) in chunk {
                let moved = match unchanged(&mut tx, change.customer_id, activity).await {
                    Ok(()) => crate::ownership::apply_into(&mut tx, change, Some(*pool)).await,
                    Err(e) => Err(e),
                };
                match moved {
                    Ok(()) => done.push(true),
                    // Claimed, edited or recycled since it was judged: the next pass judges
                    // again. The compare-and-set wrote nothing, so the transaction goes on.
                    Err(StoreError::Stale) => done.push(false),
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await?;
        }
        Ok(done)
    }
}

// Takes the row's write lock (PostgreSQL re-reads the newest row for the `where`), so no
// follow-up or deal can land between this check and the owner change in one transaction.
const UNCHANGED: &str = "update customers set version = version where id = $1 \
     and last_effective_follow_up_at is not distinct from $2 \
     and last_progress_at is not distinct from $3 and open_deals = $4 and locked = $5";

/// `Stale` unless the customer's activity is still what its verdict saw.
async fn unchanged(tx: &mut Tx, customer: CustomerId, seen: &Activity) -> Result<(), StoreError> {
    let n = on_tx!(tx, |c| sqlx::query(UNCHANGED)
        .bind(customer.0)
        .bind(seen.last_effective_follow_up_at.map(micros))
        .bind(seen.last_progress_at.map(micros))
        .bind(seen.open_deals)
        .bind(seen.locked)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

impl Store {
    /// Warns each owner that their customer will be recycled at its due time, unless they
    /// were warned of this very due time already; answers how many warnings were sent. One
    /// short transaction per [`WARN_CHUNK`] warnings: a pass with thousands of customers in
    /// their warning period (most of them warned on an earlier pass) costs a few statements.
    pub async fn warn_of_recycles(
        &self,
        warnings: &[RecycleWarning],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let now = micros(now);
        let mut sent = 0;
        for chunk in warnings.chunks(WARN_CHUNK) {
            let mut tx = self.begin_write().await?;
            let fresh: Vec<i64> = on_tx!(&mut tx, |c| {
                let mut q = sqlx::QueryBuilder::new(
                    "insert into recycle_warnings (customer_id, owner_id, due, warned_at) ",
                );
                q.push_values(chunk, |mut b, w| {
                    b.push_bind(w.customer.0)
                        .push_bind(w.owner.0)
                        .push_bind(micros(w.due))
                        .push_bind(now);
                });
                q.push(" on conflict do nothing returning customer_id");
                q.build_query_scalar().fetch_all(&mut *c).await
            })?;
            let notes: Vec<NewNotification> = chunk
                .iter()
                .filter(|w| fresh.contains(&w.customer.0))
                .map(|w| NewNotification {
                    user: w.owner,
                    kind: NotificationKind::RecycleWarning,
                    customer: Some(w.customer),
                    params: BTreeMap::from([
                        ("customer", w.customer_name.clone()),
                        ("at", w.due_text.clone()),
                    ]),
                })
                .collect();
            if !notes.is_empty() {
                add_in(&mut tx, &notes, now).await?;
            }
            tx.commit().await?;
            sent += notes.len();
        }
        Ok(sent)
    }

    /// Of `ids`, the customers whose current owner was warned of a recycle still ahead of
    /// `now`, with its due time: the "about to be recycled" marker of a list page.
    pub async fn recycle_due(
        &self,
        ids: &[CustomerId],
        now: DateTime<Utc>,
    ) -> Result<std::collections::HashMap<i64, DateTime<Utc>>, StoreError> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let now = micros(now);
        let rows: Vec<(i64, DateTime<Utc>)> = on_db!(&self.db, |p| {
            let mut q = sqlx::QueryBuilder::new(
                "select w.customer_id, min(w.due) from recycle_warnings w \
                 join customers c on c.id = w.customer_id and c.owner_id = w.owner_id where w.due > ",
            );
            q.push_bind(now).push(" and w.customer_id in (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(id.0);
            }
            q.push(") group by w.customer_id");
            q.build_query_as().fetch_all(p).await
        })?;
        Ok(rows.into_iter().collect())
    }
}
