//! Lead sources (线索来源) and their intake tokens. Only the SHA-256 of a token is stored.

use crate::Store;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::UserId;
use kehu_domain::lead::ResponseWindow;
use serde::Serialize;

/// A source with its tokens.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct LeadSource {
    /// Id.
    pub id: i64,
    /// Stable code (`web_form`).
    pub code: String,
    /// Display name (官网表单).
    pub name: String,
    /// Whether its tokens authenticate.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its tokens, newest first (revoked ones too).
    #[sqlx(skip)]
    pub tokens: Vec<SourceToken>,
    /// Its response window and escalation ladder, if it has one.
    #[sqlx(skip)]
    pub response_window: Option<ResponseWindow>,
}

/// An intake token, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct SourceToken {
    /// Id.
    pub id: i64,
    /// The source.
    pub source_id: i64,
    /// A label (`website backend`).
    pub name: String,
    /// Accepted requests per minute.
    pub rate_per_minute: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; `None` while it works.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What an intake token authenticates: its source (active, token unrevoked).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenSource {
    /// The token.
    pub token_id: i64,
    /// Its source.
    pub source_id: i64,
    /// The source's name.
    pub source_name: String,
    /// Accepted requests per minute.
    pub rate_per_minute: i64,
}

const SOURCE_COLUMNS: &str = "select id, code, name, active, created_at from lead_sources";
const TOKEN_COLUMNS: &str =
    "select id, source_id, name, rate_per_minute, created_at, revoked_at from lead_source_tokens";

impl Store {
    /// Creates a source; a taken code is `Conflict { what: "code" }`.
    pub async fn create_lead_source(
        &self,
        code: &str,
        name: &str,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        on_db!(&self.db, |p| sqlx::query_scalar::<_, i64>(
            "insert into lead_sources (code, name, active, created_by, created_at) \
             values ($1, $2, $3, $4, $5) returning id"
        )
        .bind(code)
        .bind(name)
        .bind(true)
        .bind(by.0)
        .bind(micros(now))
        .fetch_one(p)
        .await
        .map_err(StoreError::unique_as("code")))
    }

    /// Every source with its tokens, by name.
    pub async fn lead_sources(&self) -> Result<Vec<LeadSource>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SOURCE_COLUMNS} order by name, id"));
        let mut sources: Vec<LeadSource> =
            on_db!(&self.db, |p| sqlx::query_as::<_, LeadSource>(sql)
                .fetch_all(p)
                .await)?;
        let sql = sqlx::AssertSqlSafe(format!("{TOKEN_COLUMNS} order by id desc"));
        let tokens: Vec<SourceToken> = on_db!(&self.db, |p| sqlx::query_as::<_, SourceToken>(sql)
            .fetch_all(p)
            .await)?;
        let windows: Vec<(i64, Option<String>)> = on_db!(&self.db, |p| sqlx::query_as(
            "select id, response_window from lead_sources"
        )
        .fetch_all(p)
        .await)?;
        for s in &mut sources {
            let json = windows
                .iter()
                .find(|(id, _)| *id == s.id)
                .and_then(|(_, w)| w.as_deref());
            s.response_window = json
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            s.tokens = tokens
                .iter()
                .filter(|t| t.source_id == s.id)
                .cloned()
                .collect();
        }
        Ok(sources)
    }

    /// One source with its tokens.
    pub async fn lead_source(&self, id: i64) -> Result<Option<LeadSource>, StoreError> {
        Ok(self.lead_sources().await?.into_iter().find(|s| s.id == id))
    }

    /// Stores a new token's hash for `source` (which must exist: else `NotFound`).
    pub async fn create_lead_source_token(
        &self,
        source: i64,
        name: &str,
        token_hash: &str,
        rate_per_minute: i64,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<SourceToken, StoreError> {
        const SQL: &str = "insert into lead_source_tokens \
             (source_id, name, token_hash, rate_per_minute, created_by, created_at) \
             select id, $2, $3, $4, $5, $6 from lead_sources where id = $1 \
             returning id, source_id, name, rate_per_minute, created_at, revoked_at";
        on_db!(&self.db, |p| sqlx::query_as::<_, SourceToken>(SQL)
            .bind(source)
            .bind(name)
            .bind(token_hash)
            .bind(rate_per_minute)
            .bind(by.0)
            .bind(micros(now))
            .fetch_optional(p)
            .await)?
        .ok_or(StoreError::NotFound)
    }

    /// Revokes token `token` of `source`; `false` when there is no such unrevoked token.
    pub async fn revoke_lead_source_token(
        &self,
        source: i64,
        token: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let n = on_db!(&self.db, |p| sqlx::query(
            "update lead_source_tokens set revoked_at = $1 \
             where id = $2 and source_id = $3 and revoked_at is null"
        )
        .bind(micros(now))
        .bind(token)
        .bind(source)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The source an unrevoked token of an active source belongs to.
    pub async fn lead_source_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<TokenSource>, StoreError> {
        let q = Query::new(
            "select t.id, s.id, s.name, t.rate_per_minute \
             from lead_source_tokens t join lead_sources s on s.id = t.source_id \
             where t.token_hash = $1 and t.revoked_at is null and s.active",
        )
        .bind(token_hash);
        // On every intake request: a point read on a direct reader.
        let row: Option<(i64, i64, String, i64)> = self.read_opt(&q).await?;
        Ok(row.map(
            |(token_id, source_id, source_name, rate_per_minute)| TokenSource {
                token_id,
                source_id,
                source_name,
                rate_per_minute,
            },
        ))
    }
}
