//! The lead pool (认领池) at the front door: a team's members claim its waiting leads, and
//! before they do they see what is known of the person: earlier inquiries, the matched
//! customer's past owners and its last follow-up.

use crate::error::AppError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::error::{FieldError, FieldErrors};
use kehu_domain::ids::CustomerId;
use kehu_domain::lead::LeadId;
use kehu_store::leads::{EarlierLead, Lead, LeadClaimRefusal};
use serde::Serialize;

/// What a rep sees of a pooled lead's history before claiming it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    /// Earlier inquiries of the same person, newest first.
    pub earlier: Vec<EarlierLead>,
    /// The matched customer's owners, oldest first: name and since when.
    pub past_owners: Vec<(String, DateTime<Utc>)>,
    /// The matched customer's last follow-up: kind, when, by whom.
    pub last_touch: Option<(String, DateTime<Utc>, String)>,
}

/// Claims pooled lead `id` for `actor`. Claimed by someone faster: 409 naming them (only to
/// members of its pool); readable but not waiting in a pool: 422 naming the lead; anything
/// else they may not read: 404.
pub async fn claim(state: &AppState, actor: &Actor, id: i64) -> Result<(), AppError> {
    let readable = state.store.lead_for(actor, id).await?.is_some();
    match state
        .store
        .claim_lead(LeadId(id), actor, state.now())
        .await?
    {
        Ok(()) => Ok(()),
        Err(LeadClaimRefusal::Taken(by)) => Err(AppError::LeadTaken(by)),
        Err(LeadClaimRefusal::NotInPool) if readable => {
            Err(FieldErrors::from(FieldError::new("lead", "lead_not_pooled")).into())
        }
        Err(LeadClaimRefusal::NotInPool) => Err(AppError::NotFound),
    }
}

/// The history summary of `lead` as `actor` may see it: the matched customer's part only
/// when they may read that customer.
pub async fn history(state: &AppState, actor: &Actor, lead: &Lead) -> Result<History, AppError> {
    let earlier = state.store.earlier_leads(LeadId(lead.id)).await?;
    let mut out = History {
        earlier,
        ..History::default()
    };
    let Some(customer) = lead.customer_id.map(CustomerId) else {
        return Ok(out);
    };
    if state.store.customer_for(actor, customer).await?.is_none() {
        return Ok(out);
    }
    out.past_owners = state
        .store
        .ledger(customer)
        .await?
        .into_iter()
        .filter_map(|e| e.to_name.map(|n| (n, e.at)))
        .collect();
    out.last_touch = state
        .store
        .follow_ups(customer)
        .await?
        .into_iter()
        .next()
        .map(|f| (f.kind, f.at, f.author_name));
    Ok(out)
}
