//! Leads that routing found nobody for wait as "unrouted" (every rule's reps on leave, off
//! shift or at their caps, or no rule matching). Each pass routes them again by the rules of
//! the moment, and so does saving the rules: a rep back from leave, or a fixed rule, takes
//! them without anyone re-entering a lead.

use crate::error::AppError;
use crate::state::AppState;
use chrono::Duration;

/// How far back a waiting lead is routed again: older ones are the managers' to decide.
const LOOKBACK_DAYS: i64 = 14;
/// Leads routed again per pass, oldest first: a bounded pass even when the rules leave
/// thousands waiting.
const PER_PASS: i64 = 200;

/// Routes every waiting lead of the last `LOOKBACK_DAYS` again; answers how many found a
/// rep or a lead pool. A lead still without one keeps waiting, its explanation the newest try.
pub async fn reroute_pass(state: &AppState) -> Result<usize, AppError> {
    let since = state.now() - Duration::days(LOOKBACK_DAYS);
    let mut placed = 0;
    for lead in state.store.unrouted_leads(since, PER_PASS).await? {
        if let Some(r) = crate::routing::route_waiting(state, lead).await?
            && (r.routing.chosen.is_some() || r.routing.pooled.is_some())
        {
            placed += 1;
        }
    }
    Ok(placed)
}
