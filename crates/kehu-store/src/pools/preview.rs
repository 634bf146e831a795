//! What a pool's rules would recycle at an instant: the preview an admin sees before saving a
//! rule change. It asks `kehu_domain::pool::judge` the same question the recycle job does.

use super::home_pool;
use crate::Store;
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use kehu_domain::customer::{Grade, Source};
use kehu_domain::ownership::protection::{ProtectionRules, protection};
use kehu_domain::pool::{PoolRules, RecycleCause, RecycleFacts, RecycleVerdict, judge};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// One customer the rules would recycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewItem {
    /// The customer.
    pub customer_id: i64,
    /// Its name.
    pub customer_name: String,
    /// Its owner.
    pub owner_id: i64,
    /// The owner's name.
    pub owner_name: String,
    /// The rule and its facts.
    pub cause: RecycleCause,
}

/// "This change will recycle N customers from M reps" at `at`, with the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The instant judged.
    pub at: DateTime<Utc>,
    /// Distinct owners losing customers.
    pub reps: usize,
    /// The customers, by owner then id.
    pub customers: Vec<PreviewItem>,
}

// Customers owned by reps whose home pool is `$1`: the ones this pool's rules watch.
const OWNED: &str = concat!(
    "select c.id, c.name, c.grade, c.source, c.owner_id, o.name, c.owner_since, \
     c.last_effective_follow_up_at, c.locked \
     from customers c join users o on o.id = c.owner_id \
     where c.merged_into is null and ",
    home_pool!("o.id"),
    " = $1 order by o.id, c.id"
);

const FOLLOW_UPS: &str = "select f.customer_id, f.at from follow_ups f \
     join customers c on c.id = f.customer_id \
     where f.effective and c.owner_id is not null and f.at >= c.owner_since";

type OwnedRow = (
    i64,
    String,
    Option<String>,
    String,
    i64,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    bool,
);

/// One owned customer watched by a pool's rules, with the rules' verdict on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// The customer.
    pub customer_id: i64,
    /// Its name.
    pub customer_name: String,
    /// Its owner.
    pub owner_id: i64,
    /// The owner's name.
    pub owner_name: String,
    /// What the rules say at the instant judged.
    pub verdict: RecycleVerdict,
}

impl Store {
    /// What `rules` (with `whitelist`) would recycle from pool `pool` at `at`. Deals and
    /// leave are not recorded yet, so no customer is won, has an open deal or a paused clock.
    pub async fn recycle_preview(
        &self,
        pool: i64,
        rules: &PoolRules,
        whitelist: &[i64],
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Preview, StoreError> {
        let judged = self
            .judge_pool(pool, rules, whitelist, protection_rules, at)
            .await?;
        let customers: Vec<PreviewItem> = judged
            .into_iter()
            .filter_map(|j| match j.verdict {
                RecycleVerdict::Recycle { cause, .. } => Some(PreviewItem {
                    customer_id: j.customer_id,
                    customer_name: j.customer_name,
                    owner_id: j.owner_id,
                    owner_name: j.owner_name,
                    cause,
                }),
                _ => None,
            })
            .collect();
        let reps = customers
            .iter()
            .map(|c| c.owner_id)
            .collect::<BTreeSet<_>>()
            .len();
        Ok(Preview {
            at,
            reps,
            customers,
        })
    }

    /// Every customer pool `pool`'s rules watch (owned by reps whose home pool it is), with
    /// the verdict at `at`: what the recycle job acts on and the preview shows.
    pub async fn judge_pool(
        &self,
        pool: i64,
        rules: &PoolRules,
        whitelist: &[i64],
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Vec<Judged>, StoreError> {
        let rows: Vec<OwnedRow> = on_db!(&self.db, |p| sqlx::query_as(OWNED)
            .bind(pool)
            .fetch_all(p)
            .await)?;
        let follow_ups: Vec<(i64, DateTime<Utc>)> =
            on_db!(&self.db, |p| sqlx::query_as(FOLLOW_UPS).fetch_all(p).await)?;
        let mut by_customer: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
        for (id, t) in follow_ups {
            by_customer.entry(id).or_default().push(t);
        }
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, grade, source, owner, owner_name, since, last, locked) in rows {
            let grade = grade.as_deref().and_then(|g| Grade::parse(g).ok());
            let source = Source::parse(&source).unwrap_or(Source::Other);
            let times = by_customer.get(&id).map_or(&[][..], Vec::as_slice);
            let policy = protection_rules.policy(source, grade);
            let facts = RecycleFacts {
                owner_since: since,
                last_effective_follow_up: last,
                last_progress: None,
                deal_lost_at: None,
                won: false,
                open_deal: false,
                locked,
                whitelisted: whitelist.contains(&owner),
                protected_until: protection(policy, since, times).until,
                leave: Vec::new(),
            };
            out.push(Judged {
                customer_id: id,
                customer_name: name,
                owner_id: owner,
                owner_name,
                verdict: judge(rules.recycle_rule(grade), &facts, at),
            });
        }
        Ok(out)
    }
}
