//! People and teams: users, the team tree, and what a manager's scope contains.

use crate::Store;
use crate::error::StoreError;
use crate::rows::{ActorRow, micros};
use chrono::{DateTime, Utc};
use kehu_domain::ids::{TeamId, UserId};
use kehu_domain::ownership::TransferTarget;
use kehu_domain::{Actor, Role};
use serde::Serialize;

/// A team in the tree.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Team {
    /// Id.
    pub id: i64,
    /// Name, unique.
    pub name: String,
    /// Materialised path, `/1/4/`.
    pub path: String,
    /// Parent team.
    pub parent_id: Option<i64>,
}

/// A user to create; the password is already hashed by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Unique login.
    pub login: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// Team.
    pub team_id: Option<TeamId>,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
}

/// What login needs to know about a user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    /// Id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Disabled users cannot log in.
    pub active: bool,
}

/// A user as listed for managers.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct UserSummary {
    /// Id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Team name.
    pub team_name: Option<String>,
    /// Whether they may log in.
    pub active: bool,
    /// Customers they own now.
    pub owned: i64,
}

const ACTOR_BY_ID: &str = "select u.id, u.name, u.role, u.team_id, t.path as team_path \
     from users u left join teams t on t.id = u.team_id where u.id = $1 and u.active";

impl Store {
    /// Creates a team under `parent` (or a root team) and sets its path.
    pub async fn create_team(
        &self,
        name: &str,
        parent: Option<TeamId>,
        now: DateTime<Utc>,
    ) -> Result<TeamId, StoreError> {
        let now = micros(now);
        let mut tx = self.begin_write().await?;
        let id = on_tx!(&mut tx, |c| {
            let parent_path: String = match parent {
                Some(p) => sqlx::query_scalar("select path from teams where id = $1")
                    .bind(p.0)
                    .fetch_optional(&mut *c)
                    .await?
                    .ok_or(StoreError::NotFound)?,
                None => "/".to_owned(),
            };
            let id: i64 = sqlx::query_scalar(
                "insert into teams (name, parent_id, path, created_at) values ($1, $2, '', $3) returning id",
            )
            .bind(name)
            .bind(parent.map(|p| p.0))
            .bind(now)
            .fetch_one(&mut *c)
            .await
            .map_err(StoreError::unique_as("team"))?;
            sqlx::query("update teams set path = $1 where id = $2")
                .bind(format!("{parent_path}{id}/"))
                .bind(id)
                .execute(&mut *c)
                .await?;
            id
        });
        tx.commit().await?;
        Ok(TeamId(id))
    }

    /// Records who manages a team (for display; scope follows the manager's own team).
    pub async fn set_team_manager(&self, team: TeamId, manager: UserId) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query(
            "update teams set manager_id = $1 where id = $2"
        )
        .bind(manager.0)
        .bind(team.0)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Finds a team by its unique name.
    pub async fn team_by_name(&self, name: &str) -> Result<Option<Team>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Team>(
            "select id, name, path, parent_id from teams where name = $1"
        )
        .bind(name)
        .fetch_optional(p)
        .await)?)
    }

    /// Creates a user; a taken login is `Conflict { what: "login" }`.
    pub async fn create_user(
        &self,
        u: &NewUser<'_>,
        now: DateTime<Utc>,
    ) -> Result<UserId, StoreError> {
        let id: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
            "insert into users (login, name, role, team_id, password_hash, active, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id"
        )
        .bind(u.login)
        .bind(u.name)
        .bind(u.role.as_str())
        .bind(u.team_id.map(|t| t.0))
        .bind(u.password_hash)
        .bind(true)
        .bind(micros(now))
        .fetch_one(p)
        .await)
        .map_err(StoreError::unique_as("login"))?;
        Ok(UserId(id))
    }

    /// Loads what login checks, active or not.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, UserRecord>(
            "select id, login, password_hash, active from users where login = $1"
        )
        .bind(login)
        .fetch_optional(p)
        .await)?)
    }

    /// The actor for an active user.
    pub async fn actor(&self, id: UserId) -> Result<Option<Actor>, StoreError> {
        let row = on_db!(&self.db, |p| sqlx::query_as::<_, ActorRow>(ACTOR_BY_ID)
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        row.map(Actor::try_from).transpose()
    }

    /// Enables or disables a user; disabling ends their sessions and API tokens' use.
    pub async fn set_user_active(&self, id: UserId, active: bool) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        on_tx!(&mut tx, |c| {
            let n = sqlx::query("update users set active = $1 where id = $2")
                .bind(active)
                .bind(id.0)
                .execute(&mut *c)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            if !active {
                sqlx::query("delete from sessions where user_id = $1")
                    .bind(id.0)
                    .execute(&mut *c)
                    .await?;
            }
        });
        tx.commit().await
    }

    /// How many users exist (zero means a fresh database).
    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar::<_, i64>(
            "select count(*) from users where login <> '_system'"
        )
        .fetch_one(p)
        .await)?)
    }

    /// The users an actor may see in team views: a manager's subtree, everyone for an
    /// admin, themselves for a rep. With the count of customers each owns.
    pub async fn users_in_scope(&self, actor: &Actor) -> Result<Vec<UserSummary>, StoreError> {
        let scope = scope_pattern(actor);
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, UserSummary>(
            "select u.id, u.login, u.name, u.role, t.name as team_name, u.active, \
               (select count(*) from customers c where c.owner_id = u.id) as owned \
             from users u left join teams t on t.id = u.team_id \
             where u.id = $1 or t.path like $2 order by t.path, u.role, u.name"
        )
        .bind(actor.user_id.0)
        .bind(scope)
        .fetch_all(p)
        .await)?)
    }

    /// What a transfer needs to know about its target rep.
    pub async fn transfer_target(&self, id: UserId) -> Result<Option<TransferTarget>, StoreError> {
        let row: Option<(i64, Option<String>, bool)> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "select u.id, t.path, u.active from users u left join teams t on t.id = u.team_id where u.id = $1"
        )
        .bind(id.0)
        .fetch_optional(p)
        .await
        })?;
        Ok(row.map(|(id, team_path, active)| TransferTarget {
            user_id: UserId(id),
            team_path,
            active,
        }))
    }
}

/// The LIKE pattern of team paths an actor manages: `%` for admins, `/1/4/%` for a
/// manager, and one that matches nothing for reps. Paths hold only digits and slashes,
/// so no escaping is needed.
pub(crate) fn scope_pattern(actor: &Actor) -> String {
    if actor.is_admin() {
        "%".to_owned()
    } else {
        actor
            .managed_path()
            .map_or_else(|| "-".to_owned(), |p| format!("{p}%"))
    }
}
