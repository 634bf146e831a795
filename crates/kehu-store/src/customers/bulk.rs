//! Bulk insert, the path imports take: many customers with their contacts, identity keys and
//! `create` ledger events, in batched transactions of multi-row inserts.
//!
//! What a caller can rely on:
//! - A row is written whole or not at all: the customer, its contacts, its identity keys, its
//!   match-index keys and its ledger event go in together.
//! - A row that did not parse is reported once per bad field and skipped.
//! - A row whose strong key (mobile, credit code) an existing customer or an earlier row of
//!   the same call holds is reported, with the holder, and skipped; strong keys stay unique.
//! - Rows are written in batches of [`BATCH_ROWS`], each batch one transaction, so a failure
//!   of the database itself (disk full, connection lost) returns `Err` with the batches before
//!   it committed and nothing of the failed batch written.

use crate::db::Tx;
use crate::error::StoreError;
use crate::rows::micros;
use crate::{Store, match_index};
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::keys::{IdentityKey, KeyKind, StrongKeys, keys_of_new};
use kehu_domain::customer::search::search_text;
use kehu_domain::customer::{NewCustomer, Phone};
use kehu_domain::error::FieldErrors;
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use sqlx::QueryBuilder;
use std::borrow::Cow;
use std::collections::HashMap;

/// Customers per transaction: big enough that begin and commit cost little per row, small
/// enough that a batch holds SQLite's write lock for a few milliseconds only.
pub const BATCH_ROWS: usize = 500;

/// Bind parameters per statement, below SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_BINDS: usize = 30_000;

/// How often a batch is retried after losing a race for a strong key on PostgreSQL.
const RACE_RETRIES: usize = 3;

/// One row to insert.
#[derive(Debug, Clone)]
pub struct BulkRow {
    /// Its number in the source, as the user sees it (a file's line, say).
    pub row: usize,
    /// The row as parsed with [`NewCustomer::parse`].
    pub customer: Result<NewCustomer, FieldErrors>,
    /// Its owner after the insert (decided by the caller's access rules); `None` is the pool.
    pub owner: Option<UserId>,
}

/// Why a row was skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    /// The value did not parse; `code` is the field error's message key.
    Invalid {
        /// Message key, e.g. `phone_invalid`.
        code: &'static str,
    },
    /// A strong key belongs to another customer already.
    Duplicate {
        /// The customer holding it.
        existing: CustomerId,
        /// The row of this call that created that customer, if one did.
        same_as_row: Option<usize>,
    },
}

/// A skipped row: which one, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row's number, as given.
    pub row: usize,
    /// The input field at fault (`phone`, `credit_code`, `contacts[0].name`, …).
    pub field: Cow<'static, str>,
    /// What is wrong.
    pub problem: RowProblem,
}

/// The outcome of a bulk insert.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkReport {
    /// Rows written, with the customer each became, in row order.
    pub created: Vec<(usize, CustomerId)>,
    /// Rows skipped, in row order.
    pub rejected: Vec<RowError>,
}

/// A parsed row with its identity keys.
struct Pending<'a> {
    row: usize,
    customer: &'a NewCustomer,
    owner: Option<UserId>,
    keys: Vec<IdentityKey>,
}

impl Store {
    /// Inserts `rows` created by `by` at `now` (see the module documentation for what is
    /// written and what is reported).
    pub async fn bulk_insert_customers(
        &self,
        by: &Actor,
        rows: &[BulkRow],
        now: DateTime<Utc>,
    ) -> Result<BulkReport, StoreError> {
        let now = micros(now);
        let mut report = BulkReport::default();
        let mut valid = Vec::with_capacity(rows.len());
        for r in rows {
            match &r.customer {
                Ok(customer) => valid.push(Pending {
                    row: r.row,
                    customer,
                    owner: r.owner,
                    keys: keys_of_new(customer),
                }),
                Err(errs) => report.rejected.extend(errs.0.iter().map(|e| RowError {
                    row: r.row,
                    field: e.field.clone(),
                    problem: RowProblem::Invalid { code: e.code },
                })),
            }
        }
        for batch in valid.chunks(BATCH_ROWS) {
            let mut attempt = 0;
            let done = loop {
                match self.insert_batch(by, batch, now).await {
                    Err(e) if attempt < RACE_RETRIES && is_unique_violation(&e) => attempt += 1,
                    other => break other?,
                }
            };
            merge(&mut report, batch, done);
        }
        report.rejected.sort_by_key(|e| e.row);
        Ok(report)
    }

    /// How many customers exist, pool included.
    pub async fn customer_total(&self) -> Result<i64, StoreError> {
        Ok(on_db!(&self.db, |p| sqlx::query_scalar(
            "select count(*) from customers"
        )
        .fetch_one(p)
        .await)?)
    }

    /// Writes the rows of `batch` that hold no taken strong key, in one transaction.
    async fn insert_batch(
        &self,
        by: &Actor,
        batch: &[Pending<'_>],
        now: DateTime<Utc>,
    ) -> Result<BatchDone, StoreError> {
        let mut tx = self.begin_write().await?;
        import_cache(&mut tx, IMPORT_CACHE_KIB).await?;
        let strong = crate::identity::strong_keys(&mut tx).await?;
        let holders = strong_holders(&mut tx, batch, &strong).await?;
        let mut claimed: HashMap<&IdentityKey, usize> = HashMap::new();
        let mut skipped = Vec::new();
        let mut write = Vec::with_capacity(batch.len());
        for (i, p) in batch.iter().enumerate() {
            let clash = p.keys.iter().filter(|k| strong.holds(k)).find_map(|k| {
                let held = holders
                    .get(&(k.kind, k.value.as_str()))
                    .map(|id| Holder::Stored(*id));
                held.or_else(|| claimed.get(k).map(|j| Holder::Batch(*j)))
                    .map(|h| (k.kind.field(), h))
            });
            match clash {
                Some((field, holder)) => skipped.push((i, field, holder)),
                None => {
                    for k in p.keys.iter().filter(|k| strong.holds(k)) {
                        claimed.insert(k, i);
                    }
                    write.push(i);
                }
            }
        }
        let ids = insert_rows(&mut tx, by, (batch, &write), &strong, now).await?;
        let indexed: Vec<(CustomerId, &NewCustomer)> = ids
            .iter()
            .zip(&write)
            .map(|(id, i)| (*id, batch[*i].customer))
            .collect();
        match_index::index_customers(&mut tx, &indexed).await?;
        import_cache(&mut tx, SERVER_CACHE_KIB).await?;
        tx.commit().await?;
        Ok(BatchDone {
            written: write.into_iter().zip(ids).collect(),
            skipped,
        })
    }
}

/// SQLite page cache of a connection while it writes a batch. A batch's keys land on pages
/// all over the hash-ordered match index; with SQLite's default 2 MiB cache a batch at a
/// million customers spills dirty pages to the WAL mid-transaction and writes them again.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// SQLite's default page cache, restored before the batch commits so a pooled connection
/// does not keep the import's cache.
const SERVER_CACHE_KIB: i64 = 2000;

/// Sets the page cache of the batch's connection (SQLite only; PostgreSQL's buffers are the
/// server's).
async fn import_cache(tx: &mut Tx, kib: i64) -> Result<(), StoreError> {
    if let Tx::Sqlite(t, _) = tx {
        let sql = sqlx::AssertSqlSafe(format!("pragma cache_size = -{kib}"));
        sqlx::query(sql).execute(&mut **t).await?;
    }
    Ok(())
}

/// Who holds a strong key a row wants.
#[derive(Clone, Copy)]
enum Holder {
    /// A customer already stored (by an earlier batch or before this call).
    Stored(CustomerId),
    /// An earlier row of the same batch (its index there).
    Batch(usize),
}

/// What a committed batch did, by index into the batch.
struct BatchDone {
    written: Vec<(usize, CustomerId)>,
    skipped: Vec<(usize, &'static str, Holder)>,
}

fn merge(report: &mut BulkReport, batch: &[Pending<'_>], done: BatchDone) {
    let id_of: HashMap<usize, CustomerId> = done.written.iter().copied().collect();
    for (i, field, holder) in done.skipped {
        let (existing, same_as_row) = match holder {
            Holder::Batch(j) => (id_of[&j], Some(batch[j].row)),
            // Ids grow with every batch, so earlier rows of this call are found by id.
            Holder::Stored(id) => (
                id,
                report
                    .created
                    .binary_search_by_key(&id, |(_, c)| *c)
                    .ok()
                    .map(|k| report.created[k].0),
            ),
        };
        report.rejected.push(RowError {
            row: batch[i].row,
            field: Cow::Borrowed(field),
            problem: RowProblem::Duplicate {
                existing,
                same_as_row,
            },
        });
    }
    report
        .created
        .extend(done.written.into_iter().map(|(i, id)| (batch[i].row, id)));
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Db(d) if d.as_database_error().map(|d| d.kind())
        == Some(sqlx::error::ErrorKind::UniqueViolation))
}

/// The stored holders of the batch's strong keys, by (kind, value): one indexed `in (…)`
/// lookup per key kind.
async fn strong_holders<'a>(
    tx: &mut Tx,
    batch: &'a [Pending<'_>],
    strong: &StrongKeys,
) -> Result<HashMap<(KeyKind, &'a str), CustomerId>, StoreError> {
    let mut out = HashMap::new();
    for kind in strong.kinds().iter().copied() {
        let values: Vec<&str> = batch
            .iter()
            .flat_map(|p| &p.keys)
            .filter(|k| k.kind == kind)
            .map(|k| k.value.as_str())
            .collect();
        for chunk in values.chunks(MAX_BINDS - 1) {
            let found: Vec<(String, i64)> = on_tx!(tx, |c| {
                let mut q = QueryBuilder::new(
                    "select value, customer_id from identity_keys where strong and kind = ",
                );
                q.push_bind(kind.code()).push(" and value in (");
                let mut list = q.separated(", ");
                for v in chunk {
                    list.push_bind(*v);
                }
                q.push(")");
                q.build_query_as().fetch_all(&mut *c).await?
            });
            for (value, id) in found {
                if let Some(v) = chunk.iter().find(|v| **v == value) {
                    out.insert((kind, *v), CustomerId(id));
                }
            }
        }
    }
    Ok(out)
}

/// Inserts the customers `write` (indexes into `batch`) with their contacts, keys and ledger
/// events; returns their ids in the order of `write`.
async fn insert_rows(
    tx: &mut Tx,
    by: &Actor,
    (batch, write): (&[Pending<'_>], &[usize]),
    strong: &StrongKeys,
    now: DateTime<Utc>,
) -> Result<Vec<CustomerId>, StoreError> {
    let mut ids = Vec::with_capacity(write.len());
    for chunk in write.chunks(MAX_BINDS / 19) {
        ids.extend(insert_customers(tx, by, batch, chunk, now).await?);
    }
    let rows: Vec<(&Pending<'_>, CustomerId)> = write
        .iter()
        .map(|i| &batch[*i])
        .zip(ids.iter().copied())
        .collect();
    insert_contacts(tx, &rows, now).await?;
    insert_keys(tx, &rows, strong).await?;
    insert_events(tx, by, &rows, now).await?;
    Ok(ids)
}

/// The customer rows. The owner is written with the row and its `create` event goes into the
/// same transaction ([`insert_events`]): a new row has no earlier owner to compare-and-set
/// against, so this is the projection of that event, as `ownership::apply` writes it for a
/// single create (hence `version` 1).
async fn insert_customers(
    tx: &mut Tx,
    by: &Actor,
    batch: &[Pending<'_>],
    chunk: &[usize],
    now: DateTime<Utc>,
) -> Result<Vec<CustomerId>, StoreError> {
    let mut ids: Vec<i64> = on_tx!(tx, |c| {
        let mut q = QueryBuilder::new(
            "insert into customers (name, name_normalized, phone, phone_ext, source, intent, grade, \
             industry, province, city, next_follow_up_at, owner_id, owner_since, version, created_by, \
             created_at, updated_at, credit_code, search_text) ",
        );
        q.push_values(chunk.iter().map(|i| &batch[*i]), |mut b, p| {
            let n = p.customer;
            b.push_bind(n.name.as_str().to_owned())
                .push_bind(n.name.normalized().to_owned())
                .push_bind(n.phone.e164().to_owned())
                .push_bind(n.phone.extension().map(str::to_owned))
                .push_bind(n.source.code())
                .push_bind(n.intent.code())
                .push_bind(n.grade.map(|g| g.code()))
                .push_bind(n.industry.clone())
                .push_bind(n.province.clone())
                .push_bind(n.city.clone())
                .push_bind(n.next_follow_up_at.map(micros))
                .push_bind(p.owner.map(|u| u.0))
                .push_bind(now)
                .push("1")
                .push_bind(by.user_id.0)
                .push_bind(now)
                .push_bind(now)
                .push_bind(n.credit_code.as_ref().map(|cc| cc.as_str().to_owned()))
                .push_bind(search_text(
                    n.name.as_str(),
                    n.contacts.iter().map(|k| k.name.as_str()),
                ));
        });
        q.push(" returning id");
        q.build_query_scalar().fetch_all(&mut *c).await?
    });
    // Both engines number the rows of one multi-row insert in VALUES order (SQLite holds the
    // write lock; PostgreSQL draws the identity per row in order), but RETURNING's order is
    // not promised: sorting restores the order of `chunk`.
    ids.sort_unstable();
    Ok(ids.into_iter().map(CustomerId).collect())
}

async fn insert_contacts(
    tx: &mut Tx,
    rows: &[(&Pending<'_>, CustomerId)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let contacts: Vec<_> = rows
        .iter()
        .flat_map(|(p, id)| p.customer.contacts.iter().map(move |k| (*id, k)))
        .collect();
    for chunk in contacts.chunks(MAX_BINDS / 6) {
        on_tx!(tx, |c| {
            let mut q = QueryBuilder::new(
                "insert into contacts (customer_id, name, phone, phone_ext, title, created_at) ",
            );
            q.push_values(chunk, |mut b, (id, k)| {
                b.push_bind(id.0)
                    .push_bind(k.name.clone())
                    .push_bind(k.phone.as_ref().map(|p| p.e164().to_owned()))
                    .push_bind(
                        k.phone
                            .as_ref()
                            .and_then(Phone::extension)
                            .map(str::to_owned),
                    )
                    .push_bind(k.title.clone())
                    .push_bind(now);
            });
            q.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn insert_keys(
    tx: &mut Tx,
    rows: &[(&Pending<'_>, CustomerId)],
    strong: &StrongKeys,
) -> Result<(), StoreError> {
    let keys: Vec<_> = rows
        .iter()
        .flat_map(|(p, id)| p.keys.iter().map(move |k| (*id, k)))
        .collect();
    for chunk in keys.chunks(MAX_BINDS / 4) {
        on_tx!(tx, |c| {
            let mut q =
                QueryBuilder::new("insert into identity_keys (customer_id, kind, value, strong) ");
            q.push_values(chunk, |mut b, (id, k)| {
                b.push_bind(id.0)
                    .push_bind(k.kind.code())
                    .push_bind(k.value.clone())
                    .push_bind(strong.holds(k));
            });
            q.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}

async fn insert_events(
    tx: &mut Tx,
    by: &Actor,
    rows: &[(&Pending<'_>, CustomerId)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(MAX_BINDS / 4) {
        on_tx!(tx, |c| {
            let mut q = QueryBuilder::new(
                "insert into ownership_events (customer_id, kind, from_user, to_user, by_user, reason, rule, at) ",
            );
            q.push_values(chunk, |mut b, (p, id)| {
                b.push_bind(id.0)
                    .push_bind(LedgerKind::Create.code())
                    .push("null")
                    .push_bind(p.owner.map(|u| u.0))
                    .push_bind(by.user_id.0)
                    .push("null")
                    .push("null")
                    .push_bind(now);
            });
            q.build().execute(&mut *c).await?;
        });
    }
    Ok(())
}
