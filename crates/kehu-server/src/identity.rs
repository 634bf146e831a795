//! Duplicate checks at the door (查重): explain a refused save, answer the live check.

use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::{IdentityKey, keys_of_new};
use kehu_domain::customer::{Customer, NewCustomer};
use kehu_domain::ids::CustomerId;
use kehu_store::StoreError;
use kehu_store::identity::KeyMatch;
use serde::Serialize;

/// An existing customer a save collided with, as much as the actor may see of it.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateHit {
    /// The input field whose value is taken.
    pub field: &'static str,
    /// Why it matched, as a stable code (`same_mobile`, `same_landline`).
    pub reason: &'static str,
    /// Whether saving is refused (strong key) or only warned about.
    pub blocks: bool,
    /// The existing customer's id, only when the actor may open it.
    pub id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its owner; `None` when it is in the pool.
    pub owner_name: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Its phone, masked.
    pub masked_phone: String,
    /// The matched key as `kind|value` (from the actor's own input), to refer to the
    /// customer in a request without revealing its id.
    pub key: String,
}

async fn hit(state: &AppState, actor: &Actor, m: KeyMatch) -> Result<DuplicateHit, AppError> {
    let readable = state
        .store
        .customer_for(actor, m.customer_id)
        .await?
        .is_some();
    Ok(DuplicateHit {
        field: m.kind.field(),
        reason: match m.kind {
            kehu_domain::customer::keys::KeyKind::Mobile => "same_mobile",
            kehu_domain::customer::keys::KeyKind::Landline => "same_landline",
            kehu_domain::customer::keys::KeyKind::CreditCode => "same_credit_code",
        },
        blocks: m.strong,
        id: readable.then_some(m.customer_id.0),
        name: m.name,
        owner_name: m.owner_name,
        owner_since: m.owner_since,
        masked_phone: m.masked_phone,
        key: format!("{}|{}", m.kind.code(), m.value),
    })
}

/// Every existing customer sharing a key, for the live check; `exclude` skips the record
/// being edited.
pub async fn check(
    state: &AppState,
    actor: &Actor,
    keys: &[IdentityKey],
    exclude: Option<CustomerId>,
) -> Result<Vec<DuplicateHit>, AppError> {
    let mut out = Vec::new();
    for m in state.store.customers_sharing_keys(keys).await? {
        if Some(m.customer_id) != exclude {
            out.push(hit(state, actor, m).await?);
        }
    }
    Ok(out)
}

/// Turns a store refusal into the answer a rep can act on: who has it, since when.
async fn explain(
    state: &AppState,
    actor: &Actor,
    err: StoreError,
    keys: &[IdentityKey],
) -> AppError {
    let StoreError::Duplicate { existing, .. } = err else {
        return err.into();
    };
    let found = match state.store.customers_sharing_keys(keys).await {
        Ok(list) => list.into_iter().find(|m| m.customer_id == existing),
        Err(e) => return e.into(),
    };
    match found {
        Some(m) => match hit(state, actor, m).await {
            Ok(h) => AppError::Duplicate(Box::new(h)),
            Err(e) => e,
        },
        // The holder vanished between the refusal and the lookup: ask to try again.
        None => AppError::Stale,
    }
}

/// Creates a customer, or explains the duplicate that prevents it.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: &NewCustomer,
) -> Result<CustomerId, AppError> {
    match state.store.create_customer(actor, new, state.now()).await {
        Ok(id) => Ok(id),
        Err(e) => Err(explain(state, actor, e, &keys_of_new(new)).await),
    }
}

/// Saves an edit, or explains the duplicate that prevents it.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    before: &kehu_store::customers::CustomerView,
    edited: &Customer,
) -> Result<(), AppError> {
    match state
        .store
        .update_customer(actor, before, edited, state.now())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => Err(explain(
            state,
            actor,
            e,
            &kehu_domain::customer::keys::keys_of(edited),
        )
        .await),
    }
}
