//! "This is a different customer" (不是同一客户): a rep's explicit confirmation, at save time,
//! that a customer the fuzzy check found similar is another one. Recorded with the save, in
//! its transaction, with an audit row on the saved customer.

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::identity::matching::Reason;
use kehu_domain::ids::CustomerId;
use serde::Serialize;

/// The audit field of a confirmation.
pub const AUDIT_FIELD: &str = "identity.distinct_from";

/// One confirmation to record: the similar customer and what the check showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Distinct {
    /// The existing customer confirmed to be another one.
    pub other: CustomerId,
    /// Its name, for the audit trail.
    pub other_name: String,
    /// The score shown.
    pub score: f32,
    /// The reasons shown.
    pub reasons: Vec<Reason>,
}

/// A recorded confirmation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistinctConfirmation {
    /// The existing customer it was confirmed distinct from.
    pub other_id: CustomerId,
    /// That customer's name now.
    pub other_name: String,
    /// Who confirmed.
    pub confirmed_by: String,
    /// When.
    pub confirmed_at: DateTime<Utc>,
    /// The score shown.
    pub score: f64,
    /// The reasons shown, as the matcher serialises them.
    pub reasons: serde_json::Value,
}

/// other id, other name, confirmed by, at, score, reasons.
type Row = (i64, String, String, DateTime<Utc>, f64, String);

/// Records `list` for `customer` in the caller's transaction, each with an audit row.
pub(crate) async fn record(
    tx: &mut Tx,
    customer: CustomerId,
    actor: &Actor,
    list: &[Distinct],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = micros(now);
    for d in list {
        let reasons = serde_json::to_string(&d.reasons)
            .map_err(|e| StoreError::Corrupt(format!("reasons: {e}")))?;
        let shown = format!("{} ({:.0}%)", d.other_name, d.score * 100.0);
        on_tx!(tx, |c| {
            sqlx::query(
                "insert into distinct_confirmations (customer_id, other_id, confirmed_by, confirmed_at, score, reasons) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(customer.0)
            .bind(d.other.0)
            .bind(actor.user_id.0)
            .bind(now)
            .bind(f64::from(d.score))
            .bind(&reasons)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
                 values ($1, $2, 'customer', $3, $4, null, $5)",
            )
            .bind(now)
            .bind(actor.user_id.0)
            .bind(customer.0)
            .bind(AUDIT_FIELD)
            .bind(&shown)
            .execute(&mut *c)
            .await?;
        });
    }
    Ok(())
}

impl Store {
    /// The customers confirmed as different from `customer`, in either direction.
    pub async fn confirmed_distinct(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<CustomerId>, StoreError> {
        let ids: Vec<i64> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select other_id from distinct_confirmations where customer_id = $1 \
             union select customer_id from distinct_confirmations where other_id = $1"
        )
        .bind(customer.0)
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().map(CustomerId).collect())
    }

    /// The confirmations recorded on `customer`, oldest first (call after `customer_for`).
    pub async fn distinct_confirmations(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<DistinctConfirmation>, StoreError> {
        let rows: Vec<Row> = on_db!(&self.db, |p| sqlx::query_as(
            "select d.other_id, o.name, u.name, d.confirmed_at, d.score, d.reasons \
             from distinct_confirmations d join customers o on o.id = d.other_id \
             join users u on u.id = d.confirmed_by where d.customer_id = $1 order by d.id"
        )
        .bind(customer.0)
        .fetch_all(p)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(other, other_name, by, at, score, reasons)| DistinctConfirmation {
                    other_id: CustomerId(other),
                    other_name,
                    confirmed_by: by,
                    confirmed_at: at,
                    score,
                    reasons: serde_json::from_str(&reasons).unwrap_or(serde_json::Value::Null),
                },
            )
            .collect())
    }
}
