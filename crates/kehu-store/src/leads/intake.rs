//! Intake in one short write transaction: the idempotency key decides races, the open lead of
//! the same person is found by its keys, the decision is written with its notification.
//!
//! Two identical requests at once: on SQLite the write lock orders them; on PostgreSQL the
//! second insert waits on the first's UNIQUE (source, key) entry and fails once it commits,
//! and the retry finds the lead and replays it. Two leads of one person at once: the partial
//! UNIQUE index on open lead keys fails the second the same way, and its retry joins the
//! first as a duplicate.

use super::response::{NewEvent, add_event, start_clock};
use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in};
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::lead::{
    CustomerHit, Decision, HitOwner, LeadId, LeadKey, LeadSourceId, NewLead, OpenLead, Outcome,
};
use std::collections::BTreeMap;

/// How often an intake is re-run after losing a race on a unique index.
const RACE_RETRIES: usize = 3;

/// One intake request, parsed and matched against customers.
#[derive(Debug, Clone)]
pub struct LeadIntake<'a> {
    /// The source.
    pub source: LeadSourceId,
    /// Its name, for the owner's notification.
    pub source_name: &'a str,
    /// The intake token it came with, if any.
    pub token: Option<i64>,
    /// The user who entered it by hand, if any.
    pub entered_by: Option<UserId>,
    /// The sender's `Idempotency-Key`.
    pub idempotency_key: &'a str,
    /// [`NewLead::fingerprint`] of the payload.
    pub fingerprint: &'a str,
    /// The payload.
    pub lead: &'a NewLead,
    /// The customers it matched (owners are re-read inside the transaction).
    pub hits: &'a [CustomerHit],
    /// When it arrived.
    pub now: DateTime<Utc>,
}

/// What intake answers, built only from what was decided at intake, so a replay answers
/// the same whatever happened to the lead since.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct LeadReceipt {
    /// The lead.
    pub id: i64,
    /// Its source.
    pub source_id: i64,
    /// `assigned_owner`, `duplicate` or `unrouted`.
    pub outcome: String,
    /// The open lead it joined.
    pub duplicate_of: Option<i64>,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The fingerprint of the first request with this key.
    #[serde(skip)]
    pub fingerprint: String,
}

/// The result of an intake.
#[derive(Debug, Clone, PartialEq)]
pub enum IntakeResult {
    /// A new lead.
    Created(LeadReceipt),
    /// The key was seen before with the same payload: the first answer again.
    Replayed(LeadReceipt),
    /// The key was seen before with another payload.
    KeyReused,
}

impl Store {
    /// Takes in a lead: replays a known key, else decides with `decide` (on the customer hits
    /// with fresh owners and the open lead of the same person) and writes the lead, its keys
    /// and the owner's notification in one transaction.
    pub async fn intake_lead<F>(
        &self,
        req: &LeadIntake<'_>,
        decide: F,
    ) -> Result<IntakeResult, StoreError>
    where
        F: Fn(&[CustomerHit], Option<&OpenLead>) -> Decision,
    {
        let mut attempt = 0;
        loop {
            match with_retry(|| self.intake_once(req, &decide)).await {
                Err(StoreError::Db(e)) if is_unique(&e) && attempt < RACE_RETRIES => attempt += 1,
                other => return other,
            }
        }
    }

    async fn intake_once<F>(
        &self,
        req: &LeadIntake<'_>,
        decide: &F,
    ) -> Result<IntakeResult, StoreError>
    where
        F: Fn(&[CustomerHit], Option<&OpenLead>) -> Decision,
    {
        let mut tx = self.begin_write().await?;
        if let Some(seen) = receipt_by_key(&mut tx, req.source, req.idempotency_key).await? {
            return Ok(if seen.fingerprint == req.fingerprint {
                IntakeResult::Replayed(seen)
            } else {
                IntakeResult::KeyReused
            });
        }
        let hits = refresh_owners(&mut tx, req.hits).await?;
        let keys = req.lead.keys();
        let open = open_leads(&mut tx, &keys).await?;
        let decision = decide(&hits, open.first().map(|(o, _)| o));
        let id = insert_lead(&mut tx, req, &decision).await?;
        if let Some(owner) = decision.assigned_to {
            // The owner's response window runs from the intake, as a routed rep's does.
            start_clock(&mut tx, LeadId(id), req.now).await?;
            let event = NewEvent {
                to: Some(owner),
                ..NewEvent::system(LeadId(id), "assigned")
            };
            add_event(&mut tx, &event, req.now).await?;
        }
        let held: Vec<&LeadKey> = open.iter().map(|(_, k)| k).collect();
        write_keys(&mut tx, id, &decision, &keys, &held).await?;
        if decision.explanation.outcome == Outcome::AssignedOwner {
            notify_owner(&mut tx, req, &decision).await?;
        }
        let receipt = receipt_by_key(&mut tx, req.source, req.idempotency_key)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(IntakeResult::Created(receipt))
    }
}

fn is_unique(e: &sqlx::Error) -> bool {
    e.as_database_error().map(|d| d.kind()) == Some(sqlx::error::ErrorKind::UniqueViolation)
}

async fn receipt_by_key(
    tx: &mut Tx,
    source: LeadSourceId,
    key: &str,
) -> Result<Option<LeadReceipt>, StoreError> {
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, LeadReceipt>(
        "select id, source_id, outcome, duplicate_of, received_at, fingerprint from leads \
         where source_id = $1 and idempotency_key = $2"
    )
    .bind(source.0)
    .bind(key)
    .fetch_optional(&mut *c)
    .await)?)
}

/// The hits with their owners as they are now (the match was read before the transaction).
async fn refresh_owners(tx: &mut Tx, hits: &[CustomerHit]) -> Result<Vec<CustomerHit>, StoreError> {
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let row: Option<(Option<i64>, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
            "select c.owner_id, u.name from customers c left join users u on u.id = c.owner_id \
             where c.id = $1"
        )
        .bind(hit.customer.0)
        .fetch_optional(&mut *c)
        .await)?;
        if let Some((owner, name)) = row {
            let mut hit = hit.clone();
            hit.owner = owner.map(|id| HitOwner {
                id: UserId(id),
                name: name.unwrap_or_default(),
            });
            out.push(hit);
        }
    }
    Ok(out)
}

/// The open leads holding any of `keys`, the earliest first, each with the key it holds.
async fn open_leads(tx: &mut Tx, keys: &[LeadKey]) -> Result<Vec<(OpenLead, LeadKey)>, StoreError> {
    type Row = (i64, Option<i64>, Option<String>, Option<i64>);
    let mut out: Vec<(OpenLead, LeadKey)> = Vec::new();
    for key in keys {
        let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as::<_, Row>(
            "select l.id, l.assigned_to, u.name, l.customer_id from lead_keys k \
             join leads l on l.id = k.lead_id left join users u on u.id = l.assigned_to \
             where k.kind = $1 and k.value = $2 and k.is_open"
        )
        .bind(key.kind.code())
        .bind(&key.value)
        .fetch_optional(&mut *c)
        .await)?;
        if let Some((id, assigned, name, customer)) = row {
            let lead = OpenLead {
                id: LeadId(id),
                assignee: assigned.map(|id| HitOwner {
                    id: UserId(id),
                    name: name.unwrap_or_default(),
                }),
                customer: customer.map(CustomerId),
                key: key.kind,
            };
            out.push((lead, key.clone()));
        }
    }
    out.sort_by_key(|(o, _)| o.id);
    Ok(out)
}

async fn insert_lead(tx: &mut Tx, req: &LeadIntake<'_>, d: &Decision) -> Result<i64, StoreError> {
    let l = req.lead;
    let explanation =
        serde_json::to_string(&d.explanation).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let extra = l
        .extra
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let tags = (!l.tags.is_empty())
        .then(|| serde_json::to_string(&l.tags))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let assigned_at = d.assigned_to.map(|_| micros(req.now));
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "insert into leads (source_id, idempotency_key, fingerprint, token_id, entered_by, \
         company, contact_name, phone, phone_ext, email, wechat, credit_code, province, city, \
         message, extra, status, assigned_to, assigned_at, customer_id, duplicate_of, outcome, \
         explanation, received_at, industry, tags, grade) values ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, \
         $25, $26, $27) returning id"
    )
    .bind(req.source.0)
    .bind(req.idempotency_key)
    .bind(req.fingerprint)
    .bind(req.token)
    .bind(req.entered_by.map(|u| u.0))
    .bind(&l.company)
    .bind(&l.contact_name)
    .bind(l.phone.as_ref().map(|p| p.e164()))
    .bind(l.phone.as_ref().and_then(|p| p.extension()))
    .bind(l.email.as_ref().map(|e| e.as_str()))
    .bind(&l.wechat)
    .bind(l.credit_code.as_ref().map(|c| c.as_str()))
    .bind(&l.province)
    .bind(&l.city)
    .bind(&l.message)
    .bind(&extra)
    .bind(d.status.code())
    .bind(d.assigned_to.map(|u| u.0))
    .bind(assigned_at)
    .bind(d.customer.map(|c| c.0))
    .bind(d.duplicate_of.map(|l| l.0))
    .bind(d.explanation.outcome.code())
    .bind(&explanation)
    .bind(micros(req.now))
    .bind(&l.industry)
    .bind(&tags)
    .bind(l.grade.map(|g| g.code()))
    .fetch_one(&mut *c)
    .await)?)
}

/// Writes the lead's keys. An open lead holds its keys (a concurrent open lead of the same
/// person fails on the UNIQUE index and retries); a duplicate hands the keys its open lead
/// lacks to that lead, so a third inquiry that shares only those still finds it.
async fn write_keys(
    tx: &mut Tx,
    id: i64,
    d: &Decision,
    keys: &[LeadKey],
    held: &[&LeadKey],
) -> Result<(), StoreError> {
    for key in keys {
        let free = !held.contains(&key);
        let (kind, value) = (key.kind.code(), key.value.as_str());
        if let Some(root) = d.duplicate_of {
            if free {
                insert_key(tx, root.0, kind, value, true, true).await?;
            }
            insert_key(tx, id, kind, value, false, false).await?;
        } else {
            insert_key(tx, id, kind, value, d.status.is_open() && free, false).await?;
        }
    }
    Ok(())
}

async fn insert_key(
    tx: &mut Tx,
    lead: i64,
    kind: &str,
    value: &str,
    open: bool,
    if_free: bool,
) -> Result<(), StoreError> {
    // `on conflict do nothing`: a key another open lead took meanwhile stays with it.
    let sql = if if_free {
        "insert into lead_keys (lead_id, kind, value, is_open) values ($1, $2, $3, $4) \
         on conflict do nothing"
    } else {
        "insert into lead_keys (lead_id, kind, value, is_open) values ($1, $2, $3, $4)"
    };
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(lead)
        .bind(kind)
        .bind(value)
        .bind(open)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// "Your customer 苏州华星精密 sent a new inquiry via 官网表单", to the owner it went to.
async fn notify_owner(tx: &mut Tx, req: &LeadIntake<'_>, d: &Decision) -> Result<(), StoreError> {
    let (Some(owner), Some(hit)) = (&d.explanation.assignee, &d.explanation.matched) else {
        return Ok(());
    };
    let mut params = BTreeMap::new();
    params.insert("customer", hit.name.clone());
    params.insert("source", req.source_name.to_owned());
    let note = NewNotification {
        user: owner.id,
        kind: NotificationKind::LeadInquiry,
        customer: Some(hit.customer),
        params,
    };
    add_in(tx, &[note], req.now).await
}
