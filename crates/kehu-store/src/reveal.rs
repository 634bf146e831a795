//! The reveal log (查看记录): every unmasked view of a customer's contact data by someone
//! other than its owner, for the owner to see.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use serde::Serialize;

/// One unmasked view.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Reveal {
    /// Who saw it.
    pub viewer_name: String,
    /// What was shown (`phone`).
    pub field: String,
    /// `page` or `api`.
    pub via: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Store {
    /// Records that `viewer` saw `customer`'s contact data unmasked through `via`.
    pub async fn log_reveal(
        &self,
        customer: CustomerId,
        viewer: UserId,
        via: &'static str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, |p| {
            sqlx::query(
            "insert into reveal_log (customer_id, viewer_id, field, via, at) values ($1, $2, 'phone', $3, $4)"
        )
        .bind(customer.0)
        .bind(viewer.0)
        .bind(via)
        .bind(micros(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The latest reveals of a customer, newest first (call after an access check).
    pub async fn reveals(
        &self,
        customer: CustomerId,
        limit: i64,
    ) -> Result<Vec<Reveal>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, Reveal>(
            "select u.name as viewer_name, r.field, r.via, r.at from reveal_log r \
             join users u on u.id = r.viewer_id where r.customer_id = $1 order by r.at desc, r.id desc limit $2"
        )
        .bind(customer.0)
        .bind(limit)
        .fetch_all(p)
        .await
        })?)
    }
}
