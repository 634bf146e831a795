//! Deals (商机): written with their history (`deal_events`), their audit rows and the
//! customer's deal projections (`open_deals`, `won_at`, `deal_lost_at`, `last_progress_at`),
//! all in one transaction, so the recycle judge and the ownership cap never see a deal
//! without its effect on the customer.

use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, NaiveDate, Utc};
use kehu_domain::Actor;
use kehu_domain::deal::{Amount, DealId, NewDeal, Stage, StageMove};
use kehu_domain::ids::CustomerId;
use serde::Serialize;

/// A deal as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Deal {
    /// Id.
    pub id: i64,
    /// The customer it is on.
    pub customer_id: i64,
    /// What is being sold.
    pub title: String,
    /// Amount in fen.
    pub amount_fen: Option<i64>,
    /// Stage code (`contact` … `won`, `lost`).
    pub stage: String,
    /// When it is expected to close.
    pub expected_close_date: Option<NaiveDate>,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// Who entered it.
    pub created_by_name: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// When it was won or lost.
    pub closed_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Deal {
    /// Its stage, parsed.
    pub fn stage(&self) -> Result<Stage, StoreError> {
        Stage::parse("stage", &self.stage).map_err(|_| StoreError::Corrupt(self.stage.clone()))
    }

    /// Its amount, parsed.
    pub fn amount(&self) -> Option<Amount> {
        self.amount_fen.and_then(Amount::from_fen)
    }
}

/// One stage a deal entered (its creation has no `from_stage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DealEvent {
    /// The deal.
    pub deal_id: i64,
    /// Its title.
    pub title: String,
    /// The stage left.
    pub from_stage: Option<String>,
    /// The stage entered.
    pub to_stage: String,
    /// The lost reason, for a loss.
    pub reason: Option<String>,
    /// Who moved it.
    pub by_name: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer's deal projections, as the recycle rules and the ownership cap read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DealSummary {
    /// Deals neither won nor lost.
    pub open_deals: i64,
    /// When a deal was first won.
    pub won_at: Option<DateTime<Utc>>,
    /// When a deal was last lost; `None` while a deal is open.
    pub deal_lost_at: Option<DateTime<Utc>>,
    /// The last deal created or moved.
    pub last_progress_at: Option<DateTime<Utc>>,
}

/// `select … from deals …` with the author's name, completed by a `where` clause.
macro_rules! deal_select {
    ($where:literal) => {
        concat!(
            "select d.id, d.customer_id, d.title, d.amount_fen, d.stage, d.expected_close_date, \
             d.lost_reason, u.name as created_by_name, d.created_at, d.closed_at, d.updated_at \
             from deals d join users u on u.id = d.created_by ",
            $where
        )
    };
}

// The customer's projections after each kind of deal write. In an UPDATE every column on the
// right-hand side is the old value, on both engines.
const ON_CREATE: &str = "update customers set open_deals = open_deals + 1, deal_lost_at = null, \
     last_progress_at = $1 where id = $2";
const ON_MOVE: &str = "update customers set last_progress_at = $1 where id = $2";
const ON_WON: &str = "update customers set open_deals = open_deals - 1, \
     won_at = coalesce(won_at, $1), last_progress_at = $1 where id = $2";
const ON_LOST: &str = "update customers set open_deals = open_deals - 1, \
     deal_lost_at = case when open_deals > 1 then null else $1 end, last_progress_at = $1 \
     where id = $2";

impl Store {
    /// Adds a deal to `customer` (the caller checked the actor may write to it), with its
    /// first history entry, its audit rows and the customer's projections.
    pub async fn create_deal(
        &self,
        actor: &Actor,
        customer: CustomerId,
        new: &NewDeal,
        now: DateTime<Utc>,
    ) -> Result<DealId, StoreError> {
        let now = micros(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let id: i64 = on_tx!(&mut tx, |c| {
                sqlx::query_scalar(
                "insert into deals (customer_id, title, amount_fen, stage, expected_close_date, \
                 created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) \
                 returning id"
            )
            .bind(customer.0)
            .bind(&new.title)
            .bind(new.amount.map(Amount::fen))
            .bind(new.stage.code())
            .bind(new.expected_close_date)
            .bind(actor.user_id.0)
            .bind(now)
            .fetch_one(&mut *c)
            .await
            })?;
            let deal = DealId(id);
            event(&mut tx, actor, customer, deal, None, new.stage, None, now).await?;
            project(&mut tx, ON_CREATE, customer, now).await?;
            let fields = [
                ("title", Some(new.title.clone())),
                ("amount", new.amount.map(|a| a.to_string())),
                ("stage", Some(new.stage.code().to_owned())),
                (
                    "expected_close_date",
                    new.expected_close_date.map(|d| d.to_string()),
                ),
            ];
            for (field, value) in fields.iter().filter(|(_, v)| v.is_some()) {
                audit(&mut tx, actor, deal, field, None, value.as_deref(), now).await?;
            }
            tx.commit().await?;
            Ok(deal)
        })
        .await
    }

    /// Moves a deal of `customer` as judged by `kehu_domain::deal::move_stage`, if it still
    /// stands in `mv.from` (compare-and-set: of two people closing one deal at once, one
    /// wins and the other gets `Stale`); `NotFound` when the deal is not the customer's.
    pub async fn move_deal(
        &self,
        actor: &Actor,
        customer: CustomerId,
        deal: DealId,
        mv: &StageMove,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = micros(now);
        let closed_at = (!mv.to.is_open()).then_some(now);
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            let moved = on_tx!(&mut tx, |c| {
                sqlx::query(
                "update deals set stage = $1, lost_reason = $2, closed_at = $3, updated_at = $4 \
                 where id = $5 and customer_id = $6 and stage = $7"
            )
            .bind(mv.to.code())
            .bind(mv.lost_reason.as_deref())
            .bind(closed_at)
            .bind(now)
            .bind(deal.0)
            .bind(customer.0)
            .bind(mv.from.code())
            .execute(&mut *c)
            .await?
            .rows_affected()
            });
            if moved == 0 {
                return Err(StoreError::Stale);
            }
            let reason = mv.lost_reason.as_deref();
            event(
                &mut tx,
                actor,
                customer,
                deal,
                Some(mv.from),
                mv.to,
                reason,
                now,
            )
            .await?;
            let sql = match mv.to {
                Stage::Won => ON_WON,
                Stage::Lost => ON_LOST,
                _ => ON_MOVE,
            };
            project(&mut tx, sql, customer, now).await?;
            let (from, to) = (Some(mv.from.code()), Some(mv.to.code()));
            audit(&mut tx, actor, deal, "stage", from, to, now).await?;
            if reason.is_some() {
                audit(&mut tx, actor, deal, "lost_reason", None, reason, now).await?;
            }
            tx.commit().await
        })
        .await
    }

    /// One deal of `customer`; `None` when there is no such deal on that customer.
    /// Unfiltered: call after `customer_for`.
    pub async fn deal(
        &self,
        customer: CustomerId,
        deal: DealId,
    ) -> Result<Option<Deal>, StoreError> {
        const SQL: &str = deal_select!("where d.id = $1 and d.customer_id = $2");
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Deal>(SQL)
            .bind(deal.0)
            .bind(customer.0)
            .fetch_optional(p)
            .await)?)
    }

    /// A customer's deals, open ones first, then newest first. Unfiltered: call after
    /// `customer_for`.
    pub async fn deals(&self, customer: CustomerId) -> Result<Vec<Deal>, StoreError> {
        const SQL: &str = deal_select!(
            "where d.customer_id = $1 \
             order by case when d.closed_at is null then 0 else 1 end, d.id desc limit 200"
        );
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, Deal>(SQL)
            .bind(customer.0)
            .fetch_all(p)
            .await)?)
    }

    /// The history of a customer's deals, newest first: every stage entered, by whom.
    pub async fn deal_events(&self, customer: CustomerId) -> Result<Vec<DealEvent>, StoreError> {
        Ok(on_db!(&self.db, |p| {
            sqlx::query_as::<_, DealEvent>(
            "select e.deal_id, d.title, e.from_stage, e.to_stage, e.reason, u.name as by_name, e.at \
             from deal_events e join deals d on d.id = e.deal_id join users u on u.id = e.by_user \
             where e.customer_id = $1 order by e.at desc, e.id desc limit 200"
        )
        .bind(customer.0)
        .fetch_all(p)
        .await
        })?)
    }

    /// The customer's deal projections.
    pub async fn deal_summary(&self, customer: CustomerId) -> Result<DealSummary, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_as::<_, DealSummary>(
            "select open_deals, won_at, deal_lost_at, last_progress_at from customers where id = $1"
        )
        .bind(customer.0)
        .fetch_one(p)
        .await)?)
    }
}

/// Appends a history entry.
#[expect(
    clippy::too_many_arguments,
    reason = "one column each, all bound as they are"
)]
async fn event(
    tx: &mut Tx,
    actor: &Actor,
    customer: CustomerId,
    deal: DealId,
    from: Option<Stage>,
    to: Stage,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into deal_events (deal_id, customer_id, from_stage, to_stage, reason, by_user, at) \
         values ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(deal.0)
    .bind(customer.0)
    .bind(from.map(Stage::code))
    .bind(to.code())
    .bind(reason)
    .bind(actor.user_id.0)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// The projections recomputed from the deals themselves, for when deals change hands (a merge
// and its undo) rather than stage. `deal_lost_at` is the last loss unless a deal is open, or a
// deal was created or won after it: what the `ON_*` steps would have left.
const REPROJECT: &str = "update customers set \
     open_deals = (select count(*) from deals d where d.customer_id = customers.id \
       and d.stage not in ('won', 'lost')), \
     won_at = (select min(d.closed_at) from deals d where d.customer_id = customers.id \
       and d.stage = 'won'), \
     deal_lost_at = (select max(d.closed_at) from deals d where d.customer_id = customers.id \
       and d.stage = 'lost' and not exists (select 1 from deals o \
         where o.customer_id = customers.id and (o.closed_at is null \
           or o.created_at > d.closed_at or (o.stage = 'won' and o.closed_at > d.closed_at)))), \
     last_progress_at = (select max(e.at) from deal_events e where e.customer_id = customers.id) \
     where id = $1";

/// Recomputes `customer`'s deal projections from its deals (after deals moved to or from it).
pub(crate) async fn reproject(tx: &mut Tx, customer: CustomerId) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(REPROJECT)
        .bind(customer.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Updates the customer's projections with one of the `ON_*` statements.
async fn project(
    tx: &mut Tx,
    sql: &'static str,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = on_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(customer.0)
        .execute(&mut *c)
        .await?
        .rows_affected());
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One audit row of the deal (`entity = 'deal'`).
async fn audit(
    tx: &mut Tx,
    actor: &Actor,
    deal: DealId,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query(
        "insert into audit_log (at, actor_id, entity, entity_id, field, old_value, new_value) \
         values ($1, $2, 'deal', $3, $4, $5, $6)"
    )
    .bind(now)
    .bind(actor.user_id.0)
    .bind(deal.0)
    .bind(field)
    .bind(old)
    .bind(new)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
