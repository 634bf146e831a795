//! Pools as admins edit them: name, rules, member teams, whitelist; every change audited.

use super::parse_rules;
use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::{TeamId, UserId};
use kehu_domain::pool::PoolRules;
use serde::Serialize;

/// A pool with everything an admin edits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pool {
    /// Id.
    pub id: i64,
    /// Unique name (华东公海).
    pub name: String,
    /// Its rules.
    pub rules: PoolRules,
    /// The pool of last resort (公海).
    pub is_default: bool,
    /// Member teams (empty: open to everybody).
    pub members: Vec<PoolUser>,
    /// Whitelisted reps.
    pub whitelist: Vec<PoolUser>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A team or user named in a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PoolUser {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A pool as a selector lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PoolSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// A pool to create or the new state of one (members and whitelist are replaced).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPool {
    /// Name, already trimmed and checked.
    pub name: String,
    /// Validated rules.
    pub rules: PoolRules,
    /// Member teams.
    pub members: Vec<TeamId>,
    /// Whitelisted reps.
    pub whitelist: Vec<UserId>,
}

type PoolRow = (i64, String, String, bool, DateTime<Utc>);

impl Store {
    /// Every pool, default first.
    pub async fn pools(&self) -> Result<Vec<Pool>, StoreError> {
        let rows: Vec<PoolRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "select id, name, rules, is_default, updated_at from pools order by is_default desc, id"
        )
        .fetch_all(p)
        .await
        })?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.pool_of(row).await?);
        }
        Ok(out)
    }

    /// One pool.
    pub async fn pool(&self, id: i64) -> Result<Option<Pool>, StoreError> {
        let row: Option<PoolRow> = on_db!(&self.db, |p| sqlx::query_as(
            "select id, name, rules, is_default, updated_at from pools where id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await)?;
        match row {
            Some(r) => Ok(Some(self.pool_of(r).await?)),
            None => Ok(None),
        }
    }

    /// The pools `actor` may see and claim from, by name.
    pub async fn pools_open_to(&self, actor: &Actor) -> Result<Vec<PoolSummary>, StoreError> {
        const SQL: &str = concat!(
            "select p.id, p.name from pools p where ",
            crate::rows::pool_open!("p.id"),
            " order by p.is_default desc, p.name"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as(SQL)
            .bind(actor.user_id.0)
            .fetch_all(p)
            .await)?)
    }

    /// Creates a pool; a taken name is `Conflict { what: "name" }`.
    pub async fn create_pool(
        &self,
        actor: &Actor,
        new: &NewPool,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = micros(now);
        let rules = to_json(&new.rules)?;
        let mut tx = self.begin_write().await?;
        let id = insert(&mut tx, new, now).await?;
        audit(&mut tx, actor, id, None, &summary(new, &rules), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a pool's name, rules, members and whitelist. `NotFound` for an unknown id.
    pub async fn update_pool(
        &self,
        actor: &Actor,
        id: i64,
        new: &NewPool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        let old = self.pool(id).await?.ok_or(StoreError::NotFound)?;
        let rules = to_json(&new.rules)?;
        let old_summary = format!(
            "{} {} members={:?} whitelist={:?}",
            old.name,
            to_json(&old.rules)?,
            old.members.iter().map(|m| m.id).collect::<Vec<_>>(),
            old.whitelist.iter().map(|m| m.id).collect::<Vec<_>>()
        );
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("update pools set name = $1, rules = $2, updated_at = $3 where id = $4")
                .bind(&new.name)
                .bind(&rules)
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await
                .map_err(StoreError::unique_as("name"))?;
            sqlx::query("delete from pool_members where pool_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("delete from pool_whitelist where pool_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        });
        write_lists(&mut tx, id, new).await?;
        audit(
            &mut tx,
            actor,
            id,
            Some(old_summary),
            &summary(new, &rules),
            now,
        )
        .await?;
        tx.commit().await
    }

    async fn pool_of(
        &self,
        (id, name, rules, is_default, updated_at): PoolRow,
    ) -> Result<Pool, StoreError> {
        let members: Vec<PoolUser> = on_db!(&self.db, |p| sqlx::query_as(
            "select t.id, t.name from pool_members m join teams t on t.id = m.team_id \
             where m.pool_id = $1 order by t.path"
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        let whitelist: Vec<PoolUser> = on_db!(&self.db, |p| sqlx::query_as(
            "select u.id, u.name from pool_whitelist w join users u on u.id = w.user_id \
             where w.pool_id = $1 order by u.name"
        )
        .bind(id)
        .fetch_all(p)
        .await)?;
        Ok(Pool {
            id,
            name,
            rules: parse_rules(&rules)?,
            is_default,
            members,
            whitelist,
            updated_at,
        })
    }
}

/// Inserts `new` with its members and whitelist in `tx`; a taken name is `Conflict`.
pub(super) async fn insert(
    tx: &mut Tx,
    new: &NewPool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let rules = to_json(&new.rules)?;
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "insert into pools (name, rules, is_default, created_at, updated_at) \
         values ($1, $2, false, $3, $3) returning id"
    )
    .bind(&new.name)
    .bind(&rules)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    .map_err(StoreError::unique_as("name")))?;
    write_lists(tx, id, new).await?;
    Ok(id)
}

fn to_json(rules: &PoolRules) -> Result<String, StoreError> {
    serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn summary(new: &NewPool, rules: &str) -> String {
    format!(
        "{} {rules} members={:?} whitelist={:?}",
        new.name,
        new.members.iter().map(|t| t.0).collect::<Vec<_>>(),
        new.whitelist.iter().map(|u| u.0).collect::<Vec<_>>()
    )
}

async fn write_lists(tx: &mut Tx, id: i64, new: &NewPool) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        for team in &new.members {
            sqlx::query("insert into pool_members (pool_id, team_id) values ($1, $2) on conflict do nothing")
                .bind(id)
                .bind(team.0)
                .execute(&mut *c)
                .await?;
        }
        for user in &new.whitelist {
            sqlx::query("insert into pool_whitelist (pool_id, user_id) values ($1, $2) on conflict do nothing")
                .bind(id)
                .bind(user.0)
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    old: Option<String>,
    new: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
         values ($1, $2, 'pool', $3, 'pool', $4, $5)"
    )
    .bind(now)
    .bind(actor.user_id.0)
    .bind(id)
    .bind(old)
    .bind(new)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

impl Store {
    /// Whether every id names a team.
    pub async fn teams_exist(&self, ids: &[TeamId]) -> Result<bool, StoreError> {
        for id in ids {
            let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
                "select count(*) from teams where id = $1"
            )
            .bind(id.0)
            .fetch_one(p)
            .await)?;
            if n == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether every id names a user.
    pub async fn users_exist(&self, ids: &[UserId]) -> Result<bool, StoreError> {
        for id in ids {
            let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
                "select count(*) from users where id = $1"
            )
            .bind(id.0)
            .fetch_one(p)
            .await)?;
            if n == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl Store {
    /// Every team (by path) and every active rep (by name), for a pool's form.
    pub async fn pool_choices(&self) -> Result<(Vec<PoolUser>, Vec<PoolUser>), StoreError> {
        let teams = on_db!(&self.db, |p| sqlx::query_as(
            "select id, name from teams order by path"
        )
        .fetch_all(p)
        .await)?;
        let reps = on_db!(&self.db, |p| sqlx::query_as(
            "select id, name from users where active and role = 'rep' order by name"
        )
        .fetch_all(p)
        .await)?;
        Ok((teams, reps))
    }
}
