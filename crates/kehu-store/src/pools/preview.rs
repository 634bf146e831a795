//! What a pool's rules would recycle at an instant: the preview an admin sees before saving a
//! rule change. It asks the recycle judge (`judge.rs`) the same question the recycle job does.

use super::NewPool;
use super::home_pool;
use super::judge::{Judged, Owner, PoolWatch};
use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ownership::protection::ProtectionRules;
use kehu_domain::pool::{PoolRules, RecycleCause, RecycleVerdict};
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

// The users whose home pool is `$1`, with their names.
const HOME_TO: &str = concat!(
    "select u.id, u.name from users u where ",
    home_pool!("u.id"),
    " = $1 order by u.id"
);

impl Store {
    /// What `rules` (with `whitelist`) would recycle from pool `pool` at `at`, with the
    /// owners' recorded leave pausing their clocks. Deals are not recorded yet, so no customer
    /// is won or has an open deal.
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
        Ok(preview_of(judged, at))
    }

    /// What a pool about to be created as `new` would recycle at `at`: the customers of the
    /// reps whose home pool it would become, judged by its rules. Which reps those are is
    /// asked of the database with the pool inserted in a transaction that is rolled back, so
    /// the answer follows the same nearest-team rule as everywhere else. Saves nothing; a
    /// taken name is `Conflict { what: "name" }`.
    pub async fn recycle_preview_new(
        &self,
        new: &NewPool,
        protection_rules: &ProtectionRules,
        at: DateTime<Utc>,
    ) -> Result<Preview, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = super::crud::insert(&mut tx, new, micros(at)).await?;
        let homed: Vec<(i64, String)> = on_tx!(&mut tx, |c| sqlx::query_as(HOME_TO)
            .bind(id)
            .fetch_all(&mut *c)
            .await)?;
        match tx {
            Tx::Sqlite(t, _) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
            // Dropped: rolled back.
            Tx::Direct(_) => {}
        }
        let owners: HashMap<i64, Owner> = homed
            .into_iter()
            .map(|(user, name)| (user, Owner { name, watch: 0 }))
            .collect();
        let whitelist: Vec<i64> = new.whitelist.iter().map(|u| u.0).collect();
        let watch = PoolWatch {
            pool: id,
            rules: &new.rules,
            whitelist: &whitelist,
        };
        let judged = self
            .judge_owned(&owners, &[watch], protection_rules, at)
            .await?;
        Ok(preview_of(judged, at))
    }
}

/// The customers `judged` due for recycling, and how many reps lose some.
fn preview_of(judged: Vec<Judged>, at: DateTime<Utc>) -> Preview {
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
    Preview {
        at,
        reps,
        customers,
    }
}
