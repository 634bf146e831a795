//! The escalation pass (升级): takes every due step of the response windows' ladders for
//! leads nobody has answered — remind the rep, tell the manager, reassign to the next
//! candidate — each a lead event. A server that was down takes the missed steps in order on
//! its first pass; two instances take each step once (compare-and-set on the step count).

use crate::error::AppError;
use crate::state::AppState;
use kehu_domain::lead::StepAction;
use kehu_store::leads::DueStep;
use serde::Serialize;

/// Due steps read at a time.
const BATCH: i64 = 500;
/// Most batches in one pass; what is left waits for the next pass.
const ROUNDS: usize = 40;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EscalationReport {
    /// Reps reminded.
    pub reminded: usize,
    /// Leads whose managers were told of the breach.
    pub managers_told: usize,
    /// Leads given to another rep.
    pub reassigned: usize,
    /// Leads due for reassignment kept by their rep: the customer's owner, or nobody else
    /// could take them (their managers are told).
    pub kept: usize,
    /// Steps left alone because the lead moved meanwhile (answered, or taken by another
    /// instance).
    pub skipped: usize,
}

impl EscalationReport {
    /// Steps taken.
    pub fn taken(&self) -> usize {
        self.reminded + self.managers_told + self.reassigned + self.kept
    }
}

/// Takes every step due at `state.now()`, in rounds: a lead several steps behind takes one
/// step a round, in ladder order.
pub async fn escalation_pass(state: &AppState) -> Result<EscalationReport, AppError> {
    let now = state.now();
    let mut report = EscalationReport::default();
    for _ in 0..ROUNDS {
        let due = state.store.due_lead_steps(now, BATCH).await?;
        let before = report;
        for d in &due {
            take(state, d, &mut report).await?;
        }
        // Nothing taken: what is still due moved under another instance; next pass.
        if due.is_empty() || report.taken() == before.taken() {
            break;
        }
    }
    Ok(report)
}

async fn take(
    state: &AppState,
    d: &DueStep,
    report: &mut EscalationReport,
) -> Result<(), AppError> {
    let now = state.now();
    let Some(step) = d.window.ladder.get(d.step) else {
        report.skipped += 1;
        return Ok(());
    };
    let counter = match step.action {
        StepAction::RemindRep => &mut report.reminded,
        StepAction::NotifyManager => &mut report.managers_told,
        // A lead of an owned customer goes to its owner and never to a second rep.
        StepAction::Reassign if d.to_owner => &mut report.kept,
        StepAction::Reassign => {
            match crate::routing::reassign(state, d).await? {
                Some(routed) if routed.routing.chosen.is_some() => report.reassigned += 1,
                Some(_) => report.kept += 1,
                None => report.skipped += 1,
            }
            return Ok(());
        }
    };
    if state.store.take_lead_step(d, step.action, now).await? {
        *counter += 1;
    } else {
        report.skipped += 1;
    }
    Ok(())
}
