//! Jobs: time-based rules applied by `kehu serve` in the background and by
//! `kehu jobs run-once` for those who prefer cron.
//!
//! Every pass judges "now" afresh, so it is idempotent and catches up by itself: a server that
//! was down for three days recycles, on its first pass, exactly what is due by then, once.
//! Several instances may run passes at the same time: each owner change is a compare-and-set
//! on the customer's version, and each warning is keyed by customer, owner and due time, so
//! every due item is handled once.

mod escalation;
mod recycle;
mod reroute;

pub use escalation::{EscalationReport, escalation_pass};
pub use recycle::{RecycleReport, describe as describe_recycle, recycle_pass};
pub use reroute::reroute_pass;

use crate::state::AppState;
use std::time::Duration;

/// How often `kehu serve` runs the passes.
pub const EVERY: Duration = Duration::from_secs(60);

/// What one run of every job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassReport {
    /// The recycle pass.
    pub recycle: RecycleReport,
    /// The response windows' escalation steps.
    pub escalation: EscalationReport,
    /// Waiting (unrouted) leads that found a rep or a lead pool this pass.
    pub rerouted: usize,
}

/// Runs every job once, now: finishes hand-overs a dead instance left behind, then the
/// recycle pass, then the due escalation steps of unanswered leads, then routes the leads
/// still waiting for a rep. Each runs even when
/// another fails; the first error is answered.
pub async fn run_once(state: &AppState) -> Result<PassReport, crate::error::AppError> {
    let resumed = crate::handover::resume_stale(state).await;
    if let Ok(ids) = &resumed
        && !ids.is_empty()
    {
        tracing::info!(handovers = ?ids, "resumed abandoned hand-overs");
    }
    let recycle = recycle_pass(state).await;
    let escalation = escalation_pass(state).await;
    let rerouted = reroute_pass(state).await;
    let heartbeat = crate::availability::check_heartbeat(state).await;
    resumed?;
    heartbeat?;
    Ok(PassReport {
        recycle: recycle?,
        escalation: escalation?,
        rerouted: rerouted?,
    })
}

/// Runs the jobs every `every`, starting at once (the catch-up), until the task is dropped.
/// A failed pass is logged and retried at the next tick; it never stops the server.
pub fn spawn(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&state).await {
                Ok(PassReport {
                    recycle: r,
                    escalation: e,
                    rerouted,
                }) => {
                    if rerouted > 0 {
                        tracing::info!(rerouted, "waiting leads routed");
                    }
                    if r.recycled + r.warned > 0 {
                        tracing::info!(
                            recycled = r.recycled,
                            warned = r.warned,
                            skipped = r.skipped,
                            "recycle pass"
                        );
                    }
                    if e.taken() > 0 {
                        tracing::info!(steps = ?e, "escalation steps");
                    }
                }
                Err(e) => tracing::error!(error = %e, "job pass failed"),
            }
        }
    })
}
