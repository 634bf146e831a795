//! Half a year of ownership changes, made through the real rules and the one writer:
//! releases to the pool, claims from it, transfers by managers, and a few collaborators.

use super::customers::Created;
use super::names::{RELEASE_REASONS, TRANSFER_REASONS};
use super::org::Org;
use super::{china_local, from_china_local, pick};
use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use kehu_domain::Actor;
use kehu_domain::access::CollaboratorAccess;
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::{self, OwnershipError, OwnershipState, Reason};
use kehu_store::{Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;

/// Share of customers their owner gave back to the pool.
const RELEASED: f64 = 0.15;
/// Share of released customers another rep of the team later claimed.
const RECLAIMED: f64 = 1.0 / 3.0;
/// Share of customers a manager moved to another rep.
const TRANSFERRED: f64 = 0.05;
/// Share of owned customers shared with a colleague.
const SHARED: f64 = 0.03;

/// Plays each customer's history after its creation; returns how many end in the pool.
pub(super) async fn play(
    store: &Store,
    rng: &mut StdRng,
    org: &Org,
    created: &[Created],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut in_pool = 0;
    for c in created {
        let team = org
            .teams
            .get(c.team)
            .ok_or_else(|| StoreError::Corrupt(format!("demo: no team {}", c.team)))?;
        let mut holder = Some(&c.owner);
        let mut last = c.at;
        let roll: f64 = rng.random();
        if roll < RELEASED {
            if let Some(at) = later(rng, last, now) {
                let reason = reason(pick(rng, RELEASE_REASONS));
                let state = load_state(store, c.id).await?;
                let change = ownership::release(&c.owner, &state, &reason, at)
                    .map_err(refused("release", c.id))?;
                store.apply_owner_change(&change).await?;
                (holder, last) = (None, at);
                if rng.random_bool(RECLAIMED) {
                    let claimer = team.other_rep(rng, c.owner.user_id);
                    if let (Some(claimer), Some(at)) = (claimer, later(rng, last, now)) {
                        let state = load_state(store, c.id).await?;
                        let change = ownership::claim(claimer, &state, at)
                            .map_err(refused("claim", c.id))?;
                        store.apply_owner_change(&change).await?;
                        (holder, last) = (Some(claimer), at);
                    }
                }
            }
        } else if roll < RELEASED + TRANSFERRED {
            let to = team.other_rep(rng, c.owner.user_id);
            if let (Some(to), Some(at)) = (to, later(rng, last, now)) {
                let target = store.transfer_target(to.user_id).await?.ok_or_else(|| {
                    StoreError::Corrupt(format!("demo: rep {} vanished", to.user_id))
                })?;
                let reason = reason(pick(rng, TRANSFER_REASONS));
                let state = load_state(store, c.id).await?;
                let change = ownership::transfer(&team.manager, &state, &target, &reason, at)
                    .map_err(refused("transfer", c.id))?;
                store.apply_owner_change(&change).await?;
                (holder, last) = (Some(to), at);
            }
        }
        match holder {
            None => in_pool += 1,
            Some(owner) if rng.random_bool(SHARED) => {
                share(store, rng, org, c, owner, last, now).await?
            }
            Some(_) => {}
        }
    }
    Ok(in_pool)
}

/// Gives a colleague of the owner read access, as owners do to get a second opinion.
async fn share(
    store: &Store,
    rng: &mut StdRng,
    org: &Org,
    c: &Created,
    owner: &Actor,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(team) = org.teams.get(c.team) else {
        return Ok(());
    };
    let colleague = team.other_rep(rng, owner.user_id);
    if let (Some(colleague), Some(at)) = (colleague, later(rng, after, now)) {
        store
            .add_collaborator(
                c.id,
                colleague.user_id,
                CollaboratorAccess::Read,
                owner.user_id,
                at,
            )
            .await?;
    }
    Ok(())
}

/// The reason of a change; the texts are constants that fit the rule.
fn reason(text: &str) -> Reason {
    Reason::parse(text).expect("demo reasons are non-empty and short")
}

/// Loads the ownership facts a rule decides on.
async fn load_state(store: &Store, id: CustomerId) -> Result<OwnershipState, StoreError> {
    store
        .ownership_state(id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("demo: customer {id} vanished")))
}

/// A refused change is a bug in the seeder, not bad input: report which one.
fn refused(what: &'static str, id: CustomerId) -> impl FnOnce(OwnershipError) -> StoreError {
    move |e| StoreError::Corrupt(format!("demo: {what} of customer {id} refused: {e}"))
}

/// A moment between `after` and `now`, usually days or weeks after `after`, in office hours
/// when that keeps the order; `None` when too little time is left.
fn later(rng: &mut StdRng, after: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let span = (now - after).num_seconds();
    if span < 2 * 3600 {
        return None;
    }
    let t = after + TimeDelta::seconds(rng.random_range(span / 20..span * 9 / 10));
    let day = china_local(t).date().and_time(NaiveTime::MIN);
    let office = from_china_local(day + TimeDelta::seconds(rng.random_range(34_200..64_800)));
    Some(if office > after + TimeDelta::minutes(1) && office < now {
        office
    } else {
        t
    })
}
