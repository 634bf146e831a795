//! Follow-ups on the customers their owners look after, so the demo's pools behave as a
//! team's would: most owners follow up, a few are about to lose a customer (the recycle job
//! warns them at start), a very few have neglected one long enough for it to be recycled.

use super::customers::Created;
use super::names::FOLLOW_UP_NOTES;
use super::pick;
use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use kehu_domain::followup::{EffectivenessRules, FollowUpInput, NewFollowUp};
use kehu_store::{Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;

/// Share of owned customers whose last effective follow-up is 27–29 days old (warned).
const ABOUT_TO_LAPSE: f64 = 0.08;
/// Share left without a follow-up for over 30 days (recycled at the first pass).
const NEGLECTED: f64 = 0.03;

/// Logs follow-ups by the current owner of each owned customer.
pub(super) async fn log(
    store: &Store,
    rng: &mut StdRng,
    created: &[Created],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rules = EffectivenessRules::default();
    let china = FixedOffset::east_opt(8 * 3600).unwrap_or(FixedOffset::east_opt(0).expect("utc"));
    for c in created {
        let Some(state) = store.ownership_state(c.id).await? else {
            continue;
        };
        let Some(owner) = state.owner_id else {
            continue;
        };
        let roll: f64 = rng.random();
        let days_ago = if roll < NEGLECTED {
            continue;
        } else if roll < NEGLECTED + ABOUT_TO_LAPSE {
            rng.random_range(27..30)
        } else {
            rng.random_range(1..21)
        };
        let at = now - TimeDelta::days(days_ago) - TimeDelta::minutes(rng.random_range(0..480));
        if at <= state.owner_since {
            continue;
        }
        let Some(actor) = store.actor(owner).await? else {
            continue;
        };
        let input = FollowUpInput {
            kind: Some("note".into()),
            content: Some(pick(rng, FOLLOW_UP_NOTES).into()),
            ..FollowUpInput::default()
        };
        let f = NewFollowUp::parse(&input, china)
            .map_err(|e| StoreError::Corrupt(format!("demo follow-up: {e}")))?;
        store
            .add_follow_up(&actor, c.id, Some(owner), &f, &rules.judge(&f), at)
            .await?;
    }
    Ok(())
}
