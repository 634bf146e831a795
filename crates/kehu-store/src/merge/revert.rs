//! Undoing a merge (admins): the merged records come back with what moved from them, the
//! kept record gets its old values back where nobody edited them since.

use super::FOLLOWERS;
use super::snapshot::{
    Marker, MergedRecord, Snapshot, audit, id_list, load, mark, rule, write_fields,
};
use super::write::insert_grant;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::rows::micros;
use crate::{Store, customers, deals, identity, match_index, ownership};
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::keys_of;
use kehu_domain::customer::merge::{CustomerFields, MergeField, reversal};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{LedgerKind, OwnerChange};
use serde::Serialize;

/// What undoing a merge did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevertOutcome {
    /// The record that had been kept.
    pub kept: CustomerId,
    /// The records that exist on their own again.
    pub restored: Vec<CustomerId>,
    /// Fields of the kept record put back to their value before the merge.
    pub restored_fields: Vec<MergeField>,
    /// Fields of the kept record edited since the merge, left as edited.
    pub kept_edits: Vec<MergeField>,
}

impl Store {
    /// Undoes merge `id` as `actor` (an admin: the caller checked), in one transaction.
    /// `Err(NotFound)` for an unknown merge; `Err(Conflict)` when it was undone already
    /// (`merge_reverted`) or its kept record has since been merged itself (`merge_kept_merged`);
    /// `Err(Duplicate)` when a restored record's strong key was taken since.
    pub async fn revert_merge(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<RevertOutcome, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let outcome = revert_in(&mut tx, actor, id, now).await?;
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }
}

async fn revert_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<RevertOutcome, StoreError> {
    // Compare-and-set on reverted_at: of two admins pressing undo, one does it.
    let claimed: Option<(i64, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "update merges set reverted_at = $1, reverted_by = $2 where id = $3 and reverted_at is null \
         returning kept_id, snapshot"
    )
    .bind(now)
    .bind(actor.user_id.0)
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    })?;
    let Some((kept_id, json)) = claimed else {
        let exists: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
            "select id from merges where id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await)?;
        return Err(match exists {
            Some(_) => StoreError::Conflict {
                what: "merge_reverted",
            },
            None => StoreError::NotFound,
        });
    };
    let snap: Snapshot = serde_json::from_str(&json)
        .map_err(|e| StoreError::Corrupt(format!("merge {id} snapshot: {e}")))?;
    let kept = CustomerId(kept_id);
    let again: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "select merged_into from customers where id = $1"
    )
    .bind(kept.0)
    .fetch_one(&mut *c)
    .await)?;
    if again.is_some() {
        return Err(StoreError::Conflict {
            what: "merge_kept_merged",
        });
    }
    let current = load(tx, kept, actor.user_id).await?;
    let r = reversal(&snap.kept, &snap.result, &current);
    let rule = rule(id);
    let mut version = current.version;
    if r.restored_fields.contains(&MergeField::Owner) {
        ownership::apply(
            tx,
            &OwnerChange {
                customer_id: kept,
                kind: LedgerKind::Unmerge,
                from: current.owner_id,
                to: r.restored.owner_id,
                by: actor.user_id,
                reason: None,
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
            kind: LedgerKind::Unmerge,
            owner: current.owner_id,
            by: actor.user_id,
            reason: None,
            rule: &rule,
            at: now,
        };
        mark(tx, &m).await?;
    }
    write_fields(tx, &r.restored, version, now).await?;
    // The kept record lets go of keys that came with the merge before the others take
    // theirs back.
    identity::write_keys(tx, kept, &keys_of(&r.restored)).await?;
    for contact in &snap.leftover_contacts {
        on_tx!(tx, |c| sqlx::query(
            "delete from contacts where id = $1 and customer_id = $2"
        )
        .bind(contact)
        .bind(kept.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let mut restored = Vec::with_capacity(snap.merged.len());
    for m in &snap.merged {
        restored.push(restore(tx, actor, m, kept, &rule, now).await?);
    }
    customers::search::refresh(tx, kept).await?;
    match_index::reindex(tx, kept).await?;
    for id in restored.iter().chain([&kept]) {
        deals::reproject(tx, *id).await?;
    }
    let (before, now_fields) = (&snap.kept, CustomerFields::of(&current));
    for f in &r.restored_fields {
        let (old, new) = (now_fields.text(*f), before.text(*f));
        audit(
            tx,
            now,
            actor.user_id,
            kept,
            f.code(),
            old.as_deref(),
            new.as_deref(),
        )
        .await?;
    }
    let list = id_list(restored.iter().copied());
    audit(
        tx,
        now,
        actor.user_id,
        kept,
        "merge_reverted",
        None,
        Some(&list),
    )
    .await?;
    Ok(RevertOutcome {
        kept,
        restored,
        restored_fields: r.restored_fields,
        kept_edits: r.kept_edits,
    })
}

/// Brings one merged record back with the rows that moved from it.
async fn restore(
    tx: &mut Tx,
    actor: &Actor,
    m: &MergedRecord,
    kept: CustomerId,
    rule: &str,
    now: DateTime<Utc>,
) -> Result<CustomerId, StoreError> {
    let id = CustomerId(m.id);
    let n = on_tx!(tx, |c| sqlx::query(
        "update customers set merged_into = null, version = version + 1, updated_at = $1 \
         where id = $2 and merged_into = $3"
    )
    .bind(now)
    .bind(id.0)
    .bind(kept.0)
    .execute(&mut *c)
    .await?
    .rows_affected());
    if n == 0 {
        return Err(StoreError::Stale);
    }
    // Only tables named in FOLLOWERS: the snapshot's table names are never put into SQL.
    for (table, _) in FOLLOWERS {
        let sql = format!("update {table} set customer_id = $1 where id = $2 and customer_id = $3");
        for row in m.moved.get(*table).into_iter().flatten() {
            on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.0)
                .bind(row)
                .bind(kept.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
    }
    for g in &m.collaborators {
        insert_grant(tx, id, g).await?;
    }
    for user in &m.collaborators_added {
        on_tx!(tx, |c| sqlx::query(
            "delete from collaborators where customer_id = $1 and user_id = $2"
        )
        .bind(kept.0)
        .bind(user)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let record = load(tx, id, actor.user_id).await?;
    identity::write_keys(tx, id, &keys_of(&record)).await?;
    customers::search::refresh(tx, id).await?;
    match_index::reindex(tx, id).await?;
    let marker = Marker {
        customer: id,
        kind: LedgerKind::Unmerge,
        owner: record.owner_id,
        by: actor.user_id,
        reason: None,
        rule,
        at: now,
    };
    mark(tx, &marker).await?;
    let from = id_list([kept]);
    audit(tx, now, actor.user_id, id, "merged_into", Some(&from), None).await?;
    Ok(id)
}
