//! Appeals (申诉): filed with a statement and evidence files, decided by the owner's manager;
//! the decision is a ledger event written with the appeal's new status and both parties'
//! notifications in one transaction.

use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::notifications::{NewNotification, NotificationKind, add_in, customer_name, managers_of};
use crate::rows::micros;
use crate::users::scope_pattern;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::OwnerChange;
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many evidence files per appeal.
pub const MAX_FILES: usize = 5;
/// At most this many bytes per evidence file (5 MiB).
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

/// An evidence file to store.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// File name as uploaded.
    pub name: String,
    /// MIME type as uploaded.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// An appeal with names resolved.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Appeal {
    /// Id.
    pub id: i64,
    /// The customer.
    pub customer_id: i64,
    /// Its name.
    pub customer_name: String,
    /// Who filed it.
    pub appellant_id: i64,
    /// Their name.
    pub appellant_name: String,
    /// The owner now.
    pub owner_id: Option<i64>,
    /// Their name.
    pub owner_name: Option<String>,
    /// Their team path (who may decide).
    #[serde(skip)]
    pub owner_team_path: Option<String>,
    /// The appellant's statement.
    pub statement: Option<String>,
    /// `open` or `decided`.
    pub status: String,
    /// `keep`, `transfer` or `split`.
    pub decision: Option<String>,
    /// The appellant's credit share in percent, for a split.
    pub appellant_share: Option<i64>,
    /// The decider's note.
    pub decision_note: Option<String>,
    /// Who decided.
    pub decided_by_name: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// When filed.
    pub created_at: DateTime<Utc>,
}

/// An evidence file's description.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Evidence {
    /// Id.
    pub id: i64,
    /// File name.
    pub name: String,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
}

/// What a decision records besides its ledger event.
#[derive(Debug, Clone)]
pub struct DecisionRecord<'a> {
    /// `keep`, `transfer` or `split`.
    pub code: &'static str,
    /// The appellant's share, for a split.
    pub appellant_share: Option<u8>,
    /// The decider's note.
    pub note: Option<&'a str>,
}

macro_rules! appeal_select {
    () => {
        "select r.id, r.customer_id, c.name as customer_name, r.requester_id as appellant_id, \
         a.name as appellant_name, c.owner_id, o.name as owner_name, ot.path as owner_team_path, \
         r.statement, r.status, r.decision, r.appellant_share, r.decision_note, \
         d.name as decided_by_name, r.decided_at, r.created_at \
         from access_requests r join customers c on c.id = r.customer_id \
         join users a on a.id = r.requester_id left join users o on o.id = c.owner_id \
         left join teams ot on ot.id = o.team_id left join users d on d.id = r.decided_by \
         where r.kind = 'appeal' "
    };
}

impl Store {
    /// Files `appellant`'s appeal on `customer` (or adds to their open one: the duplicate
    /// warning's button files it without a statement). A new appeal notifies the owner and
    /// the owner's managers in the same transaction. Answers the appeal's id.
    pub async fn file_appeal(
        &self,
        customer: CustomerId,
        appellant: &Actor,
        statement: Option<&str>,
        evidence: &[NewEvidence],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let open: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
                "select id from access_requests where customer_id = $1 and requester_id = $2 \
                 and kind = 'appeal' and status = 'open'"
            )
            .bind(customer.0)
            .bind(appellant.user_id.0)
            .fetch_optional(&mut *c)
            .await?);
            let id = match open {
                Some(id) => {
                    if let Some(s) = statement {
                        on_tx!(&mut tx, |c| sqlx::query(
                            "update access_requests set statement = $1 where id = $2"
                        )
                        .bind(s)
                        .bind(id)
                        .execute(&mut *c)
                        .await
                        .map(|r| r.rows_affected())?);
                    }
                    id
                }
                None => insert(&mut tx, customer, appellant, statement, now).await?,
            };
            add_files(&mut tx, id, evidence, now).await?;
            tx.commit().await?;
            Ok(id)
        })
        .await
    }

    /// An appeal by id, unfiltered: the caller checks who may see it.
    pub async fn appeal(&self, id: i64) -> Result<Option<Appeal>, StoreError> {
        const SQL: &str = concat!(appeal_select!(), "and r.id = $1");
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Appeal>(SQL)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }

    /// The appeals `actor` may see: filed by them, against them, or on customers owned in
    /// their managed subtree (admins: all). Open first, then newest.
    pub async fn appeals_for(&self, actor: &Actor) -> Result<Vec<Appeal>, StoreError> {
        const SQL: &str = concat!(
            appeal_select!(),
            "and (r.requester_id = $1 or c.owner_id = $1 or ot.path like $2) \
             order by case when r.status = 'open' then 0 else 1 end, r.id desc limit 200"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Appeal>(SQL)
            .bind(actor.user_id.0)
            .bind(scope_pattern(actor))
            .fetch_all(p)
            .await)?)
    }

    /// An appeal's evidence files (descriptions only).
    pub async fn evidence(&self, appeal: i64) -> Result<Vec<Evidence>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, Evidence>(
            "select id, name, content_type, size from appeal_evidence where request_id = $1 order by id"
        )
        .bind(appeal)
        .fetch_all(p)
        .await
        })?)
    }

    /// One evidence file with its bytes.
    pub async fn evidence_file(
        &self,
        appeal: i64,
        file: i64,
    ) -> Result<Option<(Evidence, Vec<u8>)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            meta: Evidence,
            data: Vec<u8>,
        }
        let row = on_db!(&self.db, |p| {
            sqlx::query_as::<_, Row>(
            "select id, name, content_type, size, data from appeal_evidence where request_id = $1 and id = $2"
        )
        .bind(appeal)
        .bind(file)
        .fetch_optional(p)
        .await
        })?;
        Ok(row.map(|r| (r.meta, r.data)))
    }

    /// Records a decision: the appeal closes (compare-and-set on `open`: a second decider
    /// gets `Stale`), the ledger event is written (an owner change through the one writer;
    /// a kept customer gets its event without touching owner or protection), and the
    /// appellant and the former owner are notified — one transaction.
    pub async fn decide_appeal(
        &self,
        appeal: &Appeal,
        change: &OwnerChange,
        record: &DecisionRecord<'_>,
        by: &Actor,
    ) -> Result<(), StoreError> {
        let now = micros(change.at);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let closed = on_tx!(&mut tx, |c| sqlx::query(
                "update access_requests set status = 'decided', decision = $1, appellant_share = $2, \
                 decision_note = $3, decided_by = $4, decided_at = $5 where id = $6 and status = 'open'"
            )
            .bind(record.code)
            .bind(record.appellant_share.map(i64::from))
            .bind(record.note)
            .bind(by.user_id.0)
            .bind(now)
            .bind(appeal.id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
            if closed == 0 {
                return Err(StoreError::Stale);
            }
            if change.from == change.to {
                keep(&mut tx, change).await?;
            } else {
                crate::ownership::apply(&mut tx, change).await?;
            }
            let mut params = BTreeMap::new();
            params.insert("customer", appeal.customer_name.clone());
            params.insert("by", by.name.clone());
            params.insert("decision", record.code.to_owned());
            if let Some(share) = record.appellant_share {
                params.insert("share", share.to_string());
                params.insert("rest", (100 - share).to_string());
            }
            let mut to = vec![UserId(appeal.appellant_id)];
            to.extend(change.from.filter(|f| f.0 != appeal.appellant_id));
            let notes: Vec<_> = to
                .into_iter()
                .filter(|u| *u != by.user_id)
                .map(|user| NewNotification {
                    user,
                    kind: NotificationKind::AppealDecided,
                    customer: Some(change.customer_id),
                    params: params.clone(),
                })
                .collect();
            add_in(&mut tx, &notes, now).await?;
            tx.commit().await
        })
        .await
    }
}

async fn insert(
    tx: &mut Tx,
    customer: CustomerId,
    appellant: &Actor,
    statement: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let owner: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "select owner_id from customers where id = $1"
    )
    .bind(customer.0)
    .fetch_one(&mut *c)
    .await?);
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "insert into access_requests (customer_id, requester_id, kind, statement, against_id, status, created_at) \
         values ($1, $2, 'appeal', $3, $4, 'open', $5) returning id"
    )
    .bind(customer.0)
    .bind(appellant.user_id.0)
    .bind(statement)
    .bind(owner)
    .bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    let mut to: Vec<UserId> = Vec::new();
    if let Some(o) = owner.map(UserId) {
        to.push(o);
        to.extend(managers_of(tx, o).await?);
    }
    to.retain(|u| *u != appellant.user_id);
    let mut params = BTreeMap::new();
    params.insert("customer", customer_name(tx, customer).await?);
    params.insert("by", appellant.name.clone());
    let notes: Vec<_> = to
        .into_iter()
        .map(|user| NewNotification {
            user,
            kind: NotificationKind::AppealFiled,
            customer: Some(customer),
            params: params.clone(),
        })
        .collect();
    add_in(tx, &notes, now).await?;
    Ok(id)
}

async fn add_files(
    tx: &mut Tx,
    appeal: i64,
    files: &[NewEvidence],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let existing: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "select count(*) from appeal_evidence where request_id = $1"
    )
    .bind(appeal)
    .fetch_one(&mut *c)
    .await?);
    if usize::try_from(existing).unwrap_or(usize::MAX) + files.len() > MAX_FILES {
        return Err(StoreError::Conflict { what: "evidence" });
    }
    for f in files {
        on_tx!(tx, |c| sqlx::query(
            "insert into appeal_evidence (request_id, name, content_type, size, data, created_at) \
             values ($1, $2, $3, $4, $5, $6)"
        )
        .bind(appeal)
        .bind(&f.name)
        .bind(&f.content_type)
        .bind(i64::try_from(f.data.len()).unwrap_or(i64::MAX))
        .bind(&f.data)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

/// A kept customer: the ledger event and a version bump (so a concurrent change loses its
/// compare-and-set), leaving owner and owner-since — and so protection — as they were.
async fn keep(tx: &mut Tx, change: &OwnerChange) -> Result<(), StoreError> {
    let at = micros(change.at);
    on_tx!(tx, |c| {
        let moved = sqlx::query(
            "update customers set version = version + 1 where id = $1 and version = $2",
        )
        .bind(change.customer_id.0)
        .bind(change.expected_version)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if moved == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(
            "insert into ownership_events (customer_id, kind, from_user, to_user, by_user, reason, rule, at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(change.customer_id.0)
        .bind(change.kind.code())
        .bind(change.from.map(|u| u.0))
        .bind(change.to.map(|u| u.0))
        .bind(change.by.0)
        .bind(change.reason.as_deref())
        .bind(change.rule.as_deref())
        .bind(at)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}
