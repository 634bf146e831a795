//! Claims that hold under concurrency: the rep's counts are read and the claim written in
//! one write transaction that holds the rep's lock, so 20 parallel claims against a daily
//! limit of 5 give exactly 5, and the ownership cap is never exceeded, on either engine.

mod direct;
mod read;

use super::{Place, home_rules, lock_rep, parse_rules};
use crate::Store;
use crate::customers::{Contact, CustomerView};
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::ClaimNotice;
use crate::ownership::{apply, apply_claim, state_in};
use crate::rows::micros;
use chrono::{DateTime, FixedOffset, Utc};
use kehu_domain::Actor;
use kehu_domain::access::visibility;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{self as rules, OwnerChange, OwnershipError, OwnershipState};
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

/// What [`Store::claim_for`] came to.
#[derive(Debug)]
pub enum Claim {
    /// Claimed: the customer as the claimer sees it now, and its contacts.
    Claimed(Box<CustomerView>, Vec<Contact>),
    /// The ownership rules refuse (already owned …).
    Denied(OwnershipError),
    /// The actor may not read it: no such customer, or not in a pool open to them (any more).
    Unreadable,
}

// Everything a claim's rules look at, in one statement (the write lock is held meanwhile):
// the customer's pool rules, the rep's claims in the three windows (one range of the
// `(to_user, kind, at)` index), the customers they own, of those the won ones (deals:
// `customers.won_at`, counted on the partial index `customers_owner_won`, so the pool's
// `cap_counts_won` switch can leave them out), their last loss of this customer, and who
// owned it before the pool (the last event's `from_user`: the claim's notification goes to them).
const FACTS: &str = "select \
     (select rules from pools where id = coalesce((select pool_id from customers where id = $1), \
        (select id from pools where is_default))), \
     count(case when e.at >= $3 then 1 end), count(case when e.at >= $4 then 1 end), \
     count(case when e.at >= $5 then 1 end), \
     (select count(*) from customers where owner_id = $2 and merged_into is null), \
     (select count(*) from customers where owner_id = $2 and won_at is not null \
        and merged_into is null), \
     (select l.at from ownership_events l where l.customer_id = $1 and l.from_user = $2 \
        order by l.at desc limit 1), \
     (select f.from_user from ownership_events f where f.customer_id = $1 \
        order by f.at desc, f.id desc limit 1) \
     from ownership_events e where e.to_user = $2 and e.kind = 'claim' and e.at >= $6";

// Deals: the customers `$1` owns, and of those the won ones (see FACTS).
const OWNED: &str = "select count(*), count(won_at) from customers \
     where owner_id = $1 and merged_into is null";

type FactsRow = (
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<DateTime<Utc>>,
    Option<i64>,
);

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
            claim_locked(&mut tx, actor, &change, local, None).await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
        .await
    }

    /// The API's claim: claims pool customer `id` for `actor` if they may read it, and
    /// answers with the customer as they see it now. The access check, the ownership state
    /// and the answer's fields are read before the write lock; under it only the pool's
    /// claim rules are counted and the compare-and-set is written, so a row that moved
    /// meanwhile is `Err(Stale)` (decide again on fresh facts). A pool rule's refusal is
    /// `Err(Refused(_))`.
    pub async fn claim_for(
        &self,
        actor: &Actor,
        id: CustomerId,
        local: FixedOffset,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let now = micros(now);
        let Some((view, contacts)) = self.readable(actor, id).await? else {
            return Ok(Claim::Unreadable);
        };
        let change = match rules::claim(actor, &state_of(&view), now) {
            Ok(c) => c,
            Err(e) => return Ok(Claim::Denied(e)),
        };
        let name = view.customer.name.as_str();
        let direct = self
            .gate
            .direct(|db| direct::claim(db, actor, &change, local, name))
            .await;
        match direct {
            Some(done) => done?,
            None => {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    lock_rep(&mut tx, actor.user_id).await?;
                    claim_locked(&mut tx, actor, &change, local, Some(name)).await?;
                    tx.commit().await
                })
                .await?
            }
        }
        Ok(Claim::Claimed(
            Box::new(claimed(view, actor, &change)),
            contacts,
        ))
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

/// Under the write lock: counts the rep's facts, checks the pool's claim rules and writes
/// the claim. With the customer's `name` known, its notification is written without
/// reading anything again.
async fn claim_locked(
    tx: &mut Tx,
    actor: &Actor,
    change: &OwnerChange,
    local: FixedOffset,
    name: Option<&str>,
) -> Result<(), StoreError> {
    let (rules, facts, former) =
        claim_facts(tx, actor.user_id, change.customer_id, local, change.at).await?;
    if let Err(refusal) = rules.claim.check(&facts, change.at) {
        return Err(refused(refusal, &facts));
    }
    match name {
        Some(customer) => {
            let notice = ClaimNotice {
                former,
                customer,
                claimer: &actor.name,
            };
            apply_claim(tx, change, notice).await
        }
        None => apply(tx, change).await,
    }
}

/// The ownership facts of a customer as `customer_for` read it.
fn state_of(view: &CustomerView) -> OwnershipState {
    let c = &view.customer;
    OwnershipState {
        customer_id: c.id,
        owner_id: c.owner_id,
        owner_name: c.owner_name.clone(),
        owner_team_path: c.owner_team_path.clone(),
        owner_since: c.owner_since,
        version: c.version,
    }
}

/// The customer as the claimer reads it after `change`: what `ownership`'s compare-and-set
/// wrote (owner, since, version, no pool, unlocked), so the answer needs no read-back.
fn claimed(mut view: CustomerView, actor: &Actor, change: &OwnerChange) -> CustomerView {
    let c = &mut view.customer;
    c.owner_id = Some(actor.user_id);
    c.owner_name = Some(actor.name.clone());
    c.owner_team_path = actor.team_path.clone();
    c.owner_since = change.at;
    c.updated_at = change.at;
    c.version = change.expected_version + 1;
    view.place = Place {
        pool_id: None,
        pool_name: None,
        locked: false,
        pool_open: true,
    };
    view.visibility = visibility(actor, view.facts());
    view
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

/// The customers `rep` owns and, of those, the won ones (deals).
async fn owned(tx: &mut Tx, rep: UserId) -> Result<(u32, u32), StoreError> {
    let (n, won): (i64, i64) = on_tx!(tx, |c| sqlx::query_as(OWNED)
        .bind(rep.0)
        .fetch_one(&mut *c)
        .await)?;
    let n32 = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    Ok((n32(n), n32(won)))
}

/// The claim's pool rules, the rep's facts and the customer's former owner.
async fn claim_facts(
    tx: &mut Tx,
    rep: UserId,
    id: CustomerId,
    local: FixedOffset,
    now: DateTime<Utc>,
) -> Result<(PoolRules, ClaimFacts, Option<UserId>), StoreError> {
    let w = ClaimLimits::windows(now, local).map(micros);
    let earliest = w.iter().copied().min().unwrap_or(now);
    let row: FactsRow = on_tx!(tx, |c| sqlx::query_as(FACTS)
        .bind(id.0)
        .bind(rep.0)
        .bind(w[0])
        .bind(w[1])
        .bind(w[2])
        .bind(earliest)
        .fetch_one(&mut *c)
        .await)?;
    facts_of(row)
}

/// The claim's pool rules, the rep's facts and the former owner, from [`FACTS`]'s row.
fn facts_of(
    (rules, d, wk, m, owned, owned_won, lost_at, former): FactsRow,
) -> Result<(PoolRules, ClaimFacts, Option<UserId>), StoreError> {
    let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let rules = rules.map_or_else(|| Ok(PoolRules::default()), |r| parse_rules(&r))?;
    let facts = ClaimFacts {
        claimed: [n(d), n(wk), n(m)],
        owned: n(owned),
        owned_won: n(owned_won),
        lost_at,
    };
    Ok((rules, facts, former.map(UserId)))
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
    let (owned, owned_won) = owned(tx, to).await?;
    let facts = ClaimFacts {
        owned,
        owned_won,
        ..ClaimFacts::default()
    };
    limits
        .check(&facts, change.at)
        .map_err(|r| refused(r, &facts))
}
