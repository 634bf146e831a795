//! Intake in one short write transaction: the open lead of the same person is found by its
//! keys, the decision is written with its notification, and a lead left for routing is routed
//! in the same transaction.
//!
//! Two identical requests at once: on SQLite the write lock orders them and the second insert
//! fails on the UNIQUE (source, key) index; on PostgreSQL the second insert waits on the
//! first's entry and fails once it commits; either way it is then answered as a replay. Two
//! leads of one person at once: the partial UNIQUE index on open lead keys fails the second
//! the same way, and its retry joins the first as a duplicate.

use super::response::{NewEvent, add_event};
use crate::Store;
use crate::db::query::{Param, Query};
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in};
use crate::routing::{
    CAS_RETRIES, Decide, Placement, RouteFrom, RouteWith, WriteCtx, announce_first, cas_pause,
    facts_of_new, plan_new,
};
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
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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
    /// A new lead (routed already when intake was asked to route it and it could be).
    Created(LeadReceipt),
    /// The key was seen before with the same payload: the first answer again.
    Replayed(LeadReceipt),
    /// The key was seen before with another payload.
    KeyReused,
}

impl Store {
    /// The answer to the intake of `key` from `source` if that key was seen before: a replay
    /// with the same `fingerprint`, else a refused reuse. Read before the matching, so a
    /// replay costs one lookup.
    pub async fn lead_replay(
        &self,
        source: LeadSourceId,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<IntakeResult>, StoreError> {
        let q = Query::new(RECEIPT).bind(source.0).bind(key);
        let seen = self
            .read_opt::<ReceiptRow>(&q)
            .await?
            .map(LeadReceipt::from);
        Ok(seen.map(|seen| {
            if seen.fingerprint == fingerprint {
                IntakeResult::Replayed(seen)
            } else {
                IntakeResult::KeyReused
            }
        }))
    }

    /// Takes in a lead: decides with `decide` (on the customer hits with fresh owners and the
    /// open lead of the same person), writes the lead, its keys and the owner's notification
    /// and, with `route`, routes a lead left unrouted, all in one transaction. A key seen
    /// before is answered as [`Store::lead_replay`] does. When routing fails for another
    /// reason than a lost race, the lead is taken in unrouted, for the re-route pass.
    pub async fn intake_lead<F, R>(
        &self,
        req: &LeadIntake<'_>,
        decide: F,
        route: Option<&RouteWith<R>>,
    ) -> Result<IntakeResult, StoreError>
    where
        F: Fn(&[CustomerHit], Option<&OpenLead>) -> Decision,
        R: Decide,
    {
        let (mut races, mut stale, mut route) = (0, 0, route);
        loop {
            match with_retry(|| self.intake_once(req, &decide, route)).await {
                Err(StoreError::Db(e)) if is_unique(&e) && races < RACE_RETRIES => {
                    // The same key (replayed now) or an open lead of the same person (joined
                    // on the next attempt) committed meanwhile.
                    let replay = self
                        .lead_replay(req.source, req.idempotency_key, req.fingerprint)
                        .await?;
                    if let Some(replay) = replay {
                        return Ok(replay);
                    }
                    races += 1;
                }
                Err(StoreError::Stale) if route.is_some() && stale < CAS_RETRIES => {
                    stale += 1;
                    cas_pause(stale).await;
                }
                Err(e) if route.is_some() => {
                    tracing::warn!(error = %e, "routing at intake failed; the lead waits unrouted");
                    route = None;
                }
                other => return other,
            }
        }
    }

    async fn intake_once<F, R>(
        &self,
        req: &LeadIntake<'_>,
        decide: &F,
        route: Option<&RouteWith<R>>,
    ) -> Result<IntakeResult, StoreError>
    where
        F: Fn(&[CustomerHit], Option<&OpenLead>) -> Decision,
        R: Decide,
    {
        // Every statement here is a `Query`: on SQLite the whole transaction runs on the direct
        // writer without a hand-off.
        let mut tx = self.begin_hot_write().await?;
        let window = source_window(&mut tx, req.source).await?;
        let hits = refresh_owners(&mut tx, req.hits).await?;
        let keys = req.lead.keys();
        let open = open_leads(&mut tx, &keys).await?;
        let decision = decide(&hits, open.first().map(|(o, _)| o));
        // A lead left for routing is routed before it is written, so it is inserted where
        // routing puts it: one insert rather than an insert, a read and an update.
        let planned = match route.filter(|_| decision.explanation.outcome == Outcome::Unrouted) {
            Some(with) => {
                let customer = decision.customer;
                let facts = facts_of_new(&mut tx, req.source.0, req.lead, customer).await?;
                Some(plan_new(&mut tx, &facts, customer, with).await?)
            }
            None => None,
        };
        let placed = match &planned {
            Some(p) => Placement::first(&p.routing, window.as_deref(), req.now)?,
            // With the owner (their window runs from the intake, as a routed rep's does),
            // joined to its open lead, or unrouted.
            None => Placement::new(
                decision.status.code(),
                decision.assigned_to,
                window.as_deref(),
                req.now,
            )?,
        };
        // A key seen before fails here on the UNIQUE (source, key) index.
        let id = insert_lead(&mut tx, req, &decision, &placed).await?;
        if let Some(owner) = decision.assigned_to {
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
        if let Some(planned) = planned {
            let ctx = WriteCtx {
                lead: LeadId(id),
                from: RouteFrom::Unrouted,
                source_name: req.source_name,
                window: window.as_deref(),
                customer: decision.customer,
                now: req.now,
            };
            announce_first(&mut tx, &ctx, &placed).await?;
            planned.save_state(&mut tx).await?;
        }
        tx.commit().await?;
        let receipt = LeadReceipt {
            id,
            source_id: req.source.0,
            outcome: decision.explanation.outcome.code().to_owned(),
            duplicate_of: decision.duplicate_of.map(|l| l.0),
            // As stored, so a replay answers the same instant.
            received_at: micros(req.now),
            fingerprint: req.fingerprint.to_owned(),
        };
        Ok(IntakeResult::Created(receipt))
    }
}

/// [`RECEIPT`]'s columns.
type ReceiptRow = (i64, i64, String, Option<i64>, DateTime<Utc>, String);

impl From<ReceiptRow> for LeadReceipt {
    fn from(r: ReceiptRow) -> LeadReceipt {
        let (id, source_id, outcome, duplicate_of, received_at, fingerprint) = r;
        LeadReceipt {
            id,
            source_id,
            outcome,
            duplicate_of,
            received_at,
            fingerprint,
        }
    }
}

fn is_unique(e: &sqlx::Error) -> bool {
    e.as_database_error().map(|d| d.kind()) == Some(sqlx::error::ErrorKind::UniqueViolation)
}

const RECEIPT: &str = "select id, source_id, outcome, duplicate_of, received_at, fingerprint \
     from leads where source_id = $1 and idempotency_key = $2";

/// The hits with their owners as they are now (the match was read before the transaction).
async fn refresh_owners(tx: &mut Tx, hits: &[CustomerHit]) -> Result<Vec<CustomerHit>, StoreError> {
    let mut out = Vec::with_capacity(hits.len());
    for hit in hits {
        let q = Query::new(
            "select c.owner_id, u.name from customers c left join users u on u.id = c.owner_id \
             where c.id = $1",
        )
        .bind(hit.customer.0);
        let row: Option<(Option<i64>, Option<String>)> = tx.opt(&q).await?;
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

/// The open leads holding any of `keys`, the earliest first, each with the key it holds: one
/// statement, each key an index lookup.
async fn open_leads(tx: &mut Tx, keys: &[LeadKey]) -> Result<Vec<(OpenLead, LeadKey)>, StoreError> {
    type Row = (
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<i64>,
    );
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::new(
        "select k.kind, k.value, l.id, l.assigned_to, u.name, l.customer_id from lead_keys k \
         join leads l on l.id = k.lead_id left join users u on u.id = l.assigned_to \
         where k.is_open and (",
    );
    for (i, key) in keys.iter().enumerate() {
        q.push(if i == 0 {
            "(k.kind = "
        } else {
            " or (k.kind = "
        })
        .push_bind(key.kind.code())
        .push(" and k.value = ")
        .push_bind(key.value.as_str())
        .push(")");
    }
    q.push(")");
    let rows: Vec<Row> = tx.all(&q).await?;
    let mut out: Vec<(OpenLead, LeadKey)> = Vec::with_capacity(rows.len());
    for (kind, value, id, assigned, name, customer) in rows {
        let Some(key) = keys
            .iter()
            .find(|k| k.kind.code() == kind && k.value == value)
        else {
            continue;
        };
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
    // The earliest lead first; its keys in the order the lead's keys come.
    out.sort_by_key(|(o, k)| (o.id, keys.iter().position(|x| x == k)));
    Ok(out)
}

/// The source's response window (JSON), for the clock of a lead assigned at intake.
async fn source_window(tx: &mut Tx, source: LeadSourceId) -> Result<Option<String>, StoreError> {
    let q = Query::new("select response_window from lead_sources where id = $1").bind(source.0);
    let row: Option<(Option<String>,)> = tx.opt(&q).await?;
    Ok(row.and_then(|(w,)| w))
}

async fn insert_lead(
    tx: &mut Tx,
    req: &LeadIntake<'_>,
    d: &Decision,
    placed: &Placement,
) -> Result<i64, StoreError> {
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
    let q = Query::new(
        "insert into leads (source_id, idempotency_key, fingerprint, token_id, entered_by, \
         company, contact_name, phone, phone_ext, email, wechat, credit_code, province, city, \
         message, extra, status, assigned_to, assigned_at, customer_id, duplicate_of, outcome, \
         explanation, received_at, industry, tags, grade, routing, window_due_at, next_step_at, \
         pool_team_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) \
         returning id",
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
    .bind(extra)
    .bind(placed.status)
    .bind(placed.assigned_to.map(|u| u.0))
    .bind(placed.assigned_at)
    .bind(d.customer.map(|c| c.0))
    .bind(d.duplicate_of.map(|l| l.0))
    .bind(d.explanation.outcome.code())
    .bind(explanation)
    .bind(micros(req.now))
    .bind(&l.industry)
    .bind(tags)
    .bind(l.grade.map(|g| g.code()))
    .bind(placed.json.as_deref())
    .bind(placed.due)
    .bind(placed.next)
    .bind(placed.pool_team.map(|t| t.0));
    let (id,): (i64,) = tx.one(&q).await?;
    Ok(id)
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
    let free = |key: &LeadKey| !held.contains(&key);
    let (own, handed): (Vec<KeyRow>, Vec<KeyRow>) = match d.duplicate_of {
        Some(root) => (
            keys.iter().map(|k| (id, k, false)).collect(),
            keys.iter()
                .filter(|k| free(k))
                .map(|k| (root.0, k, true))
                .collect(),
        ),
        None => (
            keys.iter()
                .map(|k| (id, k, d.status.is_open() && free(k)))
                .collect(),
            Vec::new(),
        ),
    };
    // `on conflict do nothing`: a key another open lead took meanwhile stays with it.
    insert_keys(tx, &handed, " on conflict do nothing").await?;
    insert_keys(tx, &own, "").await
}

/// A key row: the lead, the key, whether it is held open.
type KeyRow<'k> = (i64, &'k LeadKey, bool);

async fn insert_keys(tx: &mut Tx, rows: &[KeyRow<'_>], tail: &str) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = Query::new("insert into lead_keys (lead_id, kind, value, is_open) values ");
    q.push_rows(rows, |(lead, key, open)| {
        vec![
            Param::from(*lead),
            Param::from(key.kind.code()),
            Param::from(key.value.as_str()),
            Param::from(*open),
        ]
    })
    .push(tail);
    tx.run(&q).await?;
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
