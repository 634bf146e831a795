//! What the recycle job writes: a recycle (an owner change by the system user, into its target
//! pool) and a warning sent once per customer, owner and due time.

use crate::Store;
use crate::db::with_retry;
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
/// Recycles written per transaction: three statements, some tens of milliseconds of the
/// write lock on a busy machine (a chunk of 50 made a catch-up pass half again as slow).
const RECYCLE_CHUNK: usize = 250;

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

    /// Recycles each customer of `recycles` into its pool through the ownership module's
    /// one writer of owners, up to `RECYCLE_CHUNK` of them in one transaction: each
    /// customer is still all or nothing (one that moved since it was judged writes nothing
    /// and the others go on), while a catch-up pass with thousands of due customers pays per
    /// chunk one commit and three statements: the compare-and-sets, the ledger events, the
    /// notifications. A chunk that deadlocks with another instance's pass on PostgreSQL is
    /// retried. Answers, per recycle, whether it was recycled. A customer followed up, given
    /// a deal or locked since the verdict (its `activity`) is not recycled either.
    pub async fn recycle_all(&self, recycles: &[Recycle]) -> Result<Vec<bool>, StoreError> {
        let Some(first) = recycles.first() else {
            return Ok(Vec::new());
        };
        let by: String = on_db!(&self.db, |p| sqlx::query_scalar(
            "select name from users where id = $1"
        )
        .bind(first.change.by.0)
        .fetch_one(p)
        .await)?;
        let mut done = Vec::with_capacity(recycles.len());
        for chunk in recycles.chunks(RECYCLE_CHUNK) {
            let moved = with_retry(|| self.recycle_chunk(chunk, &by)).await?;
            done.extend(moved);
        }
        Ok(done)
    }

    async fn recycle_chunk(&self, chunk: &[Recycle], by: &str) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.begin_write().await?;
        let items: Vec<_> = chunk
            .iter()
            .map(|r| (&r.change, r.pool, &r.activity))
            .collect();
        let moved = crate::ownership::write_recycles(&mut tx, &items).await?;
        let notes: Vec<NewNotification> = chunk
            .iter()
            .zip(&moved)
            .filter(|(_, m)| **m)
            .filter_map(|(r, _)| r.notice(by))
            .collect();
        add_in(&mut tx, &notes, chunk[0].change.at).await?;
        tx.commit().await?;
        Ok(moved)
    }
}

/// A due customer to recycle, with the names its owner's notification shows (the judge
/// read them), so nothing is read again under the write lock.
#[derive(Debug, Clone)]
pub struct Recycle {
    /// The owner change (by the system user, into the pool).
    pub change: OwnerChange,
    /// The target pool.
    pub pool: i64,
    /// The activity the verdict saw: it must be unchanged for the recycle to land.
    pub activity: Activity,
    /// The customer's name.
    pub customer_name: String,
    /// The owner's name.
    pub owner_name: String,
}

impl Recycle {
    /// The notification to the owner who lost it (as `on_owner_change` writes for a recycle).
    fn notice(&self, by: &str) -> Option<NewNotification> {
        let owner = self.change.from.filter(|u| *u != self.change.by)?;
        Some(NewNotification {
            user: owner,
            kind: NotificationKind::Recycled,
            customer: Some(self.change.customer_id),
            params: BTreeMap::from([
                ("customer", self.customer_name.clone()),
                ("by", by.to_owned()),
                ("from", self.owner_name.clone()),
            ]),
        })
    }
}

impl Store {
    /// Warns each owner that their customer will be recycled at its due time, unless they
    /// were warned of this very due time already; answers how many warnings were sent. One
    /// short transaction per `WARN_CHUNK` warnings: a pass with thousands of customers in
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
