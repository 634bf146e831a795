//! Changing which key kinds are strong. The stored keys carry their `strong` flag (the
//! partial UNIQUE index is on it), so a change rewrites the flags of the kinds that change in
//! the same transaction as the setting, and is refused, with nothing changed, when a kind to be made strong has a
//! value several customers share: the index could not hold it, and which customer would keep
//! the key is a merge's decision, not a setting's.

use super::strong_keys;
use crate::Store;
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use crate::settings::write_setting;
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::{KeyKind, StrongKeys};
use kehu_domain::ids::CustomerId;

/// The setting naming the strong key kinds ([`StrongKeys`]); change it with
/// [`Store::put_strong_keys`] only, which keeps the stored keys' flags in step.
pub const STRONG_KEYS: &str = "strong_keys";

/// Customers shown for the example value of a refused change.
const EXAMPLE_CUSTOMERS: i64 = 5;

/// Why kind `kind` cannot be made strong: `values` of its values are held by more than one
/// customer, `example` one of them with (some of) its holders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedKey {
    /// The kind asked for.
    pub kind: KeyKind,
    /// How many of its values more than one customer holds.
    pub values: i64,
    /// The most shared value.
    pub example: String,
    /// Customers holding it (id, name), at most five, oldest first.
    pub customers: Vec<(CustomerId, String)>,
}

impl Store {
    /// Makes `strong` the strong kinds: rewrites the stored keys' flags of the kinds that
    /// change and records the setting (audit log included) in one transaction. Refused with
    /// [`StoreError::KeyShared`] when a kind becoming strong has a value several customers
    /// hold; nothing changes then.
    pub async fn put_strong_keys(
        &self,
        actor: &Actor,
        strong: &StrongKeys,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if let Tx::Postgres(t) = &mut tx {
            // Writers of keys hold ROW EXCLUSIVE; this waits for them and holds them off
            // until the flags are rewritten (SQLite's write transaction is already alone).
            sqlx::query("lock table identity_keys in share row exclusive mode")
                .execute(&mut **t)
                .await?;
        }
        let before = strong_keys(&mut tx).await?;
        let added = changed(strong, &before);
        let dropped = changed(&before, strong);
        for kind in &added {
            if let Some(shared) = shared_values(&mut tx, *kind).await? {
                return Err(StoreError::KeyShared(Box::new(shared)));
            }
        }
        // Only the kinds that change: a kind strong before and after keeps its rows as they
        // are, weak ones included (a number two customers shared before mobiles were
        // unique stays weak on the later one, for the duplicate review).
        for (kinds, flag) in [(&added, true), (&dropped, false)] {
            if kinds.is_empty() {
                continue;
            }
            let slots = kind_slots(kinds);
            let q = Query::new(
                "update identity_keys set strong = $1 where kind in ($2, $3, $4) and strong <> $5",
            )
            .bind(flag)
            .bind(slots[0])
            .bind(slots[1])
            .bind(slots[2])
            .bind(flag);
            tx.run(&q).await?;
        }
        let json = serde_json::to_string(strong).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_setting(&mut tx, actor, STRONG_KEYS, &json, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The kinds of `a` that `b` lacks.
fn changed(a: &StrongKeys, b: &StrongKeys) -> Vec<KeyKind> {
    a.kinds()
        .iter()
        .copied()
        .filter(|k| !b.contains(*k))
        .collect()
}

/// `kinds`' codes in three slots, padded with a code no key has, so the statement never
/// changes.
fn kind_slots(kinds: &[KeyKind]) -> [&'static str; 3] {
    let mut slots = [""; 3];
    for (slot, kind) in slots.iter_mut().zip(kinds) {
        *slot = kind.code();
    }
    slots
}

/// The values of `kind` held by more than one customer: how many, and the most shared one
/// with its holders. `None` when every value has one holder.
async fn shared_values(tx: &mut Tx, kind: KeyKind) -> Result<Option<SharedKey>, StoreError> {
    let (values, top): (i64, Option<String>) = on_tx!(tx, |c| sqlx::query_as(
        "select count(*), max(case when rn = 1 then value end) from ( \
           select value, row_number() over (order by count(distinct customer_id) desc, value) \
             as rn \
           from identity_keys where kind = $1 group by value \
           having count(distinct customer_id) > 1) s"
    )
    .bind(kind.code())
    .fetch_one(&mut *c)
    .await?);
    let Some(example) = top else { return Ok(None) };
    let customers: Vec<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(
        "select c.id, c.name from identity_keys k join customers c on c.id = k.customer_id \
         where k.kind = $1 and k.value = $2 order by c.id limit $3"
    )
    .bind(kind.code())
    .bind(&example)
    .bind(EXAMPLE_CUSTOMERS)
    .fetch_all(&mut *c)
    .await?);
    Ok(Some(SharedKey {
        kind,
        values,
        example,
        customers: customers
            .into_iter()
            .map(|(id, name)| (CustomerId(id), name))
            .collect(),
    }))
}
