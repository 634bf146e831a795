//! Follow-ups as the edges ask for them: check access, parse, judge by the configured rules,
//! store; and the protection period they extend.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::access::can_change;
use kehu_domain::error::FieldError;
use kehu_domain::followup::{Effectiveness, EffectivenessRules, FollowUpInput, NewFollowUp};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::protection::{Protection, ProtectionRules, protection};
use kehu_store::customers::CustomerView;

/// The setting holding the per-kind effectiveness rules.
pub const EFFECTIVENESS: &str = "follow_up_effectiveness";
/// The setting holding the protection periods.
pub const PROTECTION: &str = "protection_periods";

/// A logged follow-up and whether it counts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Logged {
    /// Its id.
    pub id: i64,
    /// Whether it is effective.
    pub effective: bool,
    /// The rules it missed.
    pub unmet: Vec<kehu_domain::followup::Unmet>,
}

/// Logs a follow-up on a customer the actor may edit (the owner, their manager chain, an
/// admin, a write collaborator). Unreadable customers are 404; readable but not editable
/// (a pool customer, a read-only collaborator) 403.
pub async fn log(
    state: &AppState,
    actor: &Actor,
    id: CustomerId,
    input: &FollowUpInput,
) -> Result<Logged, AppError> {
    let view = state
        .store
        .customer_for(actor, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !can_change(actor, view.facts()) {
        return Err(AppError::Forbidden);
    }
    let new = NewFollowUp::parse(input, state.config.utc_offset)?;
    if let Some(contact) = new.contact_id {
        let contacts = state.store.contacts(id).await?;
        if !contacts.iter().any(|c| c.id == contact) {
            return Err(FieldError::new("contact_id", "unknown_contact").into());
        }
    }
    let rules: EffectivenessRules = state.store.setting(EFFECTIVENESS).await?;
    let verdict: Effectiveness = rules.judge(&new);
    let follow_up = state
        .store
        .add_follow_up(
            actor,
            id,
            view.customer.owner_id,
            &new,
            &verdict,
            state.now(),
        )
        .await?;
    Ok(Logged {
        id: follow_up,
        effective: verdict.is_effective(),
        unmet: verdict.unmet,
    })
}

/// The current owner's protection period, `None` for a pool customer.
pub async fn protection_of(
    state: &AppState,
    view: &CustomerView,
) -> Result<Option<Protection>, AppError> {
    let c = &view.customer;
    let Some(owner) = c.owner_id else {
        return Ok(None);
    };
    let rules: ProtectionRules = state.store.setting(PROTECTION).await?;
    let times = state
        .store
        .effective_follow_up_times(c.id, owner, c.owner_since)
        .await?;
    Ok(Some(protection(
        rules.policy(c.source, c.grade),
        c.owner_since,
        &times,
    )))
}
