//! Hand-overs of all of a rep's customers: the progress row with its plan and lease (so
//! another instance can finish one whose instance died), and the reps a team spreads over.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{TeamId, UserId};
use serde::Serialize;

/// A hand-over as shown while it runs and after.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Handover {
    /// Id.
    pub id: i64,
    /// Whose customers.
    pub from_user: i64,
    /// Their name.
    pub from_name: String,
    /// The target as JSON.
    pub target: String,
    /// Why.
    pub reason: String,
    /// Customers to move.
    pub total: i64,
    /// Moved so far.
    pub moved: i64,
    /// JSON array of customers that could not move, with why.
    pub skipped: String,
    /// `running` or `done`.
    pub status: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A team as a hand-over target: its path (for the scope check) and its active reps.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamReps {
    /// The team's path.
    pub path: String,
    /// Active reps in the team's subtree, with the customers each owns now.
    pub reps: Vec<(UserId, u32)>,
}

/// A hand-over about to run.
#[derive(Debug, Clone, Copy)]
pub struct NewHandover<'a> {
    /// Whose customers.
    pub from: UserId,
    /// The target as JSON.
    pub target_json: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The plan: JSON array of `[customer id, new owner id or null]`.
    pub moves_json: &'a str,
    /// How many customers it moves.
    pub total: usize,
    /// Who started it.
    pub by: UserId,
}

/// A run's hold on a hand-over: a token only that run knows, and until when it holds.
#[derive(Debug, Clone, Copy)]
pub struct Lease<'a> {
    /// Random per run.
    pub token: &'a str,
    /// Past this, without renewal, the hand-over counts as abandoned.
    pub until: DateTime<Utc>,
}

/// Where a run stands, as written with each renewal of its lease.
#[derive(Debug, Clone, Copy)]
pub struct HandoverProgress<'a> {
    /// Planned moves done (the next to try).
    pub next_move: usize,
    /// Customers moved.
    pub moved: usize,
    /// JSON array of customers that could not move, with why.
    pub skipped_json: &'a str,
    /// When it finished (marks it done).
    pub finished: Option<DateTime<Utc>>,
}

/// An abandoned hand-over just taken over: what a run needs to carry on.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HandoverResume {
    /// Whose customers.
    pub from_user: i64,
    /// The target as JSON.
    pub target: String,
    /// Why.
    pub reason: String,
    /// The plan (`None` on hand-overs started before plans were stored).
    pub moves: Option<String>,
    /// Planned moves done at the last progress write.
    pub next_move: i64,
    /// Customers moved by then.
    pub moved: i64,
    /// Customers skipped by then (JSON).
    pub skipped: String,
    /// Who started it: the run acts as them.
    pub started_by: i64,
}

impl Store {
    /// Records a hand-over about to run, its plan, and the starting run's lease.
    pub async fn start_handover(
        &self,
        new: &NewHandover<'_>,
        lease: &Lease<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_scalar(
                "insert into handovers (from_user, target, reason, total, status, started_by, \
                 started_at, moves, lease_token, lease_until) \
                 values ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9) returning id",
            )
            .bind(new.from.0)
            .bind(new.target_json)
            .bind(new.reason)
            .bind(new.total as i64)
            .bind(new.by.0)
            .bind(micros(now))
            .bind(new.moves_json)
            .bind(lease.token)
            .bind(micros(lease.until))
            .fetch_one(p)
            .await
        })?)
    }

    /// Records progress and renews the lease, if this run still holds it: `false` means
    /// another instance took the hand-over over (this run should stop).
    pub async fn handover_progress(
        &self,
        id: i64,
        lease: &Lease<'_>,
        progress: &HandoverProgress<'_>,
    ) -> Result<bool, StoreError> {
        let n = on_db!(&self.db, |p| sqlx::query(
            "update handovers set next_move = $1, moved = $2, skipped = $3, \
             status = case when $4 then 'done' else status end, finished_at = $5, \
             lease_until = $6 where id = $7 and lease_token = $8"
        )
        .bind(progress.next_move as i64)
        .bind(progress.moved as i64)
        .bind(progress.skipped_json)
        .bind(progress.finished.is_some())
        .bind(progress.finished.map(micros))
        .bind(micros(lease.until))
        .bind(id)
        .bind(lease.token)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Running hand-overs whose lease ran out by `now` (or that never had one), oldest first.
    pub async fn abandoned_handovers(&self, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "select id from handovers where status = 'running' \
             and (lease_until is null or lease_until < $1) order by id"
        )
        .bind(micros(now))
        .fetch_all(p)
        .await)?)
    }

    /// Takes over abandoned hand-over `id` with `lease`: compare-and-set on the lease, so of
    /// several instances trying at once exactly one gets `Some`.
    pub async fn take_over_handover(
        &self,
        id: i64,
        lease: &Lease<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<HandoverResume>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as(
            "update handovers set lease_token = $1, lease_until = $2 \
             where id = $3 and status = 'running' and (lease_until is null or lease_until < $4) \
             returning from_user, target, reason, moves, next_move, moved, skipped, started_by"
        )
        .bind(lease.token)
        .bind(micros(lease.until))
        .bind(id)
        .bind(micros(now))
        .fetch_optional(p)
        .await)?)
    }

    /// One hand-over with the departing rep's team path (the caller checks scope with it).
    pub async fn handover(
        &self,
        id: i64,
    ) -> Result<Option<(Handover, Option<String>)>, StoreError> {
        let row: Option<Handover> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "select h.id, h.from_user, u.name as from_name, h.target, h.reason, h.total, h.moved, \
             h.skipped, h.status, h.started_at, h.finished_at \
             from handovers h join users u on u.id = h.from_user where h.id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await
        })?;
        let Some(row) = row else { return Ok(None) };
        let path = self.transfer_target(UserId(row.from_user)).await?;
        Ok(Some((row, path.and_then(|t| t.team_path))))
    }

    /// The active reps of `team`'s subtree with their owned counts; `None` for no such team.
    pub async fn team_reps(&self, team: TeamId) -> Result<Option<TeamReps>, StoreError> {
        let path: Option<String> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select path from teams where id = $1"
        )
        .bind(team.0)
        .fetch_optional(p)
        .await)?;
        let Some(path) = path else { return Ok(None) };
        let rows: Vec<(i64, i64)> = on_db!(&self.db, |p| sqlx::query_as(
            "select u.id, (select count(*) from customers c where c.owner_id = u.id) \
             from users u join teams t on t.id = u.team_id \
             where t.path like $1 and u.active and u.role = 'rep' order by u.id"
        )
        .bind(format!("{path}%"))
        .fetch_all(p)
        .await)?;
        Ok(Some(TeamReps {
            path,
            reps: rows
                .into_iter()
                .map(|(u, n)| (UserId(u), u32::try_from(n).unwrap_or(u32::MAX)))
                .collect(),
        }))
    }
}

impl Store {
    /// The teams an actor may hand customers over to: a manager's subtree, all for an admin.
    pub async fn teams_in_scope(
        &self,
        actor: &kehu_domain::Actor,
    ) -> Result<Vec<(TeamId, String)>, StoreError> {
        let rows: Vec<(i64, String)> = on_db!(&self.db, |p| sqlx::query_as(
            "select id, name from teams where path like $1 order by path"
        )
        .bind(crate::users::scope_pattern(actor))
        .fetch_all(p)
        .await)?;
        Ok(rows.into_iter().map(|(id, n)| (TeamId(id), n)).collect())
    }
}
