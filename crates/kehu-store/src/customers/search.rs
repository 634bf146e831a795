//! The search text of a customer, kept in step with its name and its contacts' names.

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use kehu_domain::customer::search::search_text;
use kehu_domain::ids::CustomerId;

/// How many customers one backfill transaction fills.
const BATCH: i64 = 1000;

/// Recomputes `customer`'s search text in the caller's transaction, after any change of its
/// name or contacts.
pub(crate) async fn refresh(tx: &mut Tx, customer: CustomerId) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        let name: String = sqlx::query_scalar("select name from customers where id = $1")
            .bind(customer.0)
            .fetch_one(&mut *c)
            .await?;
        let contacts: Vec<String> =
            sqlx::query_scalar("select name from contacts where customer_id = $1 order by id")
                .bind(customer.0)
                .fetch_all(&mut *c)
                .await?;
        let text = search_text(&name, contacts.iter().map(String::as_str));
        sqlx::query("update customers set search_text = $1 where id = $2")
            .bind(text)
            .bind(customer.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// Fills the search text of customers that have none (rows written before it existed);
    /// returns how many were filled.
    pub(crate) async fn backfill_search_text(&self) -> Result<u64, StoreError> {
        let mut filled = 0;
        loop {
            let mut tx = self.begin_write().await?;
            let ids: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
                "select id from customers where search_text = '' order by id limit $1"
            )
            .bind(BATCH)
            .fetch_all(&mut *c)
            .await?);
            for id in &ids {
                refresh(&mut tx, CustomerId(*id)).await?;
            }
            tx.commit().await?;
            filled += ids.len() as u64;
            if (ids.len() as i64) < BATCH {
                return Ok(filled);
            }
        }
    }
}
