//! Editing a customer: compare-and-set on the version, one audit row per changed field.

use super::CustomerView;
use crate::Store;
use crate::db::with_retry;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::Customer;
use kehu_domain::customer::keys::keys_of;
use kehu_domain::ids::CustomerId;
use kehu_domain::text::normalize_for_search;
use serde::Serialize;

/// One field change in the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who, display name.
    pub actor_name: String,
    /// Which field.
    pub field: String,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
}

/// The editable fields as stored text, for diffing into audit rows.
fn fields(c: &Customer) -> [(&'static str, Option<String>); 11] {
    [
        ("name", Some(c.name.clone())),
        ("phone", Some(c.phone.e164().to_owned())),
        ("phone_ext", c.phone.extension().map(str::to_owned)),
        ("source", Some(c.source.code().to_owned())),
        ("intent", Some(c.intent.code().to_owned())),
        ("grade", c.grade.map(|g| g.code().to_owned())),
        ("credit_code", c.credit_code.clone()),
        ("industry", c.industry.clone()),
        ("province", c.province.clone()),
        ("city", c.city.clone()),
        (
            "next_follow_up_at",
            c.next_follow_up_at.map(|t| t.to_rfc3339()),
        ),
    ]
}

impl Store {
    /// Writes `edited` over `before` (as loaded for `actor`), if nobody changed the row in
    /// between; returns the number of fields changed. Ownership is not editable here.
    pub async fn update_customer(
        &self,
        actor: &Actor,
        before: &CustomerView,
        edited: &Customer,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.update_customer_confirming(actor, before, edited, &[], now)
            .await
    }

    /// [`Store::update_customer`], recording that the editor confirmed each of `distinct` to
    /// be another customer (in the same transaction).
    pub async fn update_customer_confirming(
        &self,
        actor: &Actor,
        before: &CustomerView,
        edited: &Customer,
        distinct: &[crate::distinct::Distinct],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let now = micros(now);
        let old = fields(&before.customer);
        let new = fields(edited);
        let changed: Vec<_> = old
            .iter()
            .zip(new.iter())
            .filter(|(a, b)| a.1 != b.1)
            .collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let keys = keys_of(edited);
        let keys_changed = before.customer.phone != edited.phone
            || before.customer.credit_code != edited.credit_code;
        let updated = with_retry(|| async {
            let mut tx = self.begin_write().await?;
            on_tx!(&mut tx, |c| {
                let n = sqlx::query(
                    "update customers set name = $1, name_normalized = $2, phone = $3, phone_ext = $4, source = $5, \
                     intent = $6, grade = $7, industry = $8, province = $9, city = $10, next_follow_up_at = $11, \
                     updated_at = $12, version = version + 1, credit_code = $15 where id = $13 and version = $14",
                )
                .bind(&edited.name)
                .bind(normalize_for_search(&edited.name))
                .bind(edited.phone.e164())
                .bind(edited.phone.extension())
                .bind(edited.source.code())
                .bind(edited.intent.code())
                .bind(edited.grade.map(|g| g.code()))
                .bind(edited.industry.as_deref())
                .bind(edited.province.as_deref())
                .bind(edited.city.as_deref())
                .bind(edited.next_follow_up_at.map(micros))
                .bind(now)
                .bind(before.customer.id.0)
                .bind(before.customer.version)
                .bind(edited.credit_code.as_deref())
                .execute(&mut *c)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::Stale);
                }
            });
            if keys_changed {
                crate::identity::write_keys(&mut tx, before.customer.id, &keys).await?;
            }
            crate::match_index::reindex(&mut tx, before.customer.id).await?;
            crate::distinct::record(&mut tx, before.customer.id, actor, distinct, now).await?;
            if edited.name != before.customer.name {
                super::search::refresh(&mut tx, before.customer.id).await?;
            }
            on_tx!(&mut tx, |c| {
                for (o, n) in &changed {
                    sqlx::query(
                        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
                         values ($1, $2, 'customer', $3, $4, $5, $6)",
                    )
                    .bind(now)
                    .bind(actor.user_id.0)
                    .bind(before.customer.id.0)
                    .bind(o.0)
                    .bind(o.1.as_deref())
                    .bind(n.1.as_deref())
                    .execute(&mut *c)
                    .await?;
                }
            });
            tx.commit().await?;
            Ok(changed.len())
        })
        .await;
        match updated {
            Err(e) => Err(self.race_as_duplicate(e, &keys).await),
            ok => ok,
        }
    }

    /// The audit trail of a customer, newest first (call after `customer_for`).
    pub async fn customer_audit(&self, id: CustomerId) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, AuditEntry>(
            "select a.at, u.name as actor_name, a.field, a.old_value, a.new_value from audit_log a \
             join users u on u.id = a.actor_id where a.entity = 'customer' and a.entity_id = $1 order by a.id desc"
        )
        .bind(id.0)
        .fetch_all(p)
        .await
        })?)
    }
}
