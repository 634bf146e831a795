//! Claims that hold under concurrency: the rep's counts are read and the claim written in
//! one write transaction that holds the rep's lock, so 20 parallel claims against a daily
//! limit of 5 give exactly 5, and the ownership cap is never exceeded, on either engine.

use super::{home_rules, lock_rep, parse_rules};
use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::ownership::{apply, state_in};
use crate::rows::micros;
use chrono::{DateTime, FixedOffset, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{self as rules, OwnerChange, OwnershipError};
use kehu_domain::pool::{ClaimFacts, ClaimLimits, ClaimRefusal, PoolRules};
use serde::Serialize;

/// A pool rule said no, with the figures to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum PoolRefusal {
    /// A claim rule: limit, cap or re-claim ban.
    Claim {
        /// Which, with its figures.
        refusal: ClaimRefusal,
        /// For a limit: the claims already made in that period.
        claimed: u32,
    },
    /// The rep has locked as many customers as the pool allows.
    LockLimit {
        /// The pool's lock limit.
        limit: u32,
    },
}

// Everything a claim's rules look at, in one statement (the write lock is held meanwhile):
// the customer's pool rules, the rep's claims in the three windows (one range of the
// `(to_user, kind, at)` index), the customers they own (won customers are not modelled yet:
// `owned_won` is 0, so the cap counts every customer), and their last loss of this customer.
const FACTS: &str = "select \
     (select rules from pools where id = coalesce((select pool_id from customers where id = $1), \
        (select id from pools where is_default))), \
     count(case when e.at >= $3 then 1 end), count(case when e.at >= $4 then 1 end), \
     count(case when e.at >= $5 then 1 end), \
     (select count(*) from customers where owner_id = $2 and merged_into is null), \
     (select l.at from ownership_events l where l.customer_id = $1 and l.from_user = $2 \
        order by l.at desc limit 1) \
     from ownership_events e where e.to_user = $2 and e.kind = 'claim' and e.at >= $6";

const OWNED: &str = "select count(*) from customers where owner_id = $1 and merged_into is null";

type FactsRow = (Option<String>, i64, i64, i64, i64, Option<DateTime<Utc>>);

impl Store {
    /// Claims pool customer `id` for `actor` under its pool's claim rules, counted in the
    /// claim's own transaction (`local` is the team's UTC offset, for day/week/month).
    /// `Ok(Err(_))` when the ownership rules refuse (already owned …); a pool rule's refusal
    /// is `Err(StoreError::Refused(_))`; a lost compare-and-set is `Err(Stale)`.
    pub async fn claim_from_pool(
        &self,
        actor: &Actor,
        id: CustomerId,
        local: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<Result<(), OwnershipError>, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            lock_rep(&mut tx, actor.user_id).await?;
            let state = state_in(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
            let change = match rules::claim(actor, &state, now) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e)),
            };
            let (rules, facts) = claim_facts(&mut tx, actor.user_id, id, local, now).await?;
            let limits = rules.claim;
            if let Err(refusal) = limits.check(&facts, now) {
                return Err(refused(refusal, &facts));
            }
            apply(&mut tx, &change).await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
        .await
    }

    /// Locks (锁定) or unlocks a customer `owner` owns; at most the home pool's lock limit.
    /// `NotFound` when `owner` does not own it.
    pub async fn set_locked(
        &self,
        owner: UserId,
        id: CustomerId,
        locked: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            lock_rep(&mut tx, owner).await?;
            if locked {
                let count: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
                    "select count(*) from customers where owner_id = $1 and locked and id <> $2"
                )
                .bind(owner.0)
                .bind(id.0)
                .fetch_one(&mut *c)
                .await)?;
                let rules = home_rules(&mut tx, owner).await?;
                if let Err(e) = rules.may_lock(u32::try_from(count).unwrap_or(u32::MAX)) {
                    return Err(StoreError::Refused(PoolRefusal::LockLimit {
                        limit: e.limit,
                    }));
                }
            }
            let moved = on_tx!(&mut tx, |c| {
                sqlx::query(
                "update customers set locked = $1, updated_at = $2 where id = $3 and owner_id = $4"
            )
            .bind(locked)
            .bind(now)
            .bind(id.0)
            .bind(owner.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
            });
            if moved == 0 {
                return Err(StoreError::NotFound);
            }
            tx.commit().await
        })
        .await
    }
}

fn refused(refusal: ClaimRefusal, facts: &ClaimFacts) -> StoreError {
    let claimed = match refusal {
        ClaimRefusal::Limit { period, .. } => match period {
            "day" => facts.claimed[0],
            "week" => facts.claimed[1],
            _ => facts.claimed[2],
        },
        _ => 0,
    };
    StoreError::Refused(PoolRefusal::Claim { refusal, claimed })
}

async fn owned(tx: &mut Tx, rep: UserId) -> Result<u32, StoreError> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(OWNED)
        .bind(rep.0)
        .fetch_one(&mut *c)
        .await)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn claim_facts(
    tx: &mut Tx,
    rep: UserId,
    id: CustomerId,
    local: FixedOffset,
    now: DateTime<Utc>,
) -> Result<(PoolRules, ClaimFacts), StoreError> {
    let w = ClaimLimits::windows(now, local).map(micros);
    let earliest = w.iter().copied().min().unwrap_or(now);
    let (rules, d, wk, m, owned, lost_at): FactsRow = on_tx!(tx, |c| sqlx::query_as(FACTS)
        .bind(id.0)
        .bind(rep.0)
        .bind(w[0])
        .bind(w[1])
        .bind(w[2])
        .bind(earliest)
        .fetch_one(&mut *c)
        .await)?;
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let rules = rules.map_or_else(|| Ok(PoolRules::default()), |r| parse_rules(&r))?;
    let facts = ClaimFacts {
        claimed: [n(d), n(wk), n(m)],
        owned: n(owned),
        owned_won: 0,
        lost_at,
    };
    Ok((rules, facts))
}

/// Refuses an assignment (transfer) that would take `change.to` over their home pool's
/// ownership cap; holds the target's lock until the caller's transaction ends.
pub(crate) async fn check_cap(tx: &mut Tx, change: &OwnerChange) -> Result<(), StoreError> {
    let Some(to) = change.to else { return Ok(()) };
    lock_rep(tx, to).await?;
    let rules = home_rules(tx, to).await?;
    let limits = ClaimLimits {
        ownership_cap: rules.claim.ownership_cap,
        cap_counts_won: rules.claim.cap_counts_won,
        ..ClaimLimits::default()
    };
    let facts = ClaimFacts {
        owned: owned(tx, to).await?,
        ..ClaimFacts::default()
    };
    limits
        .check(&facts, change.at)
        .map_err(|r| refused(r, &facts))
}
