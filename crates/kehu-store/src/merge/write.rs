//! The merge itself: one transaction, compare-and-set on every record's version.

use super::snapshot::{
    Grant, Marker, MergedRecord, Snapshot, audit, id_list, mark, rule, write_fields,
};
use super::{DERIVED, FOLLOWERS};
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::rows::micros;
use crate::{Store, customers, deals, identity, match_index, ownership};
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::keys_of;
use kehu_domain::customer::merge::{CustomerFields, MergeField, MergePlan};
use kehu_domain::customer::{Customer, Phone};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{LedgerKind, OwnerChange};
use std::collections::BTreeMap;

impl Store {
    /// Carries out a planned merge as `actor` (who may merge every record: the caller
    /// checked), in one transaction; answers the merge's id. `Err(Stale)` when any record
    /// changed since it was loaded, `Err(Duplicate)` when the kept record's new strong key
    /// belongs to a customer outside the merge: nothing is written either way.
    pub async fn merge_customers(
        &self,
        actor: &Actor,
        plan: &MergePlan,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = micros(now);
        let keys = keys_of(&plan.result);
        let merged = with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let id = merge_in(&mut tx, actor, plan, now).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await;
        match merged {
            Err(e) => Err(self.race_as_duplicate(e, &keys).await),
            ok => ok,
        }
    }
}

async fn merge_in(
    tx: &mut Tx,
    actor: &Actor,
    plan: &MergePlan,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let kept = plan.result.id;
    let merged_ids: Vec<i64> = plan.merged.iter().map(|c| c.id.0).collect();
    let reason = plan.choice.reason.as_deref();
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "insert into merges (kept_id, merged_ids, by_user, at, reason, snapshot) \
         values ($1, $2, $3, $4, $5, '{}') returning id"
    )
    .bind(kept.0)
    .bind(serde_json::to_string(&merged_ids).unwrap_or_default())
    .bind(actor.user_id.0)
    .bind(now)
    .bind(reason)
    .fetch_one(&mut *c)
    .await)?;
    let rule = rule(id);
    let mut version = plan.kept_before.version;
    if plan.changes_owner() {
        // The one writer of owner_id; it also appends the kept record's merge event.
        ownership::apply(
            tx,
            &OwnerChange {
                customer_id: kept,
                kind: LedgerKind::Merge,
                from: plan.kept_before.owner_id,
                to: plan.result.owner_id,
                by: actor.user_id,
                reason: reason.map(str::to_owned),
                rule: Some(rule.clone()),
                at: now,
                expected_version: version,
            },
        )
        .await?;
        version += 1;
    } else {
        let m = Marker {
            customer: kept,
            kind: LedgerKind::Merge,
            owner: plan.result.owner_id,
            by: actor.user_id,
            reason,
            rule: &rule,
            at: now,
        };
        mark(tx, &m).await?;
    }
    write_fields(tx, &plan.result, version, now).await?;
    let mut merged = Vec::with_capacity(plan.merged.len());
    for m in &plan.merged {
        merged.push(absorb(tx, actor, m, kept, &rule, reason, now).await?);
    }
    // The merged records' keys are gone, so the kept record may take any of them.
    identity::write_keys(tx, kept, &keys_of(&plan.result)).await?;
    let mut leftover_contacts = Vec::new();
    for l in &plan.leftover_phones {
        leftover_contacts.push(add_contact(tx, kept, &l.name, &l.phone, now).await?);
    }
    customers::search::refresh(tx, kept).await?;
    match_index::reindex(tx, kept).await?;
    deals::reproject(tx, kept).await?;
    write_audit(tx, actor, plan, now).await?;
    let snapshot = Snapshot {
        kept: CustomerFields::of(&plan.kept_before),
        result: CustomerFields::of(&plan.result),
        merged,
        leftover_contacts,
    };
    let json = serde_json::to_string(&snapshot)
        .map_err(|e| StoreError::Corrupt(format!("merge snapshot: {e}")))?;
    on_tx!(tx, |c| sqlx::query(
        "update merges set snapshot = $1 where id = $2"
    )
    .bind(json)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Marks `m` as merged into `kept` and moves what belongs to it.
async fn absorb(
    tx: &mut Tx,
    actor: &Actor,
    m: &Customer,
    kept: CustomerId,
    rule: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<MergedRecord, StoreError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "update customers set merged_into = $1, version = version + 1, updated_at = $2 \
         where id = $3 and version = $4 and merged_into is null"
    )
    .bind(kept.0)
    .bind(now)
    .bind(m.id.0)
    .bind(m.version)
    .execute(&mut *c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    let mut moved = BTreeMap::new();
    for (table, cond) in FOLLOWERS {
        moved.insert(
            (*table).to_owned(),
            follow(tx, table, cond, m.id, kept).await?,
        );
    }
    let (collaborators, collaborators_added) = move_grants(tx, m.id, kept).await?;
    for table in DERIVED {
        // Constant table names; the merged record no longer answers any lookup.
        let sql = format!("delete from {table} where customer_id = $1");
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(m.id.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    match_index::unindex(tx, &[m.id]).await?;
    let marker = Marker {
        customer: m.id,
        kind: LedgerKind::Merge,
        owner: m.owner_id,
        by: actor.user_id,
        reason,
        rule,
        at: now,
    };
    mark(tx, &marker).await?;
    let target = id_list([kept]);
    audit(
        tx,
        now,
        actor.user_id,
        m.id,
        "merged_into",
        None,
        Some(&target),
    )
    .await?;
    Ok(MergedRecord {
        id: m.id.0,
        fields: CustomerFields::of(m),
        moved,
        collaborators,
        collaborators_added,
    })
}

/// Moves the rows of `table` from `from` to `to`; answers their ids.
async fn follow(
    tx: &mut Tx,
    table: &str,
    cond: &str,
    from: CustomerId,
    to: CustomerId,
) -> Result<Vec<i64>, StoreError> {
    // `table` and `cond` are constants of FOLLOWERS.
    let select = format!(
        "select t.id from {table} t where t.customer_id = $1 and t.customer_id <> $2 {cond} order by t.id"
    );
    let update = format!("update {table} set customer_id = $1 where id = $2");
    let ids: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(select))
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&mut *c)
        .await)?;
    for id in &ids {
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(update.clone()))
            .bind(to.0)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(ids)
}

/// Grants of `from` become grants of `to` (an existing grant there is left as it is);
/// answers `from`'s grants and the users newly granted on `to`.
async fn move_grants(
    tx: &mut Tx,
    from: CustomerId,
    to: CustomerId,
) -> Result<(Vec<Grant>, Vec<i64>), StoreError> {
    let grants: Vec<Grant> = on_tx!(tx, |c| {
        sqlx::query_as(
        "select user_id, access, granted_by, granted_at from collaborators where customer_id = $1 order by user_id"
    )
    .bind(from.0)
    .fetch_all(&mut *c)
    .await
    })?;
    let mut added = Vec::new();
    for g in &grants {
        if insert_grant(tx, to, g).await? {
            added.push(g.user_id);
        }
    }
    on_tx!(tx, |c| sqlx::query(
        "delete from collaborators where customer_id = $1"
    )
    .bind(from.0)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((grants, added))
}

/// Inserts a grant unless the user has one on `customer`; true when inserted.
pub(super) async fn insert_grant(
    tx: &mut Tx,
    customer: CustomerId,
    g: &Grant,
) -> Result<bool, StoreError> {
    let n = on_tx!(tx, |c| sqlx::query(
        "insert into collaborators (customer_id, user_id, access, granted_by, granted_at) \
         values ($1, $2, $3, $4, $5) on conflict (customer_id, user_id) do nothing"
    )
    .bind(customer.0)
    .bind(g.user_id)
    .bind(&g.access)
    .bind(g.granted_by)
    .bind(micros(g.granted_at))
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

async fn add_contact(
    tx: &mut Tx,
    customer: CustomerId,
    name: &str,
    phone: &Phone,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "insert into contacts (customer_id, name, phone, phone_ext, created_at) \
         values ($1, $2, $3, $4, $5) returning id"
    )
    .bind(customer.0)
    .bind(name)
    .bind(phone.e164())
    .bind(phone.extension())
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

/// One audit row per changed field of the kept record (owners by name), and one naming
/// the merged records.
async fn write_audit(
    tx: &mut Tx,
    actor: &Actor,
    plan: &MergePlan,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let kept = plan.result.id;
    for (field, old, new) in plan.changed_fields() {
        let (old, new) = if field == MergeField::Owner {
            (
                plan.kept_before.owner_name.clone(),
                plan.result.owner_name.clone(),
            )
        } else {
            (old, new)
        };
        let (old, new) = (old.as_deref(), new.as_deref());
        audit(tx, now, actor.user_id, kept, field.code(), old, new).await?;
    }
    let from = id_list(plan.merged.iter().map(|c| c.id));
    audit(
        tx,
        now,
        actor.user_id,
        kept,
        "merged_from",
        None,
        Some(&from),
    )
    .await
}
