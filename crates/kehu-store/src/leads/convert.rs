//! A lead turned into a customer (转为客户): the rep it is assigned to creates the customer
//! from it, and the lead then points at that customer, with the step in its history.

use super::response::{NewEvent, add_event};
use crate::Store;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::lead::LeadId;

impl Store {
    /// Points `lead` at `customer`, which `by` has just created from it, and records the
    /// step. Only the rep the lead is assigned to, and only once: false (nothing written)
    /// for anyone else's lead, one already pointing at a customer, or no such lead.
    pub async fn convert_lead(
        &self,
        lead: LeadId,
        by: UserId,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let q = Query::new(
            "update leads set customer_id = $1 \
             where id = $2 and assigned_to = $3 and status = 'assigned' and customer_id is null",
        )
        .bind(customer.0)
        .bind(lead.0)
        .bind(by.0);
        if tx.run(&q).await? != 1 {
            return Ok(false);
        }
        let event = NewEvent {
            by: Some(by),
            ..NewEvent::system(lead, "converted")
        };
        add_event(&mut tx, &event, micros(now)).await?;
        tx.commit().await?;
        Ok(true)
    }
}
