//! Identity keys: written with their customer, looked up by the duplicate check. Which
//! kinds are strong (unique) is an admin setting, changed in `strong`.

mod strong;

pub use strong::{STRONG_KEYS, SharedKey};

use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::rows::{collaborator_access, pool_open, read_filter};
use crate::users::scope_pattern;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::access::{AccessFacts, visibility};
use kehu_domain::customer::keys::{IdentityKey, KeyKind, StrongKeys};
use kehu_domain::customer::mask_phone;
use kehu_domain::ids::{CustomerId, UserId};
use serde::Serialize;
use std::collections::HashSet;

/// An existing customer that shares a key with new input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyMatch {
    /// The customer.
    pub customer_id: CustomerId,
    /// The shared key.
    pub kind: KeyKind,
    /// Whether the shared key is strong (saving would be refused).
    pub strong: bool,
    /// Its name (always shown: the rep needs to know what they collide with).
    pub name: String,
    /// Its owner's name; `None` when it is in the pool.
    pub owner_name: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Its main phone, masked.
    pub masked_phone: String,
    /// The shared key's value (the caller's own input, normalised).
    pub value: String,
}

const MATCH: &str = "select k.customer_id, k.kind, k.strong, c.name, o.name as owner_name, c.owner_since, c.phone, k.value \
     from identity_keys k join customers c on c.id = k.customer_id left join users o on o.id = c.owner_id \
     where k.kind = $1 and k.value = $2 order by k.strong desc, k.customer_id limit 20";

#[derive(sqlx::FromRow)]
struct MatchRow {
    customer_id: i64,
    kind: String,
    strong: bool,
    name: String,
    owner_name: Option<String>,
    owner_since: DateTime<Utc>,
    phone: String,
    value: String,
}

fn to_match(r: MatchRow) -> Option<KeyMatch> {
    Some(KeyMatch {
        customer_id: CustomerId(r.customer_id),
        kind: KeyKind::parse(&r.kind)?,
        strong: r.strong,
        name: r.name,
        owner_name: r.owner_name,
        owner_since: r.owner_since,
        masked_phone: mask_phone(&r.phone),
        value: r.value,
    })
}

impl Store {
    /// Every customer sharing one of `keys`, strong hits first. Sees all customers, whoever
    /// owns them, and reveals only name, owner, since and a masked phone.
    pub async fn customers_sharing_keys(
        &self,
        keys: &[IdentityKey],
    ) -> Result<Vec<KeyMatch>, StoreError> {
        let mut out: Vec<KeyMatch> = Vec::new();
        for key in keys {
            let rows: Vec<MatchRow> = on_db!(&self.db, |p| sqlx::query_as::<_, MatchRow>(MATCH)
                .bind(key.kind.code())
                .bind(&key.value)
                .fetch_all(p)
                .await)?;
            for m in rows.into_iter().filter_map(to_match) {
                if !out
                    .iter()
                    .any(|o| o.customer_id == m.customer_id && o.kind == m.kind)
                {
                    out.push(m);
                }
            }
        }
        Ok(out)
    }
}

/// Writes `keys` for `customer` in the caller's transaction, refusing a strong key another
/// customer holds. The read-then-insert is safe: on SQLite the transaction holds the write
/// lock; on PostgreSQL a concurrent insert of the same strong key hits the UNIQUE index,
/// which [`race_as_duplicate`] turns into the same answer.
pub(crate) async fn write_keys(
    tx: &mut Tx,
    customer: CustomerId,
    keys: &[IdentityKey],
) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        // The delete first: on PostgreSQL it takes the table lock a change of the strong
        // kinds waits for (or waits for that change), so the kinds read next are current.
        sqlx::query("delete from identity_keys where customer_id = $1")
            .bind(customer.0)
            .execute(&mut *c)
            .await?;
    });
    let strong = strong_keys(tx).await?;
    on_tx!(tx, |c| {
        for key in keys {
            if strong.holds(key) {
                let holder: Option<i64> = sqlx::query_scalar(
                    "select customer_id from identity_keys where kind = $1 and value = $2 and strong",
                )
                .bind(key.kind.code())
                .bind(&key.value)
                .fetch_optional(&mut *c)
                .await?;
                if let Some(other) = holder.filter(|h| *h != customer.0) {
                    return Err(StoreError::Duplicate {
                        field: key.kind.field(),
                        existing: CustomerId(other),
                    });
                }
            }
            sqlx::query("insert into identity_keys (customer_id, kind, value, strong) values ($1, $2, $3, $4)")
                .bind(customer.0)
                .bind(key.kind.code())
                .bind(&key.value)
                .bind(strong.holds(key))
                .execute(&mut *c)
                .await?;
        }
    });
    Ok(())
}

impl Store {
    /// Maps a unique violation on a strong key (a lost race) to the duplicate it is.
    pub(crate) async fn race_as_duplicate(
        &self,
        err: StoreError,
        keys: &[IdentityKey],
    ) -> StoreError {
        let StoreError::Db(e) = &err else { return err };
        let unique = e.as_database_error().map(|d| d.kind())
            == Some(sqlx::error::ErrorKind::UniqueViolation);
        if !unique {
            return err;
        }
        // Every key: which kinds are strong is the stored rows' `strong` flag.
        for key in keys {
            if let Ok(matches) = self.customers_sharing_keys(std::slice::from_ref(key)).await
                && let Some(m) = matches.into_iter().find(|m| m.strong)
            {
                return StoreError::Duplicate {
                    field: key.kind.field(),
                    existing: m.customer_id,
                };
            }
        }
        err
    }
}

/// The strong kinds as stored, read in the caller's transaction.
pub(crate) async fn strong_keys(tx: &mut Tx) -> Result<StrongKeys, StoreError> {
    crate::settings::setting_in(tx, STRONG_KEYS).await
}

/// Ids per statement of [`Store::readable_among`]: a check has a few hits (at most 5 fuzzy
/// ones and usually one or two exact ones), so one statement nearly always does.
const READABLE_SLOTS: usize = 8;

/// The read rules of `customer_for` for a fixed number of ids (`$3`…`$10`; unused slots
/// hold 0, which no customer has), so the statement text never changes: only what the
/// policy needs (owner, owner's team path, the actor's grant, whether the pool is open).
const READABLE: &str = concat!(
    "select c.id, c.owner_id, ot.path, \
     (select k.access from collaborators k where k.customer_id = c.id and k.user_id = $1), ",
    pool_open!("c.pool_id"),
    " from customers c left join users o on o.id = c.owner_id \
     left join teams ot on ot.id = o.team_id \
     where c.id in ($3, $4, $5, $6, $7, $8, $9, $10) and c.merged_into is null and ",
    read_filter!()
);

/// id, owner, owner's team path, the actor's grant, pool open to the actor.
type ReadableRow = (i64, Option<i64>, Option<String>, Option<String>, bool);

impl Store {
    /// Which of `ids` `actor` may open, by the rules of [`Store::customer_for`], read in one
    /// statement for up to eight ids (what the duplicate check needs for all its hits), on
    /// a direct reader where there is one.
    pub async fn readable_among(
        &self,
        actor: &Actor,
        ids: &[CustomerId],
    ) -> Result<HashSet<CustomerId>, StoreError> {
        let mut out = HashSet::new();
        for chunk in ids.chunks(READABLE_SLOTS) {
            let mut q = Query::new(READABLE)
                .bind(actor.user_id.0)
                .bind(scope_pattern(actor));
            for k in 0..READABLE_SLOTS {
                q = q.bind(chunk.get(k).map_or(0, |id| id.0));
            }
            let rows: Vec<ReadableRow> = self.read_all(&q).await?;
            for (id, owner, path, grant, pool_open) in rows {
                let facts = AccessFacts {
                    owner_id: owner.map(UserId),
                    owner_team_path: path.as_deref(),
                    collaborator: collaborator_access(grant.as_deref()),
                    pool_open,
                };
                // As in `customer_for`: if the SQL filter and the policy ever disagree, the
                // stricter answer wins.
                if visibility(actor, facts).can_read() {
                    out.insert(CustomerId(id));
                }
            }
        }
        Ok(out)
    }
}
