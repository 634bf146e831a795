//! Owner changes as the edges (API and pages) ask for them: load, let the domain decide,
//! persist through the store's one writer, and on a lost race decide again on fresh facts.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{self, OwnerChange, OwnershipState, Reason, TransferTarget};
use kehu_store::StoreError;
use kehu_store::customers::{Contact, CustomerView};
use kehu_store::pools::Claim;
use serde::Serialize;

/// How often a decision is retried after losing a compare-and-set to a concurrent edit.
const ATTEMPTS: usize = 3;

pub(crate) async fn decide_and_apply<F>(
    state: &AppState,
    id: CustomerId,
    decide: F,
) -> Result<(), AppError>
where
    F: Fn(&OwnershipState) -> Result<OwnerChange, ownership::OwnershipError>,
{
    for _ in 0..ATTEMPTS {
        let facts = state
            .store
            .ownership_state(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = decide(&facts)?;
        match state.store.apply_owner_change(&change).await {
            Ok(()) => return Ok(()),
            // Someone moved the row first: decide again on what is there now (a second
            // claimer then gets "already claimed by …").
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Stale)
}

/// Record-level check: a customer the actor may not read does not exist for them.
async fn readable(state: &AppState, actor: &Actor, id: CustomerId) -> Result<(), AppError> {
    state
        .store
        .customer_for(actor, id)
        .await?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// Claims a pool customer for `actor`, and answers with it (and its contacts) as they see
/// it now.
pub async fn claim(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<(CustomerView, Vec<Contact>), AppError> {
    let now = state.now();
    // The access check, the ownership state and the answer are read once, before the write
    // lock; the pool's claim rules are counted and the claim written in one transaction that
    // holds the rep's lock. A lost compare-and-set decides again on fresh facts.
    let local = state.config.utc_offset;
    for _ in 0..ATTEMPTS {
        match state.store.claim_for(actor, id, local, now).await {
            Ok(Claim::Claimed(view, contacts)) => return Ok((*view, contacts)),
            Ok(Claim::Denied(e)) => return Err(e.into()),
            Ok(Claim::Unreadable) => return Err(lost_race(state, id).await?),
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Stale)
}

/// Why a claimer cannot read the customer: if it was in the pool moments ago, this claimer
/// lost a race and is told who won; otherwise it does not exist for them. A fresh instant:
/// the winner may have read the clock after this request did.
async fn lost_race(state: &AppState, id: CustomerId) -> Result<AppError, AppError> {
    let now = state.now();
    let last = state.store.ledger_at(id, now).await?;
    Ok(last
        .and_then(|e| ownership::lost_claim_race(&e, now))
        .map_or(AppError::NotFound, AppError::from))
}

/// A target outside the actor's reach is a problem with the `to` field.
fn target_field(e: AppError) -> AppError {
    match e {
        AppError::Ownership(ownership::OwnershipError::TargetNotAssignable) => {
            FieldError::new("to", "target_not_assignable").into()
        }
        other => other,
    }
}

/// Releases a customer to the pool with a reason.
pub async fn release(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = Reason::parse(reason)?;
    readable(state, actor, id).await?;
    let now = state.now();
    decide_and_apply(state, id, |s| ownership::release(actor, s, &reason, now)).await
}

/// Loads the rep a transfer goes to; an unknown id is a field error on `to`.
pub async fn target(state: &AppState, to: UserId) -> Result<TransferTarget, AppError> {
    state
        .store
        .transfer_target(to)
        .await?
        .ok_or_else(|| FieldError::new("to", "unknown_value").into())
}

/// Transfers one customer to another rep with a reason.
pub async fn transfer(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    to: UserId,
    reason: &str,
) -> Result<(), AppError> {
    let reason = Reason::parse(reason)?;
    let target = target(state, to).await?;
    readable(state, actor, id).await?;
    let now = state.now();
    decide_and_apply(state, id, |s| {
        ownership::transfer(actor, s, &target, &reason, now)
    })
    .await
    .map_err(target_field)
}

/// The outcome of moving all of a rep's customers.
#[derive(Debug, Serialize)]
pub struct TransferReport {
    /// Customers moved.
    pub moved: usize,
    /// Customers not moved, with why (claimed or changed meanwhile, …).
    pub skipped: Vec<Skipped>,
}

/// A customer a bulk transfer did not move.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Skipped {
    /// The customer.
    pub customer_id: i64,
    /// Why.
    pub reason: String,
}

/// Transfers every customer `from` owns to `to` (a rep leaves: one step, one ledger event
/// per customer); see [`crate::handover`] for spreading over a team or back to the pool.
pub async fn transfer_all(
    state: &AppState,
    actor: &Actor,
    from: UserId,
    to: UserId,
    reason: &str,
) -> Result<TransferReport, AppError> {
    let plan = crate::handover::plan(
        state,
        actor,
        from,
        crate::handover::Destination::Rep(to),
        reason,
    )
    .await?;
    crate::handover::run(state, actor, &plan, None)
        .await
        .map_err(target_field)
}
