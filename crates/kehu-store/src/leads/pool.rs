//! The lead pool (认领池): leads a routing rule sent to a team wait there until one of the
//! team's members claims one. A claim is one compare-and-set on the lead's status, so of any
//! number of concurrent claimers exactly one wins; the response window starts with it.

use super::response::{NewEvent, add_event, start_clock};
use crate::Store;
use crate::db::with_retry;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::lead::LeadId;
use serde::Serialize;

/// Why a claim was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeadClaimRefusal {
    /// It is not waiting in a pool of the claimer's team (any more, or ever).
    NotInPool,
    /// Someone was faster: their name.
    Taken(String),
}

/// An earlier inquiry of the same person, for the pool's history summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct EarlierLead {
    /// Its id.
    pub id: i64,
    /// Its source's name.
    pub source_name: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// Who had it, if anyone.
    pub assignee_name: Option<String>,
}

impl Store {
    /// `actor` claims pooled lead `lead`: it becomes theirs when it still waits in the pool of
    /// a team they belong to (their team or one below it).
    pub async fn claim_lead(
        &self,
        lead: LeadId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Result<(), LeadClaimRefusal>, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let n = on_tx!(&mut tx, |c| sqlx::query(
                "update leads set status = 'assigned', assigned_to = $1, assigned_at = $2 \
                 where id = $3 and status = 'pooled' and exists (select 1 from users me \
                 join teams mt on mt.id = me.team_id join teams pt on pt.id = leads.pool_team_id \
                 where me.id = $1 and me.active and mt.path like pt.path || '%')"
            )
            .bind(actor.user_id.0)
            .bind(now)
            .bind(lead.0)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
            if n != 1 {
                // Who got it, if it was claimed from a pool the claimer belongs to (nobody
                // else learns anything about the lead).
                let winner: Option<Option<String>> = on_tx!(&mut tx, |c| sqlx::query_scalar(
                    "select u.name from leads l left join users u on u.id = l.assigned_to \
                     join teams pt on pt.id = l.pool_team_id \
                     where l.id = $1 and l.status = 'assigned' and exists (select 1 from users me \
                     join teams mt on mt.id = me.team_id where me.id = $2 \
                     and mt.path like pt.path || '%')"
                )
                .bind(lead.0)
                .bind(actor.user_id.0)
                .fetch_optional(&mut *c)
                .await)?;
                return Ok(Err(match winner.flatten() {
                    Some(name) => LeadClaimRefusal::Taken(name),
                    None => LeadClaimRefusal::NotInPool,
                }));
            }
            start_clock(&mut tx, lead, now).await?;
            let event = NewEvent {
                by: Some(actor.user_id),
                to: Some(actor.user_id),
                ..NewEvent::system(lead, "claimed")
            };
            add_event(&mut tx, &event, now).await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
        .await
    }

    /// Whether `actor` may claim `lead` now: it waits in the pool of a team they belong to.
    /// Only they see its history summary (others who read it — whoever entered it by hand,
    /// say — see the lead alone).
    pub async fn lead_claimable_by(&self, actor: &Actor, lead: LeadId) -> Result<bool, StoreError> {
        let n: i64 = on_db!(&self.db, |p| sqlx::query_scalar(
            "select count(*) from leads l join teams pt on pt.id = l.pool_team_id \
             where l.id = $1 and l.status = 'pooled' and exists (select 1 from users me \
             join teams mt on mt.id = me.team_id where me.id = $2 and me.active \
             and mt.path like pt.path || '%')"
        )
        .bind(lead.0)
        .bind(actor.user_id.0)
        .fetch_one(p)
        .await)?;
        Ok(n > 0)
    }

    /// Up to 5 earlier leads of the same person as `lead` (same mobile, e-mail or WeChat, or
    /// the same matched customer), newest first.
    pub async fn earlier_leads(&self, lead: LeadId) -> Result<Vec<EarlierLead>, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, EarlierLead>(
            "select o.id, s.name as source_name, o.received_at, u.name as assignee_name \
             from leads o join lead_sources s on s.id = o.source_id \
             left join users u on u.id = o.assigned_to, leads l \
             where l.id = $1 and o.id < l.id and (o.customer_id = l.customer_id \
             or exists (select 1 from lead_keys a join lead_keys b \
               on b.kind = a.kind and b.value = a.value \
               where a.lead_id = l.id and b.lead_id = o.id)) \
             order by o.id desc limit 5"
        )
        .bind(lead.0)
        .fetch_all(p)
        .await)?)
    }
}
