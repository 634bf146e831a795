//! The match index (查重 at the door): every customer's blocking keys in `match_keys`, so
//! the fuzzy check on create finds its candidates with a few index lookups.
//!
//! Rows are derived from the customer and its contacts by
//! `kehu_domain::identity::matching::index` and written in the same transaction as the
//! customer (`index_customers` for new ones, `reindex` after an edit), with the count of
//! every key's postings in `match_key_counts` (see `counts`). When the code's blocking
//! rules change, the stored rows are rebuilt at startup (`rebuild`).

mod counts;
mod door;
mod lookup;
mod rebuild;

pub use door::DoorMatches;
pub use lookup::Candidate;
pub use rebuild::current_version;

use counts::Counts;

use crate::db::Tx;
use crate::error::StoreError;
use kehu_domain::customer::NewCustomer;
use kehu_domain::identity::matching::index::{IndexKey, StoredCustomer, index_keys, record_of};
use kehu_domain::identity::matching::{Prepared, Record};
use kehu_domain::ids::CustomerId;

/// Rows per multi-row insert: 3 binds a row stays far below either engine's bind limit.
const INSERT_CHUNK: usize = 3000;

/// The matching record of a customer about to be (or just) created.
pub fn record_of_new(new: &NewCustomer) -> Record {
    let contacts: Vec<(&str, Option<&str>)> = new
        .contacts
        .iter()
        .map(|k| (k.name.as_str(), k.phone.as_ref().map(|p| p.e164())))
        .collect();
    record_of(&StoredCustomer {
        name: new.name.as_str(),
        phone: Some(new.phone.e164()),
        credit_code: new.credit_code.as_ref().map(|c| c.as_str()),
        province: new.province.as_deref(),
        city: new.city.as_deref(),
        contacts: &contacts,
    })
}

/// Writes the match keys of customers just inserted, in the caller's transaction: one call
/// per batch (a few multi-row inserts however many customers), and their keys' counts.
pub(crate) async fn index_customers(
    tx: &mut Tx,
    customers: &[(CustomerId, &NewCustomer)],
) -> Result<(), StoreError> {
    let rows: Vec<(CustomerId, IndexKey)> = customers
        .iter()
        .flat_map(|(id, new)| keys_of(&record_of_new(new)).map(move |k| (*id, k)))
        .collect();
    let mut delta = Counts::new();
    insert_keys(tx, rows, &mut delta).await?;
    counts::apply(tx, &delta).await
}

/// Replaces the match keys of `customer` with those of its current row and contacts, in the
/// caller's transaction (after an edit, or on the kept record of a merge). Counts change only
/// for keys that came or went, so an edit that keeps the keys writes no count.
pub(crate) async fn reindex(tx: &mut Tx, customer: CustomerId) -> Result<(), StoreError> {
    let mut delta = Counts::new();
    remove_keys(tx, customer, &mut delta).await?;
    if let Some(record) = lookup::load_record(tx, customer).await? {
        let rows: Vec<(CustomerId, IndexKey)> = keys_of(&record).map(|k| (customer, k)).collect();
        insert_keys(tx, rows, &mut delta).await?;
    }
    counts::apply(tx, &delta).await
}

/// Removes the match keys of `customers` (merged away: they match nothing any more).
pub(crate) async fn unindex(tx: &mut Tx, customers: &[CustomerId]) -> Result<(), StoreError> {
    let mut delta = Counts::new();
    for id in customers {
        remove_keys(tx, *id, &mut delta).await?;
    }
    counts::apply(tx, &delta).await
}

/// Deletes the postings of `customer`, noting each removed key in `delta`.
async fn remove_keys(
    tx: &mut Tx,
    customer: CustomerId,
    delta: &mut Counts,
) -> Result<(), StoreError> {
    let removed: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "delete from match_keys where customer_id = $1 returning key"
    )
    .bind(customer.0)
    .fetch_all(&mut *c)
    .await)?;
    for key in removed {
        *delta.entry(key).or_default() -= 1;
    }
    Ok(())
}

fn keys_of(record: &Record) -> impl Iterator<Item = IndexKey> + use<> {
    index_keys(&Prepared::new(record)).into_iter()
}

/// Inserts `rows` with multi-row statements, sorted by key so a batch's writes walk the
/// index in order (fewer pages touched than hash order); a row already there is left as it
/// is. The keys actually inserted are added to `delta`.
async fn insert_keys(
    tx: &mut Tx,
    mut rows: Vec<(CustomerId, IndexKey)>,
    delta: &mut Counts,
) -> Result<(), StoreError> {
    rows.sort_unstable_by_key(|(id, k)| (k.key, *id));
    for chunk in rows.chunks(INSERT_CHUNK) {
        let inserted: Vec<i64> = on_tx!(tx, |c| {
            let mut q =
                sqlx::QueryBuilder::new("insert into match_keys (key, customer_id, role_a) ");
            q.push_values(chunk, |mut b, (id, k)| {
                b.push_bind(k.key).push_bind(id.0).push_bind(k.role_a);
            });
            // Only rows inserted are returned: a row a concurrent rebuild wrote first is
            // counted once, by whoever wrote it.
            q.push(" on conflict do nothing returning key");
            q.build_query_scalar().fetch_all(&mut *c).await
        })?;
        for key in inserted {
            *delta.entry(key).or_default() += 1;
        }
    }
    Ok(())
}
