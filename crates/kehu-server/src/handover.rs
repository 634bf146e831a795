//! Hand-over (交接) of all of a departing rep's customers: to one rep, spread over a team, or
//! back to the pool. Each customer moves in its own transaction, so a concurrent claim or edit
//! never blocks the rest; those that cannot move are reported. Large hand-overs run in the
//! background and record their progress, which any instance can show, together with their
//! plan and a lease the run renews: when an instance dies mid-way, another one takes the
//! abandoned hand-over over ([`resume_stale`]) and finishes it, every customer moved once.

use crate::auth::token::random_token;
use crate::error::AppError;
use crate::ownership::{Skipped, TransferReport, decide_and_apply};
use crate::state::AppState;
use chrono::Duration;
use kehu_domain::Actor;
use kehu_domain::error::FieldError;
use kehu_domain::ids::{CustomerId, TeamId, UserId};
use kehu_domain::ownership::handover::{HandoverTarget, spread};
use kehu_domain::ownership::{self, OwnershipError, Reason};
use kehu_store::handovers::{HandoverProgress, HandoverResume, Lease, NewHandover};
use std::time::Instant;

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

/// How often (in customers) the progress row is written while a hand-over runs.
const PROGRESS_EVERY: usize = 25;
/// The progress row is also written at least this often, so a slow run keeps its lease.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a lease lasts without a progress write: a running hand-over silent for longer
/// was abandoned. Four heartbeats, so a slow database does not make a live run look dead.
const LEASE_SECS: i64 = 120;

/// A run's place in a recorded hand-over: its row, its lease, and what is done already.
pub struct Progress {
    id: i64,
    token: String,
    /// Planned moves done before this run (a resumed run starts there).
    first: usize,
    /// Whether an earlier run (which died) may have done moves past `first`.
    resumed: bool,
    report: TransferReport,
}

impl Progress {
    fn lease(&self, state: &AppState) -> Lease<'_> {
        Lease {
            token: &self.token,
            until: state.now() + Duration::seconds(LEASE_SECS),
        }
    }
}

/// Moves every planned customer; records progress in `progress`'s hand-over row if given, and
/// stops early (answering what it did) when another instance took that hand-over over.
pub async fn run(
    state: &AppState,
    actor: &Actor,
    plan: &Plan,
    mut progress: Option<Progress>,
) -> Result<TransferReport, AppError> {
    let (mut report, first) = match progress.as_mut() {
        Some(p) => (std::mem::replace(&mut p.report, nothing_yet()), p.first),
        None => (nothing_yet(), 0),
    };
    // A dead run did at most the moves up to its next progress write.
    let maybe_done = match &progress {
        Some(p) if p.resumed => first + PROGRESS_EVERY,
        _ => 0,
    };
    let mut beat = Instant::now();
    for (i, (id, to)) in plan.moves.iter().enumerate().skip(first) {
        match move_one(state, actor, plan, *id, *to).await {
            Ok(()) => report.moved += 1,
            // Already where the plan sends it: moved by the run that died before recording it.
            Err(AppError::Ownership(OwnershipError::SameOwner)) if i < maybe_done => {
                report.moved += 1;
            }
            Err(e @ AppError::Ownership(OwnershipError::TargetNotAssignable)) => {
                // The target was disabled or moved out of scope meanwhile: stop, say so.
                if let Some(p) = &progress {
                    record(state, p, &report, i, true).await?;
                }
                return Err(e);
            }
            Err(e) => report.skipped.push(Skipped {
                customer_id: id.0,
                reason: e.message(crate::i18n::Locale::En),
            }),
        }
        let due = (i + 1) % PROGRESS_EVERY == 0 || beat.elapsed() >= HEARTBEAT;
        if let Some(p) = progress.as_ref().filter(|_| due) {
            if !record(state, p, &report, i + 1, false).await? {
                tracing::warn!(handover = p.id, "hand-over taken over by another instance");
                return Ok(report);
            }
            beat = Instant::now();
        }
    }
    if let Some(p) = &progress {
        record(state, p, &report, plan.moves.len(), true).await?;
    }
    Ok(report)
}

fn nothing_yet() -> TransferReport {
    TransferReport {
        moved: 0,
        skipped: Vec::new(),
    }
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
            // Claimed or moved since the plan was made: leave it with its new owner. Already at
            // the planned destination is told apart, for a resumed run.
            return Err(if s.owner_id == to {
                OwnershipError::SameOwner
            } else {
                OwnershipError::NotOwner
            });
        }
        match &target {
            Some(t) => ownership::transfer(actor, s, t, &plan.reason, now),
            None => ownership::release(actor, s, &plan.reason, now),
        }
    })
    .await
}

/// Writes progress and renews the lease; `false` when this run no longer holds it.
async fn record(
    state: &AppState,
    p: &Progress,
    report: &TransferReport,
    next_move: usize,
    done: bool,
) -> Result<bool, AppError> {
    let skipped = to_json(&report.skipped)?;
    let progress = HandoverProgress {
        next_move,
        moved: report.moved,
        skipped_json: &skipped,
        finished: done.then(|| state.now()),
    };
    Ok(state
        .store
        .handover_progress(p.id, &p.lease(state), &progress)
        .await?)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// Starts a planned hand-over in the background; answers its progress row's id.
pub async fn start(state: &AppState, actor: &Actor, plan: Plan) -> Result<i64, AppError> {
    let target = to_json(&plan.target)?;
    let moves: Vec<(i64, Option<i64>)> = plan
        .moves
        .iter()
        .map(|(c, u)| (c.0, u.map(|u| u.0)))
        .collect();
    let moves = to_json(&moves)?;
    let token = random_token();
    let new = NewHandover {
        from: plan.from,
        target_json: &target,
        reason: plan.reason.as_str(),
        moves_json: &moves,
        total: plan.len(),
        by: actor.user_id,
    };
    let lease = Lease {
        token: &token,
        until: state.now() + Duration::seconds(LEASE_SECS),
    };
    let id = state
        .store
        .start_handover(&new, &lease, state.now())
        .await?;
    let progress = Progress {
        id,
        token,
        first: 0,
        resumed: false,
        report: nothing_yet(),
    };
    let (state, actor) = (state.clone(), actor.clone());
    tokio::spawn(async move {
        if let Err(e) = run(&state, &actor, &plan, Some(progress)).await {
            tracing::error!(handover = id, error = %e, "hand-over stopped");
        }
    });
    Ok(id)
}

/// Finishes every hand-over left `running` by an instance that died (its lease ran out):
/// takes each over with a compare-and-set on the lease, so with several instances each is
/// resumed by exactly one, and carries on from its last recorded progress. Answers the ids
/// this call finished. Call it at start-up and from the job runner; when nothing was
/// abandoned it costs one indexed query.
pub async fn resume_stale(state: &AppState) -> Result<Vec<i64>, AppError> {
    let mut finished = Vec::new();
    for id in state.store.abandoned_handovers(state.now()).await? {
        let token = random_token();
        let lease = Lease {
            token: &token,
            until: state.now() + Duration::seconds(LEASE_SECS),
        };
        let Some(row) = state
            .store
            .take_over_handover(id, &lease, state.now())
            .await?
        else {
            continue; // another instance was quicker
        };
        tracing::info!(handover = id, "resuming an abandoned hand-over");
        match resume(state, id, token, row).await {
            Ok(()) => finished.push(id),
            // Its lease runs out again, and a later call retries.
            Err(e) => tracing::error!(handover = id, error = %e, "resumed hand-over stopped"),
        }
    }
    Ok(finished)
}

async fn resume(
    state: &AppState,
    id: i64,
    token: String,
    row: HandoverResume,
) -> Result<(), AppError> {
    let corrupt = |what: &str| AppError::Internal(format!("hand-over {id}: {what}"));
    let skipped: Vec<Skipped> =
        serde_json::from_str(&row.skipped).map_err(|_| corrupt("skipped"))?;
    let from = UserId(row.from_user);
    let moves = match &row.moves {
        Some(json) => {
            let moves: Vec<(i64, Option<i64>)> =
                serde_json::from_str(json).map_err(|_| corrupt("moves"))?;
            moves
                .into_iter()
                .map(|(c, u)| (CustomerId(c), u.map(UserId)))
                .collect()
        }
        None => replan(state, from, &row.target).await?,
    };
    let plan = Plan {
        from,
        reason: Reason::parse(&row.reason)?,
        target: HandoverTarget::Pool, // only a new hand-over's row records the target
        moves,
    };
    let progress = Progress {
        id,
        token,
        first: usize::try_from(row.next_move).unwrap_or(0),
        resumed: true,
        report: TransferReport {
            moved: usize::try_from(row.moved).unwrap_or(0),
            skipped,
        },
    };
    let Some(actor) = state.store.actor(UserId(row.started_by)).await? else {
        // Whoever started it may no longer act (disabled): close it as it stands.
        tracing::warn!(handover = id, "starter can no longer act; hand-over closed");
        let next = progress.first;
        record(state, &progress, &progress.report, next, true).await?;
        return Ok(());
    };
    run(state, &actor, &plan, Some(progress)).await.map(|_| ())
}

/// The moves of a hand-over started before plans were stored, from its target: whatever the
/// rep still owns goes where the target says.
async fn replan(
    state: &AppState,
    from: UserId,
    target: &str,
) -> Result<Vec<(CustomerId, Option<UserId>)>, AppError> {
    let customers = state.store.customers_owned_by(from).await?;
    let target: serde_json::Value =
        serde_json::from_str(target).map_err(|e| AppError::Internal(e.to_string()))?;
    let user = |v: &serde_json::Value| v.as_i64().map(UserId);
    Ok(match target["to"].as_str() {
        Some("rep") => {
            let to = user(&target["user_id"]);
            customers.iter().map(|c| (*c, to)).collect()
        }
        Some("spread") => {
            let reps: Vec<(UserId, u32)> = target["reps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| Some((user(&r[0])?, u32::try_from(r[1].as_u64()?).ok()?)))
                .collect();
            spread(&customers, &reps)
                .into_iter()
                .map(|(c, u)| (c, Some(u)))
                .collect()
        }
        _ => customers.iter().map(|c| (*c, None)).collect(),
    })
}
