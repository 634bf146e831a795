//! The recycle pass (回收): every pool's rules over the customers they watch; due ones go to
//! the rule's target pool with the rule and its facts in the ledger, owners of customers
//! about to be due are warned once.

use crate::error::AppError;
use crate::follow_ups::PROTECTION;
use crate::pages::local_time;
use crate::state::AppState;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::protection::ProtectionRules;
use kehu_domain::pool::{RecycleCause, RecycleRecord, RecycleVerdict, recycle_change};
use kehu_store::StoreError;
use kehu_store::pools::Pool;
use serde::Serialize;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecycleReport {
    /// Customers recycled.
    pub recycled: usize,
    /// Warnings sent (each at most once per customer, owner and due time).
    pub warned: usize,
    /// Due customers left alone because they changed meanwhile (claimed, recycled by another
    /// instance, edited twice in a row).
    pub skipped: usize,
}

/// One pass over every pool, judged at `state.now()`.
pub async fn recycle_pass(state: &AppState) -> Result<RecycleReport, AppError> {
    let now = state.now();
    let system = state.store.system_user().await?;
    let protection: ProtectionRules = state.store.setting(PROTECTION).await?;
    let pools = state.store.pools().await?;
    let mut report = RecycleReport::default();
    for pool in &pools {
        let whitelist: Vec<i64> = pool.whitelist.iter().map(|u| u.id).collect();
        let target = target_of(pool, &pools);
        let judged = state
            .store
            .judge_pool(pool.id, &pool.rules, &whitelist, &protection, now)
            .await?;
        for j in judged {
            let id = CustomerId(j.customer_id);
            match j.verdict {
                RecycleVerdict::Recycle { cause, due } => {
                    let record = RecycleRecord {
                        cause: cause.into(),
                        due,
                        pool: target.name.clone(),
                    };
                    if recycle_one(state, system, id, &record, target.id).await? {
                        report.recycled += 1;
                    } else {
                        report.skipped += 1;
                    }
                }
                RecycleVerdict::Warn { due, .. } => {
                    let when = local_time(due, state.config.utc_offset);
                    let owner = UserId(j.owner_id);
                    let sent = state
                        .store
                        .warn_of_recycle(id, &j.customer_name, owner, due, when, now)
                        .await?;
                    report.warned += usize::from(sent);
                }
                RecycleVerdict::Exempt { .. } | RecycleVerdict::Keep { .. } => {}
            }
        }
    }
    Ok(report)
}

/// The pool a rule sends customers to: its `recycle_to` when that pool exists, else itself.
fn target_of<'a>(pool: &'a Pool, pools: &'a [Pool]) -> &'a Pool {
    pool.rules
        .recycle_to
        .and_then(|t| pools.iter().find(|p| p.id == t))
        .unwrap_or(pool)
}

/// Recycles one customer unless it changed since it was judged; answers whether it did.
async fn recycle_one(
    state: &AppState,
    system: UserId,
    id: CustomerId,
    record: &RecycleRecord,
    pool: i64,
) -> Result<bool, AppError> {
    let Some(facts) = state.store.ownership_state(id).await? else {
        return Ok(false);
    };
    let Ok(change) = recycle_change(system, &facts, record, state.now()) else {
        // Released or recycled meanwhile (perhaps by another instance): nothing to do.
        return Ok(false);
    };
    match state.store.recycle_into(&change, pool).await {
        Ok(()) => Ok(true),
        // Claimed, edited or recycled since the facts were read: the next pass judges again.
        Err(StoreError::Stale) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The cause in a ledger sentence's words, for the timeline: the rule with its facts.
pub fn describe(t: crate::i18n::T, rule: &str, offset: chrono::FixedOffset) -> Option<String> {
    let r: RecycleRecord = serde_json::from_str(rule).ok()?;
    let date = |d| local_time(d, offset);
    let cause = match RecycleCause::from(r.cause) {
        RecycleCause::NoFollowUp { days, since } => t.fmt(
            "recycle.no_follow_up",
            &[("days", &days.to_string()), ("since", &date(since))],
        ),
        RecycleCause::NoProgress { days, since } => t.fmt(
            "recycle.no_progress",
            &[("days", &days.to_string()), ("since", &date(since))],
        ),
        RecycleCause::DealLost { at } => t.fmt("recycle.deal_lost", &[("at", &date(at))]),
    };
    Some(t.fmt("recycle.record", &[("cause", &cause), ("pool", &r.pool)]))
}
