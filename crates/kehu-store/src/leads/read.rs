//! Reading leads as an actor may: a rep the leads they have, a manager those of their
//! subtree, an admin all (unrouted ones too), and everyone the leads they entered by hand or
//! imported (so they see where each went). Anything else does not exist for them.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use crate::users::scope_pattern;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::lead::LeadId;
use serde::Serialize;

/// A lead as its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Lead {
    /// Id.
    pub id: i64,
    /// Source.
    pub source_id: i64,
    /// Its name.
    pub source_name: String,
    /// `unrouted`, `assigned`, `duplicate` (see `kehu_domain::lead::LeadStatus`).
    pub status: String,
    /// What intake decided: `assigned_owner`, `duplicate`, `unrouted`.
    pub outcome: String,
    /// Company.
    pub company: Option<String>,
    /// Contact person.
    pub contact_name: Option<String>,
    /// Phone, E.164.
    pub phone: Option<String>,
    /// Its extension.
    pub phone_ext: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// WeChat id.
    pub wechat: Option<String>,
    /// Credit code.
    pub credit_code: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Industry, as the lead gave it.
    pub industry: Option<String>,
    /// Tags, a JSON array as text.
    pub tags: Option<String>,
    /// The grade the lead stated.
    pub grade: Option<String>,
    /// Message.
    pub message: Option<String>,
    /// Free fields, a JSON object as text.
    pub extra: Option<String>,
    /// Who has it.
    pub assigned_to: Option<i64>,
    /// Their name.
    pub assignee_name: Option<String>,
    /// Since when.
    pub assigned_at: Option<DateTime<Utc>>,
    /// The customer it matched.
    pub customer_id: Option<i64>,
    /// Its name.
    pub customer_name: Option<String>,
    /// The open lead it joined.
    pub duplicate_of: Option<i64>,
    /// The intake decision, JSON (`kehu_domain::lead::Explanation`).
    pub explanation: String,
    /// The routing decision, JSON (`kehu_domain::routing::RoutingExplanation`), once routed.
    pub routing: Option<String>,
    /// The team whose lead pool it waits in (or waited in, once claimed).
    pub pool_team_id: Option<i64>,
    /// That team's name.
    pub pool_team_name: Option<String>,
    /// When the assigned rep first answered it.
    pub responded_at: Option<DateTime<Utc>>,
    /// When its response window closes (or closed), while it has one.
    pub window_due_at: Option<DateTime<Utc>>,
    /// The user who entered it by hand.
    pub entered_by_name: Option<String>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Binds `$1` = actor, `$2` = managed path pattern, `$3` = 1 for admins.
const SELECT: &str = "select l.id, l.source_id, s.name as source_name, l.status, l.outcome, \
     l.company, l.contact_name, l.phone, l.phone_ext, l.email, l.wechat, l.credit_code, \
     l.province, l.city, l.industry, l.tags, l.grade, l.message, l.extra, l.assigned_to, a.name as assignee_name, \
     l.assigned_at, l.customer_id, c.name as customer_name, l.duplicate_of, l.explanation, l.routing, \
     l.responded_at, l.window_due_at, l.pool_team_id, pt.name as pool_team_name, \
     e.name as entered_by_name, l.received_at \
     from leads l join lead_sources s on s.id = l.source_id \
     left join users a on a.id = l.assigned_to left join teams lt on lt.id = a.team_id \
     left join customers c on c.id = l.customer_id left join users e on e.id = l.entered_by \
     left join teams pt on pt.id = l.pool_team_id \
     where ($3 = 1 or l.assigned_to = $1 or l.entered_by = $1 or lt.path like $2 or pt.path like $2 \
       or (l.status = 'pooled' and exists (select 1 from users me join teams mt \
           on mt.id = me.team_id where me.id = $1 and mt.path like pt.path || '%'))) ";

impl Store {
    /// The leads `actor` may read, newest first, before id `before`, at most `limit`.
    pub async fn leads_for(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Lead>, StoreError> {
        let tail = "and l.id < $4 order by l.id desc limit $5";
        self.leads_where(actor, tail, &[before.unwrap_or(i64::MAX), limit])
            .await
    }

    /// One lead, when `actor` may read it.
    pub async fn lead_for(&self, actor: &Actor, id: i64) -> Result<Option<Lead>, StoreError> {
        Ok(self.leads_where(actor, "and l.id = $4", &[id]).await?.pop())
    }

    /// The leads waiting in the lead pools `actor` may claim from (their team's and those
    /// above it), oldest first, at most `limit`.
    pub async fn pooled_leads_for(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<Lead>, StoreError> {
        let tail = "and l.status = 'pooled' and exists (select 1 from users me join teams mt \
             on mt.id = me.team_id where me.id = $1 and mt.path like pt.path || '%') \
             order by l.id limit $4";
        self.leads_where(actor, tail, &[limit]).await
    }

    /// The leads assigned to `actor` themself that they have not answered yet (a rep's
    /// workbench), the soonest window due first and those without a window last, at most
    /// `limit`.
    pub async fn my_open_leads(&self, actor: &Actor, limit: i64) -> Result<Vec<Lead>, StoreError> {
        let tail = "and l.assigned_to = $1 and l.status = 'assigned' and l.responded_at is null \
             order by case when l.window_due_at is null then 1 else 0 end, l.window_due_at, l.id \
             limit $4";
        self.leads_where(actor, tail, &[limit]).await
    }

    /// The open leads `actor` may see that wait longest for an answer, a rep or a claim
    /// (oldest first, at most `limit`).
    pub async fn waiting_leads_for(
        &self,
        actor: &Actor,
        limit: i64,
    ) -> Result<Vec<Lead>, StoreError> {
        let tail = "and l.status in ('assigned', 'pooled', 'unrouted') \
             and l.responded_at is null order by l.received_at, l.id limit $4";
        self.leads_where(actor, tail, &[limit]).await
    }

    /// Leads still waiting for routing (no rule found a rep for them) received since
    /// `since`, oldest first, at most `limit`: what the jobs route again.
    pub async fn unrouted_leads(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LeadId>, StoreError> {
        let ids: Vec<i64> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select id from leads where status = 'unrouted' and received_at >= $1 \
             order by id limit $2"
        )
        .bind(micros(since))
        .bind(limit)
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().map(LeadId).collect())
    }

    /// The leads `actor` may read that also meet `tail` (a condition, order and limit on
    /// `$4`, `$5` … bound to `extra` in order).
    async fn leads_where(
        &self,
        actor: &Actor,
        tail: &str,
        extra: &[i64],
    ) -> Result<Vec<Lead>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT} {tail}"));
        Ok(on_db!(&self.db, |p| {
            let mut q = sqlx::query_as::<_, Lead>(sql)
                .bind(actor.user_id.0)
                .bind(scope_pattern(actor))
                .bind(i64::from(actor.is_admin()));
            for v in extra {
                q = q.bind(*v);
            }
            q.fetch_all(p).await
        })?)
    }
}
