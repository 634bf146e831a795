//! What a merge keeps so an admin can undo it, and the writes a merge and its undo share.

use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::{CustomerRow, customer_select, micros};
use chrono::{DateTime, Utc};
use kehu_domain::customer::Customer;
use kehu_domain::customer::merge::CustomerFields;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use kehu_domain::text::normalize_for_search;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `merges.snapshot` JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// The kept record's fields before the merge.
    pub kept: CustomerFields,
    /// The kept record's fields right after it.
    pub result: CustomerFields,
    /// Each merged record as it was, and what moved from it.
    pub merged: Vec<MergedRecord>,
    /// Contacts the merge created from phones that were not kept as the main phone.
    pub leftover_contacts: Vec<i64>,
}

/// One merged record in the snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MergedRecord {
    /// Its id.
    pub id: i64,
    /// Its fields (unchanged by the merge; kept for the record).
    pub fields: CustomerFields,
    /// Table → ids of its rows moved to the kept record.
    pub moved: BTreeMap<String, Vec<i64>>,
    /// Its collaborator grants.
    pub collaborators: Vec<Grant>,
    /// Users who became collaborators of the kept record through it.
    pub collaborators_added: Vec<i64>,
}

/// A collaborator grant as stored.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub(crate) struct Grant {
    pub user_id: i64,
    pub access: String,
    pub granted_by: i64,
    pub granted_at: DateTime<Utc>,
}

/// `rule` of the ledger events of merge `id`, linking them to its audit entry.
pub(crate) fn rule(id: i64) -> String {
    format!("merge:{id}")
}

/// Loads a customer inside the transaction (unfiltered: the caller checked access).
pub(crate) async fn load(tx: &mut Tx, id: CustomerId, by: UserId) -> Result<Customer, StoreError> {
    const SQL: &str = concat!(customer_select!(), "where c.id = $2");
    let row = on_tx!(tx, |c| sqlx::query_as::<_, CustomerRow>(SQL)
        .bind(by.0)
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await)?;
    Customer::try_from(row.ok_or(StoreError::NotFound)?)
}

/// Writes the editable fields of `c` if its row is still at `version` and not merged away.
pub(crate) async fn write_fields(
    tx: &mut Tx,
    c: &Customer,
    version: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = on_tx!(tx, |conn| {
        sqlx::query(
        "update customers set name = $1, name_normalized = $2, phone = $3, phone_ext = $4, source = $5, \
         intent = $6, grade = $7, industry = $8, province = $9, city = $10, next_follow_up_at = $11, \
         updated_at = $12, version = version + 1, credit_code = $15 \
         where id = $13 and version = $14 and merged_into is null",
    )
    .bind(&c.name)
    .bind(normalize_for_search(&c.name))
    .bind(c.phone.e164())
    .bind(c.phone.extension())
    .bind(c.source.code())
    .bind(c.intent.code())
    .bind(c.grade.map(|g| g.code()))
    .bind(c.industry.as_deref())
    .bind(c.province.as_deref())
    .bind(c.city.as_deref())
    .bind(c.next_follow_up_at.map(micros))
    .bind(now)
    .bind(c.id.0)
    .bind(version)
    .bind(c.credit_code.as_deref())
    .execute(&mut *conn)
    .await?
    .rows_affected()
    });
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

/// A ledger event that changes no owner (`from` = `to` = the current owner): the merge
/// shows in the timeline without touching `owner_id` or its protection clock.
pub(crate) struct Marker<'a> {
    pub customer: CustomerId,
    pub kind: LedgerKind,
    pub owner: Option<UserId>,
    pub by: UserId,
    pub reason: Option<&'a str>,
    pub rule: &'a str,
    pub at: DateTime<Utc>,
}

/// Appends a [`Marker`] to the ledger.
pub(crate) async fn mark(tx: &mut Tx, m: &Marker<'_>) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        sqlx::query(
        "insert into ownership_events (customer_id, kind, from_user, to_user, by_user, reason, rule, at) \
         values ($1, $2, $3, $3, $4, $5, $6, $7)"
    )
    .bind(m.customer.0)
    .bind(m.kind.code())
    .bind(m.owner.map(|u| u.0))
    .bind(m.by.0)
    .bind(m.reason)
    .bind(m.rule)
    .bind(micros(m.at))
    .execute(&mut *c)
    .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// One audit row of a customer.
pub(crate) async fn audit(
    tx: &mut Tx,
    at: DateTime<Utc>,
    actor: UserId,
    customer: CustomerId,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
         values ($1, $2, 'customer', $3, $4, $5, $6)",
    )
    .bind(micros(at))
    .bind(actor.0)
    .bind(customer.0)
    .bind(field)
    .bind(old)
    .bind(new)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// `#12, #31`: record ids for audit rows.
pub(crate) fn id_list(ids: impl IntoIterator<Item = CustomerId>) -> String {
    ids.into_iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
