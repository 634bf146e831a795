//! A lead made a customer (转为客户), from the lead page's form or the API: who may is decided
//! here once, before anything is saved; the store links the lead under the same condition,
//! so a conversion racing another still links it once.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::error::FieldError;
use kehu_domain::ids::CustomerId;
use kehu_domain::lead::LeadId;
use kehu_store::leads::Lead;

/// The field a conversion names its lead in (the API body, the form's hidden input).
pub const FIELD: &str = "from_lead";

/// Whether `actor` may make a customer of `lead`: it is assigned to them and is not linked
/// to a customer yet.
pub fn convertible(lead: &Lead, actor: &Actor) -> bool {
    lead.status == "assigned"
        && lead.assigned_to == Some(actor.user_id.0)
        && lead.customer_id.is_none()
}

/// Lead `id` when `actor` may make a customer of it; else a field error on [`FIELD`] (the
/// same for a lead they may not read, so ids reveal nothing).
pub async fn lead_to_convert(state: &AppState, actor: &Actor, id: i64) -> Result<LeadId, AppError> {
    match state.store.lead_for(actor, id).await? {
        Some(lead) if convertible(&lead, actor) => Ok(LeadId(id)),
        _ => Err(FieldError::new(FIELD, "lead_not_convertible").into()),
    }
}

/// After the customer is saved: the lead points at it, the step in its history.
pub async fn link(
    state: &AppState,
    actor: &Actor,
    lead: LeadId,
    customer: CustomerId,
) -> Result<(), AppError> {
    state
        .store
        .convert_lead(lead, actor.user_id, customer, state.now())
        .await?;
    Ok(())
}
