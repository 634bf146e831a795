//! Follow-ups (跟进记录): written with their verdict, read as a customer's history.

use crate::Store;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::followup::{Effectiveness, FollowUpKind, NewFollowUp};
use kehu_domain::ids::{CustomerId, UserId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// A follow-up as shown in a customer's history.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct FollowUp {
    /// Id.
    pub id: i64,
    /// Who logged it.
    pub author_id: i64,
    /// Their display name.
    pub author_name: String,
    /// `call`, `visit`, …
    pub kind: String,
    /// What happened.
    pub content: String,
    /// JSON array of tags.
    #[serde(skip)]
    pub tags: String,
    /// A call's duration.
    pub duration_secs: Option<i64>,
    /// The contact spoken to.
    pub contact_name: Option<String>,
    /// Whether it counts for protection and recycling.
    pub effective: bool,
    /// JSON array of the rules it missed.
    #[serde(skip)]
    pub unmet: String,
    /// When to follow up next.
    pub next_follow_up_at: Option<DateTime<Utc>>,
    /// When it was logged.
    pub at: DateTime<Utc>,
}

impl FollowUp {
    /// Its tags.
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }
}

impl Store {
    /// Logs a follow-up on `customer` (the caller checked the actor may write to it and the
    /// contact belongs to it). In the same transaction: an effective follow-up by the owner
    /// moves the customer's last-effective time, and a next follow-up time becomes the
    /// customer's.
    pub async fn add_follow_up(
        &self,
        actor: &Actor,
        customer: CustomerId,
        owner: Option<UserId>,
        new: &NewFollowUp,
        verdict: &Effectiveness,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = micros(now);
        let tags =
            serde_json::to_string(&new.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let unmet = serde_json::to_string(&verdict.unmet)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let by_owner = owner == Some(actor.user_id);
        let mut tx = self.begin_write().await?;
        let id = on_tx!(&mut tx, |c| {
            let id: i64 = sqlx::query_scalar(
                "insert into follow_ups (customer_id, author_id, kind, content, tags, duration_secs, \
                 contact_id, effective, unmet, next_follow_up_at, at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
            )
            .bind(customer.0)
            .bind(actor.user_id.0)
            .bind(new.kind.code())
            .bind(&new.content)
            .bind(&tags)
            .bind(new.duration_secs.map(i64::from))
            .bind(new.contact_id.map(|c| c.0))
            .bind(verdict.is_effective())
            .bind(&unmet)
            .bind(new.next_follow_up_at.map(micros))
            .bind(now)
            .fetch_one(&mut *c)
            .await?;
            if verdict.is_effective() && by_owner {
                sqlx::query("update customers set last_effective_follow_up_at = $1 where id = $2")
                    .bind(now)
                    .bind(customer.0)
                    .execute(&mut *c)
                    .await?;
            }
            if let Some(next) = new.next_follow_up_at {
                sqlx::query(
                    "update customers set next_follow_up_at = $1, version = version + 1, updated_at = $2 where id = $3",
                )
                .bind(micros(next))
                .bind(now)
                .bind(customer.0)
                .execute(&mut *c)
                .await?;
            }
            id
        });
        // A contact with the customer (not a note to self) answers their leads of it.
        if new.kind != FollowUpKind::Note {
            crate::leads::response::answer_by_follow_up(&mut tx, customer, actor.user_id, now)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// A customer's follow-ups, newest first. Unfiltered: call after `customer_for`.
    pub async fn follow_ups(&self, customer: CustomerId) -> Result<Vec<FollowUp>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, FollowUp>(
            "select f.id, f.author_id, u.name as author_name, f.kind, f.content, f.tags, f.duration_secs, \
             k.name as contact_name, f.effective, f.unmet, f.next_follow_up_at, f.at \
             from follow_ups f join users u on u.id = f.author_id \
             left join contacts k on k.id = f.contact_id \
             where f.customer_id = $1 order by f.at desc, f.id desc limit 200"
        )
        .bind(customer.0)
        .fetch_all(p)
        .await
        })?)
    }

    /// When `owner` logged effective follow-ups on `customer` since `since`, oldest first:
    /// what the protection period is computed from.
    pub async fn effective_follow_up_times(
        &self,
        customer: CustomerId,
        owner: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "select at from follow_ups where customer_id = $1 and author_id = $2 and effective \
             and at >= $3 order by at"
        )
        .bind(customer.0)
        .bind(owner.0)
        .bind(micros(since))
        .fetch_all(p)
        .await)?)
    }
}

/// What an owned customer's protection period is computed from: its source and grade (which
/// pick the policy), since when its owner has it, and the owner's effective follow-ups since.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtectionInput {
    /// Source code.
    pub source: String,
    /// Grade code.
    pub grade: Option<String>,
    /// Owner since.
    pub owner_since: DateTime<Utc>,
    /// The owner's effective follow-ups since then, oldest first.
    pub effective: Vec<DateTime<Utc>>,
}

/// id, source, grade, owner since, one effective follow-up's time (none: a null), and the
/// rules setting's JSON.
type ProtectionRow = (
    i64,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
);

/// Customers per statement of [`Store::protection_inputs`]: a duplicate check's hits.
const PROTECTION_SLOTS: usize = 8;

impl Store {
    /// [`ProtectionInput`] of each owned customer among `ids` (pool customers are left
    /// out), and the setting `rules` (the protection rules, `T::default()` when never set),
    /// read in one statement per eight customers: what the duplicate check shows as
    /// "protected until" beside each hit, on every check that has one.
    pub async fn protection_inputs<T: DeserializeOwned + Default>(
        &self,
        ids: &[CustomerId],
        rules: &str,
    ) -> Result<(HashMap<CustomerId, ProtectionInput>, T), StoreError> {
        let mut out: HashMap<CustomerId, ProtectionInput> = HashMap::new();
        let mut raw: Option<String> = None;
        for chunk in ids.chunks(PROTECTION_SLOTS) {
            let mut q = Query::new(
                "select c.id, c.source, c.grade, c.owner_since, f.at, \
                 (select value from settings where name = ",
            );
            q.push_bind(rules.to_owned()).push(
                ") from customers c \
                 left join follow_ups f on f.customer_id = c.id and f.author_id = c.owner_id \
                 and f.effective and f.at >= c.owner_since \
                 where c.owner_id is not null and c.id in (",
            );
            // Unused slots hold 0, which no customer has: the text never changes.
            q.push_list((0..PROTECTION_SLOTS).map(|k| chunk.get(k).map_or(0, |id| id.0)))
                .push(") order by c.id, f.at");
            let rows: Vec<ProtectionRow> = self.read_all(&q).await?;
            for (id, source, grade, owner_since, at, setting) in rows {
                raw = raw.or(setting);
                let entry = out
                    .entry(CustomerId(id))
                    .or_insert_with(|| ProtectionInput {
                        source,
                        grade,
                        owner_since,
                        effective: Vec::new(),
                    });
                entry.effective.extend(at);
            }
        }
        Ok((out, crate::settings::parse(rules, raw)?))
    }
}
