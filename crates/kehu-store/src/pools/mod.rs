//! Pools (公海): their rules, member teams and whitelist; where a customer sits; claims that
//! hold under concurrency (`claim.rs`); what a rule change would recycle (`preview.rs`, asking
//! the recycle judge in `judge.rs`).

mod claim;
mod crud;
mod judge;
mod preview;

pub(crate) use claim::check_cap;
pub use claim::{Claim, PoolRefusal};
pub use crud::{NewPool, Pool, PoolSummary, PoolUser};
pub use judge::{Activity, Judged, PoolWatch};
pub use preview::{Preview, PreviewItem};

use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::CustomerRow;
use kehu_domain::ids::UserId;
use kehu_domain::pool::PoolRules;
use serde::Serialize;

/// The pool a user's customers are released (and recycled) into: the pool of the nearest
/// team above or at theirs that is a member of one, else the default pool. Binds `$1` = user.
macro_rules! home_pool {
    ($user:literal) => {
        concat!(
            "coalesce((select pm.pool_id from pool_members pm join teams pt on pt.id = pm.team_id, \
             users hu join teams ht on ht.id = hu.team_id where hu.id = ",
            $user,
            " and ht.path like pt.path || '%' order by length(pt.path) desc, pm.pool_id limit 1), \
             (select id from pools where is_default))"
        )
    };
}
pub(crate) use home_pool;

/// Where a customer sits: the pool it is in (when unowned) and its owner's lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The pool, when unowned.
    pub pool_id: Option<i64>,
    /// Its name.
    pub pool_name: Option<String>,
    /// Locked (锁定) by its owner against recycling.
    pub locked: bool,
    /// Whether the pool is open to the reading actor.
    #[serde(skip)]
    pub pool_open: bool,
}

impl Place {
    pub(crate) fn of_row(row: &mut CustomerRow) -> Place {
        Place {
            pool_id: row.pool_id,
            pool_name: row.pool_name.take(),
            locked: row.locked,
            pool_open: row.pool_open,
        }
    }
}

pub(crate) fn parse_rules(raw: &str) -> Result<PoolRules, StoreError> {
    serde_json::from_str(raw).map_err(|e| StoreError::Corrupt(format!("pool rules: {e}")))
}

/// The rules of `user`'s home pool (defaults when there is no pool at all).
pub(crate) async fn home_rules(tx: &mut Tx, user: UserId) -> Result<PoolRules, StoreError> {
    const SQL: &str = concat!("select rules from pools where id = ", home_pool!("$1"));
    let raw: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(SQL)
        .bind(user.0)
        .fetch_optional(&mut *c)
        .await)?;
    raw.map_or_else(|| Ok(PoolRules::default()), |r| parse_rules(&r))
}

/// On PostgreSQL, takes the row lock on `user` for the rest of the transaction, so one rep's
/// claims and assignments run one at a time and each counts what the previous one wrote.
/// SQLite needs nothing: `BEGIN IMMEDIATE` already holds the database's one write lock.
pub(crate) async fn lock_rep(tx: &mut Tx, user: UserId) -> Result<(), StoreError> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("select id from users where id = $1 for update")
            .bind(user.0)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}
