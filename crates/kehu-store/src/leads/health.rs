//! Counts for the allocation health page: per rep in the actor's scope, and per region of the
//! leads they may see. Reads only; every figure is one aggregate statement.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use crate::users::scope_pattern;
use chrono::{DateTime, Duration, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::UserId;
use kehu_domain::lead::health::RepCounts;
use serde::Serialize;

/// Waiting leads of one region (the lead's province, empty when it named none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RegionBacklog {
    /// Province as the lead named it.
    pub province: String,
    /// Assigned and not answered yet.
    pub unanswered: i64,
    /// Waiting in a lead pool.
    pub pooled: i64,
    /// Awaiting routing.
    pub unrouted: i64,
}

type RepRow = (i64, String, i64, i64, i64, i64, Option<DateTime<Utc>>);

impl Store {
    /// Per active rep in `actor`'s scope (a manager's subtree, everyone for admins): leads
    /// got in the last 7 and 30 days, open ones, missed windows, the oldest open one. The
    /// weight is left 0 for the caller to fill from the rules.
    pub async fn rep_lead_counts(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<RepCounts>, StoreError> {
        let now = micros(now);
        let rows: Vec<RepRow> = on_db!(&self.db, |p| {
            sqlx::query_as(
            "select u.id, u.name, \
             (select count(*) from leads l where l.assigned_to = u.id and l.assigned_at >= $3), \
             (select count(*) from leads l where l.assigned_to = u.id and l.assigned_at >= $4), \
             (select count(*) from leads l where l.assigned_to = u.id and l.status = 'assigned' \
              and l.responded_at is null), \
             (select count(*) from leads l where l.assigned_to = u.id and l.assigned_at >= $4 \
              and l.window_due_at is not null and ((l.responded_at is null and l.window_due_at < $5) \
              or l.responded_at > l.window_due_at)), \
             (select l.assigned_at from leads l where l.assigned_to = u.id \
              and l.status = 'assigned' and l.responded_at is null order by l.assigned_at limit 1) \
             from users u join teams t on t.id = u.team_id \
             where u.role = 'rep' and u.active and ($1 = 1 or t.path like $2) \
             order by t.path, u.name"
        )
        .bind(i64::from(actor.is_admin()))
        .bind(scope_pattern(actor))
        .bind(now - Duration::days(7))
        .bind(now - Duration::days(30))
        .bind(now)
        .fetch_all(p)
        .await
        })?;
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|(id, name, r7, r30, open, breached, oldest)| RepCounts {
                user: UserId(id),
                name,
                received_7: n(r7),
                received_30: n(r30),
                open: n(open),
                breached_30: n(breached),
                oldest_open: oldest,
                weight: 0,
            })
            .collect())
    }

    /// Waiting leads by region, as far as `actor` may see them (unrouted ones: admins only).
    pub async fn region_backlog(&self, actor: &Actor) -> Result<Vec<RegionBacklog>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, RegionBacklog>(
            "select coalesce(l.province, '') as province, \
             sum(case when l.status = 'assigned' and l.responded_at is null then 1 else 0 end) \
               as unanswered, \
             sum(case when l.status = 'pooled' then 1 else 0 end) as pooled, \
             sum(case when l.status = 'unrouted' then 1 else 0 end) as unrouted \
             from leads l left join users a on a.id = l.assigned_to \
             left join teams lt on lt.id = a.team_id left join teams pt on pt.id = l.pool_team_id \
             where l.status in ('assigned', 'pooled', 'unrouted') \
             and ($1 = 1 or lt.path like $2 or pt.path like $2) \
             group by coalesce(l.province, '') order by 2 desc, 1"
        )
        .bind(i64::from(actor.is_admin()))
        .bind(scope_pattern(actor))
        .fetch_all(p)
        .await)?)
    }
}
