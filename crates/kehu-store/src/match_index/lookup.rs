//! Candidate lookup with bounded work: one statement reads the posting list of every probed
//! key that is under its kind's cap (counting stops at the cap, so a common key costs at most
//! `cap` index entries and returns nothing), and one more loads the best candidates' data. Two
//! round trips on PostgreSQL, however many keys.

use crate::Store;
use crate::db::Tx;
use crate::error::StoreError;
use chrono::{DateTime, Utc};
use kehu_domain::customer::mask_phone;
use kehu_domain::identity::matching::Record;
use kehu_domain::identity::matching::index::{Probe, StoredCustomer, record_of};
use kehu_domain::ids::CustomerId;
use std::collections::HashMap;

/// An existing customer the index proposes for comparison.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The customer.
    pub customer_id: CustomerId,
    /// Its name (always shown: the rep needs to know what they collide with).
    pub name: String,
    /// Its owner's name; `None` when it is in the pool.
    pub owner_name: Option<String>,
    /// Since when.
    pub owner_since: DateTime<Utc>,
    /// Its main phone, masked.
    pub masked_phone: String,
    /// What the matcher compares. Holds unmasked phones: compare it, never show it.
    pub record: Record,
    /// How strongly the index proposes it: keys in common, an exact one counting ten.
    pub shared: u32,
}

/// id, name, phone, credit code, province, city, owner since, owner name, contact name,
/// contact phone.
type DataRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Probes are sent in multiples of this many (see `match_candidates`).
const PROBE_BUCKET: usize = 8;

/// A key no record has: blocking keys carry their kind (1 or more) in the top bits.
const NO_KEY: i64 = 0;

const DATA: &str = "select c.id, c.name, c.phone, c.credit_code, c.province, c.city, c.owner_since, \
     o.name, k.name, k.phone from customers c left join users o on o.id = c.owner_id \
     left join contacts k on k.customer_id = c.id where c.merged_into is null and c.id in (";

impl Store {
    /// The customers that share a pairing key with the probes, best proposed first, at most
    /// `limit` of them; `exclude` (the record being edited) is left out. Sees every customer,
    /// whoever owns it: the caller reveals only what the actor may see.
    pub async fn match_candidates(
        &self,
        probes: &[Probe],
        exclude: Option<CustomerId>,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        if probes.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let postings: Vec<(i64, i64, bool)> = on_db!(&self.db, |p| {
            let mut q = sqlx::QueryBuilder::new("");
            // Padded with keys no record has, so the statement text (and its prepared form,
            // cached per connection) depends only on the number of keys rounded up.
            let padded = probes.len().div_ceil(PROBE_BUCKET) * PROBE_BUCKET;
            for i in 0..padded {
                let (key, cap, a, b) = match probes.get(i) {
                    Some(probe) => (
                        probe.key,
                        probe.cap as i64,
                        probe.pairs_with(true),
                        probe.pairs_with(false),
                    ),
                    None => (NO_KEY, 0, false, false),
                };
                if i > 0 {
                    q.push(" union all ");
                }
                // Only postings whose role pairs with the query's are read back; the count
                // covers the key's whole list, both roles, as batch blocking does.
                q.push("select key, customer_id, role_a from match_keys where key = ")
                    .push_bind(key)
                    .push(" and ((role_a and ")
                    .push_bind(a)
                    .push(") or (not role_a and ")
                    .push_bind(b)
                    .push(")) and (select count(*) from (select 1 from match_keys where key = ")
                    .push_bind(key)
                    .push(" limit ")
                    .push_bind(cap)
                    .push(format_args!(") as c{i}) < "))
                    .push_bind(cap);
            }
            q.build_query_as().fetch_all(p).await
        })?;
        let ranked = rank(probes, &postings, exclude, limit);
        if ranked.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<DataRow> = on_db!(&self.db, |p| {
            let mut q = sqlx::QueryBuilder::new(DATA);
            let mut list = q.separated(", ");
            for (id, _) in &ranked {
                list.push_bind(*id);
            }
            q.push(") order by c.id, k.id");
            q.build_query_as().fetch_all(p).await
        })?;
        let mut found = candidates(rows);
        let order: HashMap<i64, u32> = ranked.into_iter().collect();
        for c in &mut found {
            c.shared = order.get(&c.customer_id.0).copied().unwrap_or(0);
        }
        found.sort_by(|a, b| {
            b.shared
                .cmp(&a.shared)
                .then(a.customer_id.cmp(&b.customer_id))
        });
        Ok(found)
    }
}

/// Tallies the postings (all under their key's cap and of a pairing role) by customer, an
/// exact key counting ten, and keeps the `limit` customers sharing the most.
fn rank(
    probes: &[Probe],
    postings: &[(i64, i64, bool)],
    exclude: Option<CustomerId>,
    limit: usize,
) -> Vec<(i64, u32)> {
    let weight: HashMap<i64, u32> = probes
        .iter()
        .map(|p| (p.key, if p.exact { 10 } else { 1 }))
        .collect();
    let mut tally: HashMap<i64, u32> = HashMap::new();
    for (key, id, _) in postings {
        if Some(CustomerId(*id)) != exclude {
            *tally.entry(*id).or_default() += weight.get(key).copied().unwrap_or(0);
        }
    }
    let mut ranked: Vec<(i64, u32)> = tally.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    ranked.truncate(limit);
    ranked
}

/// Folds joined rows (one per contact, ordered by customer) into candidates.
fn candidates(rows: Vec<DataRow>) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut contacts: Vec<(String, Option<String>)> = Vec::new();
    let mut current: Option<DataRow> = None;
    for row in rows {
        if current.as_ref().is_some_and(|c| c.0 != row.0) {
            out.extend(current.take().map(|c| candidate(c, &contacts)));
            contacts.clear();
        }
        if let Some(name) = row.8.clone() {
            contacts.push((name, row.9.clone()));
        }
        current.get_or_insert(row);
    }
    out.extend(current.map(|c| candidate(c, &contacts)));
    out
}

fn candidate(row: DataRow, contacts: &[(String, Option<String>)]) -> Candidate {
    let (id, name, phone, credit_code, province, city, owner_since, owner_name, _, _) = row;
    let record = stored_record(
        &name,
        &phone,
        credit_code.as_deref(),
        province.as_deref(),
        city.as_deref(),
        contacts,
    );
    Candidate {
        customer_id: CustomerId(id),
        masked_phone: mask_phone(&phone),
        name,
        owner_name,
        owner_since,
        record,
        shared: 0,
    }
}

fn stored_record(
    name: &str,
    phone: &str,
    credit_code: Option<&str>,
    province: Option<&str>,
    city: Option<&str>,
    contacts: &[(String, Option<String>)],
) -> Record {
    let contacts: Vec<(&str, Option<&str>)> = contacts
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_deref()))
        .collect();
    record_of(&StoredCustomer {
        name,
        phone: Some(phone),
        credit_code,
        province,
        city,
        contacts: &contacts,
    })
}

/// name, phone, credit code, province, city.
type RecordRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The matching record of a stored customer, read in the caller's transaction.
pub(super) async fn load_record(
    tx: &mut Tx,
    customer: CustomerId,
) -> Result<Option<Record>, StoreError> {
    let (row, contacts): (Option<RecordRow>, Vec<(String, Option<String>)>) = on_tx!(tx, |c| {
        let row = sqlx::query_as(
            "select name, phone, credit_code, province, city from customers \
             where id = $1 and merged_into is null",
        )
        .bind(customer.0)
        .fetch_optional(&mut *c)
        .await?;
        let contacts =
            sqlx::query_as("select name, phone from contacts where customer_id = $1 order by id")
                .bind(customer.0)
                .fetch_all(&mut *c)
                .await?;
        (row, contacts)
    });
    Ok(row.map(|(name, phone, credit_code, province, city)| {
        stored_record(
            &name,
            &phone,
            credit_code.as_deref(),
            province.as_deref(),
            city.as_deref(),
            &contacts,
        )
    }))
}

/// A contact of the rebuild: customer id, name, phone.
pub(super) type ContactRow = (i64, String, Option<String>);

/// Rows of the rebuild: id and the data of [`load_record`].
pub(super) type BatchRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The matching record of a rebuild row and its contacts.
pub(super) fn batch_record(row: BatchRow, contacts: &[(String, Option<String>)]) -> Record {
    let (_, name, phone, credit_code, province, city) = row;
    stored_record(
        &name,
        &phone,
        credit_code.as_deref(),
        province.as_deref(),
        city.as_deref(),
        contacts,
    )
}
