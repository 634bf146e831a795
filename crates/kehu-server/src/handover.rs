//! Hand-over (交接) of all of a departing rep's customers: to one rep, spread over a team, or
//! back to the pool. Each customer moves in its own transaction, so a concurrent claim or edit
//! never blocks the rest; those that cannot move are reported. Large hand-overs run in the
//! background and record their progress, which any instance can show.

use crate::error::AppError;
use crate::ownership::{Skipped, TransferReport, decide_and_apply};
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::ownership::handover::{HandoverTarget, spread};
use kehu_domain::ownership::{self, OwnershipError, Reason};

/// Where the customers should go, as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// One rep (`to`).
    Rep(UserId),
    /// Spread over a team's active reps (`team`).
    Team(TeamId),
    /// Back to the pool.
    Pool,
}

/// A checked hand-over, ready to run.
pub struct Plan {
    from: UserId,
    reason: Reason,
    target: HandoverTarget,
    /// Each customer and its new owner (`None`: the pool).
    moves: Vec<(CustomerId, Option<UserId>)>,
}

impl Plan {
    /// How many customers it moves.
    pub fn len(&self) -> usize {
        self.moves.len()
    }

    /// Whether there is nothing to move.
    pub fn is_empty(&self) -> bool {
        self.moves.is_empty()
    }
}

/// Checks who may hand over whose customers to where, and plans every move.
pub async fn plan(
    state: &AppState,
    actor: &Actor,
    from: UserId,
    to: Destination,
    reason: &str,
) -> Result<Plan, AppError> {
    let reason = Reason::parse(reason)?;
    let source = state
        .store
        .transfer_target(from)
        .await?
        .ok_or(AppError::NotFound)?;
    // The rep being emptied must be inside the actor's scope, or they do not exist here.
    if !(actor.is_admin() || actor.manages_team_path(source.team_path.as_deref())) {
        return Err(AppError::NotFound);
    }
    let customers = state.store.customers_owned_by(from).await?;
    let (target, moves) = match to {
        Destination::Rep(user) => {
            let t = crate::ownership::target(state, user).await?;
            if !t.active || !(actor.is_admin() || actor.manages_team_path(t.team_path.as_deref())) {
                return Err(FieldError::new("to", "target_not_assignable").into());
            }
            let moves = customers.iter().map(|c| (*c, Some(user))).collect();
            (HandoverTarget::Rep { user_id: user }, moves)
        }
        Destination::Team(team) => {
            let team = state
                .store
                .team_reps(team)
                .await?
                .ok_or_else(|| FieldError::new("team", "unknown_value"))?;
            if !(actor.is_admin() || actor.manages_team_path(Some(&team.path))) {
                return Err(FieldError::new("team", "target_not_assignable").into());
            }
            let reps: Vec<_> = team.reps.into_iter().filter(|(u, _)| *u != from).collect();
            if reps.is_empty() {
                return Err(FieldError::new("team", "no_reps").into());
            }
            let moves = spread(&customers, &reps)
                .into_iter()
                .map(|(c, u)| (c, Some(u)))
                .collect();
            (HandoverTarget::Spread { reps }, moves)
        }
        Destination::Pool => {
            let moves = customers.iter().map(|c| (*c, None)).collect();
            (HandoverTarget::Pool, moves)
        }
    };
    Ok(Plan {
        from,
        reason,
        target,
        moves,
    })
}

/// How often the progress row is written while a hand-over runs.
const PROGRESS_EVERY: usize = 25;

/// Moves every planned customer; records progress in `progress` (a hand-over row) if given.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    plan: &Plan,
    progress: Option<i64>,
) -> Result<TransferReport, AppError> {
    let mut report = TransferReport {
        moved: 0,
        skipped: Vec::new(),
    };
    for (i, (id, to)) in plan.moves.iter().enumerate() {
        match move_one(state, actor, plan, *id, *to).await {
            Ok(()) => report.moved += 1,
            Err(e @ AppError::Ownership(OwnershipError::TargetNotAssignable)) => {
                // The target was disabled or moved out of scope meanwhile: stop, say so.
                if let Some(h) = progress {
                    record(state, h, &report, true).await?;
                }
                return Err(e);
            }
            Err(e) => report.skipped.push(Skipped {
                customer_id: id.0,
                reason: e.message(crate::i18n::Locale::En),
            }),
        }
        if let Some(h) = progress.filter(|_| (i + 1) % PROGRESS_EVERY == 0) {
            record(state, h, &report, false).await?;
        }
    }
    if let Some(h) = progress {
        record(state, h, &report, true).await?;
    }
    Ok(report)
}

async fn move_one(
    state: &AppState,
    actor: &Actor,
    plan: &Plan,
    id: CustomerId,
    to: Option<UserId>,
) -> Result<(), AppError> {
    let now = state.now();
    let target = match to {
        Some(u) => Some(crate::ownership::target(state, u).await?),
        None => None,
    };
    decide_and_apply(state, id, |s| {
        if s.owner_id != Some(plan.from) {
            // Claimed or moved since the plan was made: leave it with its new owner.
            return Err(OwnershipError::NotOwner);
        }
        match &target {
            Some(t) => ownership::transfer(actor, s, t, &plan.reason, now),
            None => ownership::release(actor, s, &plan.reason, now),
        }
    })
    .await
}

async fn record(
    state: &AppState,
    id: i64,
    report: &TransferReport,
    done: bool,
) -> Result<(), AppError> {
    let skipped =
        serde_json::to_string(&report.skipped).map_err(|e| AppError::Internal(e.to_string()))?;
    let finished = done.then(|| state.now());
    state
        .store
        .handover_progress(id, report.moved, &skipped, finished)
        .await?;
    Ok(())
}

/// Starts a planned hand-over in the background; answers its progress row's id.
pub async fn start(state: &AppState, actor: &Actor, plan: Plan) -> Result<i64, AppError> {
    let target =
        serde_json::to_string(&plan.target).map_err(|e| AppError::Internal(e.to_string()))?;
    let id = state
        .store
        .start_handover(
            plan.from,
            &target,
            plan.reason.as_str(),
            plan.len(),
            actor.user_id,
            state.now(),
        )
        .await?;
    let (state, actor) = (state.clone(), actor.clone());
    tokio::spawn(async move {
        if let Err(e) = run(&state, &actor, &plan, Some(id)).await {
            tracing::error!(handover = id, error = %e, "hand-over stopped");
        }
    });
    Ok(id)
}
