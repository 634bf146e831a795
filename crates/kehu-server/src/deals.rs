//! Deals (商机) as the edges ask for them: check access on the customer, parse, judge the
//! stage move, store. Whoever may read the customer sees its deals; whoever may edit it (the
//! owner, their manager chain, an admin, a write collaborator) adds and moves them.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::access::can_change;
use kehu_domain::deal::{DealId, DealInput, NewDeal, StageInput, move_stage};
use kehu_domain::ids::CustomerId;
use kehu_store::customers::CustomerView;
use kehu_store::deals::Deal;

/// The customer, if `actor` may read it; 404 otherwise (existence does not leak).
pub async fn readable(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<CustomerView, AppError> {
    state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The customer, if `actor` may edit it: 404 when unreadable, 403 when readable only (a pool
/// customer, a read-only collaborator).
async fn writable(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
) -> Result<CustomerView, AppError> {
    let view = readable(state, actor, id).await?;
    if !can_change(actor, view.facts()) {
        return Err(AppError::Forbidden);
    }
    Ok(view)
}

/// Adds a deal to a customer the actor may edit; answers it as stored.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    input: &DealInput,
) -> Result<Deal, AppError> {
    writable(state, actor, id).await?;
    let new = NewDeal::parse(input)?;
    let deal = state
        .store
        .create_deal(actor, id, &new, state.now())
        .await?;
    state.store.deal(id, deal).await?.ok_or(AppError::NotFound)
}

/// Moves a deal of a customer the actor may edit to another stage (a loss with its reason);
/// a deal of another customer is 404, a closed deal or a bad stage a field error, a deal
/// moved by someone else meanwhile 409.
pub async fn move_to(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    deal: DealId,
    input: &StageInput,
) -> Result<Deal, AppError> {
    writable(state, actor, id).await?;
    let current = state
        .store
        .deal(id, deal)
        .await?
        .ok_or(AppError::NotFound)?;
    let mv = move_stage(current.stage()?, input)?;
    state
        .store
        .move_deal(actor, id, deal, &mv, state.now())
        .await?;
    state.store.deal(id, deal).await?.ok_or(AppError::NotFound)
}

/// A customer's deals, for a reader of it.
pub async fn list(state: &AppState, actor: &Actor, id: CustomerId) -> Result<Vec<Deal>, AppError> {
    readable(state, actor, id).await?;
    Ok(state.store.deals(id).await?)
}
