//! The ownership ledger's store side: the one writer of `customers.owner_id`.

use crate::Store;
use crate::db::{Tx, with_retry};
use crate::error::StoreError;
use crate::rows::{LedgerRow, micros};
use chrono::{DateTime, Utc};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::{LedgerEntry, LedgerKind, OwnerChange, OwnershipState};

const STATE: &str = "select c.id, c.owner_id, o.name, t.path, c.owner_since, c.version \
     from customers c left join users o on o.id = c.owner_id left join teams t on t.id = o.team_id \
     where c.id = $1";

/// Compare-and-set: the row moves only if nobody changed it since the decision was made.
/// A customer going to the pool goes to `$5` if given, else to the former owner's (`$6`)
/// home pool; an owned customer is in no pool. A new owner starts unlocked.
pub(crate) const SET_OWNER: &str = concat!(
    "update customers set owner_id = $1, owner_since = $2, updated_at = $2, \
     version = version + 1, locked = false, pool_id = case when $1 is null then coalesce($5, ",
    crate::pools::home_pool!("$6"),
    ") else null end where id = $3 and version = $4"
);

/// [`SET_OWNER`] for a chunk of recycles, from a `values` list (`column1`… are the names
/// both engines give its columns): each customer goes to its target pool only while its
/// version and its activity are what the verdict saw (see `pools::Activity`). On PostgreSQL
/// the update re-reads the newest row under its lock, so a follow-up, deal or lock landing
/// meanwhile keeps the customer. Answers the ids that moved.
const RECYCLE_WHERE: &str = ") v where customers.id = v.column1 and customers.version = v.column4 \
     and customers.last_effective_follow_up_at is not distinct from v.column5 \
     and customers.last_progress_at is not distinct from v.column6 \
     and customers.open_deals = v.column7 and customers.locked = v.column8 \
     returning customers.id";

pub(crate) const APPEND: &str = "insert into ownership_events (customer_id, kind, from_user, to_user, by_user, reason, rule, at) \
     values ($1, $2, $3, $4, $5, $6, $7, $8)";

/// The columns of a ledger query, with every user's name resolved.
macro_rules! ledger_select {
    () => {
        "select e.id, e.customer_id, e.kind, e.from_user, f.name as from_name, e.to_user, \
         t.name as to_name, e.by_user, b.name as by_name, e.reason, e.rule, e.at \
         from ownership_events e left join users f on f.id = e.from_user \
         left join users t on t.id = e.to_user join users b on b.id = e.by_user \
         where e.customer_id = $1 "
    };
}

type StateRow = (
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    i64,
);

impl Store {
    /// The ownership facts of a customer, unfiltered: call only after an access check, or
    /// to explain a lost race to someone who could see the customer anyway.
    pub async fn ownership_state(
        &self,
        id: CustomerId,
    ) -> Result<Option<OwnershipState>, StoreError> {
        let row: Option<StateRow> = on_db!(&self.db, |p| sqlx::query_as(STATE)
            .bind(id.0)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(state_of))
    }

    /// Persists a decided owner change: projection and ledger event in one transaction.
    /// `Err(Stale)` when the row moved since the decision (the loser of a race).
    /// An assignment (transfer) respects the target's ownership cap: `Err(Refused(_))`.
    pub async fn apply_owner_change(&self, change: &OwnerChange) -> Result<(), StoreError> {
        with_retry(|| async {
            let mut tx = self.begin_write().await?;
            if change.kind == LedgerKind::Transfer {
                crate::pools::check_cap(&mut tx, change).await?;
            }
            apply(&mut tx, change).await?;
            tx.commit().await
        })
        .await
    }

    /// The ledger of a customer, oldest first.
    pub async fn ledger(&self, id: CustomerId) -> Result<Vec<LedgerEntry>, StoreError> {
        const SQL: &str = concat!(ledger_select!(), "order by e.at, e.id");
        let rows = on_db!(&self.db, |p| sqlx::query_as::<_, LedgerRow>(SQL)
            .bind(id.0)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(LedgerEntry::try_from).collect()
    }

    /// The last ledger event at or before `t`: its `to_user` owned the customer then.
    pub async fn ledger_at(
        &self,
        id: CustomerId,
        t: DateTime<Utc>,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        const SQL: &str = concat!(
            ledger_select!(),
            "and e.at <= $2 order by e.at desc, e.id desc limit 1"
        );
        let row = on_db!(&self.db, |p| sqlx::query_as::<_, LedgerRow>(SQL)
            .bind(id.0)
            .bind(micros(t))
            .fetch_optional(p)
            .await)?;
        row.map(LedgerEntry::try_from).transpose()
    }

    /// Ids of the customers `owner` owns now, for bulk transfers.
    pub async fn customers_owned_by(&self, owner: UserId) -> Result<Vec<CustomerId>, StoreError> {
        let ids: Vec<i64> = on_db!(&self.db, |p| sqlx::query_scalar(
            "select id from customers where owner_id = $1 and merged_into is null order by id"
        )
        .bind(owner.0)
        .fetch_all(p)
        .await)?;
        Ok(ids.into_iter().map(CustomerId).collect())
    }
}

/// The ownership facts of a customer inside a transaction.
pub(crate) async fn state_in(
    tx: &mut Tx,
    id: CustomerId,
) -> Result<Option<OwnershipState>, StoreError> {
    let row: Option<StateRow> = on_tx!(tx, |c| sqlx::query_as(STATE)
        .bind(id.0)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(state_of))
}

fn state_of((id, owner, name, path, since, version): StateRow) -> OwnershipState {
    OwnershipState {
        customer_id: CustomerId(id),
        owner_id: owner.map(UserId),
        owner_name: name,
        owner_team_path: path,
        owner_since: since,
        version,
    }
}

/// The one function that changes an owner, inside the caller's transaction. A customer
/// released goes to the former owner's home pool (a recycle's target pool is
/// [`write_recycles`]'s).
pub(crate) async fn apply(tx: &mut Tx, change: &OwnerChange) -> Result<(), StoreError> {
    write(tx, change).await?;
    // Who hears of it (former owner, both ends of a transfer …), in the same transaction.
    crate::notifications::on_owner_change(tx, change).await
}

/// [`apply`] for a claim whose caller already read what its notification needs (see
/// [`crate::notifications::ClaimNotice`]), so nothing more is read under the write lock.
pub(crate) async fn apply_claim(
    tx: &mut Tx,
    change: &OwnerChange,
    notice: crate::notifications::ClaimNotice<'_>,
) -> Result<(), StoreError> {
    write(tx, change).await?;
    crate::notifications::on_claim(tx, change, notice).await
}

/// The compare-and-set of the projection plus the ledger event: with [`write_recycles`]'s
/// set-based form for the recycle job, the only statements that write `customers.owner_id`.
async fn write(tx: &mut Tx, change: &OwnerChange) -> Result<(), StoreError> {
    let at = micros(change.at);
    on_tx!(tx, |c| {
        let moved = sqlx::query(SET_OWNER)
            .bind(change.to.map(|u| u.0))
            .bind(at)
            .bind(change.customer_id.0)
            .bind(change.expected_version)
            .bind(None::<i64>)
            .bind(change.from.map(|u| u.0))
            .execute(&mut *c)
            .await?
            .rows_affected();
        if moved == 0 {
            return Err(StoreError::Stale);
        }
        sqlx::query(APPEND)
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

/// The recycle job's owner changes, many in one transaction: the compare-and-set of
/// [`RECYCLE_WHERE`] for all of them in one statement, then the ledger events of those
/// that moved in one statement. Answers, per change, whether it moved; one that
/// did not (claimed, edited or followed up since it was judged) wrote nothing.
pub(crate) async fn write_recycles(
    tx: &mut Tx,
    items: &[(&OwnerChange, i64, &crate::pools::Activity)],
) -> Result<Vec<bool>, StoreError> {
    debug_assert!(items.iter().all(|(c, ..)| c.to.is_none()));
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = on_tx!(tx, |c| {
        let mut q = sqlx::QueryBuilder::new(
            "update customers set owner_id = null, owner_since = v.column2, \
             updated_at = v.column2, version = version + 1, locked = false, \
             pool_id = v.column3 from (",
        );
        q.push_values(items, |mut b, (change, pool, seen)| {
            b.push_bind(change.customer_id.0)
                .push_bind(micros(change.at))
                .push_bind(*pool)
                .push_bind(change.expected_version)
                .push_bind(seen.last_effective_follow_up_at.map(micros))
                .push_bind(seen.last_progress_at.map(micros))
                .push_bind(seen.open_deals)
                .push_bind(seen.locked);
        });
        q.push(RECYCLE_WHERE);
        q.build_query_scalar().fetch_all(&mut *c).await?
    });
    let moved: Vec<bool> = items
        .iter()
        .map(|(c, ..)| ids.contains(&c.customer_id.0))
        .collect();
    let events: Vec<&OwnerChange> = items
        .iter()
        .zip(&moved)
        .filter_map(|((change, ..), m)| m.then_some(*change))
        .collect();
    if events.is_empty() {
        return Ok(moved);
    }
    on_tx!(tx, |c| {
        let mut q = sqlx::QueryBuilder::new(
            "insert into ownership_events \
             (customer_id, kind, from_user, to_user, by_user, reason, rule, at) ",
        );
        q.push_values(&events, |mut b, e| {
            b.push_bind(e.customer_id.0)
                .push_bind(e.kind.code())
                .push_bind(e.from.map(|u| u.0))
                .push_bind(e.to.map(|u| u.0))
                .push_bind(e.by.0)
                .push_bind(e.reason.clone())
                .push_bind(e.rule.clone())
                .push_bind(micros(e.at));
        });
        q.build().execute(&mut *c).await?;
    });
    Ok(moved)
}
