//! Hand-overs of all of a rep's customers: the progress row, and the reps a team spreads over.

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

impl Store {
    /// Records a hand-over about to run.
    pub async fn start_handover(
        &self,
        from: UserId,
        target_json: &str,
        reason: &str,
        total: usize,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_scalar(
            "insert into handovers (from_user, target, reason, total, status, started_by, started_at) \
             values ($1, $2, $3, $4, 'running', $5, $6) returning id"
        )
        .bind(from.0)
        .bind(target_json)
        .bind(reason)
        .bind(total as i64)
        .bind(by.0)
        .bind(micros(now))
        .fetch_one(p)
        .await
        })?)
    }

    /// Records progress; `finished` marks it done.
    pub async fn handover_progress(
        &self,
        id: i64,
        moved: usize,
        skipped_json: &str,
        finished: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query(
            "update handovers set moved = $1, skipped = $2, \
             status = case when $3 then 'done' else status end, finished_at = $4 where id = $5"
        )
        .bind(moved as i64)
        .bind(skipped_json)
        .bind(finished.is_some())
        .bind(finished.map(micros))
        .bind(id)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
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
