//! Sessions and API tokens. Only hashes of the secrets are stored.

use crate::Store;
use crate::error::StoreError;
use crate::rows::{ActorRow, micros};
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::UserId;
use rusqlite::OptionalExtension;

/// The active user an unrevoked API token stands for.
const TOKEN_ACTOR: &str = "select u.id, u.name, u.role, u.team_id, t.path as team_path \
     from api_tokens k join users u on u.id = k.user_id left join teams t on t.id = u.team_id \
     where k.token_hash = $1 and k.revoked_at is null and u.active";

impl Store {
    /// Stores a new session for `user` (the token's SHA-256 and its CSRF token).
    pub async fn create_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, |p| {
            sqlx::query(
            "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)"
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(csrf)
        .bind(micros(now))
        .bind(micros(expires_at))
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The actor, CSRF token and unread notification count of a live session of an active
    /// user: one query, so every page's header costs no extra round trip.
    pub async fn session_actor(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Actor, String, i64)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            actor: ActorRow,
            csrf_token: String,
            unread: i64,
        }
        let row = on_db!(&self.db, |p| {
            sqlx::query_as::<_, Row>(
            "select u.id, u.name, u.role, u.team_id, t.path as team_path, s.csrf_token, \
             (select count(*) from notifications n where n.user_id = u.id and n.read_at is null) as unread \
             from sessions s join users u on u.id = s.user_id left join teams t on t.id = u.team_id \
             where s.token_hash = $1 and s.expires_at > $2 and u.active"
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(p)
        .await
        })?;
        row.map(|r| Ok((Actor::try_from(r.actor)?, r.csrf_token, r.unread)))
            .transpose()
    }

    /// Ends a session (logout).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query(
            "delete from sessions where token_hash = $1"
        )
        .bind(token_hash)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes sessions that have expired (they no longer authenticate anyway).
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query(
            "delete from sessions where expires_at <= $1"
        )
        .bind(micros(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Stores a new API token's hash for `user`.
    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, |p| sqlx::query(
            "insert into api_tokens (user_id, name, token_hash, created_at) values ($1, $2, $3, $4)"
        )
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .bind(micros(now))
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The actor of an unrevoked API token of an active user.
    pub async fn token_actor(&self, token_hash: &str) -> Result<Option<Actor>, StoreError> {
        let direct = self.readers.read(|c| {
            c.prepare_cached(TOKEN_ACTOR)?
                .query_row(
                    rusqlite::named_params! {"$1": token_hash},
                    ActorRow::from_direct,
                )
                .optional()
        });
        let row = match direct {
            Some(row) => row?,
            None => on_db!(&self.db, |p| {
                sqlx::query_as::<_, ActorRow>(TOKEN_ACTOR)
                    .bind(token_hash)
                    .fetch_optional(p)
                    .await
            })?,
        };
        row.map(Actor::try_from).transpose()
    }
}
