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
use kehu_store::pools::{Pool, PoolWatch};
use kehu_store::{Recycle, RecycleWarning};
use serde::Serialize;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecycleReport {
    /// Customers recycled.
    pub recycled: usize,
    /// Warnings sent (each at most once per customer, owner and due time).
    pub warned: usize,
    /// Due customers left alone because they changed meanwhile (claimed, edited, or recycled by
    /// another instance since they were judged).
    pub skipped: usize,
}

/// One pass over every pool, judged at `state.now()`: one paged read of the customers for
/// all pools (see `Store::judge_pools`), then the recycles and the warnings, each written in
/// short transactions of a few dozen customers.
pub async fn recycle_pass(state: &AppState) -> Result<RecycleReport, AppError> {
    let now = state.now();
    let system = state.store.system_user().await?;
    let protection: ProtectionRules = state.store.setting(PROTECTION).await?;
    let pools = state.store.pools().await?;
    let whitelists: Vec<Vec<i64>> = pools
        .iter()
        .map(|p| p.whitelist.iter().map(|u| u.id).collect())
        .collect();
    let watches: Vec<PoolWatch<'_>> = pools
        .iter()
        .zip(&whitelists)
        .map(|(p, w)| PoolWatch {
            pool: p.id,
            rules: &p.rules,
            whitelist: w,
        })
        .collect();
    let judged = state.store.judge_pools(&watches, &protection, now).await?;
    let mut report = RecycleReport::default();
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    for j in judged {
        match j.verdict {
            RecycleVerdict::Recycle { cause, due } => {
                let Some(pool) = pools.iter().find(|p| p.id == j.pool_id) else {
                    continue;
                };
                let target = target_of(pool, &pools);
                let record = RecycleRecord {
                    cause: cause.into(),
                    due,
                    pool: target.name.clone(),
                };
                match recycle_change(system, &j.ownership_state(), &record, now) {
                    Ok(change) => changes.push(Recycle {
                        change,
                        pool: target.id,
                        activity: j.activity,
                        customer_name: j.customer_name,
                        owner_name: j.owner_name,
                    }),
                    Err(_) => report.skipped += 1,
                }
            }
            RecycleVerdict::Warn { due, .. } => warnings.push(RecycleWarning {
                customer: CustomerId(j.customer_id),
                customer_name: j.customer_name,
                owner: UserId(j.owner_id),
                due,
                due_text: local_time(due, state.config.utc_offset),
            }),
            RecycleVerdict::Exempt { .. } | RecycleVerdict::Keep { .. } => {}
        }
    }
    // Each change is a compare-and-set on the version read with the verdict: a customer
    // claimed, edited or recycled (perhaps by another instance) since is skipped, and the
    // next pass judges it again.
    for done in state.store.recycle_all(&changes).await? {
        if done {
            report.recycled += 1;
        } else {
            report.skipped += 1;
        }
    }
    report.warned = state.store.warn_of_recycles(&warnings, now).await?;
    Ok(report)
}

/// The pool a rule sends customers to: its `recycle_to` when that pool exists, else itself.
fn target_of<'a>(pool: &'a Pool, pools: &'a [Pool]) -> &'a Pool {
    pool.rules
        .recycle_to
        .and_then(|t| pools.iter().find(|p| p.id == t))
        .unwrap_or(pool)
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
