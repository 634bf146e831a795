//! What the recycle job writes: a recycle (an owner change by the system user, into its target
//! pool) and a warning sent once per customer, owner and due time.

use crate::Store;
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in};
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::OwnerChange;
use std::collections::BTreeMap;

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

    /// Warns `owner` that `customer` will be recycled at `due`, unless they were warned of this
    /// very due time already; answers whether a warning was sent.
    pub async fn warn_of_recycle(
        &self,
        customer: CustomerId,
        customer_name: &str,
        owner: UserId,
        due: DateTime<Utc>,
        due_text: String,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let fresh = on_tx!(&mut tx, |c| {
            sqlx::query(
            "insert into recycle_warnings (customer_id, owner_id, due, warned_at) values ($1, $2, $3, $4) \
             on conflict do nothing"
        )
        .bind(customer.0)
        .bind(owner.0)
        .bind(micros(due))
        .bind(micros(now))
        .execute(&mut *c)
        .await?
        .rows_affected()
        }) > 0;
        if fresh {
            let params = BTreeMap::from([("customer", customer_name.to_owned()), ("at", due_text)]);
            let note = NewNotification {
                user: owner,
                kind: NotificationKind::RecycleWarning,
                customer: Some(customer),
                params,
            };
            add_in(&mut tx, &[note], now).await?;
        }
        tx.commit().await?;
        Ok(fresh)
    }
}

impl Store {
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
