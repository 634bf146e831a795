//! Allocation health (分配健康度) for managers and admins: each rep's share of leads against
//! their target share by rule weight, their open and missed-window leads, the backlog per
//! region, and the leads waiting longest.

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::lead::health::{ShareLine, share_lines};
use kehu_domain::{Actor, Role};
use kehu_store::leads::{Lead, RegionBacklog};
use std::collections::HashMap;

/// How many of the longest-waiting leads are listed.
pub const WAITING: i64 = 10;

/// The report.
pub struct Health {
    /// One line per rep in scope.
    pub reps: Vec<ShareLine>,
    /// Waiting leads per region.
    pub regions: Vec<RegionBacklog>,
    /// The open leads waiting longest.
    pub waiting: Vec<Lead>,
}

/// The report for `actor` (managers: their subtree; admins: everyone; reps: 403).
pub async fn report(state: &AppState, actor: &Actor) -> Result<Health, AppError> {
    if actor.role == Role::Rep {
        return Err(AppError::Forbidden);
    }
    let mut counts = state.store.rep_lead_counts(actor, state.now()).await?;
    let mut weights: HashMap<i64, u32> = HashMap::new();
    for stored in state.store.routing_rules().await? {
        if !stored.rule.active {
            continue;
        }
        for rep in &stored.rule.target.reps {
            *weights.entry(rep.user.0).or_default() += rep.weight();
        }
    }
    for c in &mut counts {
        c.weight = weights.get(&c.user.0).copied().unwrap_or(0);
    }
    Ok(Health {
        reps: share_lines(counts),
        regions: state.store.region_backlog(actor).await?,
        waiting: state.store.waiting_leads_for(actor, WAITING).await?,
    })
}
