//! "Protected until" beside each owned hit of a duplicate check: how long the owner keeps
//! the customer before it may return to the pool, so a rep knows whether to wait, ask to
//! collaborate or appeal. Computed as the customer page computes it.

use super::DuplicateHit;
use crate::error::AppError;
use crate::follow_ups::PROTECTION;
use crate::state::AppState;
use kehu_domain::customer::{Grade, Source};
use kehu_domain::ids::CustomerId;
use kehu_domain::ownership::protection::{ProtectionRules, protection};

/// Sets `protected_until` on every hit whose customer has an owner: one read of the
/// customers' follow-ups and the rules for all hits.
pub(super) async fn protect(state: &AppState, hits: &mut [DuplicateHit]) -> Result<(), AppError> {
    let mut ids: Vec<CustomerId> = hits
        .iter()
        .filter(|h| h.owner_name.is_some())
        .map(|h| h.customer)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort();
    ids.dedup();
    let (inputs, rules): (_, ProtectionRules) =
        state.store.protection_inputs(&ids, PROTECTION).await?;
    for h in hits {
        let Some(i) = inputs.get(&h.customer) else {
            continue;
        };
        // A stored code that no longer parses shows no date rather than a wrong one.
        let Ok(source) = Source::parse(&i.source) else {
            continue;
        };
        let grade = i.grade.as_deref().and_then(|g| Grade::parse(g).ok());
        let policy = rules.policy(source, grade);
        h.protected_until = Some(protection(policy, i.owner_since, &i.effective).until);
    }
    Ok(())
}
