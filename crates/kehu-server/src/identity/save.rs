//! Saving through the door: a strong key refuses (the store's unique index decides, so two
//! reps saving at once get one success); fuzzy hits hold the save until each is confirmed
//! as a different customer, and the confirmations are recorded with the save.

use super::{CheckInput, DuplicateHit, check};
use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::customer::keys::IdentityKey;
use kehu_domain::customer::{Customer, NewCustomer};
use kehu_domain::ids::CustomerId;
use kehu_store::StoreError;
use kehu_store::customers::CustomerView;
use kehu_store::distinct::Distinct;

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// Similar customers exist and not every one was confirmed as a different customer:
    /// all the fuzzy hits, for the rep to review and confirm.
    PossibleDuplicates(Vec<DuplicateHit>),
    /// Anything else, a strong-key duplicate included.
    App(AppError),
}

impl<E: Into<AppError>> From<E> for SaveError {
    fn from(e: E) -> Self {
        SaveError::App(e.into())
    }
}

/// Creates a customer unless a strong key refuses it or a fuzzy hit is not among
/// `confirmed` (hit keys the rep confirmed as different customers).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: &NewCustomer,
    confirmed: &[String],
) -> Result<CustomerId, SaveError> {
    let input = CheckInput::of_new(new);
    let hits = check(state, actor, &input, None).await?;
    let distinct = confirmations(hits, confirmed)?;
    match state
        .store
        .create_customer_confirming(actor, new, &distinct, state.now())
        .await
    {
        Ok(id) => Ok(id),
        Err(e) => Err(explain(state, actor, e, &input.keys).await.into()),
    }
}

/// Saves an edit on the same terms as [`create`]. Only an edit of what matching compares
/// (name, phone, credit code, province, city) is checked for fuzzy hits, and customers
/// already confirmed as different from this one are not asked about again.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    before: &CustomerView,
    edited: &Customer,
    confirmed: &[String],
) -> Result<(), SaveError> {
    let id = before.customer.id;
    let contacts = state.store.contacts(id).await?;
    let input = CheckInput::of_customer(edited, &contacts);
    let distinct = if matching_changed(&before.customer, edited) {
        let known = state.store.confirmed_distinct(id).await?;
        let hits = check(state, actor, &input, Some(id))
            .await?
            .into_iter()
            .filter(|h| !known.contains(&h.customer))
            .collect();
        confirmations(hits, confirmed)?
    } else {
        Vec::new()
    };
    match state
        .store
        .update_customer_confirming(actor, before, edited, &distinct, state.now())
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => Err(explain(state, actor, e, &input.keys).await.into()),
    }
}

fn matching_changed(a: &Customer, b: &Customer) -> bool {
    a.name != b.name
        || a.phone != b.phone
        || a.credit_code != b.credit_code
        || a.province != b.province
        || a.city != b.city
}

/// The confirmations to record, or the refusal when a fuzzy hit is unconfirmed. With a
/// strong hit nothing is asked: the store refuses that save whatever the rep says.
fn confirmations(
    hits: Vec<DuplicateHit>,
    confirmed: &[String],
) -> Result<Vec<Distinct>, SaveError> {
    if hits.iter().any(|h| h.blocks) {
        return Ok(Vec::new());
    }
    let fuzzy: Vec<DuplicateHit> = hits.into_iter().filter(|h| h.fuzzy).collect();
    if fuzzy.iter().any(|h| !confirmed.contains(&h.key)) {
        return Err(SaveError::PossibleDuplicates(fuzzy));
    }
    Ok(fuzzy
        .into_iter()
        .map(|h| Distinct {
            other: h.customer,
            other_name: h.name,
            score: h.score,
            reasons: h.reasons,
        })
        .collect())
}

/// Turns a store refusal into the answer a rep can act on: who has it, since when, until
/// when it is protected.
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
        Some(m) => {
            let mut hits = [super::exact_hit(m)];
            match super::complete(state, actor, &mut hits).await {
                Ok(()) => {
                    let [hit] = hits;
                    AppError::Duplicate(Box::new(hit))
                }
                Err(e) => e,
            }
        }
        // The holder vanished between the refusal and the lookup: ask to try again.
        None => AppError::Stale,
    }
}
