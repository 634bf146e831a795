//! 休假: users' recorded absences. The recycle judge pauses an owner's clocks while they are
//! away; every record and cancellation is in the audit log. The caller checks who may record
//! or cancel whose leave (the user, their manager chain, an admin).

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::UserId;
use kehu_domain::pool::{Leave, NewLeave};
use serde::Serialize;
use std::collections::HashMap;

/// Where a leave record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveSource {
    /// Entered by the user, their manager or an admin.
    Manual,
    /// Pushed by the HR availability feed (`PUT /api/v1/availability`).
    Feed,
}

impl LeaveSource {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            LeaveSource::Manual => "manual",
            LeaveSource::Feed => "feed",
        }
    }
}

/// A recorded leave as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LeaveRecord {
    /// Id.
    pub id: i64,
    /// Whose leave.
    pub user_id: i64,
    /// First instant away.
    pub from: DateTime<Utc>,
    /// First instant back.
    pub until: DateTime<Utc>,
    /// Why, as entered (may be empty).
    pub note: String,
    /// `manual`, or `feed` (the HR availability feed).
    pub source: String,
    /// Who recorded it.
    pub recorded_by: i64,
    /// Their name.
    pub recorded_by_name: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl LeaveRecord {
    /// Whether the leave covers `now`.
    pub fn current(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

macro_rules! leave_select {
    () => {
        "select l.id, l.user_id, l.starts_at as \"from\", l.ends_at as \"until\", \
         l.note, l.source, l.recorded_by, r.name as recorded_by_name, l.recorded_at \
         from leaves l join users r on r.id = l.recorded_by "
    };
}

impl Store {
    /// Records a leave of `user`, with its audit row, in one transaction.
    pub async fn record_leave(
        &self,
        user: UserId,
        leave: &NewLeave,
        source: LeaveSource,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<LeaveRecord, StoreError> {
        let now = micros(now);
        let mut tx = self.begin_write().await?;
        let id: i64 = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "insert into leaves (user_id, starts_at, ends_at, note, source, recorded_by, recorded_at) \
             values ($1, $2, $3, $4, $5, $6, $7) returning id"
        )
        .bind(user.0)
        .bind(micros(leave.span.from))
        .bind(micros(leave.span.until))
        .bind(&leave.note)
        .bind(source.code())
        .bind(by.user_id.0)
        .bind(now)
        .fetch_one(&mut *c)
        .await
        })?;
        audit(
            &mut tx,
            user,
            by,
            None,
            Some(describe(&leave.span, &leave.note)),
            now,
        )
        .await?;
        tx.commit().await?;
        self.leave(user, id).await?.ok_or(StoreError::NotFound)
    }

    /// One leave of `user`.
    pub async fn leave(&self, user: UserId, id: i64) -> Result<Option<LeaveRecord>, StoreError> {
        const SQL: &str = concat!(leave_select!(), "where l.user_id = $1 and l.id = $2");
        Ok(on_db!(&self.db, |p| sqlx::query_as(SQL)
            .bind(user.0)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }

    /// Every leave of `user`, in time order.
    pub async fn leaves_of(&self, user: UserId) -> Result<Vec<LeaveRecord>, StoreError> {
        self.leave_records(&[user.0], None).await
    }

    /// The leave of `users` that has not ended at `now` (current and upcoming), in time order:
    /// what a team page shows.
    pub async fn upcoming_leaves(
        &self,
        users: &[i64],
        now: DateTime<Utc>,
    ) -> Result<Vec<LeaveRecord>, StoreError> {
        self.leave_records(users, Some(micros(now))).await
    }

    async fn leave_records(
        &self,
        users: &[i64],
        ending_after: Option<DateTime<Utc>>,
    ) -> Result<Vec<LeaveRecord>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_db!(&self.db, |p| {
            let mut q = sqlx::QueryBuilder::new(leave_select!());
            q.push("where l.user_id in (");
            let mut list = q.separated(", ");
            for u in users {
                list.push_bind(*u);
            }
            q.push(")");
            if let Some(t) = ending_after {
                q.push(" and l.ends_at > ").push_bind(t);
            }
            q.push(" order by l.user_id, l.starts_at, l.id");
            q.build_query_as().fetch_all(p).await
        })?)
    }

    /// Cancels (deletes) a leave of `user`, with its audit row; `NotFound` when `user` has no
    /// such leave.
    pub async fn cancel_leave(
        &self,
        user: UserId,
        id: i64,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row: Option<(DateTime<Utc>, DateTime<Utc>, String)> = on_tx!(&mut tx, |c| {
            sqlx::query_as(
                "delete from leaves where user_id = $1 and id = $2 \
                 returning starts_at, ends_at, note",
            )
            .bind(user.0)
            .bind(id)
            .fetch_optional(&mut *c)
            .await
        })?;
        let (from, until, note) = row.ok_or(StoreError::NotFound)?;
        let old = describe(&Leave { from, until }, &note);
        audit(&mut tx, user, by, Some(old), None, micros(now)).await?;
        tx.commit().await
    }

    /// Every recorded leave of `users` (say, a pool's owners), as the recycle rules read it:
    /// one statement per chunk of users, however many customers they own.
    pub async fn leave_spans(&self, users: &[i64]) -> Result<HashMap<i64, Vec<Leave>>, StoreError> {
        let mut out: HashMap<i64, Vec<Leave>> = HashMap::new();
        for chunk in users.chunks(500) {
            let rows: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = on_db!(&self.db, |p| {
                let mut q = sqlx::QueryBuilder::new(
                    "select user_id, starts_at, ends_at from leaves where user_id in (",
                );
                let mut list = q.separated(", ");
                for u in chunk {
                    list.push_bind(*u);
                }
                q.push(")");
                q.build_query_as().fetch_all(p).await
            })?;
            for (user, from, until) in rows {
                out.entry(user).or_default().push(Leave { from, until });
            }
        }
        Ok(out)
    }
}

/// A leave in the audit log's words: `from/until note` in RFC 3339.
fn describe(span: &Leave, note: &str) -> String {
    let mut s = format!("{}/{}", span.from.to_rfc3339(), span.until.to_rfc3339());
    if !note.is_empty() {
        s.push(' ');
        s.push_str(note);
    }
    s
}

async fn audit(
    tx: &mut Tx,
    user: UserId,
    by: &Actor,
    old: Option<String>,
    new: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
         values ($1, $2, 'user', $3, 'leave', $4, $5)",
    )
    .bind(now)
    .bind(by.user_id.0)
    .bind(user.0)
    .bind(&old)
    .bind(&new)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
